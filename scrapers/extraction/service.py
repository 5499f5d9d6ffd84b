"""Database side of extraction (filled in below)."""


def announcement_extract(*, announcement_id: int):
    from scrapers.models import Announcement

    Announcement.objects.filter(pk=announcement_id).exists()
    return None
