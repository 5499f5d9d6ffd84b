"""A UK CMA case page (GOV.UK Content API JSON) as a regulatory review record.

``https://www.gov.uk/api/content/cma-cases/<slug>`` returns a ``cma_case`` document:
``details.metadata`` (case type and state, outcome code, opened and closed dates),
``details.change_history`` (dated notes, one per update of the page), ``details.body`` (HTML
whose sections hold paragraphs that open with their date, "5 March 2025: …") and
``details.attachments`` (the notices and decisions as PDFs). The record keeps the dated
events of both, the outcome from the metadata or, failing that, from what the body says, and
the companies the title names ("Microsoft / OpenAI partnership merger inquiry").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from scrapers.filings.inputs import (
    FilingParseError,
    clean_text,
    load_html,
    load_object,
    local_name,
    london_date,
    parse_date,
    parse_datetime,
)

AUTHORITY = "UK CMA"
GOV_UK = "https://www.gov.uk"
MAX_EVENTS = 500

# Stages in the order a merger inquiry reaches them; a review's stage is the furthest reached.
STAGES = (
    "opened",
    "invitation_to_comment",
    "phase_1",
    "phase_1_decision",
    "phase_2",
    "phase_2_decision",
    "closed",
)
OUTCOME_TYPES = {
    "mergers-phase-1-clearance": "cleared at phase 1",
    "mergers-phase-1-clearance-with-undertakings-in-lieu": "cleared at phase 1 with undertakings in lieu of a reference",
    "mergers-phase-1-referral": "referred to phase 2",
    "mergers-phase-1-found-not-to-qualify": "found not to qualify",
    "mergers-phase-1-public-interest-interventions": "public interest intervention",
    "mergers-phase-2-clearance": "cleared at phase 2",
    "mergers-phase-2-clearance-with-remedies": "cleared at phase 2 with remedies",
    "mergers-phase-2-prohibition": "prohibited",
    "mergers-phase-2-cancellation": "cancelled",
}
# What a decision says, most specific first. Each is negated or final on purpose: every
# invitation to comment asks *whether* there is a relevant merger situation.
FINDINGS = (
    (
        "found not to qualify",
        r"found not to qualify|does not qualify for (?:review|investigation)|did not qualify",
    ),
    (
        "not a relevant merger situation",
        r"\bno relevant merger situation|\bnot (?:been )?(?:a|give rise to a|result(?:ed)? in (?:the creation of )?a|"
        r"created a) relevant merger situation",
    ),
    (
        "no material influence",
        r"\bno material influence|\b(?:has|have|had|did) not (?:acquire|acquired|obtain|obtained|gain|gained) "
        r"(?:the ability to exercise )?material influence",
    ),
    (
        "referred to phase 2",
        r"(?<!not be )(?<!not been )\breferred (?:for|to) (?:a )?phase 2|\bphase 2 reference",
    ),
    ("cleared with undertakings", r"undertakings in lieu of (?:a )?reference (?:were|have been) accepted"),
    ("prohibited", r"\bprohibit(?:ed|s|ion)\b"),
    ("cleared", r"\bcleared\b|will not be referred|decided not to refer|\bnot to refer\b"),
)
_EVENT_KINDS = (
    ("phase_2", r"phase 2|in-depth investigation|\breferr?(?:al|ed|ence)\b"),
    (
        "decision",
        r"decision|found not to qualify|does not qualify|clearance|\bcleared\b|undertakings in lieu|"
        r"not to refer|final report",
    ),
    (
        "phase_1",
        r"launch of (?:cma )?merger inquiry|commencement (?:of initial period )?notice|phase 1 investigation",
    ),
    ("invitation_to_comment", r"invitation to comment"),
    ("closed", r"\bcase closed\b|\bclosure\b"),
    ("opened", r"first published|\blaunch"),
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATED = re.compile(rf"^(\d{{1,2}} (?:{_MONTHS}) \d{{4}})\s*:\s*(.+)$", re.S)
_SHORT_DATE = re.compile(r"\((\d{1,2})\.(\d{1,2})\.(\d{2})\)")
_DECISION_DOCUMENT = re.compile(r"decision|full text|summary|final report|qualify|undertaking|reasons", re.I)
_FILE_NOTE = re.compile(r"\s*\((?:PDF|ODT|DOCX?|XLSX?|CSV|HTML)[^)]*\)\s*$", re.I)


@dataclass(frozen=True)
class ReviewEvent:
    on: date
    kind: str  # opened, invitation_to_comment, phase_1, decision, phase_2, closed, update
    note: str
    source: str  # "change_history" (a page update) or "body" (a dated paragraph of the case page)


@dataclass(frozen=True)
class CaseDocument:
    title: str
    url: str
    published_on: date | None
    is_decision: bool


@dataclass(frozen=True)
class RegulatoryReview:
    authority: str
    title: str
    url: str
    case_type: str
    case_state: str  # open or closed, as GOV.UK says
    stage: str  # one of STAGES
    outcome: str  # '' while undecided
    outcome_type: str  # GOV.UK's code, e.g. mergers-phase-1-found-not-to-qualify
    findings: tuple[str, ...]  # what the page says was found (FINDINGS labels), in that order
    opened_on: date | None
    closed_on: date | None
    decided_on: date | None
    subjects: tuple[str, ...]
    events: tuple[ReviewEvent, ...]
    documents: tuple[CaseDocument, ...]
    market_sectors: tuple[str, ...] = ()
    summary: str = ""
    updated_at: datetime | None = None

    @property
    def decision_documents(self) -> tuple[CaseDocument, ...]:
        return tuple(d for d in self.documents if d.is_decision)


def parse_cma_case(body: bytes | str) -> RegulatoryReview:
    """The review record of one ``cma_case`` content item."""
    data = load_object(body, what="GOV.UK case JSON")
    if data.get("document_type") != "cma_case":
        raise FilingParseError(
            f"GOV.UK case JSON: document_type is {clean_text(data.get('document_type'), 40)!r}"
        )
    details = data.get("details")
    if not isinstance(details, dict):
        raise FilingParseError("GOV.UK case JSON: no details object")
    metadata = details.get("metadata") if isinstance(details.get("metadata"), dict) else {}
    base_path = data.get("base_path") if isinstance(data.get("base_path"), str) else ""
    if not base_path.startswith("/cma-cases/"):
        raise FilingParseError("GOV.UK case JSON: base_path is not under /cma-cases/")
    html = details.get("body") if isinstance(details.get("body"), str) else ""
    body_events, body_text, links = _read_body(html)
    events = sorted(_history(details.get("change_history")) + body_events, key=lambda e: (e.on, e.source))
    title = clean_text(data.get("title"), 300)
    outcome_type = clean_text(metadata.get("outcome_type"), 100)
    findings = _findings(" ".join([body_text, *(e.note for e in events)]))
    return RegulatoryReview(
        authority=AUTHORITY,
        title=title,
        url=GOV_UK + base_path,
        case_type=clean_text(metadata.get("case_type"), 60),
        case_state=clean_text(metadata.get("case_state"), 20),
        stage=_stage(events, metadata.get("case_state")),
        outcome=OUTCOME_TYPES.get(outcome_type)
        or outcome_type.replace("-", " ")
        or (findings[0] if findings else ""),
        outcome_type=outcome_type,
        findings=findings,
        opened_on=parse_date(metadata.get("opened_date")),
        closed_on=parse_date(metadata.get("closed_date")),
        decided_on=_decided_on(events, metadata),
        subjects=subject_companies(title),
        events=tuple(events[:MAX_EVENTS]),
        documents=_documents(details.get("attachments"), links),
        market_sectors=tuple(
            clean_text(s, 80) for s in metadata.get("market_sector") or () if isinstance(s, str)
        ),
        summary=clean_text(data.get("description"), 1000),
        updated_at=parse_datetime(data.get("public_updated_at")),
    )


def _decided_on(events: list[ReviewEvent], metadata: dict) -> date | None:
    """The closing date of a decided case, else its first decision (a full text often follows weeks later)."""
    closed = parse_date(metadata.get("closed_date"))
    if closed and metadata.get("outcome_type"):
        return closed
    return min((e.on for e in events if e.kind == "decision"), default=None)


def event_kind(text: str) -> str:
    lower = text.lower()
    return next((kind for kind, pattern in _EVENT_KINDS if re.search(pattern, lower)), "update")


def _history(history: object) -> list[ReviewEvent]:
    events = []
    for entry in history if isinstance(history, list) else ():
        if not isinstance(entry, dict):
            continue
        on, note = london_date(entry.get("public_timestamp")), clean_text(entry.get("note"), 500)
        if on and note:
            events.append(ReviewEvent(on, event_kind(note), note, "change_history"))
    return events


def _read_body(html: str) -> tuple[list[ReviewEvent], str, list[tuple[str, str, date | None]]]:
    """Dated paragraphs (under their h3 heading), the body's text and its links."""
    if not html.strip():
        return [], "", []
    root = load_html(html, what="GOV.UK case body")
    events, texts, links, heading = [], [], [], ""
    for element in root.iter("h2", "h3", "h4", "p", "li"):
        if local_name(element) == "li" and element.find(".//p") is not None:
            continue  # its paragraphs come on their own
        text = clean_text("".join(element.itertext()), 2000)
        texts.append(text)
        if local_name(element) in ("h2", "h3", "h4"):
            heading = text
            continue
        dated = _DATED.match(text)
        on = _day(dated[1]) if dated else None
        if on:
            note = f"{heading}: {dated[2]}" if heading else dated[2]
            events.append(
                ReviewEvent(on, event_kind(f"{heading} {dated[2]}"), clean_text(note, 1000), "body")
            )
        for anchor in element.iter("a"):
            short = _SHORT_DATE.search(text)
            links.append(
                (
                    clean_text("".join(anchor.itertext()), 300),
                    anchor.get("href") or "",
                    _short_day(short) if short else None,
                )
            )
    return events, " ".join(texts), links


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


def _short_day(match: re.Match) -> date | None:
    try:
        return date(2000 + int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _findings(text: str) -> tuple[str, ...]:
    lower = text.lower().replace("\u2019", "'")
    return tuple(label for label, pattern in FINDINGS if re.search(pattern, lower))


def _stage(events: list[ReviewEvent], case_state: object) -> str:
    reached = 0
    for event in events:
        kind = event.kind
        if kind == "decision":
            kind = "phase_2_decision" if reached >= STAGES.index("phase_2") else "phase_1_decision"
        if kind in STAGES:
            reached = max(reached, STAGES.index(kind))
    return "closed" if case_state == "closed" else STAGES[reached]


def _safe_url(href: str) -> str:
    url = urljoin(GOV_UK + "/", href.strip())
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else ""


def _documents(attachments: object, links: list[tuple[str, str, date | None]]) -> tuple[CaseDocument, ...]:
    found: dict[str, CaseDocument] = {}
    for item in attachments if isinstance(attachments, list) else ():
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            title = _FILE_NOTE.sub("", clean_text(item.get("title"), 300))
            url = _safe_url(item["url"])
            if url:
                found.setdefault(
                    url,
                    CaseDocument(
                        title,
                        url,
                        london_date(item.get("created_at")),
                        bool(_DECISION_DOCUMENT.search(title)),
                    ),
                )
    for title, href, on in links:
        url = _safe_url(href)
        if url and url not in found and urlsplit(url).path.lower().endswith(".pdf"):
            title = _FILE_NOTE.sub("", title)
            found[url] = CaseDocument(title, url, on, bool(_DECISION_DOCUMENT.search(title)))
    return tuple(found.values())


_TITLE_TAIL = re.compile(
    r"\s*\b(?:(?:partnership|proposed|anticipated|completed|acquisition)\s+)*"
    r"(?:merger\s+inquiry|inquiry|investigation|merger)\s*$",
    re.I,
)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")


def subject_companies(title: str) -> tuple[str, ...]:
    """Companies a case title names: "Alphabet Inc. (Google LLC) / Anthropic merger inquiry" → three names."""
    core = _TITLE_TAIL.sub("", clean_text(title))
    if " / " not in core:
        return ()
    names: list[str] = []
    for part in core.split(" / "):
        inner = [p.strip() for p in _PARENTHESIS.findall(part) if p.strip()[:1].isupper()]
        main = clean_text(_PARENTHESIS.sub("", part)).strip(" ,;")
        for name in (main, *inner):
            if name and name not in names:
                names.append(name)
    return tuple(names)
