"""The words deals are written in: deal kinds, clause kinds, units, qualifiers, effects, party roles.

One list of each, imported by both sides of the pipeline: the extraction step emits these
values and the models store them (``Deal.Kind``, ``Clause.Unit``, ``DealParty.Role`` ... are
built from the classes below), so every kind or unit the extractor proposes is one a curator
can save, and renaming a label happens once. ``normalize_name`` is the key company names and
aliases are matched on, by the extractor and by the database alike.

Plain Python without Django: extraction imports this module and must run with no settings
and no database.
"""

from __future__ import annotations

import enum
import re
import unicodedata


class Vocabulary(enum.StrEnum):
    """A string enum whose members also carry a label, like Django's ``TextChoices``.

    A member is its value (``ClauseUnit.GW == "GW"``), so it can be stored, compared with
    values read from the database, and written to JSON as is.
    """

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


class DealKind(Vocabulary):
    INVESTMENT = "investment", "Investment"
    CLOUD = "cloud", "Cloud"
    COMPUTE = "compute", "Compute"
    CHIPS = "chips", "Chips"
    LICENSING = "licensing", "Licensing"
    DISTRIBUTION = "distribution", "Distribution"
    RESEARCH = "research", "Research"
    ACQUISITION = "acquisition", "Acquisition"
    # Licence-and-hire: a lab's staff join a bigger company, which licenses the lab's models
    # instead of buying it (Microsoft–Inflection, Google–Character.AI).
    ACQUIHIRE = "acquihire", "Acqui-hire"
    OTHER = "other", "Other"


class ClauseKind(Vocabulary):
    """Families of deal terms, after the FTC's January 2025 staff report on AI partnerships."""

    EQUITY_STAKE = "equity_stake", "Equity stake"
    NON_VOTING = "non_voting", "Non-voting instrument"
    INVESTMENT = "investment", "Investment"
    CONVERTIBLE_NOTE = "convertible_note", "Convertible note"
    REVENUE_SHARE = "revenue_share", "Revenue share"
    EXCLUSIVITY = "exclusivity", "Exclusivity"
    PREFERRED_PROVIDER = "preferred_provider", "Preferred provider"
    RIGHT_OF_FIRST_REFUSAL = "right_of_first_refusal", "Right of first refusal"
    COMPUTE_COMMITMENT = "compute_commitment", "Compute commitment"
    CLOUD_SPEND_BACK = "cloud_spend_back", "Cloud spend-back"
    DISCOUNTED_COMPUTE = "discounted_compute", "Discounted compute"
    CHIPS_SUPPLY = "chips_supply", "Chips supply"
    CHIP_CODESIGN = "chip_codesign", "Chip co-design"
    IP_LICENSE = "ip_license", "IP licence"
    MODEL_DISTRIBUTION = "model_distribution", "Model distribution"
    PRODUCT_INTEGRATION = "product_integration", "Product integration"
    MODEL_RELEASE_PARITY = "model_release_parity", "Model release parity"
    RESEARCH_COLLABORATION = "research_collaboration", "Research collaboration"
    BOARD_RIGHTS = "board_rights", "Board seat"
    BOARD_OBSERVER = "board_observer", "Board observer"
    CONSULTATION_RIGHTS = "consultation_rights", "Consultation and information rights"
    TALENT = "talent", "Hiring of staff"
    AGI_CLAUSE = "agi_clause", "AGI clause"
    TERM = "term", "Term"
    WARRANT = "warrant", "Warrant"
    OTHER = "other", "Other"


class ClauseUnit(Vocabulary):
    USD = "USD", "US dollars"
    EUR = "EUR", "Euros"
    GBP = "GBP", "Pounds sterling"
    JPY = "JPY", "Yen"
    GW = "GW", "Gigawatts"
    MW = "MW", "Megawatts"
    PERCENT = "percent", "Percent"
    SHARES = "shares", "Shares"
    CHIPS = "chips", "Chips"
    YEARS = "years", "Years"
    UNTIL_YEAR = "until_year", "Through year"


class ClauseQualifier(Vocabulary):
    """How an amount is bounded: "up to $10 billion" is an upper bound, "$10 billion" exact."""

    EXACT = "", "Exactly"
    UP_TO = "up_to", "Up to"
    APPROXIMATELY = "approximately", "Approximately"
    AT_LEAST = "at_least", "At least"
    MORE_THAN = "more_than", "More than"


class ClauseEffect(Vocabulary):
    """Whether a phase grants a term or takes it away (a right of first refusal that ends)."""

    GRANTED = "granted", "Granted"
    REMOVED = "removed", "Removed"


class PartyRole(Vocabulary):
    INVESTOR = "investor", "Investor"
    INVESTEE = "investee", "Investee"
    PROVIDER = "provider", "Provider"
    CUSTOMER = "customer", "Customer"
    LICENSOR = "licensor", "Licensor"
    LICENSEE = "licensee", "Licensee"
    ACQUIRER = "acquirer", "Acquirer"
    TARGET = "target", "Target"
    # A joint venture that is itself a party (Stargate LLC): its owners invest into it.
    VENTURE = "venture", "Joint venture"
    PARTNER = "partner", "Partner"


class DatePrecision(Vocabulary):
    """How much of a date is known: "2023-09" is stored as 2023-09-01 with MONTH."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class ClauseBasis(Vocabulary):
    """Whether an amount is the whole position after this deal or only what this deal adds.

    "Another $4B, bringing the total to $8B" is $4B incremental (and, if recorded, $8B total):
    totals add incremental amounts and never add a total on top of the increments behind it.
    """

    UNKNOWN = "", "Not stated"
    INCREMENTAL = "incremental", "New in this deal"
    TOTAL = "total", "Total position"


class Certainty(Vocabulary):
    """How sure a figure is: stated by a party or a filing, reported by the press, or weakly sourced."""

    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


class SourceKind(Vocabulary):
    """What kind of page a source is, strongest evidence first."""

    FILING = "filing", "Filing"
    REGULATOR = "regulator", "Regulator"
    PRIMARY = "primary", "Publisher's own page"
    PRESS = "press", "Press"
    MIRROR = "mirror", "Copy on another site"


MONEY_UNITS = frozenset({ClauseUnit.USD, ClauseUnit.EUR, ClauseUnit.GBP, ClauseUnit.JPY})
POWER_UNITS = frozenset({ClauseUnit.GW, ClauseUnit.MW})


# Corporate suffixes dropped when matching names, so "Microsoft Corp." and "Microsoft"
# meet. Kept short on purpose: "Group" or "Labs" can be part of a real name.
_SUFFIXES = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|sa|sas|"
    r"group|holdings|technologies)\.?)+$",
    re.IGNORECASE,
)


def normalize_name(name: str) -> str:
    """The key every company name and alias is matched on.

    Case, accents, a possessive "'s", corporate suffixes and punctuation do not make a
    different company: "Microsoft Corp.'s" and "microsoft" normalise alike.
    """
    text = name.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip()
    text = re.sub(r"['\u2019]s$", "", text)
    text = _SUFFIXES.sub("", text)
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text)
    return " ".join(text.lower().split())
