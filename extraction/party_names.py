"""Organisation names as the party rules read them: cleaned, split, trimmed to a known name.

"The Walt Disney Company's" and "Walt Disney Company" are one name; "A, B and C" are three,
"Ministry of Education and Children" one; a capitalised run that starts with a known name
("Microsoft Azure AI Foundry") is that company; words that begin sentences, headings and
products are not organisations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extraction.governments import government_of
from extraction.lexicon import PRODUCTS

if TYPE_CHECKING:
    from extraction.parties import CompanyIndex

STOP_FIRST = frozenset(
    """a an the this that these those our we us its it today new as in on at by for with from and or but if
    when while after before during through under over about into per all each every both some many most
    more other such here there what which who how why where announcements announcement product news
    blog press release read learn contact visit see statement january february march april may june july
    august september october november december monday tuesday wednesday thursday friday saturday sunday
    ai artificial intelligence ceo cto cfo chairman president founder co-founder executive director head
    mr ms dr said says according earlier later following additionally also however meanwhile together
    under key customers developers partners users people agreement agreements partnership deal contract
    collaboration to""".split()  # noqa: SIM905
)
# Words that are an organisation only with more words: "Government of Rwanda", not "Government".
GENERIC_ALONE = frozenset(
    """strategic global enterprise enterprises government governments state states agency agencies african
    american european asian british japanese chinese indian french german korean canadian australian
    icelandic rwandan greek italian spanish irish national federal public private department ministry
    university institute""".split()  # noqa: SIM905
)
_ORG_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


def clean_org(raw: str) -> str:
    # normalize_name drops a curly apostrophe before reading it: "Japan’s" must meet "Japan's".
    name = raw.replace("\u2019", "'").strip().strip(".,;:'\"")
    name = re.sub(r"['’]s$", "", name)
    name = re.sub(r"^(?:the|The)\s+", "", name)
    name = re.sub(r"^\S+-backed\s+", "", name)  # "NVIDIA-backed Nscale" is Nscale
    return name.strip()


def plausible_org(name: str) -> bool:
    words = name.split()
    if not words or len(name) < 2 or len(words) > 6:
        return False
    first = re.sub(r"['’](?:re|ll|ve|s|d)$", "", words[0].lower().strip(".,"))
    if first in STOP_FIRST or (len(words) == 1 and first in GENERIC_ALONE):
        return False
    if name.lower() in PRODUCTS or words[0].lower() in PRODUCTS:
        return False
    if any(w.lower() in {"announce", "announced", "today", "will"} for w in words):
        return False
    if first.endswith("ing") and len(first) > 5:
        return False  # "Providing ChatGPT", "Bringing Claude": a headline's verb, not a name
    return not re.fullmatch(r"[\d.,%$€£\-]+", name)


def split_orgs(group: str) -> list[str]:
    """ "A, B and C" → three names; "Ministry of Education and Children" stays one (an "of" phrase)."""
    pieces: list[str] = []
    for piece in _ORG_SPLIT.split(group):
        if (
            pieces
            and " of " in pieces[-1]
            and " " not in piece.strip()
            and piece.strip().lower() not in GENERIC_ALONE
            and "," not in group
        ):
            pieces[-1] = f"{pieces[-1]} and {piece}"
        else:
            pieces.append(piece)
    if len(pieces) > 1 and pieces[-1].endswith(" Governments"):
        # "Canada and UK Governments": the plural is every nation's government.
        pieces[-1] = pieces[-1][:-1]
        pieces = [p if p.strip().endswith("Government") else government_of(p.strip()) for p in pieces]
    return pieces


_PRODUCT_AFTER = re.compile(r"\s*(?:['’]s\s+)?([A-Z][\w+-]*(?:\s+[A-Z0-9][\w+-]*)?)")


def names_a_product(match: re.Match, text: str) -> bool:
    """ "Amazon Bedrock", "Microsoft Azure", "Google Cloud Vertex AI": a platform, not the company acting."""
    surface = match.group(1)
    if any(word.lower() in PRODUCTS for word in surface.split()[1:]):
        return True
    after = _PRODUCT_AFTER.match(text, match.end())
    if not after:
        return False
    words = after.group(1)
    return words.lower() in PRODUCTS or words.split()[0].lower() in PRODUCTS


# "Nvidia chips", "NVIDIA GB300 GPUs", "NVIDIA-backed Nscale": the maker of what is supplied, or a
# backer named as an adjective, is context, not a side of the deal.
_CONTEXT_AFTER = re.compile(
    r"(?:['’]s)?(?:-backed\b|\s+(?:[A-Z][\w-]*\s+){0,3}(?i:GPUs?|chips?|superchips?|accelerators?)\b)"
)


def names_what_is_supplied(match: re.Match, text: str) -> bool:
    return bool(_CONTEXT_AFTER.match(text, match.end()))


def trim_to_known(raw: str, index: CompanyIndex) -> str:
    """'Microsoft Azure AI Foundry' → 'Microsoft': a longer capitalised run that starts with a known name."""
    if index.resolve(raw):
        return raw
    if index.pattern is not None:
        match = index.pattern.match(raw)
        if match:
            return match.group(1)
    return raw
