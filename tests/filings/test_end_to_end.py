"""From EDGAR to the review queue: ``manage.py scrape`` on the loopback fixtures, after a fresh load.

The shipped watchlist's Amazon filer is fetched from the loopback server (a mirror of sec.gov):
its listing (ours) names the real FY2024 10-K, whose Anthropic passages become filing
announcements, then candidate clauses confirmed by the filing, in the review queue.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerships.models import Clause, Deal
from scrapers.models import Announcement, Filing
from tests.filings.conftest import fixture_bytes
from tests.filings.test_services_edgar import AMAZON_10K, SUBMISSIONS, TEN_K, UA


@pytest.fixture
def mirror(server, settings):
    settings.SEC_WWW_URL = settings.SEC_DATA_URL = settings.GOVUK_URL = server.url("")
    settings.SEC_USER_AGENT = UA
    settings.SEC_EDGAR_SINCE = datetime.date(2024, 1, 1)
    settings.SCRAPER_MAX_BYTES = 10 * 1024 * 1024
    settings.PAGE_CACHE_ENABLED = False
    return server


@pytest.mark.django_db(transaction=True)
def test_scraping_the_amazon_filer_turns_its_10k_into_anthropic_convertible_note_candidates(
    mirror, edgar, admin_client
):
    call_command("load_dataset", "--no-evidence", stdout=StringIO())
    mirror.add(SUBMISSIONS, fixture_bytes("edgar_submissions_amazon.json"))
    mirror.add(TEN_K, (edgar / AMAZON_10K).read_bytes())
    out = StringIO()
    call_command("scrape", "--newsroom", "edgar-amazon", "--workers", "1", stdout=out)
    assert "edgar-amazon: ok, 1 seen, 3 new" in out.getvalue()

    filing = Filing.objects.get(accession_number="0001018724-25-000004")
    notes = Clause.objects.filter(kind=Clause.Kind.CONVERTIBLE_NOTE, source__filing=filing).select_related(
        "deal", "grantor", "beneficiary", "source"
    )
    amounts = {clause.amount for clause in notes}
    assert {
        Decimal("1250000000"),
        Decimal("2750000000"),
        Decimal("1300000000"),
        Decimal("2700000000"),
    } <= amounts
    for clause in notes:
        assert clause.deal.status == Deal.Status.CANDIDATE
        assert (clause.grantor.slug, clause.beneficiary.slug) == ("amazon", "anthropic")
        assert clause.certainty == Clause.Certainty.CONFIRMED and clause.status == Clause.Status.EXTRACTED
        assert clause.source.source_kind == Announcement.SourceKind.FILING
        assert clause.quote in clause.source.text
    [deal] = {clause.deal for clause in notes}
    assert set(deal.deal_parties.values_list("company__slug", flat=True)) == {"amazon", "anthropic"}
    assert deal.sources.filter(filing=filing).count() == 3

    queue = admin_client.get(reverse("admin:partnerships_deal_review_queue")).content.decode()
    assert deal.title in queue
    review = admin_client.get(reverse("admin:partnerships_deal_review", args=[deal.pk])).content.decode()
    assert "filing-passage" in review and "accession 0001018724-25-000004" in review
    page = admin_client.get(deal.get_absolute_url()).content.decode()
    assert "Disclosed in Amazon\u2019s 10-K for the year ended December 31, 2024" in page
