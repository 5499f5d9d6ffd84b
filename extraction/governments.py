"""Government bodies and agencies as parties: "U.S. Department of Energy", "UK Government", "Government of Rwanda".

They are organisations like any other, but their names are built from a nation and a generic
word ("Department", "Government"), so the company patterns, which drop generic words standing
alone, miss them. ``GOVERNMENT_BODY`` reads them; ``government_name`` gives one spelling per
body, so "US Department of Energy" and "the U.S. Department of Energy" meet.
"""

from __future__ import annotations

import re

_NATIONS = (
    r"U\.S\.|US|UK|U\.K\.|United\s+States|United\s+Kingdom|British|Canadian|Australian|Indian|Japanese|"
    r"Korean|French|German|Greek|Rwandan|Icelandic|Estonian|Israeli|Emirati|Saudi|Welsh|Scottish|Irish|"
    r"Indonesian|Malaysian|Ukrainian|Polish|Italian|Spanish|Dutch|Swedish|Norwegian|Danish|Finnish|Federal"
)
# Government bodies and agencies: "U.S. Department of Energy", "UK Government", "Government of Rwanda".
GOVERNMENT_BODY = re.compile(
    rf"\b(?:(?:the\s+)?(?:(?:{_NATIONS})\s+)?(?:Department|Ministry|Office|Secretary|Agency)\s+(?:of|for)\s+"
    r"(?:the\s+)?[A-Z][\w’'-]+(?:\s+(?:and\s+)?[A-Z][\w’'-]+){0,3}"
    rf"|(?:{_NATIONS})\s+(?:General\s+Services\s+Administration|Government)|Government\s+of\s+(?:the\s+)?"
    r"[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?|General\s+Services\s+Administration)(?![\w’'])"
)


def government_name(raw: str) -> str:
    """One spelling per body: "US Department of Energy" and "the U.S. Department of Energy" meet."""
    name = re.sub(r"^(?:the|The)\s+", "", raw.strip())
    name = re.sub(r"^US\b", "U.S.", name)
    return re.sub(r"['’]s$", "", name)


def government_of(nation: str) -> str:
    """A nation's government as its own name spells it: "UK Government", "Government of Canada"."""
    if re.fullmatch(_NATIONS, nation) or nation.isupper():
        return government_name(f"{nation} Government")
    return f"Government of {nation}"


# A name that is a public body even when the body pattern did not read it whole
# ("GSA OneGov", "UK Governments", "Department of Defense").
_PUBLIC_WORD = re.compile(
    r"\b(?:Government|Governments|Ministry|Department|Agency|Administration|Commission|Parliament|"
    r"GSA|NHS|Navy|Army|Air\s+Force|Laboratory|National\s+Lab)\b"
)


# A country named as a side of a deal ("Anthropic and Iceland announce ...") is its government.
COUNTRIES = frozenset(
    """Iceland Rwanda Estonia Greece Ukraine India Japan Korea Canada Australia France Germany Italy Spain
    Ireland Israel Singapore Malaysia Indonesia Kazakhstan Kenya Nigeria Ghana Brazil Mexico Chile Argentina
    Norway Sweden Denmark Finland Poland Netherlands Belgium Austria Switzerland Portugal Qatar Bahrain Oman
    Kuwait Egypt Morocco Vietnam Thailand Philippines Taiwan""".split()  # noqa: SIM905
) | {
    "El Salvador",
    "United Arab Emirates",
    "UAE",
    "Saudi Arabia",
    "South Korea",
    "New Zealand",
    "South Africa",
}


def is_government(name: str) -> bool:
    """Is this party a government body or agency (or a public laboratory), or a country?"""
    return bool(GOVERNMENT_BODY.fullmatch(name) or _PUBLIC_WORD.search(name) or name in COUNTRIES)
