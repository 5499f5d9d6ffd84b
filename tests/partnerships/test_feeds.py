import io

import feedparser
import pytest

from partnerships.models import Clause, DealParty
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Tests roll back instead of committing, so the cache version never moves between them.
    settings.PAGE_CACHE_ENABLED = False


def test_it_serves_feeds_from_the_page_cache(client, settings, django_assert_num_queries):
    from django.core.cache import cache

    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    DealFactory(slug="cached")
    assert client.get("/feeds/deals/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get("/feeds/deals/")["X-Page-Cache"] == "hit"
    cache.clear()


@pytest.fixture
def deals():
    oa = CompanyFactory(slug="openai", name="OpenAI")
    ms = CompanyFactory(slug="microsoft", name="Microsoft")
    a = DealFactory(slug="a", title="Microsoft & OpenAI <phase 1>", value_max=10**9)
    DealPartyFactory(deal=a, company=ms, role=DealParty.Role.INVESTOR)
    DealPartyFactory(deal=a, company=oa, role=DealParty.Role.INVESTEE)
    ClauseFactory(deal=a, kind=Clause.Kind.EXCLUSIVITY)
    b = DealFactory(slug="b", title="Microsoft only")
    DealPartyFactory(deal=b, company=ms)
    DealFactory(slug="hidden", status="candidate")
    return a, b


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(io.BytesIO(response.content))
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_it_publishes_every_published_deal_as_valid_atom(client, deals):
    feed = _parse(client, "/feeds/deals/")
    assert feed.version == "atom10"
    assert [e.link for e in feed.entries] == ["http://testserver/deals/b/", "http://testserver/deals/a/"]
    entry = feed.entries[1]
    assert entry.title == "Microsoft & OpenAI <phase 1>"
    assert "Microsoft (Investor)" in entry.summary and "$1B" in entry.summary
    assert entry.updated and entry.id


def test_it_publishes_a_feed_per_company(client, deals):
    feed = _parse(client, "/feeds/companies/openai/")
    assert [e.link for e in feed.entries] == ["http://testserver/deals/a/"]
    assert "OpenAI" in feed.feed.title


def test_it_publishes_a_feed_per_clause_kind(client, deals):
    feed = _parse(client, "/feeds/clauses/exclusivity/")
    assert [e.link for e in feed.entries] == ["http://testserver/deals/a/"]
    assert _parse(client, "/feeds/clauses/warrant/").entries == []


def test_it_answers_404_for_unknown_feeds(client, deals):
    assert client.get("/feeds/clauses/nonsense/").status_code == 404
    assert client.get("/feeds/companies/nobody/").status_code == 404


def test_it_labels_plain_text_summaries_as_text(client, deals):
    a, _b = deals
    a.summary = "Scraped <b>words</b> & more"
    a.save()
    body = client.get("/feeds/deals/").content.decode()
    assert '<summary type="text">' in body and 'type="html"' not in body
    entry = next(e for e in _parse(client, "/feeds/deals/").entries if e.link.endswith("/deals/a/"))
    assert entry.summary_detail.type == "text/plain"
    assert "Scraped <b>words</b> & more" in entry.summary  # shown as the characters it is


def test_it_dates_an_entry_by_its_announcement_and_its_last_material_change(client, settings):
    import datetime

    from partnerships.models import AlertEvent, Deal

    settings.PAGE_CACHE_ENABLED = False
    deal = DealFactory(
        slug="dated", announced_on=datetime.date(2024, 3, 5), value_max=10**9, value_min=10**9,
        published_at=datetime.datetime(2026, 11, 30, 9, tzinfo=datetime.UTC),  # loaded long after
    )  # fmt: skip
    ClauseFactory(deal=deal, kind=Clause.Kind.INVESTMENT, amount=10**9, unit="USD", certainty="confirmed")
    entry = feedparser.parse(io.BytesIO(client.get("/feeds/deals/").content)).entries[0]
    assert entry.published.startswith("2024-03-05T00:00:00")
    assert entry.updated.startswith("2026-11-30T09:00:00")  # its publication here
    assert "$1B (confirmed)" in entry.summary
    event = AlertEvent.objects.create(deal=deal, key="changed-x", kind="changed")
    AlertEvent.objects.filter(pk=event.pk).update(
        created_at=datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC)
    )
    entry = feedparser.parse(io.BytesIO(client.get("/feeds/deals/").content)).entries[0]
    assert entry.updated.startswith("2026-12-01T08:00:00")
    assert Deal.objects.get(pk=deal.pk).announced_on == datetime.date(2024, 3, 5)
