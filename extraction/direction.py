"""Who gives what to whom: the grantor and beneficiary of each clause, among the deal's parties.

Money flows from the payer (investor → investee; customer → provider for a spend commitment);
compute, capacity and chips flow from the supplier to the customer; a right is granted by the
party that grants it; a model or product offered to another organisation flows from its
owner. The wording decides first ("X will invest $2B in Y", "Y raises $1B led by X", "X
commits $50B to Y"); otherwise each party's usual side does: model developers distribute,
license and integrate their models and buy compute, infrastructure companies supply it, and
the newsroom that publishes the post acts as the model developer when no other is named.
Research collaborations, co-design and terms are ``mutual``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extraction.clauses import ExtractedClause
from extraction.figures import money_values
from extraction.lexicon import INFRA_PROVIDERS, MODEL_MAKERS, PLATFORMS, PRODUCT_OWNERS, KnownCompany
from extraction.parties import ExtractedParty
from extraction.vocabulary import MONEY_UNITS, ClauseKind, normalize_name

K = ClauseKind

MUTUAL_KINDS = frozenset({K.RESEARCH_COLLABORATION, K.CHIP_CODESIGN, K.TERM, K.AGI_CLAUSE})
# The investee grants these to its investor.
_INVESTOR_RIGHTS = frozenset({K.BOARD_RIGHTS, K.BOARD_OBSERVER, K.CONSULTATION_RIGHTS, K.NON_VOTING})
_MONEY_IN = frozenset({K.INVESTMENT, K.CONVERTIBLE_NOTE, K.EQUITY_STAKE})
_CUSTOMER_GRANTS = frozenset({K.EXCLUSIVITY, K.RIGHT_OF_FIRST_REFUSAL, K.PREFERRED_PROVIDER})
_MODEL_OWNER_GIVES = frozenset(
    {K.MODEL_DISTRIBUTION, K.MODEL_RELEASE_PARITY, K.DISCOUNTED_COMPUTE, K.REVENUE_SHARE, K.OTHER}
)

_INVEST_IN = re.compile(r"\b(?:invest(?:s|ed|ing|ment)?|stake|backs?|backed|funds?|funded)\b", re.I)
_RAISE = re.compile(
    r"\b(?:rais(?:e|es|ed|ing)|fundrais\w*|secur(?:e|es|ed)|clos(?:e|es|ed)|complet(?:e|es|ed))\b", re.I
)
_WITH = re.compile(r"\bwith\b", re.I)
_LED_BY = re.compile(
    r"\b(?:led|co-led|backed|joined)\s+by\b|\b(?:investment|funding|participation)\s+from\b", re.I
)
_SPEND = re.compile(r"\b(?:commit\w*|spend\w*|purchas\w*|buy\w*|contract\w*|pay\w*)\b", re.I)
_CONTENT = re.compile(
    r"\b(?:content|news|journalism|archives?|articles?|characters?|stories|publish\w*|media)\b", re.I
)
_MODEL_IP = re.compile(r"\b(?:IP|intellectual\s+property|models?|technolog\w+|weights)\b", re.I)
_INFRA_NAME = re.compile(r"\b(?:Energy|Power|Data\s*Cent\w+|Cloud|Compute|Infrastructure|Semiconductors?)\b")
_HOSTED_IN = re.compile(
    r"\b(?:in|into|inside|within|on|to)\s+(?:the\s+)?(?P<host>[A-Z][\w+]*(?:\s+[A-Z0-9][\w+]*)?)"
)
_MONEY_CUE = re.compile(r"[$€£]|\b(?:billion|million|dollars?|euros?)\b", re.I)


@dataclass(frozen=True)
class _Side:
    """One party as direction reads it."""

    name: str
    key: str
    slug: str | None

    @property
    def is_maker(self) -> bool:
        return self.key in MODEL_MAKERS or (self.slug or "") in MODEL_MAKERS

    @property
    def is_infra(self) -> bool:
        if self.key in INFRA_PROVIDERS or (self.slug or "").replace("-", " ") in INFRA_PROVIDERS:
            return True
        return self.slug is None and bool(_INFRA_NAME.search(self.name))


class _Deal:
    """The parties of one extraction, and where each is named in a sentence."""

    def __init__(self, parties: list[ExtractedParty], publisher: KnownCompany | None, index):
        self.sides = [_Side(p.name, normalize_name(p.name), p.slug) for p in parties]
        self.index = index
        publisher_key = normalize_name(publisher.name) if publisher else None
        self.publisher = next(
            (s for s in self.sides if publisher and (s.key == publisher_key or s.slug == publisher.slug)),
            None,
        )

    def named_in(self, text: str) -> list[tuple[int, _Side]]:
        """Parties a sentence names, with the position of their first mention."""
        found: dict[str, tuple[int, _Side]] = {}
        if self.index.pattern is not None:
            for match in self.index.pattern.finditer(text):
                company = self.index.resolve(match.group(1))
                side = company and next((s for s in self.sides if s.slug == company.slug), None)
                if side is not None and side.name not in found:
                    found[side.name] = (match.start(), side)
        for side in self.sides:
            if side.name not in found and side.slug is None and (at := text.find(side.name)) >= 0:
                found[side.name] = (at, side)
        low = text.lower()
        for product, owner in PRODUCT_OWNERS.items():
            side = next((s for s in self.sides if s.key == owner or s.slug == owner), None)
            if side is None or side.name in found:
                continue
            match = re.search(rf"\b{re.escape(product)}\b", low)
            if match:
                found[side.name] = (match.start(), side)
        return sorted(found.values(), key=lambda pair: pair[0])

    def maker(self, among: list[_Side]) -> _Side | None:
        """The model developer among some sides: a pure model maker, the publisher, then a platform."""
        for test in (
            lambda s: s.is_maker,
            lambda s: s is self.publisher,
            lambda s: s.key in PLATFORMS,
        ):
            found = [s for s in among if test(s)]
            if found:
                return found[0]
        return among[0] if among else None

    def owner_of_product(self, text: str) -> _Side | None:
        low = text.lower()
        for product, owner in PRODUCT_OWNERS.items():
            if re.search(rf"\b{re.escape(product)}\b", low):
                side = next((s for s in self.sides if s.key == owner or s.slug == owner), None)
                if side is not None:
                    return side
        return None


def _pair(deal: _Deal, clause: ExtractedClause) -> tuple[_Side | None, _Side | None, list[_Side]]:
    """The model developer and its counterpart for one clause, preferring parties its sentence names."""
    named = [side for _, side in deal.named_in(clause.quote)]
    pool = named if len(named) >= 2 else (named + [s for s in deal.sides if s not in named])
    maker = deal.maker(pool) if pool else None
    others = [s for s in pool if s is not maker]
    infra = [s for s in others if s.is_infra]
    other = (infra or others or [None])[0] if clause.kind not in _MODEL_OWNER_GIVES else (others or [None])[0]
    return maker, other, named


def _name(side: _Side | None) -> str | None:
    return side.name if side is not None else None


def _respective(deal: _Deal, clause: ExtractedClause, before: int) -> _Side | None:
    """ "A and B will invest $10B and $5B respectively": the party named in the same place as the sum."""
    if clause.amount is None or "respectively" not in clause.quote:
        return None
    sums = [amount for _, amount, _, _ in money_values(clause.quote)]
    payers = [side for at, side in deal.named_in(clause.quote) if at < before]
    if len(sums) < 2 or len(sums) != len(payers) or clause.amount not in sums:
        return None
    return payers[sums.index(clause.amount)]


_IN_TARGET = re.compile(r"^(?:[^.;]{0,80}?)\b(?:in|into)\s+", re.I)


def _investment(deal: _Deal, clause: ExtractedClause, maker, other) -> tuple[str | None, str | None]:
    """Investor → investee from the wording: "X invests in Y", "Y raises ... led by X"."""
    named = deal.named_in(clause.quote)
    verb = _INVEST_IN.search(clause.quote)
    raise_ = _RAISE.search(clause.quote)
    led = _LED_BY.search(clause.quote)
    if raise_ and (not verb or raise_.start() < verb.start()):
        investee = next((s for at, s in named if at < raise_.start()), None) or maker
        investor = next((s for at, s in named if led and at > led.start() and s is not investee), None)
        return _name(investor), _name(investee)
    if verb and named:
        target = _IN_TARGET.match(clause.quote[verb.end() :])
        start = verb.end() + target.end() if target else None
        investee = next((s for at, s in named if start is not None and at >= start), None)
        investor = _respective(deal, clause, verb.start()) or next(
            (s for at, s in reversed(named) if at < verb.start() and s is not investee), None
        )
        if investee is not None and investor is None:
            investor = next((s for s in (maker, other) if s is not None and s is not investee), None)
        if investee is not None and investor is not None:
            return investor.name, investee.name
        if led is not None:
            lead = next((s for at, s in named if at > led.start()), None)
            if lead is not None:
                return lead.name, _name(next((s for s in (maker, other) if s is not lead), None))
    if other is None:
        return None, _name(maker)
    investee = maker if maker is not None and (maker.is_maker or not other.is_maker) else other
    investor = other if investee is maker else maker
    return _name(investor), _name(investee)


def _compute(deal: _Deal, clause: ExtractedClause, maker, other) -> tuple[str | None, str | None]:
    """Money for compute: customer → provider; capacity or chips: provider → customer.

    The provider is the infrastructure company when one is a side; otherwise the model
    developer sells (its models' usage) and the other side is the customer.
    """
    if other is not None and other.is_infra:
        provider, customer = other, maker
    elif maker is not None and maker.is_infra and other is not None:
        provider, customer = maker, other
    else:
        provider, customer = maker, other
    named = deal.named_in(clause.quote)
    spend = _SPEND.search(clause.quote)
    is_money = clause.unit in MONEY_UNITS or (
        clause.amount is None and bool(_MONEY_CUE.search(clause.quote) or spend)
    )
    if is_money and spend and named:
        payer = next((s for at, s in reversed(named) if at < spend.start()), None)
        payee = next((s for at, s in named if at > spend.start() and s is not payer), None)
        if payer is not None and payee is not None:
            return payer.name, payee.name
    if is_money:
        return _name(customer), _name(provider)
    # "A and B partner with C to develop 1.2 GW": the infrastructure company after "with" supplies it.
    partner = _WITH.search(clause.quote)
    supplier = partner and next((s for at, s in named if at > partner.start() and s.is_infra), None)
    if supplier is not None and supplier is not provider:
        customer = next((s for _, s in named if s is not supplier and not s.is_infra), customer)
        provider = supplier
    return _name(provider), _name(customer)


def _placed(deal: _Deal, clause: ExtractedClause, maker, other) -> tuple[str | None, str | None]:
    """A product placed in another's: its owner → the host ("the Target app in ChatGPT": Target → OpenAI)."""
    hosted = _HOSTED_IN.search(clause.quote)
    host = deal.owner_of_product(hosted.group("host")) if hosted else None
    if host is None and hosted:
        host = next((s for _, s in deal.named_in(hosted.group("host"))), None)
    if host is not None:
        placed = next((s for s in (maker, other) if s is not None and s is not host), None)
        return _name(placed), host.name
    return _name(maker), _name(other)


def _sides(deal: _Deal, clause: ExtractedClause) -> tuple[str | None, str | None]:
    maker, other, _ = _pair(deal, clause)
    kind = clause.kind
    if kind in _MONEY_IN:
        return _investment(deal, clause, maker, other)
    if kind in {K.COMPUTE_COMMITMENT, K.CHIPS_SUPPLY}:
        return _compute(deal, clause, maker, other)
    if kind == K.PRODUCT_INTEGRATION:
        return _placed(deal, clause, maker, other)
    if kind == K.IP_LICENSE:
        models = bool(_MODEL_IP.search(clause.quote)) and not _CONTENT.search(clause.quote)
        return (_name(maker), _name(other)) if models else (_name(other), _name(maker))
    if kind in _CUSTOMER_GRANTS:
        customer, provider = (maker, other) if other is not None and other.is_infra else (other, maker)
        return _name(customer), _name(provider)
    if kind in _INVESTOR_RIGHTS:
        investor, investee = _investment(deal, clause, maker, other)
        return investee, investor
    if kind in {K.CLOUD_SPEND_BACK}:
        return _name(maker), _name(other)
    if kind == K.TALENT:
        return _name(other), _name(maker)
    if kind == K.WARRANT:
        return _name(other), _name(maker)
    return _name(maker), _name(other)


def with_direction(
    clauses: list[ExtractedClause], parties: list[ExtractedParty], *, publisher: KnownCompany | None, index
) -> list[ExtractedClause]:
    """Each clause with its grantor and beneficiary (or mutual), read from its sentence and the parties."""
    if not parties:
        return clauses
    deal = _Deal(parties, publisher, index)
    out = []
    for clause in clauses:
        grantor, beneficiary = _sides(deal, clause)
        if grantor is not None and grantor == beneficiary:
            beneficiary = None
        out.append(
            replace(clause, grantor=grantor, beneficiary=beneficiary, mutual=clause.kind in MUTUAL_KINDS)
        )
    return out
