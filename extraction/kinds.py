"""Which kind of deal a text announces: votes from the headline, the lead, the clauses and the parties.

Every cue is a word or a term a curator would name ("acquires", "gigawatts", a licence);
when the wording points nowhere, who the parties are decides: a news publisher licenses
its content, an infrastructure company supplies compute to a model developer, a
government deploys a model developer's models.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extraction.clauses import ExtractedClause
from extraction.governments import is_government
from extraction.lexicon import CHIP_MAKERS, INFRA_PROVIDERS, MODEL_MAKERS, NEWS_PUBLISHERS, PLATFORMS
from extraction.vocabulary import ClauseKind, DealKind, normalize_name

K = ClauseKind
_PUBLISHER_VOTE = 2.0

_KIND_CUES: tuple[tuple[str, re.Pattern, float], ...] = (
    (
        DealKind.ACQUIHIRE,
        re.compile(
            r"\b(?:acqui-?hires?|licen[cs]\w+\s+(?:\S+\s+){0,8}?(?:and|while)\s+(?:\S+\s+){0,4}?hir(?:e|es|ed|ing)|"
            r"hir(?:e|es|ed|ing)\s+(?:\S+\s+){0,8}?(?:and|while)\s+(?:\S+\s+){0,4}?licen[cs]\w+)\b",
            re.I,
        ),
        4.0,
    ),
    (DealKind.ACQUISITION, re.compile(r"\b(?:acquir(?:e|es|ed|ing)|acquisition)\b", re.I), 3.0),
    (
        DealKind.INVESTMENT,
        re.compile(
            r"\b(?:invest(?:s|ed|ing|ment)?|funding|Series\s+[A-H]|raises?|stake|"
            r"recapitaliz\w+|convertible|credit\s+facility|financing)\b",
            re.I,
        ),
        1.0,
    ),
    (DealKind.CHIPS, re.compile(r"\b(?:GPUs?|chips?|accelerators?|silicon|racks)\b", re.I), 1.0),
    (
        DealKind.COMPUTE,
        re.compile(
            r"\b(?:gigawatts?|GW|data\s*cent(?:er|re)s?|compute|TPUs?|capacity|"
            r"infrastructure|supercomput\w+)\b",
            re.I,
        ),
        0.7,
    ),
    (
        DealKind.CLOUD,
        re.compile(r"\b(?:cloud\s+provider|cloud\s+services|cloud)\b", re.I),
        0.6,
    ),
    (
        DealKind.LICENSING,
        re.compile(
            r"\b(?:licen[cs]\w*|content|IP\s+rights|characters|archives?|news|journalism|"
            r"publishers?|media\s+brands)\b",
            re.I,
        ),
        1.0,
    ),
    (
        DealKind.DISTRIBUTION,
        re.compile(
            r"\b(?:available|bring\w*|integrat\w+|distribut\w+|deploy\w*\s+Claude|"
            r"employees|customers|platform|resell\w*|go-to-market|agents?|users|members|subscribers|devices|"
            r"APIs?|power(?:s|ed|ing)?|deliver\w*|workforce|public\s+services|rewards)\b",
            re.I,
        ),
        0.4,
    ),
    (
        DealKind.RESEARCH,
        re.compile(
            r"\b(?:research|scientific|science|laborator\w+|prototype|jointly\s+develop\w*|"
            r"co-?develop\w*|coalition|consortium)\b",
            re.I,
        ),
        0.6,
    ),
)
_CLAUSE_KIND_VOTES = {
    K.INVESTMENT: (DealKind.INVESTMENT, 1.5),
    K.EQUITY_STAKE: (DealKind.INVESTMENT, 1.5),
    K.COMPUTE_COMMITMENT: (DealKind.COMPUTE, 1.2),
    K.CHIPS_SUPPLY: (DealKind.CHIPS, 1.4),
    K.WARRANT: (DealKind.CHIPS, 0.5),
    K.MODEL_DISTRIBUTION: (DealKind.DISTRIBUTION, 1.0),
    K.RESEARCH_COLLABORATION: (DealKind.RESEARCH, 0.6),
    K.IP_LICENSE: (DealKind.LICENSING, 0.6),
    K.RIGHT_OF_FIRST_REFUSAL: (DealKind.CLOUD, 1.0),
    K.EXCLUSIVITY: (DealKind.CLOUD, 0.5),
    K.CONVERTIBLE_NOTE: (DealKind.INVESTMENT, 1.5),
    K.NON_VOTING: (DealKind.INVESTMENT, 0.5),
    K.CLOUD_SPEND_BACK: (DealKind.INVESTMENT, 0.5),
    K.PRODUCT_INTEGRATION: (DealKind.DISTRIBUTION, 0.8),
    K.DISCOUNTED_COMPUTE: (DealKind.DISTRIBUTION, 0.5),
    K.CHIP_CODESIGN: (DealKind.CHIPS, 0.8),
    K.TALENT: (DealKind.ACQUIHIRE, 0.5),
}


def _clause_votes(scores: dict[str, float], clauses: list[ExtractedClause]) -> None:
    for clause in clauses:
        vote = _CLAUSE_KIND_VOTES.get(clause.kind)
        if vote is None:
            if clause.kind == K.PREFERRED_PROVIDER:
                vote = (
                    DealKind.CLOUD if clause.subject in {"cloud", "training"} else DealKind.COMPUTE,
                    1.0,
                )
            else:
                continue
        kind, weight = vote
        if kind == DealKind.INVESTMENT and clause.amount is None:
            weight /= 2  # investors named, no sum: part of a bigger deal as often as the deal itself
        if kind == DealKind.COMPUTE and re.search(r"\bcloud\b", clause.quote, re.I):
            kind = DealKind.CLOUD
        scores[kind] = scores.get(kind, 0.0) + weight


_MEMORANDUM = re.compile(r"\b(?:MOU|MoU|memorand\w+\s+of\s+understanding|memorand\w+)\b", re.I)


def _by_parties(parties: Sequence[str], wording: str) -> str | None:
    """When the wording points nowhere: what deals between such parties usually are.

    An infrastructure company (not a platform) with a model developer supplies compute;
    a government body or agency with a model developer deploys its models, unless all
    they sign is a memorandum of understanding (a framework, of no kind yet).
    """
    keys = {normalize_name(name) for name in parties}
    if not keys & MODEL_MAKERS:
        return None
    if keys & (INFRA_PROVIDERS - PLATFORMS):
        return DealKind.COMPUTE
    if any(is_government(name) for name in parties) and not _MEMORANDUM.search(wording):
        return DealKind.DISTRIBUTION
    return None


def deal_kind(
    *, title: str, lead: list[str], clauses: list[ExtractedClause], parties: Sequence[str] = ()
) -> str:
    """The kind with most cues; from the parties, or ``other``, when nothing points anywhere."""
    scores: dict[str, float] = {}
    for kind, pattern, weight in _KIND_CUES:
        scores[kind] = 3 * weight * len(pattern.findall(title)) + weight * len(
            pattern.findall(" ".join(lead))
        )
    _clause_votes(scores, clauses)
    # A news organisation's side of a deal is its content: "AFP and Le Chat team up".
    if any(normalize_name(name) in NEWS_PUBLISHERS for name in parties):
        scores[DealKind.LICENSING] += _PUBLISHER_VOTE
    best = max(scores.items(), key=lambda item: item[1])
    keys = {normalize_name(name) for name in parties}
    if best[0] == DealKind.CHIPS and keys and not keys & CHIP_MAKERS:
        return DealKind.COMPUTE  # GPUs sold as capacity by a cloud or a data-centre operator
    if best[1] > 0:
        return best[0]
    return _by_parties(parties, " ".join([title, *lead])) or DealKind.OTHER
