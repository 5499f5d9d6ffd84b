"""An EDGAR filer's run against a loopback server: real Amazon 10-K, our own submissions listing."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine

from partnerships.models import CompanyAlias
from partnerships.services.dataset import DEFAULT_PATH
from scrapers import fetch as fetch_module
from scrapers.filings import parse_cover, parse_submissions
from scrapers.models import Announcement, Filing, Newsroom, ScrapeRun
from scrapers.services import newsroom_preview, newsroom_scrape
from tests.factories import CompanyFactory, NewsroomFactory
from tests.filings.conftest import fixture_bytes

pytestmark = pytest.mark.django_db

UA = "Pactwatch tests admin@example.org"
TEN_K = "/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm"
SUBMISSIONS = "/submissions/CIK0001018724.json"
AMAZON_10K = "amazon_10-K_FY2024_filed_2025-02-07_mentions_anthropic.html"


@pytest.fixture
def sec(server, settings):
    """EDGAR served from the loopback server, as a mirror would be."""
    settings.SEC_WWW_URL = settings.SEC_DATA_URL = server.url("")
    settings.SEC_USER_AGENT = UA
    settings.SEC_REQUEST_DELAY = 0.1
    settings.SEC_EDGAR_SINCE = datetime.date(2024, 1, 1)
    settings.SEC_EDGAR_DOCUMENTS_PER_RUN = 3
    settings.SCRAPER_MAX_BYTES = 10 * 1024 * 1024  # a 10-K is a few MB
    return server


@pytest.fixture
def amazon():
    company = CompanyFactory(name="Amazon", slug="amazon")
    CompanyAlias.objects.create(company=company, name="Amazon.com")
    anthropic = CompanyFactory(name="Anthropic", slug="anthropic")
    CompanyAlias.objects.create(company=anthropic, name="Anthropic PBC")
    CompanyFactory(name="OpenAI", slug="openai")
    return NewsroomFactory(
        name="SEC EDGAR: Amazon",
        slug="edgar-amazon",
        kind=Newsroom.Kind.EDGAR,
        company=company,
        url="https://data.sec.gov/submissions/CIK0001018724.json",
        expected_cadence=datetime.timedelta(days=120),
    )


def serve_amazon(sec, edgar, **listing):
    sec.add(SUBMISSIONS, fixture_bytes("edgar_submissions_amazon.json"), **listing)
    sec.add(TEN_K, (edgar / AMAZON_10K).read_bytes())


def test_it_archives_each_passage_of_the_10k_naming_anthropic_as_a_filing(
    sec, edgar, amazon, extraction_calls, django_capture_on_commit_callbacks
):
    serve_amazon(sec, edgar)
    with django_capture_on_commit_callbacks(execute=True):
        run = newsroom_scrape(newsroom=amazon)

    assert run.status == ScrapeRun.Status.OK, run.error
    filing = Filing.objects.get()
    assert (filing.accession_number, filing.form, filing.cik) == (
        "0001018724-25-000004",
        "10-K",
        "0001018724",
    )
    assert (filing.filed_on, filing.period_of_report) == (
        datetime.date(2025, 2, 7),
        datetime.date(2024, 12, 31),
    )
    assert filing.company.slug == "amazon" and filing.status == Filing.Status.READ, filing.error
    assert filing.label == "Amazon\u2019s 10-K for the year ended December 31, 2024"
    passages = list(Announcement.objects.filter(filing=filing).order_by("passage_start"))
    assert len(passages) == filing.passages_found == 3
    for passage in passages:
        assert passage.source_kind == Announcement.SourceKind.FILING
        assert passage.publisher == "Amazon (10-K)"
        assert passage.url == (
            "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm"
            f"#passage-{passage.passage_start}-{passage.passage_end}"
        )
        assert "Anthropic" in passage.text and passage.title.endswith("passage naming Anthropic")
        assert passage.has_archive and passage.published_at.date() == datetime.date(2025, 2, 7)
        assert passage.revisions.count() == 1
    assert "convertible" in passages[-1].text and "Non-Marketable Investments" in passages[-1].passage_section
    assert extraction_calls == [p.pk for p in passages]
    assert run.items_new == 3 and run.items_seen == 1  # passages; filings of the forms read since the cut-off
    assert run.items_skipped == 3  # the Form 4, the SC 13G/A and the earnings 8-K
    assert "form 4 is not read" in run.note and "8-K items 2.02, 9.01 name no agreement" in run.note
    assert run.error == ""  # forms not read are the note of a run, not its error
    amazon.refresh_from_db()
    assert amazon.last_new_item_at.date() == datetime.date(2025, 2, 7) and amazon.consecutive_failures == 0


@time_machine.travel(datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_filer_that_filed_within_its_cadence_is_healthy(sec, edgar, amazon):
    serve_amazon(sec, edgar)
    newsroom_scrape(newsroom=amazon, fetch_articles=False)
    amazon.refresh_from_db()
    assert amazon.health == Newsroom.Health.OK


def test_it_asks_edgar_with_the_declared_user_agent_through_one_sec_slot(sec, edgar, amazon, monkeypatch):
    serve_amazon(sec, edgar)
    slots = []
    real_slot = fetch_module.client.host_slot

    def recording_slot(host, *, delay=None):
        slots.append((host, delay))
        return real_slot(host, delay=delay)

    monkeypatch.setattr(fetch_module.client, "host_slot", recording_slot)
    newsroom_scrape(newsroom=amazon, fetch_articles=False)

    agents = {headers.get("User-Agent") for path, headers in sec.requests}
    assert agents == {UA}
    assert {path.split("?")[0] for path, _ in sec.requests} >= {SUBMISSIONS, TEN_K}
    assert slots and set(slots) == {("sec.gov", 0.1)}


def test_it_refuses_to_poll_edgar_without_a_declared_user_agent(sec, edgar, amazon, settings):
    serve_amazon(sec, edgar)
    settings.SEC_USER_AGENT = ""
    run = newsroom_scrape(newsroom=amazon)

    assert run.status == ScrapeRun.Status.FAILED
    assert "SEC_USER_AGENT" in run.error and "contact address" in run.error
    assert sec.requests == [] and not Filing.objects.exists()
    amazon.refresh_from_db()
    assert amazon.health == Newsroom.Health.BROKEN and "SEC_USER_AGENT" in amazon.health_detail


def test_it_reads_a_filing_once_however_often_it_runs(
    sec, edgar, amazon, extraction_calls, django_capture_on_commit_callbacks
):
    serve_amazon(sec, edgar, etag='"v1"')
    with django_capture_on_commit_callbacks(execute=True):
        newsroom_scrape(newsroom=amazon)
        amazon.refresh_from_db()
        again = newsroom_scrape(newsroom=amazon)
        amazon.etag = ""
        third = newsroom_scrape(newsroom=amazon)

    assert again.status == ScrapeRun.Status.NOT_MODIFIED
    assert third.status == ScrapeRun.Status.OK and third.items_new == 0
    assert Filing.objects.count() == 1 and Announcement.objects.count() == 3
    assert sec.hits(TEN_K) == 1 and len(extraction_calls) == 3


def test_it_records_a_filing_whose_document_is_gone_and_does_not_ask_again(sec, edgar, amazon):
    sec.add(SUBMISSIONS, fixture_bytes("edgar_submissions_amazon.json"))
    sec.add(TEN_K, "gone", status=404)
    run = newsroom_scrape(newsroom=amazon)
    newsroom_scrape(newsroom=amazon)

    filing = Filing.objects.get()
    assert filing.status == Filing.Status.FAILED and "404" in filing.error
    assert run.status == ScrapeRun.Status.OK and run.items_new == 0 and "could not be read" in run.error
    assert sec.hits(TEN_K) == 1 and not Announcement.objects.exists()


def test_it_leaves_a_filing_to_the_next_run_after_a_transient_error(sec, edgar, amazon):
    sec.add(SUBMISSIONS, fixture_bytes("edgar_submissions_amazon.json"), etag='"v1"')
    sec.add(TEN_K, "busy", status=503)
    run = newsroom_scrape(newsroom=amazon)
    amazon.refresh_from_db()

    assert run.status == ScrapeRun.Status.OK and "wait for the next run" in run.note
    assert "Stopped reading at 10-K 0001018724-25-000004" in run.error
    assert not Filing.objects.exists() and amazon.etag == ""  # the listing is read again next time
    assert amazon.next_fetch_at - run.started_at < datetime.timedelta(minutes=5)
    sec.add(TEN_K, (edgar / AMAZON_10K).read_bytes())
    newsroom_scrape(newsroom=amazon)
    assert Filing.objects.get().status == Filing.Status.READ


def test_it_reads_the_primary_document_named_by_the_filing_index(sec, edgar, server, settings):
    listing = {
        "cik": "1648960",
        "name": "DATCHAT INC",
        "filings": {
            "recent": {
                "accessionNumber": ["0001213900-24-004875"],
                "filingDate": ["2024-01-19"],
                "reportDate": ["2024-01-16"],
                "form": ["8-K"],
                "items": ["1.01,9.01"],
                "primaryDocument": [""],
            }
        },
    }
    filer = NewsroomFactory(
        slug="edgar-datchat",
        kind=Newsroom.Kind.EDGAR,
        url="https://data.sec.gov/submissions/CIK0001648960.json",
    )
    CompanyFactory(name="Anthropic", slug="anthropic")
    folder = "/Archives/edgar/data/1648960/000121390024004875"
    sec.add("/submissions/CIK0001648960.json", json.dumps(listing))
    sec.add(
        f"{folder}/index.json", (edgar / "archives_filing_index_0001213900-24-004875-index.json").read_bytes()
    )
    sec.add(
        f"{folder}/ea191807-8k_datchat.htm", "<html><body><p>An agreement with Anthropic.</p></body></html>"
    )
    run = newsroom_scrape(newsroom=filer, fetch_articles=False)

    filing = Filing.objects.get()
    assert run.status == ScrapeRun.Status.OK, run.error
    assert (
        filing.document_url.endswith("/000121390024004875/ea191807-8k_datchat.htm")
        and filing.items == "1.01,9.01"
    )
    assert filing.label == "DATCHAT INC\u2019s 8-K filed on January 19, 2024"
    assert Announcement.objects.get(filing=filing).title.endswith("passage naming Anthropic")


def test_it_reads_the_newest_filings_first_and_leaves_the_rest_for_the_next_run(sec, edgar, amazon, settings):
    settings.SEC_EDGAR_SINCE = datetime.date(2023, 1, 1)
    settings.SEC_EDGAR_DOCUMENTS_PER_RUN = 1
    serve_amazon(sec, edgar)
    first = newsroom_scrape(newsroom=amazon)

    assert [f.accession_number for f in Filing.objects.all()] == ["0001018724-25-000004"]
    assert "1 new item(s) wait for the next run" in first.note and first.error == ""
    newsroom_scrape(newsroom=amazon)
    older = Filing.objects.get(accession_number="0001018724-23-000018")
    assert older.status == Filing.Status.FAILED  # its document is not served here


def test_it_previews_what_the_real_apple_listing_holds_and_writes_nothing(sec, edgar, settings):
    settings.SEC_EDGAR_SINCE = datetime.date(2023, 1, 1)
    apple = NewsroomFactory(
        slug="edgar-apple",
        kind=Newsroom.Kind.EDGAR,
        url="https://data.sec.gov/submissions/CIK0000320193.json",
    )
    sec.add(
        "/submissions/CIK0000320193.json",
        (edgar / "data_sec_gov_submissions_CIK0000320193_apple.json").read_bytes(),
    )
    run = newsroom_preview(newsroom=apple)

    assert run.pk is None and run.status == ScrapeRun.Status.OK
    assert run.items_seen == run.items_new == 4  # the 10-Qs and 10-K and agreement 8-Ks filed in 2023
    assert run.items_skipped > 500 and "form 4 is not read" in run.note
    assert not Filing.objects.exists() and not ScrapeRun.objects.exists()


def test_the_watchlist_ciks_agree_with_the_captured_filings(edgar):
    raw = json.loads(DEFAULT_PATH.read_text())
    ciks = {entry["company"]: entry["cik"].zfill(10) for entry in raw["edgar_filers"]}
    apple = parse_submissions((edgar / "data_sec_gov_submissions_CIK0000320193_apple.json").read_bytes())
    assert apple.filer.cik == ciks["apple"]
    assert parse_cover((edgar / AMAZON_10K).read_bytes()).cik == ciks["amazon"]
    assert (
        parse_cover((edgar / "oracle_8-K_2024-11_item_5.07_inline_xbrl.html").read_bytes()).cik
        == ciks["oracle"]
    )
    assert parse_cover(fixture_bytes("microsoft_10-Q_openai_note.html")).cik == ciks["microsoft"]
