"""The configured extractor: the rules engine, or a language model with the rules as fall-back.

``EXTRACTION_BACKEND=rules`` (the default) runs ``extraction.core.extract_text`` only.
With ``EXTRACTION_BACKEND=model`` an OpenAI-compatible ``/chat/completions`` endpoint
(``EXTRACTION_MODEL_URL``, ``EXTRACTION_MODEL_NAME``) proposes parties and clauses, read
through ``extraction.model`` (only verbatim-quoted facts survive). Any failure — network,
HTTP status, a body over the cap, a malformed answer — falls back to the rules engine,
which stays the baseline. The HTTP call lives here, not in ``extraction``, so the
extraction package stays free of I/O.
"""

from __future__ import annotations

import logging

import httpx
from django.conf import settings

from extraction.core import Extraction, extract_text
from extraction.lexicon import SEED_COMPANIES, KnownCompany
from extraction.model import (
    MAX_RESPONSE_BYTES,
    ModelConfig,
    ModelError,
    answer_to_extraction,
    completion_answer,
    completion_request,
    with_rules_context,
)

logger = logging.getLogger(__name__)


def model_config() -> ModelConfig | None:
    """The model endpoint from settings, or None when the rules engine alone is configured."""
    if settings.EXTRACTION_BACKEND != "model":
        return None
    return ModelConfig(
        url=settings.EXTRACTION_MODEL_URL,
        model=settings.EXTRACTION_MODEL_NAME,
        api_key=settings.EXTRACTION_MODEL_API_KEY or "",
        timeout=settings.EXTRACTION_MODEL_TIMEOUT,
    )


def ask_model(config: ModelConfig, text: str) -> dict:
    """One chat completion, with a timeout, a size cap and a status check; returns the answered JSON object."""
    url, headers, body = completion_request(config, text)
    try:
        with (
            httpx.Client(timeout=config.timeout, follow_redirects=False) as client,
            client.stream("POST", url, json=body, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise ModelError(f"model endpoint answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise ModelError("model response larger than the cap")
                chunks.append(chunk)
    except httpx.HTTPError as error:
        raise ModelError(f"model endpoint unreachable: {error}") from error
    return completion_answer(b"".join(chunks))


def extract(raw: str, *, companies: tuple[KnownCompany, ...] = SEED_COMPANIES, **kwargs) -> Extraction:
    """The configured extractor: rules by default; the model when enabled, with rules as the fallback."""
    config = model_config()
    rules = extract_text(raw, companies=companies, **kwargs)
    if config is None:
        return rules
    try:
        answer = ask_model(config, raw)
    except ModelError as error:
        logger.warning("model extractor failed, using the rules engine: %s", error)
        return rules
    return with_rules_context(answer_to_extraction(answer, raw, companies=companies), rules)
