"""The registry of adapters verified against real captures: every entry's capture parses as it says."""

from datetime import date
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from scrapers.adapters import get_adapter
from scrapers.models import Newsroom
from scrapers.verified import NOT_VERIFIED, VERIFIED, VerifiedCapture, verification_label


@pytest.mark.django_db
def test_every_verified_capture_parses_with_its_newsrooms_adapter_and_selectors(realdata):
    call_command("load_dataset", stdout=StringIO(), stderr=StringIO())
    newsrooms = Newsroom.objects.in_bulk(list(VERIFIED), field_name="slug")

    assert sorted(newsrooms) == sorted(VERIFIED)  # no entry names a newsroom the dataset lacks
    for slug, entry in VERIFIED.items():
        newsroom = newsrooms[slug]
        path = realdata / entry.capture
        assert path.is_file(), f"{slug}: {entry.capture} is missing from the captured pages"
        body = path.read_bytes()
        payload = body if newsroom.kind == Newsroom.Kind.FEED else body.decode("utf-8")
        items = get_adapter(newsroom.kind).parse(payload, base_url=newsroom.url, newsroom=newsroom)
        assert len(items) == entry.items, slug
        assert all(item.published_at and item.title for item in items), slug
        for item in items:
            assert urlsplit(item.url).scheme == "https", (slug, item.url)
            # Links come out as the capture writes them (absolute, or relative to the page).
            assert item.url.encode() in body or urlsplit(item.url).path.encode() in body, (slug, item.url)


def test_it_says_which_newsrooms_are_verified_and_against_which_capture():
    assert verification_label("openai-news") == "adapter verified against a capture of 25 September 2026"
    assert verification_label("mistral-news") == "adapter verified against a capture of March 2026"
    assert verification_label("no-such-newsroom") == NOT_VERIFIED == "not verified against a real page"


def test_a_capture_dated_to_the_day_shows_its_day():
    entry = VerifiedCapture("feeds/x.xml", date(2026, 9, 5), 3)
    assert entry.captured == "5 September 2026"
