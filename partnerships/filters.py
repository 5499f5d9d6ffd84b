"""Which deals a reader asked for: one rule for the timeline, exports, feeds and alerts.

A ``DealFilter`` comes from a query string (``from_query``, which validates and reports
what it could not read) or from a stored subscription (``of_subscription``). It narrows a
queryset in the database (``apply``, ``deals``), judges one loaded deal in Python
(``matches``), and, for alerts, runs backwards: ``subscriptions_accepting`` finds the active
subscriptions whose stored filter accepts a deal. Tests hold the three to the same answers.

Every non-empty criterion must hold; a criterion with several values holds when any of
them does ("OpenAI or Microsoft"). The query-string names are the timeline's: ``company``,
``counterparty``, ``kind``, ``clause``, ``year_from``, ``year_to``, ``min_amount``. A company
may be given by slug, displayed name or alias ("openai", "OpenAI", "aws");
``from_query`` resolves it to a slug (``partnerships.names``) and reports names it does not know.
"""

import datetime
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from partnerships.formatting import amount, decimal_plain
from partnerships.models import Clause, Company, Deal, DealParty, Subscription
from partnerships.names import companies_named

MAX_VALUES = 20  # per criterion: a query string cannot make one filter unboundedly large
MAX_NAME = 200
YEARS = (1990, 2100)
AMOUNT_HELP = "Write an amount like 500M, 1.5B or 2000000."
_MULTIPLIERS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


class FilterValueError(ValueError):
    """A query-string value that cannot be read; the message is for the reader."""


def parse_amount(raw: str) -> Decimal:
    """``"500M"``, ``"1.5b"``, ``"$2,000,000"`` → a Decimal of dollars."""
    match = re.fullmatch(r"\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([kmbt]?)", (raw or "").strip().lower())
    if not match:
        raise FilterValueError(AMOUNT_HELP)
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise FilterValueError(AMOUNT_HELP) from None
    return number * _MULTIPLIERS[match.group(2)]


def _names(values: list[str]) -> tuple[str, ...]:
    """Company values as typed (a slug, a name or an alias); ``from_query`` resolves them."""
    for value in values:
        if len(value) > MAX_NAME:
            raise FilterValueError(f"“{value[:40]}…” is too long for a company name.")
    return tuple(dict.fromkeys(values))


def _unknown_company(value: str) -> str:
    return (
        f"No company is called “{value[:60]}”. Type a name as Pactwatch shows it (OpenAI, Microsoft), "
        "an alias such as AWS, or pick one from the suggestions."
    )


def _choices(values: list[str], allowed: list[str], what: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise FilterValueError(f"Unknown {what} “{unknown[0][:40]}”.")
    return tuple(dict.fromkeys(values))


def _year(raw: str) -> int:
    try:
        year = int(raw)
    except ValueError:
        raise FilterValueError("Enter a year such as 2024.") from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise FilterValueError(f"Enter a year between {YEARS[0]} and {YEARS[1]}.")
    return year


# Query-string name → (dataclass field, reader of the non-empty values given).
_READERS = {
    "company": ("companies", _names),
    "counterparty": ("counterparties", _names),
    "kind": ("kinds", lambda values: _choices(values, Deal.Kind.values, "deal kind")),
    "clause": ("clauses", lambda values: _choices(values, Clause.Kind.values, "clause kind")),
    "year_from": ("year_from", lambda values: _year(values[-1])),
    "year_to": ("year_to", lambda values: _year(values[-1])),
    "min_amount": ("min_amount", lambda values: parse_amount(values[-1])),
}


@dataclass(frozen=True)
class ParsedFilter:
    """What ``DealFilter.from_query`` read: the filter, a message per parameter it ignored, and
    the company each typed company value resolved to (``{"aws": "Amazon"}``)."""

    filter: "DealFilter"
    errors: dict[str, list[str]] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)


def _resolve_companies(values: dict, errors: dict[str, list[str]]) -> dict[str, str]:
    """Replace typed company values by slugs (one lookup for both parameters); report unknown ones.

    Returns what each typed value resolved to, for the page to say "aws: Amazon".
    """
    typed = [*values.get("companies", ()), *values.get("counterparties", ())]
    if not typed:
        return {}
    found = companies_named(typed)
    for name, attr in (("company", "companies"), ("counterparty", "counterparties")):
        if attr not in values:
            continue
        unknown = [value for value in values[attr] if found.get(value) is None]
        if unknown:
            errors[name] = [_unknown_company(value) for value in unknown]
        slugs = tuple(dict.fromkeys(found[v].slug for v in values[attr] if found.get(v) is not None))
        if slugs:
            values[attr] = slugs
        else:
            del values[attr]
    return {value: company.name for value, company in found.items() if company is not None}


@dataclass(frozen=True)
class DealFilter:
    companies: tuple[str, ...] = ()  # company slugs: one of them is a party
    counterparties: tuple[str, ...] = ()  # ...and so is one of these (the timeline's "with")
    kinds: tuple[str, ...] = ()  # deal kinds
    clauses: tuple[str, ...] = ()  # clause kinds: the deal has a clause of one of them
    year_from: int | None = None
    year_to: int | None = None
    min_amount: Decimal | None = None  # headline value (maximum, else minimum), deal's currency

    # --- Reading -------------------------------------------------------------------------

    @classmethod
    def from_query(cls, query) -> ParsedFilter:
        """Read a query string (a ``QueryDict``); a bad value is reported and ignored, never fatal."""
        values, errors = {}, {}
        for name, (attr, read) in _READERS.items():
            given = [v.strip() for v in query.getlist(name) if v.strip()][:MAX_VALUES]
            if not given:
                continue
            try:
                values[attr] = read(given)
            except FilterValueError as exc:
                errors[name] = [str(exc)]
        if values.get("year_from") and values.get("year_to") and values["year_from"] > values["year_to"]:
            errors["year_to"] = ["The end year comes before the start year."]
            del values["year_to"]
        named = _resolve_companies(values, errors)
        return ParsedFilter(cls(**values), errors, named)

    @classmethod
    def of_subscription(cls, subscription: Subscription) -> "DealFilter":
        """The filter a subscriber stored (companies, deal kinds, clause kinds, minimum value)."""
        return cls(
            companies=tuple(subscription.companies.order_by("name").values_list("slug", flat=True)),
            kinds=tuple(subscription.deal_kind_list),
            clauses=tuple(subscription.clause_kind_list),
            min_amount=subscription.min_amount,
        )

    @property
    def is_empty(self) -> bool:
        return self == DealFilter()

    # --- In the database -----------------------------------------------------------------

    def apply(self, qs):
        """Narrow a queryset of deals to the ones this filter accepts (no ordering, no slicing)."""
        for slugs in (self.companies, self.counterparties):
            if slugs:
                qs = qs.filter(Exists(DealParty.objects.filter(deal=OuterRef("pk"), company__slug__in=slugs)))
        if self.kinds:
            qs = qs.filter(kind__in=self.kinds)
        if self.clauses:
            qs = qs.filter(Exists(Clause.objects.filter(deal=OuterRef("pk"), kind__in=self.clauses)))
        if self.year_from:
            qs = qs.filter(announced_on__gte=datetime.date(self.year_from, 1, 1))
        if self.year_to:
            qs = qs.filter(announced_on__lte=datetime.date(self.year_to, 12, 31))
        if self.min_amount is not None:
            qs = qs.alias(headline=Coalesce("value_max", "value_min")).filter(headline__gte=self.min_amount)
        return qs

    def deals(self):
        """The published deals this filter accepts."""
        return self.apply(Deal.objects.published())

    # --- In Python -------------------------------------------------------------------------

    def matches(self, deal: Deal) -> bool:
        """Whether ``apply`` would keep this deal (parties and clauses read through the deal)."""
        party_slugs = {party.company.slug for party in deal.deal_parties.all()}
        headline = deal.headline_value
        checks = (
            not self.companies or bool(party_slugs & set(self.companies)),
            not self.counterparties or bool(party_slugs & set(self.counterparties)),
            not self.kinds or deal.kind in self.kinds,
            not self.clauses or any(c.kind in self.clauses for c in deal.clauses.all()),
            not self.year_from or deal.announced_on.year >= self.year_from,
            not self.year_to or deal.announced_on.year <= self.year_to,
            self.min_amount is None or (headline is not None and headline >= self.min_amount),
        )
        return all(checks)

    # --- Writing it down -------------------------------------------------------------------

    def query_pairs(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs, in the timeline's parameter names."""
        names = {attr: name for name, (attr, _read) in _READERS.items()}
        pairs = []
        for item in fields(self):
            value = getattr(self, item.name)
            if value in (None, (), ""):
                continue
            values = value if isinstance(value, tuple) else (value,)
            pairs += [
                (names[item.name], decimal_plain(v) if isinstance(v, Decimal) else str(v)) for v in values
            ]
        return pairs

    def querystring(self) -> str:
        return urlencode(self.query_pairs())

    def as_dict(self) -> dict:
        """``{"company": "openai", "kind": ["cloud", "chips"], "year_from": 2024}``: exports' metadata."""
        grouped: dict[str, list] = {}
        for name, value in self.query_pairs():
            grouped.setdefault(name, []).append(int(value) if name.startswith("year_") else value)
        return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}

    def describe(self) -> list[str]:
        """The filter as short sentences for emails and the manage page ("Every published deal" if empty)."""
        lines = []
        if self.companies:
            names = dict(Company.objects.filter(slug__in=self.companies).values_list("slug", "name"))
            lines.append("Companies: " + ", ".join(names.get(slug, slug) for slug in self.companies))
        if self.kinds:
            labels = dict(Deal.Kind.choices)
            lines.append("Deal kinds: " + ", ".join(str(labels.get(k, k)) for k in self.kinds))
        if self.clauses:
            labels = dict(Clause.Kind.choices)
            lines.append("Clauses: any of " + ", ".join(str(labels.get(k, k)) for k in self.clauses))
        if self.min_amount is not None:
            lines.append(f"Headline value at least {amount(self.min_amount, 'USD')}")
        return lines or ["Every published deal"]


def subscriptions_accepting(deal: Deal, subscriptions=None):
    """Subscriptions (active ones by default) whose stored ``DealFilter`` accepts ``deal``.

    The same rule as ``DealFilter.apply`` run backwards, in the database: a subscription
    stores companies (many-to-many), deal and clause kinds (packed ",a,b,") and a minimum.
    """
    if subscriptions is None:
        subscriptions = Subscription.objects.filter(status=Subscription.Status.ACTIVE)
    party_ids = list(DealParty.objects.filter(deal=deal).values_list("company_id", flat=True))
    clause_kinds = set(Clause.objects.filter(deal=deal).values_list("kind", flat=True))
    follows = Subscription.companies.through.objects.filter(subscription_id=OuterRef("pk"))
    qs = subscriptions.filter(~Exists(follows) | Exists(follows.filter(company_id__in=party_ids)))
    qs = qs.filter(Q(deal_kinds="") | Q(deal_kinds__contains=f",{deal.kind},"))
    clause_q = Q(clause_kinds="")
    for kind in clause_kinds:
        clause_q |= Q(clause_kinds__contains=f",{kind},")
    qs = qs.filter(clause_q)
    headline = deal.headline_value
    if headline is None:
        return qs.filter(min_amount__isnull=True)
    return qs.filter(Q(min_amount__isnull=True) | Q(min_amount__lte=headline))
