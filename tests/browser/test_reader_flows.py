"""What a newcomer does with the pages, in a real browser against the shipped dataset: filter
by name and come back with Back/Forward (form and results restored, no CSP violation), search
with names and clause kinds, follow a clause to the glossary, copy a deal's citation link,
build a comparison from "Add to compare" links, and find a company in the alert form."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from partnerships.filters import DealFilter
from tests.browser.support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _titles(page) -> list[str]:
    return page.locator("#deal-results .deal-row .deal-title").all_inner_texts()


def _wait_for_titles(page, titles: list[str]) -> None:
    page.wait_for_function(
        "(want) => JSON.stringify([...document.querySelectorAll('#deal-results .deal-row .deal-title')]"
        ".map((a) => a.innerText)) === JSON.stringify(want)",
        arg=titles,
    )


def _form(page) -> dict[str, str]:
    return {
        name: page.input_value(f"#id_{name}")
        for name in ("company", "counterparty", "kind", "clause", "sort")
    }


def test_back_and_forward_restore_the_filters_and_the_results_without_csp_violations(site, page):
    page.goto(site + "/deals/")
    everything = _titles(page)
    page.evaluate("() => { window.__sameDocument = true; }")

    page.select_option("#id_kind", "investment")
    page.wait_for_url(re.compile(r"kind=investment"))
    investments = [t for t in _titles(page)]
    assert "company=" not in page.url, "empty fields stay out of the URL"

    page.fill("#id_company", "Microsoft Corp")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"company=Microsoft"))
    page.wait_for_function("() => document.querySelector('#id_company-hint') !== null")
    microsoft = _titles(page)
    expected = (
        DealFilter(companies=("microsoft",), kinds=("investment",)).deals().order_by("-announced_on", "-id")
    )
    assert microsoft == [d.title for d in expected]
    assert page.locator("#id_company-hint").inner_text() == "Showing Microsoft"

    page.select_option("#id_sort", "largest")
    page.wait_for_url(re.compile(r"sort=largest"))
    largest = _titles(page)
    assert sorted(largest) == sorted(microsoft)

    page.go_back()
    page.wait_for_url(lambda url: "sort=" not in url and "company=" in url)
    _wait_for_titles(page, microsoft)
    assert _form(page) == {
        "company": "Microsoft Corp",
        "counterparty": "",
        "kind": "investment",
        "clause": "",
        "sort": "",
    }
    page.go_back()
    page.wait_for_url(lambda url: "company=" not in url and "kind=investment" in url)
    _wait_for_titles(page, investments)
    assert _form(page)["company"] == "" and _form(page)["kind"] == "investment"
    page.go_back()
    page.wait_for_url(lambda url: "kind=" not in url)
    _wait_for_titles(page, everything)
    assert _form(page)["kind"] == ""
    page.go_forward()
    page.go_forward()
    page.wait_for_url(re.compile(r"company=Microsoft"))
    _wait_for_titles(page, microsoft)
    assert _form(page)["company"] == "Microsoft Corp" and _form(page)["kind"] == "investment"
    # Applying a filter after Forward keeps what the restored form shows.
    page.select_option("#id_clause", "exclusivity")
    page.wait_for_url(re.compile(r"clause=exclusivity"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["company"] == ["Microsoft Corp"] and query["kind"] == ["investment"]
    assert page.evaluate("() => window.__sameDocument === true"), "a filter reloaded the page"
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_filters_by_alias_and_says_what_it_understood(site, page):
    page.goto(site + "/deals/")
    page.fill("#id_company", "aws")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"company=aws"))
    page.locator("#id_company-hint").wait_for()
    assert page.locator("#id_company-hint").inner_text() == "Showing Amazon"
    parties = page.locator("#deal-results .deal-row .parties").all_inner_texts()
    assert parties and all("Amazon" in line for line in parties)
    count = page.locator("#deal-results .result-count").inner_text()
    assert re.match(rf"{len(parties)} deals? match", count), count

    page.fill("#id_company", "Nobody At All")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"company=Nobody"))
    page.locator("#id_company-error").wait_for()
    assert "No company is called “Nobody At All”" in page.locator("#id_company-error").inner_text()
    assert not page.console_log.problems(), page.console_log.problems()


@pytest.mark.parametrize(
    ("query", "party_a", "party_b"),
    [("Microsoft OpenAI", "Microsoft", "OpenAI"), ("Amazon Anthropic", "Amazon", "Anthropic")],
)
def test_it_searches_two_company_names_and_finds_their_deals_first(site, page, query, party_a, party_b):
    page.goto(site + "/search/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q="))
    page.locator("#search-results .result").first.wait_for()
    first = page.locator("#search-results ol.results").first.locator("li").first
    parties = first.locator(".parties").inner_text()
    assert party_a in parties and party_b in parties, parties
    assert "the company" in page.locator("#search-results .understood").inner_text()
    marks = page.locator("#search-results mark").all_inner_texts()
    assert marks and all(re.fullmatch(r"[\w.'’-]+", m) for m in marks), marks[:10]
    assert not page.console_log.problems(), page.console_log.problems()


def test_a_clause_label_leads_to_its_glossary_entry(site, page):
    slug = DealFilter(clauses=("exclusivity",)).deals().order_by("-announced_on").first().slug
    page.goto(site + f"/deals/{slug}/")
    page.locator("section[aria-labelledby=clauses-h] a", has_text="Exclusivity").first.click()
    page.wait_for_url(re.compile(r"/glossary/#clause-exclusivity$"))
    entry = page.locator("#clause-exclusivity")
    assert entry.is_visible() and "Why regulators look at it" in entry.inner_text()
    assert page.evaluate("() => document.querySelector(':target').id") == "clause-exclusivity"
    examples = entry.locator("ul.examples a")
    assert examples.count() >= 1
    screenshot(page, "flow-glossary-exclusivity")
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_copies_a_deal_permalink_and_shows_its_citation(site, page, browser):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    slug = DealFilter(companies=("microsoft",), counterparties=("openai",)).deals().first().slug
    page.goto(site + f"/deals/{slug}/")
    button = page.get_by_role("button", name="Copy link")
    button.wait_for()
    button.click()
    page.get_by_text("Link copied.").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.endswith(f"/deals/{slug}/"), copied
    citation = page.locator("#citation-text").inner_text()
    assert "Microsoft" in citation and "accessed" in citation and "schema" in citation
    assert page.locator("#citation-bibtex").inner_text().startswith(f"@misc{{pactwatch-{slug},")
    screenshot(page, "flow-deal-cite")
    # Without JavaScript the permalink is a plain link and no dead button shows.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(site + f"/deals/{slug}/")
    assert plain.locator("#permalink").get_attribute("href").endswith(f"/deals/{slug}/")
    assert not plain.get_by_role("button", name="Copy link").is_visible()
    context.close()
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_builds_a_comparison_from_add_to_compare_links(site, page):
    page.goto(site + "/deals/?company=anthropic")
    first_title = _titles(page)[0]
    page.locator("#deal-results .deal-row").first.get_by_role(
        "link", name=re.compile("Add to compare")
    ).click()
    page.wait_for_url(re.compile(r"/compare/\?deals="))
    assert first_title in page.locator(".chosen-list").inner_text()
    page.get_by_role("link", name="Add deals from the timeline").click()
    page.wait_for_url(re.compile(r"/deals/\?compare="))
    assert page.locator(".compare-add.is-chosen").count() == 1
    page.locator("#deal-results .deal-row a.compare-add").first.click()
    page.wait_for_url(re.compile(r"/compare/\?deals=[^&]+%2C|/compare/\?deals=[^&]+,"))
    assert page.locator("table.matrix thead tr").first.locator("th").count() == 3
    assert page.locator(".chosen-list li").count() == 2
    page.locator(".chosen-list a.remove").first.click()
    page.wait_for_url(re.compile(r"/compare/\?deals="))
    assert page.locator(".chosen-list li").count() == 1
    screenshot(page, "flow-compare-tray")
    assert not page.console_log.problems(), page.console_log.problems()


def test_it_finds_a_company_in_the_alert_form_by_typing(site, page):
    page.goto(site + "/alerts/")
    finder = page.get_by_label("Find a company")
    finder.wait_for()
    finder.fill("anthro")
    visible = [t.strip() for t in page.locator("#id_company label:visible").all_inner_texts()]
    assert visible == ["Anthropic"], visible
    page.check("input[name=company][value=anthropic]")
    finder.fill("")
    assert page.locator("#id_company label:visible").count() > 10
    assert page.locator("select[multiple]").count() == 0
    assert not page.console_log.problems(), page.console_log.problems()


def test_htmx_runs_with_the_strict_configuration_the_csp_needs(site, page):
    page.goto(site + "/deals/")
    config = page.evaluate(
        "() => ({indicator: htmx.config.includeIndicatorStyles, settle: htmx.config.attributesToSettle,"
        " evalAllowed: htmx.config.allowEval, styles: document.querySelectorAll('style').length,"
        " styled: document.querySelectorAll('[style]').length})"
    )
    assert config == {
        "indicator": False,
        "settle": ["class", "width", "height"],
        "evalAllowed": False,
        "styles": 0,
        "styled": 0,
    }
    page.select_option("#id_kind", "chips")
    page.wait_for_url(re.compile(r"kind=chips"))
    page.go_back()
    page.wait_for_url(lambda url: "kind=" not in url)
    assert page.evaluate("() => document.querySelectorAll('style, [style]').length") == 0
    assert not page.console_log.problems(), page.console_log.problems()
