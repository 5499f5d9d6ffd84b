"""What a filing says about itself: the inline-XBRL cover facts, and how Pactwatch names a filing.

An inline-XBRL 10-K, 10-Q or 8-K tags its cover page with ``dei:`` facts
(``<ix:nonNumeric name="dei:DocumentType">10-K</ix:nonNumeric>``): the form, the
registrant's name and CIK, and the period the report covers (for an 8-K, the date of the
event). The filing date is not among them: EDGAR's listings give it. A document without
those tags (plain HTML, an older filing) yields an empty ``Cover``, never an error.

``filing_label`` is the one rule for naming a filing in prose ("Microsoft’s 10-Q for the
quarter ended March 31, 2025"): the archive's titles, the deal page and ``parse_filing`` use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from scrapers.filings.edgar_records import FORM_KINDS, base_form, normalize_cik
from scrapers.filings.inputs import FilingParseError, clean_text, load_html

_COVER_FACTS = {
    "dei:documenttype": "form",
    "dei:entityregistrantname": "registrant",
    "dei:entitycentralindexkey": "cik",
    "dei:documentperiodenddate": "period",
    "dei:documentfiscalyearfocus": "fiscal_year",
    "dei:documentfiscalperiodfocus": "fiscal_period",
    "dei:amendmentflag": "amendment",
}
_DATE_FORMATS = ("%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%d %B %Y")
_FORM = re.compile(r"^[0-9A-Z][0-9A-Z./ -]{0,19}$")


@dataclass(frozen=True)
class Cover:
    form: str = ""
    registrant: str = ""
    cik: str = ""
    period: date | None = None
    fiscal_year: str = ""
    fiscal_period: str = ""
    amendment: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.form or self.registrant or self.cik)


def _cover_date(text: str) -> date | None:
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().rstrip(".")
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_cover(html: bytes | str) -> Cover:
    """The ``dei:`` cover facts of an inline-XBRL document (the first value of each wins)."""
    root = load_html(html, what="filing document")
    found: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag.lower().endswith("nonnumeric"):
            continue
        field = _COVER_FACTS.get((element.get("name") or "").lower())
        if field and field not in found:
            found[field] = clean_text("".join(element.itertext()), 300)
    form = found.get("form", "").upper()
    try:
        cik = normalize_cik(found["cik"]) if found.get("cik") else ""
    except FilingParseError:
        cik = ""
    return Cover(
        form=form if _FORM.match(form) else "",
        registrant=found.get("registrant", ""),
        cik=cik,
        period=_cover_date(found.get("period", "")),
        fiscal_year=found.get("fiscal_year", "")[:4],
        fiscal_period=found.get("fiscal_period", "")[:4],
        amendment=found.get("amendment", "").lower() == "true",
    )


def long_date(value: date) -> str:
    """March 31, 2025."""
    return f"{value:%B} {value.day}, {value.year}"


def possessive(name: str) -> str:
    name = name.strip()
    return f"{name}\u2019" if name.endswith("s") else f"{name}\u2019s"


def filing_label(*, filer: str, form: str, period: date | None, filed_on: date | None = None) -> str:
    """ "Microsoft’s 10-Q for the quarter ended March 31, 2025", "Oracle’s 8-K filed on November 14, 2024"."""
    owner = possessive(filer) if filer else "A"
    form = form or "filing"
    kind = FORM_KINDS.get(base_form(form), "")
    if period is not None and kind == "annual":
        return f"{owner} {form} for the year ended {long_date(period)}"
    if period is not None and kind == "quarterly":
        return f"{owner} {form} for the quarter ended {long_date(period)}"
    if filed_on is not None:
        return f"{owner} {form} filed on {long_date(filed_on)}"
    if period is not None:
        return f"{owner} {form} dated {long_date(period)}"
    return f"{owner} {form}"
