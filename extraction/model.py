"""Optional model-based extractor: the prompt, and reading a model's answer (off by default).

A language model served through an OpenAI-compatible ``/chat/completions`` endpoint
proposes parties and clauses. Models invent things, so nothing is believed without
evidence: every party and clause must carry a quote found verbatim in the announcement,
or it is dropped. This module only builds the request and reads the answer; the HTTP call,
its settings and the fall-back to the rules engine are in
``partnerships.services.extractor``, so the extraction package never touches the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extraction.clauses import ExtractedClause
from extraction.core import Extraction
from extraction.dates import find_dateline
from extraction.lexicon import KnownCompany
from extraction.parties import ExtractedParty, company_index
from extraction.text import parse_document
from extraction.vocabulary import (
    ClauseEffect,
    ClauseKind,
    ClauseQualifier,
    ClauseUnit,
    DealKind,
    normalize_name,
)

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


def _values(vocabulary) -> list[str]:
    return [member.value for member in vocabulary]


def _prompt() -> str:
    return PROMPT % {
        "deal_kinds": _values(DealKind),
        "clause_kinds": _values(ClauseKind),
        "units": _values(ClauseUnit),
        "qualifiers": _values(ClauseQualifier),
    }


def completion_request(config: ModelConfig, text: str) -> tuple[str, dict, dict]:
    """The URL, headers and JSON body of one chat completion that reads ``text``."""
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
    return f"{config.url}/chat/completions", headers, body


def completion_answer(response_body: bytes) -> dict:
    """The JSON object the model answered, out of a chat-completion response body."""
    try:
        content = json.loads(response_body)["choices"][0]["message"]["content"]
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


def _answer_parties(items, sources: tuple[str, ...], index) -> list[ExtractedParty]:
    """Parties the model named with a verbatim quote, once each, under their known name."""
    parties: list[ExtractedParty] = []
    seen = set()
    for item in items or []:
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
    return parties


def _choice(value, vocabulary, default: str) -> str:
    # A list, not a set: the model may answer an unhashable value where a string belongs.
    return value if value in _values(vocabulary) else default


def _answer_clause(item, sources: tuple[str, ...]) -> ExtractedClause | None:
    """One clause the model proposed, if its quote is verbatim and its kind is one we know."""
    if not isinstance(item, dict) or item.get("kind") not in _values(ClauseKind):
        return None
    quote = _verbatim(item.get("quote"), sources)
    if quote is None:
        return None
    amount = _decimal(item.get("amount"))
    unit = _choice(item.get("unit"), ClauseUnit, "")
    if amount is not None and not unit:
        amount = None
    return ExtractedClause(
        kind=item["kind"],
        quote=quote[:600],
        amount=amount,
        unit=unit if amount is not None else "",
        qualifier=_choice(item.get("qualifier"), ClauseQualifier, "") if amount is not None else "",
        subject=str(item.get("subject") or "")[:200],
        effect=_choice(item.get("effect"), ClauseEffect, ClauseEffect.GRANTED),
        confidence=0.6,
    )


def answer_to_extraction(answer: dict, raw: str, *, companies: tuple[KnownCompany, ...]) -> Extraction:
    """Keep only what the announcement itself shows: quoted verbatim, with known kinds and units."""
    document = parse_document(raw)
    sources = (document.body, document.title, raw)
    parties = _answer_parties(answer.get("parties"), sources, company_index(tuple(companies)))
    clauses = [c for item in answer.get("clauses") or [] if (c := _answer_clause(item, sources))]
    is_deal = bool(answer.get("is_deal")) and len(parties) >= 2
    kind = _choice(answer.get("kind"), DealKind, DealKind.OTHER)
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


def with_rules_context(result: Extraction, rules: Extraction) -> Extraction:
    """The model's reading, with the date and phase wording the rules engine read (it knows newsrooms)."""
    result.announced_on = rules.announced_on or result.announced_on
    result.is_expansion = rules.is_expansion
    return result
