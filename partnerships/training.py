"""Training rows for the deal classifier: curators' decisions on candidate deals (a selector, reads only).

Every announcement behind a deal a curator *published* or *merged* into another is a deal;
every announcement whose only deals were *rejected* is not one (a rejected candidate that
shares its announcement with a published deal was a wrong reading of a real deal, so the
announcement stays a positive). Candidates nobody decided yet and retracted deals teach
nothing and are left out. ``manage.py train_deal_classifier`` adds these rows to the labelled
set of ``bench/labels``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from extraction.text import html_to_text
from partnerships.models import Deal
from scrapers.models import Announcement

POSITIVE = (Deal.Status.PUBLISHED, Deal.Status.MERGED)
NEGATIVE = (Deal.Status.REJECTED,)


@dataclass(frozen=True)
class TrainingRow:
    """One text and whether it announces a deal, with where the label came from."""

    raw: str
    is_deal: bool
    origin: str
    title: str = ""
    source: str = ""
    publisher: str | None = None


def _text(announcement: Announcement) -> str:
    if announcement.text.strip():
        return announcement.text
    raw = announcement.get_raw_html()
    return html_to_text(raw.decode("utf-8", "replace")) if raw else announcement.summary


def curated_training_rows() -> list[TrainingRow]:
    """One row per announcement behind a decided deal: published or merged → deal, only rejected → not."""
    decisions: dict[int, bool] = {}
    links = Deal.sources.through.objects.filter(Q(deal__status__in=POSITIVE) | Q(deal__status__in=NEGATIVE))
    for announcement_id, status in links.values_list("announcement_id", "deal__status").order_by(
        "announcement_id"
    ):
        decisions[announcement_id] = decisions.get(announcement_id, False) or status in POSITIVE
    rows = []
    announcements = (
        Announcement.objects.filter(pk__in=decisions).select_related("newsroom__company").order_by("pk")
    )
    for announcement in announcements:
        raw = _text(announcement)
        if not (raw.strip() or announcement.title.strip()):
            continue
        label = decisions[announcement.pk]
        company = announcement.newsroom.company if announcement.newsroom else None
        rows.append(
            TrainingRow(
                raw=raw,
                is_deal=label,
                origin="curators:deal" if label else "curators:rejected",
                title=announcement.title,
                source=announcement.url,
                publisher=company.name if company else None,
            )
        )
    return rows
