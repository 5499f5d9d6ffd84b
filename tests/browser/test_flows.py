"""What a reader and a curator do, in a real browser against the live server and the shipped
dataset: browse and filter the timeline (htmx swaps the list, the URL follows, Back works),
open a deal and its evidence, read what changed between Microsoft–OpenAI phases, compare
three deals, search, and the whole alert round trip through a real SMTP sink:
subscribe → confirm from the email → a curator publishes a deal in the admin → the alert
arrives → unsubscribe with one click."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import call_command

from partnerships.models import Clause, Company, Deal
from tests.browser.support import body_html, body_text, links, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(page) -> list[str]:
    return page.locator("#deal-results .deal-row .deal-title").all_inner_texts()


def test_it_filters_the_timeline_with_htmx_and_keeps_the_url_and_back_button(site, page):
    page.goto(site + "/deals/")
    everything = _rows(page)
    assert len(everything) >= 10
    page.evaluate("() => { window.__sameDocument = true; }")

    page.select_option("#id_kind", "chips")
    page.wait_for_url(re.compile(r"kind=chips"))
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length !== n", arg=len(everything)
    )
    chips = _rows(page)
    assert chips and len(chips) < len(everything)
    assert all(
        kind == "Chips" for kind in page.locator("#deal-results .deal-row .kind-tag").all_inner_texts()
    )
    assert page.evaluate("() => window.__sameDocument === true"), (
        "the filter reloaded the page instead of swapping"
    )

    page.select_option("#id_clause", "warrant")
    page.wait_for_url(re.compile(r"clause=warrant"))
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length !== n", arg=len(chips)
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query["kind"] == ["chips"] and query["clause"] == ["warrant"]
    both = _rows(page)
    assert both == [
        d.title
        for d in Deal.objects.filter(kind="chips", clauses__kind="warrant")
        .distinct()
        .order_by("-announced_on")
    ], both

    page.go_back()
    page.wait_for_url(lambda url: "clause=warrant" not in url and "kind=chips" in url)
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length === n", arg=len(chips)
    )
    assert _rows(page) == chips
    page.go_back()
    page.wait_for_url(lambda url: "kind=" not in url)
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length === n", arg=len(everything)
    )

    # The filtered URL is shareable: opened cold it shows the same list.
    page.goto(site + "/deals/?kind=chips")
    assert _rows(page) == chips
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_opens_a_deal_and_follows_its_evidence(site, page):
    page.goto(site + "/deals/?company=microsoft&counterparty=openai")
    page.get_by_role("link", name=re.compile("Microsoft.*OpenAI|OpenAI.*Microsoft")).first.click()
    page.wait_for_url(re.compile(r"/deals/[\w-]+/$"))
    assert page.get_by_role("heading", name="Parties").is_visible()
    assert page.get_by_role("heading", name="Clauses").is_visible()
    parties = page.locator("section[aria-labelledby=parties-h]").inner_text()
    assert "Microsoft" in parties and "OpenAI" in parties
    assert page.locator("section[aria-labelledby=clauses-h] tbody tr").count() >= 3

    sources = page.locator("section[aria-labelledby=sources-h] a")
    assert sources.count() >= 1, "a published deal shows its sources"
    external = sources.first.get_attribute("href")
    assert external.startswith("https://"), external
    archived = page.locator("section[aria-labelledby=sources-h] a", has_text="archived copy")
    if archived.count():
        archived.first.click()
        page.wait_for_url(re.compile(r"/announcements/\d+/$"))
        assert page.locator("h1").inner_text().strip()
    screenshot(page, "flow-deal-evidence")
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_shows_each_clause_quote_beside_its_source(site, page):
    # Quotes come from ../shared/realdata at load time; without it the dataset has none.
    clause = (
        Clause.objects.filter(deal__status=Deal.Status.PUBLISHED)
        .exclude(quote="")
        .select_related("deal", "source")
        .order_by("deal__announced_on")
        .first()
    )
    if clause is None:
        pytest.skip("the loaded dataset carries no evidence quotes (real data absent)")
    page.goto(site + clause.deal.get_absolute_url())
    quotes = page.locator("section[aria-labelledby=clauses-h] blockquote.quote").all_inner_texts()
    assert any(clause.quote.strip()[:60] in q for q in quotes), (clause.quote[:60], quotes[:3])
    if clause.source_id:
        row = page.locator("section[aria-labelledby=clauses-h] tr", has_text=clause.quote.strip()[:40])
        assert row.locator("a.source-link").first.get_attribute("href") == clause.source.url
        if not clause.source.has_archive:
            # Sources the dataset cites are not fetched offline: no link to a copy that does not exist.
            assert row.locator("a.archive-link").count() == 0
            return
        row.locator("a.archive-link").first.click()
        page.wait_for_url(re.compile(rf"/announcements/{clause.source_id}/$"))


def test_it_shows_what_changed_between_microsoft_openai_phases(site, page):
    page.goto(site + "/partnerships/microsoft/openai/")
    assert page.locator("h1").inner_text().count("Microsoft") == 1
    phases = page.locator("table.matrix thead th a")
    assert phases.count() >= 4, "2019, 2023, Jan 2025 and Oct 2025 phases"
    changes = page.locator("section[aria-labelledby^=changes-h]").first
    assert changes.is_visible()
    text = changes.inner_text().lower()
    assert "right of first refusal" in text
    story = page.locator("section[aria-labelledby^=story-h]").first.inner_text().lower()
    assert "exclusivity" in story and "agi" in story
    screenshot(page, "flow-partnership-microsoft-openai")

    page.get_by_role("link", name="Compare them side by side").click()
    page.wait_for_url(re.compile(r"/compare/\?deals="))
    assert page.locator("table.matrix thead tr").first.locator("th").count() >= 4


def test_it_compares_three_deals(site, page):
    slugs = ["amazon-anthropic-2024", "google-anthropic-2023-10", "microsoft-openai-2025-10"]
    page.goto(site + "/compare/")
    page.fill("#deals-input", ",".join(slugs))
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/compare/\?deals="))
    header = page.locator("table.matrix thead tr").first.locator("th")
    assert header.count() == 4, "one row-header column plus three deals"
    titles = header.all_inner_texts()[1:]
    for slug in slugs:
        assert Deal.objects.get(slug=slug).title in " ".join(titles)
    rows = page.locator("table.matrix tbody th[scope=row]").all_inner_texts()
    assert any("Investment" in r for r in rows) and len(rows) >= 3
    screenshot(page, "flow-compare-three")


def test_it_searches_deals_and_highlights_matches(site, page):
    page.goto(site + "/")
    page.goto(site + "/search/")
    page.fill("#q", "Anthropic")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=Anthropic"))
    results = page.locator("#search-results")
    results.get_by_role("link").first.wait_for()
    assert "anthropic" in results.inner_text().lower()
    results.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip()
    page.go_back()
    assert "q=Anthropic" in page.url
    assert not page.console_log.problems(), page.console_log.problems()


def _candidate_deal() -> Deal:
    from tests.factories import ArchivedAnnouncementFactory, ClauseFactory, DealFactory, DealPartyFactory

    deal = DealFactory(
        title="Proof Labs takes a compute commitment from OpenAI",
        slug="proof-labs-openai-compute",
        kind=Deal.Kind.COMPUTE,
        status=Deal.Status.CANDIDATE,
        announced_on=datetime.date.today(),
    )
    proof_labs = Company.objects.create(name="Proof Labs", slug="proof-labs", kind=Company.Kind.CLOUD)
    openai = Company.objects.get(slug="openai")
    DealPartyFactory(deal=deal, company=openai, role="customer")
    DealPartyFactory(deal=deal, company=proof_labs, role="provider")
    quote = "Proof Labs will supply OpenAI with one gigawatt of compute."
    source = ArchivedAnnouncementFactory(text=f"Today. {quote}")
    deal.sources.add(source)
    ClauseFactory(
        deal=deal,
        kind=Clause.Kind.COMPUTE_COMMITMENT,
        amount=1,
        unit="GW",
        status=Clause.Status.CONFIRMED,
        quote=quote,
        source=source,
        grantor=proof_labs,
        beneficiary=openai,
    )
    return deal


def test_it_runs_the_alert_round_trip_through_real_email(site, page, smtp_sink, settings, browser):
    address = "reader@example.org"
    # Other tests in the same run post subscribe forms from 127.0.0.1 too; the per-IP limit
    # (shared through Redis in CI) is not what this flow is about.
    settings.ALERTS_SUBSCRIBE_PER_IP = 10_000

    # 1. Subscribe to OpenAI deals.
    page.goto(site + "/alerts/")
    page.fill("#id_email", address)
    page.check("input[name=company][value=openai]")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Check your inbox").wait_for()

    # 2. Confirm from the email's link.
    confirmation = smtp_sink.wait_for(lambda m: address in str(m["To"]))
    confirm_url = next(u for u in links(body_text(confirmation)) if "/alerts/confirm/" in u)
    assert confirm_url.startswith(site), confirm_url
    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm my alerts").click()
    page.get_by_role("heading", name=re.compile("alerts are on", re.I)).wait_for()
    assert len(smtp_sink.to(address)) == 1, "only the confirmation before confirming"

    # 3. A curator logs in to the admin and publishes a candidate deal.
    deal = _candidate_deal()
    call_command(
        "createcurator",
        "curator",
        "curator@example.org",
        password="a-curator-passphrase-7",
        no_input=True,
        verbosity=0,
    )
    curator = browser.new_context()
    admin = curator.new_page()
    admin.goto(site + f"/{settings.ADMIN_URL}")
    admin.fill("#id_username", "curator")
    admin.fill("#id_password", "a-curator-passphrase-7")
    admin.click("input[type=submit]")
    admin.wait_for_url(re.compile(re.escape(settings.ADMIN_URL) + "$"))
    admin.goto(site + f"/{settings.ADMIN_URL}partnerships/deal/?status__exact=candidate")
    admin.locator(f"input[name=_selected_action][value='{deal.pk}']").check()
    admin.select_option("select[name=action]", "publish_selected")
    admin.click("button[name=index]")
    admin.wait_for_load_state()
    screenshot(admin, "flow-admin-published")
    curator.close()
    deal.refresh_from_db()
    assert deal.status == Deal.Status.PUBLISHED

    # 4. The alert arrives, once, with RFC 8058 headers.
    alert = smtp_sink.wait_for(lambda m: address in str(m["To"]) and deal.title in str(m["Subject"]))
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = re.search(r"<(https?://[^>]+)>", alert["List-Unsubscribe"]).group(1)
    assert deal.get_absolute_url() in body_text(alert) and deal.get_absolute_url() in body_html(alert)

    # 5. Unsubscribe with one click from the link in the email.
    unsubscribe_url = next(u for u in links(body_text(alert)) if "/alerts/unsubscribe/" in u)
    page.goto(unsubscribe_url)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    # The mail provider's RFC 8058 POST (no cookies) is idempotent and does not redirect.
    response = httpx.post(header_url, data={"List-Unsubscribe": "One-Click"}, follow_redirects=False)
    assert response.status_code == 200

    # 6. Nothing more arrives: publishing another OpenAI deal sends no alert to this address.
    before = len(smtp_sink.to(address))
    second = _second_candidate()
    from partnerships.services.deals import deal_publish

    deal_publish(deal=second, actor=None)
    import time

    time.sleep(1.0)
    assert len(smtp_sink.to(address)) == before == 2, [m["Subject"] for m in smtp_sink.to(address)]


def _second_candidate() -> Deal:
    from tests.factories import ArchivedAnnouncementFactory, DealFactory, DealPartyFactory

    deal = DealFactory(
        title="OpenAI signs a second proof deal",
        slug="openai-second-proof-deal",
        kind=Deal.Kind.CLOUD,
        status=Deal.Status.CANDIDATE,
        announced_on=datetime.date.today(),
    )
    DealPartyFactory(deal=deal, company=Company.objects.get(slug="openai"), role="customer")
    DealPartyFactory(deal=deal, company=Company.objects.get(slug="proof-labs"), role="provider")
    deal.sources.add(ArchivedAnnouncementFactory())
    return deal


def test_it_adds_one_history_entry_per_filter_typed_and_applied(site, page):
    page.goto(site + "/deals/?kind=chips")
    chips = _rows(page)
    page.fill("#id_company", "openai")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"company=openai"))
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length !== n", arg=len(chips)
    )
    page.wait_for_timeout(300)  # a second, duplicate request would land here
    page.go_back()
    page.wait_for_url(lambda url: "company=openai" not in url, timeout=5_000)
    page.wait_for_function(
        "(n) => document.querySelectorAll('#deal-results .deal-row').length === n", arg=len(chips)
    )
    assert _rows(page) == chips
