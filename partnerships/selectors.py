"""Reads that span models. Views call these; they do the eager loading."""

from partnerships.models import Deal


def deal_latest(*, limit: int = 20):
    return list(Deal.objects.published().with_parties().newest_first()[:limit])
