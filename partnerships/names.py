"""Company names as readers type them: a slug, the displayed name, or an alias.

"openai", "OpenAI", "Microsoft Corp", "aws" and "Amazon Web Services" all name a company.
The timeline and export filters, the search page and the company URLs resolve what a reader
typed here, with the rule extraction uses (``normalize_name``: case, accents, possessives and
corporate suffixes do not make a different company). Proposed companies (not yet reviewed)
are never resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from partnerships.models import Company, CompanyAlias, normalize_name


@dataclass(frozen=True)
class CompanyName:
    """A public company as the resolver returns it (no model instance: nothing lazy to query)."""

    id: int
    slug: str
    name: str


@dataclass
class CompanyDirectory:
    """Every way of naming the public companies: slug, normalised name and normalised alias."""

    by_slug: dict[str, CompanyName] = field(default_factory=dict)
    by_key: dict[str, CompanyName] = field(default_factory=dict)
    aliases: dict[int, list[str]] = field(default_factory=dict)  # company id → alias names

    @classmethod
    def load(cls) -> CompanyDirectory:
        """The whole directory: 2 queries (companies, aliases)."""
        directory = cls()
        for pk, slug, name in Company.objects.filter(is_proposed=False).values_list("id", "slug", "name"):
            company = CompanyName(pk, slug, name)
            directory.by_slug[slug] = company
            directory.by_key.setdefault(normalize_name(name), company)
        aliases = CompanyAlias.objects.filter(company__is_proposed=False).values_list(
            "company_id", "name", "normalized"
        )
        by_id = {c.id: c for c in directory.by_slug.values()}
        for company_id, name, normalized in aliases.order_by("name"):
            company = by_id.get(company_id)
            if company is not None:
                directory.by_key.setdefault(normalized, company)
                directory.aliases.setdefault(company_id, []).append(name)
        return directory

    def resolve(self, value: str) -> CompanyName | None:
        """The company a typed value names, or None. An exact slug wins over a name."""
        value = (value or "").strip()
        if not value:
            return None
        return self.by_slug.get(value.lower()) or self.by_key.get(normalize_name(value))

    def spellings(self, company: CompanyName) -> list[str]:
        """The company's name and aliases, as a search looks for them in text."""
        return [company.name, *self.aliases.get(company.id, [])]


def companies_named(values: list[str]) -> dict[str, CompanyName | None]:
    """What each typed value names (None when nothing does).

    One query answers the usual case (a slug, an alias or the name as displayed); the full
    directory (2 more) is read only when a value is spelled some other way ("Microsoft Corp.").
    """
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return {}
    keys = {normalize_name(v) for v in values}
    spelled = Q()
    for text in {*(v for v in values), *keys}:
        spelled |= Q(name__iexact=text)
    rows = (
        Company.objects.filter(is_proposed=False)
        .filter(Q(slug__in=[v.lower() for v in values]) | Q(aliases__normalized__in=keys) | spelled)
        .values_list("id", "slug", "name", "aliases__normalized")
    )
    directory = CompanyDirectory()
    for pk, slug, name, alias in rows:
        company = CompanyName(pk, slug, name)
        directory.by_slug[slug] = company
        directory.by_key.setdefault(normalize_name(name), company)
        if alias:
            directory.by_key.setdefault(alias, company)
    found = {value: directory.resolve(value) for value in values}
    if any(company is None for company in found.values()):
        everything = CompanyDirectory.load()
        found = {value: company or everything.resolve(value) for value, company in found.items()}
    return found
