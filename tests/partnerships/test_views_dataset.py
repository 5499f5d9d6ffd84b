"""Every page answers with real content from the shipped dataset (``load_dataset``)."""

import io

import feedparser
import pytest
from django.core.management import call_command

from partnerships.models import Deal
from scrapers.models import Announcement

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(settings):
    settings.PAGE_CACHE_ENABLED = False
    call_command("load_dataset", "--no-evidence", verbosity=0, stdout=io.StringIO())


def test_it_serves_every_page_from_the_real_dataset(client, dataset):
    deal = Deal.objects.published().get(slug__startswith="microsoft-openai", announced_on__year=2019)
    announcement = Announcement.objects.first()
    pages = {
        "/": ["Latest deals", "OpenAI"],
        "/deals/?company=anthropic": ["Amazon"],
        deal.get_absolute_url(): ["Microsoft", "Exclusivity"],
        "/partnerships/amazon/anthropic/": ["How each clause evolved"],
        "/companies/openai/": ["Microsoft", "NVIDIA"],
        "/compare/companies/?companies=openai,anthropic": ["Amazon", "Microsoft"],
        "/network/": ["<svg"],
        "/flows/": ["<svg", "GW"],
        "/announcements/": [announcement.title or announcement.url],
        "/sources/": ["OpenAI"],
        "/exports/": ["How to cite"],
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for text in expected:
            assert text in html, (url, text)
    feed = feedparser.parse(io.BytesIO(client.get("/feeds/companies/openai/").content))
    assert not feed.bozo and len(feed.entries) >= 10
