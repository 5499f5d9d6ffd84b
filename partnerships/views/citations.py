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
    kind: str  # the source kind value ("filing", "press"...), empty when not recorded
    archive_url: str  # empty when no copy of the page was ever fetched
    disclosed: str = ""  # for a filing passage: "Amazon’s 10-K for the year ended …, accession …"


def source_rows(sources) -> list[SourceRow]:
    """Sources as a deal page lists them: the publisher (else the web domain), the kind, a link
    only for an http(s) address, and the archived copy only when Pactwatch holds one."""
    rows = []
    for source in sources:
        site = domain(source.url)
        publisher = (source.publisher or "").strip() or site
        kind = source.source_kind  # a short badge: filing, regulator, primary, press, mirror
        title = (source.title or "").strip() or site
        archive = source.get_absolute_url() if source.has_archive else ""
        filing = source.filing if source.filing_id else None
        disclosed = f"{filing.label}, accession {filing.accession_number}" if filing else ""
        rows.append(SourceRow(source.link, title, publisher, kind, archive, disclosed))
    return rows
