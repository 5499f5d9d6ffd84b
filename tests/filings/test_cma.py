"""UK CMA cases: case pages as review records, the finder's filters, search results and the Atom feed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from scrapers.filings import (
    STAGES,
    FilingParseError,
    case_content_url,
    cases_feed_url,
    cases_search_url,
    parse_cma_atom,
    parse_cma_case,
    parse_cma_finder,
)
from scrapers.filings.cma import subject_companies
from tests.filings.conftest import fixture_bytes

TOPPS = "govuk_content_api_cma_case_topps-tiles-ctd-tiles_merger_inquiry_with_change_history.json"
RICHEMONT = "govuk_content_api_cma_case_richemont-yoox-net-a-porter_merger_inquiry.json"
FINDER = "govuk_content_api_finder_cma-cases_facets_example.json"
MICROSOFT_OPENAI = "govuk_content_api_cma_case_microsoft_openai.json"


def test_it_reads_an_open_case_with_its_change_history(cma):
    review = parse_cma_case((cma / TOPPS).read_bytes())
    assert review.authority == "UK CMA"
    assert (
        review.url == "https://www.gov.uk/cma-cases/topps-tiles-slash-ctd-tiles-certain-assets-merger-inquiry"
    )
    assert (review.case_type, review.case_state, review.stage) == ("mergers", "open", "phase_1")
    assert (review.outcome, review.findings, review.decided_on) == ("", (), None)
    assert review.opened_on == date(2024, 10, 3) and review.closed_on is None
    assert review.subjects == ("Topps Tiles", "CTD Tiles")
    history = [e for e in review.events if e.source == "change_history"]
    assert len(history) == 7
    assert [e.kind for e in history if e.kind != "update"] == ["opened", "invitation_to_comment", "phase_1"]
    assert [e.on for e in review.events] == sorted(e.on for e in review.events)
    body = [e for e in review.events if e.source == "body"]
    assert (body[-1].on, body[-1].kind) == (date(2024, 12, 18), "phase_1")
    assert len(review.documents) == 15 and not review.decision_documents
    assert all(d.url.startswith("https://assets.publishing.service.gov.uk/") for d in review.documents)


def test_it_reads_a_closed_case_outcome_from_the_metadata(cma):
    review = parse_cma_case((cma / RICHEMONT).read_bytes())
    assert (review.stage, review.outcome, review.outcome_type) == (
        "closed",
        "cleared at phase 1",
        "mergers-phase-1-clearance",
    )
    assert (review.opened_on, review.closed_on, review.decided_on) == (
        date(2015, 7, 10),
        date(2015, 8, 20),
        date(2015, 8, 20),
    )
    assert review.subjects == ("Richemont", "Yoox", "Net-A-Porter")
    assert [d.title for d in review.decision_documents] == ["Full text decision"]


def test_it_reads_our_microsoft_openai_case_page():
    review = parse_cma_case(fixture_bytes(MICROSOFT_OPENAI))
    assert review.title == "Microsoft / OpenAI partnership merger inquiry"
    assert review.subjects == ("Microsoft", "OpenAI")
    assert (review.stage, review.outcome) == ("closed", "found not to qualify")
    assert review.findings == ("found not to qualify", "not a relevant merger situation")
    assert (review.opened_on, review.decided_on) == (date(2023, 12, 8), date(2025, 3, 5))
    assert [(e.on, e.kind) for e in review.events if e.source == "change_history"] == [
        (date(2023, 12, 8), "opened"),
        (date(2025, 3, 5), "decision"),
        (date(2025, 4, 15), "decision"),
    ]
    assert [(d.title, d.published_on) for d in review.decision_documents] == [
        ("Summary of phase 1 decision", date(2025, 3, 5)),
        ("Full text decision", date(2025, 4, 15)),
    ]
    assert not any("javascript" in d.url for d in review.documents)
    assert not any("alert" in e.note for e in review.events)


def test_it_takes_the_outcome_from_the_body_when_the_metadata_has_none():
    data = json.loads(fixture_bytes(MICROSOFT_OPENAI))
    del data["details"]["metadata"]["outcome_type"]
    data["details"]["metadata"]["case_state"] = "open"
    review = parse_cma_case(json.dumps(data))
    assert (review.outcome, review.outcome_type, review.stage) == (
        "found not to qualify",
        "",
        "phase_1_decision",
    )
    assert review.decided_on == date(2025, 3, 5)


@pytest.mark.parametrize(
    ("phrase", "finding"),
    [
        (
            "The CMA found that Alphabet has not acquired material influence over Anthropic.",
            "no material influence",
        ),
        ("The transaction will not be referred for a phase 2 investigation.", "cleared"),
        ("The merger has been referred for a phase 2 investigation.", "referred to phase 2"),
        ("The CMA considers whether the merger has resulted in a relevant merger situation.", None),
    ],
)
def test_it_reads_what_a_decision_found_and_not_what_an_invitation_asks(phrase, finding):
    data = json.loads(fixture_bytes(MICROSOFT_OPENAI))
    data["details"]["body"] = f"<h3>Decision</h3><p>1 May 2025: {phrase}</p>"
    data["details"]["metadata"].pop("outcome_type")
    review = parse_cma_case(json.dumps(data))
    assert review.findings == ((finding,) if finding else ())


def test_it_refuses_a_content_item_that_is_not_a_cma_case(cma):
    with pytest.raises(FilingParseError, match="document_type is 'finder'"):
        parse_cma_case((cma / FINDER).read_bytes())
    data = json.loads(fixture_bytes(MICROSOFT_OPENAI))
    data["base_path"] = "/government/news/x"
    with pytest.raises(FilingParseError, match="not under /cma-cases/"):
        parse_cma_case(json.dumps(data))


def test_it_reads_the_finder_filters_and_checks_feed_filters_against_them(cma):
    finder = parse_cma_finder((cma / FINDER).read_bytes())
    assert finder.cases == ()
    assert [f.key for f in finder.facets] == [
        "case_type",
        "case_state",
        "market_sector",
        "outcome_type",
        "opened_date",
        "closed_date",
    ]
    assert "mergers" in finder.allowed("case_type") and len(finder.allowed("case_type")) == 8
    assert finder.allowed("case_state") == {"open", "closed"}
    assert "mergers-phase-1-found-not-to-qualify" in finder.allowed("outcome_type")
    assert cases_feed_url(finder=finder) == "https://www.gov.uk/cma-cases.atom?case_type%5B%5D=mergers"
    assert cases_feed_url(finder=finder, case_type="mergers", case_state="open").endswith(
        "case_type%5B%5D=mergers&case_state%5B%5D=open"
    )
    with pytest.raises(FilingParseError, match="no case_type value 'takeovers'"):
        cases_feed_url(finder=finder, case_type="takeovers")


def test_it_reads_search_results_into_case_stubs():
    page = parse_cma_finder(fixture_bytes("govuk_search_api_cma_cases_mergers.json"))
    assert page.total == 3 and len(page.cases) == 2  # the result without a link is left out
    first, second = page.cases
    assert (first.case_type, first.case_state, first.outcome_type) == (
        "mergers",
        "closed",
        "mergers-phase-1-found-not-to-qualify",
    )
    assert (first.opened_on, first.closed_on) == (date(2023, 12, 8), date(2025, 3, 5))
    assert first.content_url == (
        "https://www.gov.uk/api/content/cma-cases/microsoft-slash-openai-partnership-merger-inquiry"
    )
    assert second.subjects == ("Alphabet Inc.", "Google LLC", "Anthropic")
    assert second.case_state == "closed"
    query = cases_search_url(count=20)
    assert query.startswith(
        "https://www.gov.uk/api/search.json?filter_format=cma_case&filter_case_type=mergers"
    )


def test_it_reads_the_cases_atom_feed():
    stubs = parse_cma_atom(fixture_bytes("govuk_cma_cases_mergers.atom"))
    assert [s.subjects for s in stubs] == [
        ("Microsoft", "OpenAI"),
        ("Alphabet Inc.", "Google LLC", "Anthropic"),
        ("Microsoft", "Inflection AI"),
    ]
    assert stubs[0].summary == "Phase 1 decision: the partnership does not qualify for review."
    assert stubs[2].updated_at.date() == date(2024, 9, 4)


def test_it_builds_content_addresses_only_for_case_pages():
    assert case_content_url("microsoft-slash-inflection-ai-inquiry") == (
        "https://www.gov.uk/api/content/cma-cases/microsoft-slash-inflection-ai-inquiry"
    )
    assert case_content_url("https://www.gov.uk/cma-cases/microsoft-slash-inflection-ai-inquiry/") == (
        "https://www.gov.uk/api/content/cma-cases/microsoft-slash-inflection-ai-inquiry"
    )
    for bad in ("https://www.gov.uk/government/news/x", "../etc", "Has Spaces"):
        with pytest.raises(FilingParseError):
            case_content_url(bad)


@pytest.mark.parametrize(
    ("title", "subjects"),
    [
        ("Amazon.com Inc / Anthropic PBC partnership merger inquiry", ("Amazon.com Inc", "Anthropic PBC")),
        (
            "Microsoft Corporation / Mistral AI partnership merger inquiry",
            ("Microsoft Corporation", "Mistral AI"),
        ),
        ("Mobile browsers and cloud gaming", ()),
    ],
)
def test_it_names_the_companies_of_a_case_title(title, subjects):
    assert subject_companies(title) == subjects


def test_every_stage_is_in_order():
    assert STAGES[0] == "opened" and STAGES[-1] == "closed"
