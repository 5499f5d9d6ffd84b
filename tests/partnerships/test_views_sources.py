"""/sources/: which newsrooms' adapters are verified against a real capture, in one query."""

import pytest

from scrapers.models import ScrapeRun
from tests.factories import NewsroomFactory

pytestmark = pytest.mark.django_db


def _row(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


def test_it_says_which_adapters_are_verified_against_a_capture(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    NewsroomFactory(slug="openai-news", name="OpenAI News")
    NewsroomFactory(slug="mistral-news", name="Mistral News", kind="html")
    NewsroomFactory(slug="vendor-blog", name="Vendor Blog")

    html = client.get("/sources/").content.decode()

    assert "Adapter verified against a capture of 25 September 2026" in _row(html, "OpenAI News")
    assert "Adapter verified against a capture of March 2026" in _row(html, "Mistral News")
    vendor = _row(html, "Vendor Blog")
    assert "Not verified against a real page" in vendor and "verified against a capture" not in vendor


@pytest.mark.parametrize("newsrooms", [2, 20])
def test_the_sources_page_reads_its_newsrooms_in_one_query_however_many(
    client, settings, newsrooms, django_assert_num_queries
):
    settings.PAGE_CACHE_ENABLED = False
    for i in range(newsrooms):
        newsroom = NewsroomFactory(slug="openai-news" if i == 0 else f"room-{i}")
        ScrapeRun.objects.create(newsroom=newsroom, status=ScrapeRun.Status.OK, items_seen=i)
    # The newsrooms in one query, plus the footer's "data as of" date.
    with django_assert_num_queries(2):
        response = client.get("/sources/")
    assert response.status_code == 200 and response.content.count(b"<tr>") == newsrooms + 1
