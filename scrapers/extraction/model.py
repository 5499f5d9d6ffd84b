"""Optional model-based extractor behind the same interface as the rules engine (off by default).

A language model served through an OpenAI-compatible ``/chat/completions`` endpoint
(``EXTRACTION_MODEL_URL``, ``EXTRACTION_MODEL_NAME``) proposes parties and clauses. Models
invent things, so nothing is believed without evidence: every party and clause must carry
a quote found verbatim in the announcement, or it is dropped. Any failure (network, HTTP
status, malformed answer) falls back to the rules engine, which stays the baseline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings

from partnerships.models.companies import normalize_name
from partnerships.models.deals import Clause, Deal
from scrapers.extraction.clauses import ExtractedClause
from scrapers.extraction.core import Extraction, extract_text
from scrapers.extraction.lexicon import SEED_COMPANIES, KnownCompany
from scrapers.extraction.parties import ExtractedParty, company_index
from scrapers.extraction.text import find_dateline, parse_document

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1_000_000
MAX_INPUT_CHARS = 20_000

PROMPT = """You read one announcement from a company newsroom and say whether it announces a deal
(partnership, investment, compute, chips, licensing, distribution, research collaboration,
acquisition) between organisations. Answer with one JSON object only:
{"is_deal": bool, "confidence": 0..1, "kind": one of %(deal_kinds)s or null,
 "parties": [{"name": str, "quote": str}],
 "clauses": [{"kind": one of %(clause_kinds)s, "amount": number or null,
              "unit": one of %(units)s or null, "qualifier": one of %(qualifiers)s,
              "effect": "granted" or "removed", "subject": str, "quote": str}]}
Every quote must be copied exactly, character for character, from the announcement.
Products (Claude, Azure, Copilot, ChatGPT, Gemini) are not parties."""


class ModelError(Exception):
    """The model endpoint failed or answered something unusable."""


@dataclass(frozen=True)
class ModelConfig:
    url: str
    model: str
    api_key: str = ""
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> ModelConfig | None:
        if settings.EXTRACTION_BACKEND != "model":
            return None
        return cls(
            url=settings.EXTRACTION_MODEL_URL,
            model=settings.EXTRACTION_MODEL_NAME,
            api_key=settings.EXTRACTION_MODEL_API_KEY or "",
            timeout=settings.EXTRACTION_MODEL_TIMEOUT,
        )


def _prompt() -> str:
    return PROMPT % {
        "deal_kinds": list(Deal.Kind.values),
        "clause_kinds": list(Clause.Kind.values),
        "units": list(Clause.Unit.values),
        "qualifiers": list(Clause.Qualifier.values),
    }


def ask_model(config: ModelConfig, text: str) -> dict:
    """One chat completion; returns the parsed JSON object the model answered."""
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    body = {
        "model": config.model,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": _prompt()},
            {"role": "user", "content": text[:MAX_INPUT_CHARS]},
        ],
    }
    try:
        with (
            httpx.Client(timeout=config.timeout, follow_redirects=False) as client,
            client.stream("POST", f"{config.url}/chat/completions", json=body, headers=headers) as response,
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
    try:
        content = json.loads(b"".join(chunks))["choices"][0]["message"]["content"]
        answer = json.loads(content)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ModelError(f"model answer is not the expected JSON: {error}") from error
    if not isinstance(answer, dict):
        raise ModelError("model answer is not a JSON object")
    return answer


def _verbatim(quote, sources: tuple[str, ...]) -> str | None:
    if not isinstance(quote, str) or len(quote.strip()) < 3:
        return None
    quote = quote.strip()
    return quote if any(quote in source for source in sources) else None


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def answer_to_extraction(answer: dict, raw: str, *, companies: tuple[KnownCompany, ...]) -> Extraction:
    """Keep only what the announcement itself shows: quoted verbatim, with known kinds and units."""
    document = parse_document(raw)
    sources = (document.body, document.title, raw)
    index = company_index(tuple(companies))
    parties: list[ExtractedParty] = []
    seen = set()
    for item in answer.get("parties") or []:
        if not isinstance(item, dict) or not _verbatim(item.get("quote"), sources):
            continue
        name = str(item.get("name") or "").strip()[:200]
        if not name or name not in " ".join(sources):
            continue
        known = index.resolve(name)
        key = known.slug if known else normalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        parties.append(ExtractedParty(name=known.name if known else name, slug=known.slug if known else None))
    clauses: list[ExtractedClause] = []
    for item in answer.get("clauses") or []:
        if not isinstance(item, dict) or item.get("kind") not in Clause.Kind.values:
            continue
        quote = _verbatim(item.get("quote"), sources)
        if quote is None:
            continue
        amount = _decimal(item.get("amount"))
        unit = item.get("unit") if item.get("unit") in Clause.Unit.values else ""
        if amount is not None and not unit:
            amount = None
        qualifier = item.get("qualifier") if item.get("qualifier") in Clause.Qualifier.values else ""
        effect = item.get("effect") if item.get("effect") in Clause.Effect.values else Clause.Effect.GRANTED
        clauses.append(
            ExtractedClause(
                kind=item["kind"],
                quote=quote[:600],
                amount=amount,
                unit=unit if amount is not None else "",
                qualifier=qualifier if amount is not None else "",
                subject=str(item.get("subject") or "")[:200],
                effect=effect,
                confidence=0.6,
            )
        )
    is_deal = bool(answer.get("is_deal")) and len(parties) >= 2
    kind = answer.get("kind") if answer.get("kind") in Deal.Kind.values else Deal.Kind.OTHER
    try:
        confidence = min(1.0, max(0.0, float(answer.get("confidence", 0.5))))
    except (TypeError, ValueError):
        confidence = 0.5
    return Extraction(
        is_deal=is_deal,
        confidence=round(confidence, 3),
        kind=kind if is_deal else None,
        parties=parties,
        announced_on=document.header_date or find_dateline(document.body),
        clauses=clauses if is_deal else [],
        title=document.title,
    )


def extract(raw: str, *, companies: tuple[KnownCompany, ...] = SEED_COMPANIES, **kwargs) -> Extraction:
    """The configured extractor: rules by default; the model when enabled, with rules as the fallback."""
    config = ModelConfig.from_settings()
    rules = extract_text(raw, companies=companies, **kwargs)
    if config is None:
        return rules
    try:
        answer = ask_model(config, raw)
    except ModelError as error:
        logger.warning("model extractor failed, using the rules engine: %s", error)
        return rules
    result = answer_to_extraction(answer, raw, companies=companies)
    # The rules engine knows the newsroom's date and phase wording; keep those.
    result.announced_on = rules.announced_on or result.announced_on
    result.is_expansion = rules.is_expansion
    return result
