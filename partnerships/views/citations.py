"""How a deal page is cited and how its sources are named.

A citation gives the deal's title, parties, announcement date, permanent URL, the date the
reader accessed it and the dataset version (the export schema), in plain text and BibTeX.
A source is named by its publisher when the announcement records one, else by its web
domain, never by a URL slug.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings

from partnerships.exports import SCHEMA_VERSION
from partnerships.templatetags.pactwatch import domain, precise_date

_BIBTEX_SPECIAL = re.compile(r"([%&$#_])")


@dataclass(frozen=True)
class Citation:
    permalink: str
    accessed: datetime.date
    text: str
    bibtex: str


def _bibtex_value(text: str) -> str:
    """Text safe inside ``{...}`` of a BibTeX field: no braces or backslashes, specials escaped."""
    text = " ".join(str(text).split()).replace("\\", "").replace("{", "").replace("}", "")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def deal_citation(deal, *, request=None, today: datetime.date | None = None) -> Citation:
    """The citation of one deal page (parties from the prefetched ``deal_parties``)."""
    today = today or datetime.date.today()
    permalink = settings.SITE_URL.rstrip("/") + deal.get_absolute_url()
    parties = [party.company.name for party in deal.deal_parties.all()]
    announced = precise_date(deal.announced_on, deal.announced_precision)
    version = f"Pactwatch dataset, schema {SCHEMA_VERSION}"
    text = (
        f"{' and '.join(parties) or 'Unknown parties'}. “{deal.title}”. Announced {announced}. "
        f"{version}. {permalink} (accessed {today:%Y-%m-%d})."
    )
    fields = [
        ("title", _bibtex_value(deal.title)),
        ("author", "{Pactwatch}"),
        ("year", f"{deal.announced_on:%Y}"),
        ("howpublished", f"\\url{{{permalink}}}"),
        ("note", _bibtex_value(f"Parties: {', '.join(parties)}. Announced {announced}. {version}")),
        ("urldate", f"{today:%Y-%m-%d}"),
    ]
    key = "pactwatch-" + re.sub(r"[^a-z0-9-]", "", deal.slug.lower())[:60]
    bibtex = "@misc{" + key + ",\n" + ",\n".join(f"  {name} = {{{value}}}" for name, value in fields) + "\n}"
    return Citation(permalink, today, text, bibtex)


@dataclass(frozen=True)
class SourceRow:
    url: str
    title: str
    publisher: str  # the publisher's name, else the web domain
    kind: str  # "Filing", "Press"... when the announcement records it
    archive_url: str


def source_rows(sources) -> list[SourceRow]:
    """Sources as a deal page lists them. ``publisher`` and ``source_kind`` are read when the
    announcement model has them (older databases do not), with the domain as the fallback."""
    rows = []
    for source in sources:
        site = domain(source.url)
        publisher = (getattr(source, "publisher", "") or "").strip() or site
        kind = ""
        if getattr(source, "source_kind", ""):
            display = getattr(source, "get_source_kind_display", None)
            kind = str(display()) if callable(display) else str(source.source_kind)
        title = (source.title or "").strip() or site
        rows.append(SourceRow(source.url, title, publisher, kind, source.get_absolute_url()))
    return rows
