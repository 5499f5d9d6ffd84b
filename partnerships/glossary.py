"""The glossary: what every deal kind and clause kind means, and why competition regulators care.

One entry per member of ``extraction.vocabulary.DealKind`` and ``ClauseKind`` (a test holds
the two lists together). "Concern" names what the US Federal Trade Commission's staff report
on AI partnerships and investments (January 2025) or the UK Competition and Markets
Authority (its foundation-model reviews of 2023–2024 and its merger inquiries into AI
partnerships) looked at for that kind of term; it describes a question regulators ask, not a
finding about any deal listed here. ``also`` lists other words readers use for the same
thing, which search understands too. Labels come from the vocabulary, so they never drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from extraction.vocabulary import ClauseKind, DealKind

FTC = "FTC staff report (Jan 2025)"
CMA = "UK CMA"


@dataclass(frozen=True)
class Entry:
    kind: str
    meaning: str
    concern: str = ""
    also: tuple[str, ...] = ()


DEAL_ENTRIES = (
    Entry(
        DealKind.INVESTMENT,
        "Money put into a company in exchange for shares, notes or other rights to its value.",
        f"{FTC}: equity links between cloud providers and AI developers can align their incentives and "
        f"give the investor influence. {CMA}: a large minority stake can amount to material influence, "
        "which its merger rules can review.",
        ("funding", "funding round", "stake"),
    ),
    Entry(
        DealKind.CLOUD,
        "One party runs its models or products on the other's cloud platform, usually for a "
        "committed spend over several years.",
        f"{FTC}: cloud commitments and credits can raise the cost of switching provider. {CMA}: access to "
        "compute is a key input that a few firms control.",
        ("hosting", "cloud provider"),
    ),
    Entry(
        DealKind.COMPUTE,
        "Capacity for training or running models (data centres, power, GPU clusters) "
        "supplied or built for a party, often counted in gigawatts.",
        f"{CMA}: compute is one of the scarce inputs of foundation models; who controls it shapes who can "
        "compete.",
        ("data centre", "data center", "capacity"),
    ),
    Entry(
        DealKind.CHIPS,
        "Supply of AI accelerators (GPUs and similar) or the design of custom chips.",
        f"{CMA}: chips are a critical input with few suppliers; partnerships around them can steer access.",
        ("gpu", "gpus", "accelerators", "semiconductors"),
    ),
    Entry(
        DealKind.LICENSING,
        "The right to use another party's models, technology or content, for a fee or a share of revenue.",
        f"{FTC}: licences can carry exclusivity and information rights alongside the technology.",
        ("licence", "license", "licensing deal"),
    ),
    Entry(
        DealKind.DISTRIBUTION,
        "One party sells or offers the other's models to its own customers, "
        "for example in a cloud marketplace or a consumer product.",
        f"{CMA}: control of the routes to customers (app stores, cloud marketplaces, devices) can favour "
        "partners' models.",
        ("reseller", "marketplace"),
    ),
    Entry(
        DealKind.RESEARCH,
        "Joint work on models, safety or science without a transfer of ownership.",
        f"{FTC}: close collaboration can give a partner early access to sensitive technical information.",
        ("collaboration", "research partnership"),
    ),
    Entry(
        DealKind.ACQUISITION,
        "One company buys another, or a controlling share of it.",
        f"{CMA}: acquisitions above its thresholds are reviewed as mergers; it has asked whether large "
        "firms buy AI start-ups that could have grown into rivals.",
        ("merger", "buyout", "takeover"),
    ),
    Entry(
        DealKind.ACQUIHIRE,
        "A larger company hires most of a start-up's staff, often its founders, and "
        "licenses its models or technology instead of buying the company.",
        f"{CMA}: it treated such a hiring-and-licence arrangement as a merger it could review "
        f"(Microsoft and Inflection, 2024). {FTC}: hiring key staff from partners can shift scarce talent.",
        ("acquihire", "acqui hire", "licence and hire", "reverse acquihire"),
    ),
    Entry(DealKind.OTHER, "A deal that fits none of the kinds above; its clauses say what it contains."),
)

CLAUSE_ENTRIES = (
    Entry(
        ClauseKind.EQUITY_STAKE,
        "A share of the company's ownership, often stated as a percentage.",
        f"{FTC}: equity gives a partner a stake in the developer's success and, with other rights, "
        f"influence over it. {CMA}: the size of a stake is one sign of material influence.",
        ("equity", "shareholding", "ownership"),
    ),
    Entry(
        ClauseKind.NON_VOTING,
        "Shares or notes that carry economic rights but no vote.",
        f"{FTC}: the report looked at the rights partners hold besides votes; influence does not need a "
        "vote.",
        ("non voting shares", "nonvoting"),
    ),
    Entry(
        ClauseKind.INVESTMENT,
        "An amount of money put in, when the form (shares, notes) is not stated.",
        f"{FTC}: much of the money invested by cloud providers came back to them as cloud spending.",
        ("funding",),
    ),
    Entry(
        ClauseKind.CONVERTIBLE_NOTE,
        "A loan that turns into shares later, usually at the next funding round.",
        f"{FTC}: investments came in forms other than plain shares; the report looked at the rights each "
        "form carries.",
        ("convertible", "note"),
    ),
    Entry(
        ClauseKind.REVENUE_SHARE,
        "A percentage of one party's revenue paid to the other.",
        f"{FTC}: revenue-sharing ties the partners' earnings together and can dull competition between them.",
        ("revenue sharing", "profit share"),
    ),
    Entry(
        ClauseKind.EXCLUSIVITY,
        "One party may work only with the other for some purpose, such as hosting "
        "its models on a single cloud.",
        f"{FTC}: exclusivity can lock a developer to one provider and keep rivals from key inputs or "
        f"customers. {CMA}: exclusive arrangements were among the terms it examined in AI partnerships.",
        ("exclusive", "exclusive provider"),
    ),
    Entry(
        ClauseKind.PREFERRED_PROVIDER,
        "A party is named the main or preferred supplier without full exclusivity.",
        f"{FTC}: softer preference terms can steer spending much as exclusivity does.",
        ("primary provider", "preferred partner", "primary cloud"),
    ),
    Entry(
        ClauseKind.RIGHT_OF_FIRST_REFUSAL,
        "Before going to someone else, a party must first offer the other the "
        "chance to match the terms (for example for new compute capacity).",
        f"{FTC}: first-refusal rights can keep business with the incumbent partner and raise switching costs.",
        ("rofr", "first refusal", "right of first offer"),
    ),
    Entry(
        ClauseKind.COMPUTE_COMMITMENT,
        "A promise to buy or supply an amount of compute, in money or in power (gigawatts).",
        f"{FTC}: large committed spends bind developers to a provider for years. "
        f"{CMA}: compute is a scarce input.",
        ("compute deal", "capacity commitment", "spend commitment"),
    ),
    Entry(
        ClauseKind.CLOUD_SPEND_BACK,
        "Part of an investment must be spent on the investor's own cloud.",
        f"{FTC}: the report found that investments were often paired with commitments to spend them on the "
        "investor's cloud, which can raise switching costs.",
        ("spend back", "cloud credits", "round tripping"),
    ),
    Entry(
        ClauseKind.DISCOUNTED_COMPUTE,
        "Compute offered below list price, or as credits.",
        f"{FTC}: discounts and credits tied to a partnership can make leaving the provider costlier.",
        ("cloud credits", "compute credits", "discount"),
    ),
    Entry(
        ClauseKind.CHIPS_SUPPLY,
        "A commitment to deliver or buy accelerators (GPUs or custom chips).",
        f"{CMA}: preferential access to scarce chips can decide who is able to train frontier models.",
        ("gpu supply", "chip supply"),
    ),
    Entry(
        ClauseKind.CHIP_CODESIGN,
        "The parties design chips together, or one optimises its models for the other's chips.",
        f"{FTC}: co-design can tie a developer's technology to one supplier's hardware.",
        ("codesign", "co design", "custom silicon"),
    ),
    Entry(
        ClauseKind.IP_LICENSE,
        "The right to use the other party's models, weights or intellectual property.",
        f"{FTC}: licences to a developer's models can give a partner access other firms do not have.",
        ("ip licence", "license", "licence", "intellectual property"),
    ),
    Entry(
        ClauseKind.MODEL_DISTRIBUTION,
        "The partner offers the developer's models to its customers (cloud marketplace, API, devices).",
        f"{CMA}: partners' control over how models reach customers can favour some models over others.",
        ("distribution", "marketplace"),
    ),
    Entry(
        ClauseKind.PRODUCT_INTEGRATION,
        "The developer's models are built into the partner's products.",
        f"{CMA}: integration into widely used products can entrench both partners.",
        ("integration", "built into"),
    ),
    Entry(
        ClauseKind.MODEL_RELEASE_PARITY,
        "The partner gets new models at the same time as, or no later than, everyone else.",
        f"{FTC}: early or equal access to models is a form of privileged access.",
        ("parity", "same day access", "day one access"),
    ),
    Entry(
        ClauseKind.RESEARCH_COLLABORATION,
        "Joint research, on safety, models or science.",
        f"{FTC}: collaboration can share sensitive technical information between partners.",
        ("collaboration", "joint research"),
    ),
    Entry(
        ClauseKind.BOARD_RIGHTS,
        "A seat on the company's board of directors, with a vote.",
        f"{FTC}: board seats give a partner influence over decisions and access to confidential information. "
        f"{CMA}: board representation is a classic sign of material influence.",
        ("board seat", "director"),
    ),
    Entry(
        ClauseKind.BOARD_OBSERVER,
        "A person who attends board meetings without a vote.",
        f"{FTC}: observers still see confidential information; the report flags this access. {CMA}: "
        "observer rights figured in its review of Microsoft's position at OpenAI.",
        ("observer", "board observer"),
    ),
    Entry(
        ClauseKind.CONSULTATION_RIGHTS,
        "The right to be consulted on, or told about, decisions, plans and technical work.",
        f"{FTC}: consultation and information rights can give a partner sensitive "
        "business and technical information unavailable to others.",
        ("information rights", "consultation"),
    ),
    Entry(
        ClauseKind.TALENT,
        "Staff, often founders or researchers, move from one party to the other.",
        f"{FTC}: the report raised the movement of engineering talent as a way partnerships shift scarce "
        f"inputs. {CMA}: hiring a start-up's team can itself be a merger.",
        ("hiring", "talent", "staff"),
    ),
    Entry(
        ClauseKind.AGI_CLAUSE,
        "Terms that change once the developer reaches artificial general "
        "intelligence, as defined in the contract (for example ending a licence).",
        f"{FTC}: such triggers decide how long a partner's rights last.",
        ("agi", "artificial general intelligence"),
    ),
    Entry(
        ClauseKind.TERM,
        "How long the agreement runs, in years or until a date.",
        f"{FTC}: long terms extend lock-in from the other clauses.",
        ("duration", "years"),
    ),
    Entry(
        ClauseKind.WARRANT,
        "The right to buy shares later at a set price, often granted to a supplier or customer.",
        f"{FTC}: warrants give a partner a future stake that ties it to the company's value.",
        ("warrants", "option"),
    ),
    Entry(ClauseKind.OTHER, "A term that fits none of the kinds above; its summary says what it is."),
)

_DEAL_BY_KIND = {entry.kind: entry for entry in DEAL_ENTRIES}
_CLAUSE_BY_KIND = {entry.kind: entry for entry in CLAUSE_ENTRIES}


def deal_entry(kind: str) -> Entry | None:
    return _DEAL_BY_KIND.get(kind)


def clause_entry(kind: str) -> Entry | None:
    return _CLAUSE_BY_KIND.get(kind)


def anchor(family: str, kind: str) -> str:
    """``clause-exclusivity``: the glossary entry's id (kinds are identifiers, so it is HTML-safe)."""
    return f"{family}-{kind}"


def entry_url(family: str, kind: str) -> str:
    """``/glossary/#clause-exclusivity``."""
    return f"{reverse('partnerships:glossary')}#{anchor(family, kind)}"


def search_terms() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Words that name a kind, for search: ``{"rofr": ("clause", ("right_of_first_refusal",))}``.

    Each key is a label, a value or an "also" word, lower-case with spaces for ``_`` and ``-``.
    """
    from extraction.vocabulary import normalize_name

    found: dict[tuple[str, str], set[str]] = {}
    for family, vocabulary, entries in (
        ("deal", DealKind, DEAL_ENTRIES),
        ("clause", ClauseKind, CLAUSE_ENTRIES),
    ):
        also = {entry.kind: entry.also for entry in entries}
        for member in vocabulary:
            if member == vocabulary.OTHER:
                continue
            for word in (member.label, member.value, *also.get(member, ())):
                found.setdefault((normalize_name(word), family), set()).add(member.value)
    terms: dict[str, dict[str, set[str]]] = {}
    for (word, family), kinds in found.items():
        terms.setdefault(word, {}).setdefault(family, set()).update(kinds)
    return {
        word: {family: tuple(sorted(k)) for family, k in families.items()} for word, families in terms.items()
    }
