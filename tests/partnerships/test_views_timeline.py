import datetime
import re
from decimal import Decimal

import pytest

from partnerships.models import Clause, Deal, DealParty
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def deals():
    openai = CompanyFactory(name="OpenAI", slug="openai")
    nvidia = CompanyFactory(name="NVIDIA", slug="nvidia")
    amd = CompanyFactory(name="AMD", slug="amd")
    a = DealFactory(
        slug="oa-nvidia",
        kind=Deal.Kind.CHIPS,
        announced_on=datetime.date(2025, 9, 22),
        value_max=Decimal("1e11"),
    )
    b = DealFactory(
        slug="oa-amd", kind=Deal.Kind.CHIPS, announced_on=datetime.date(2025, 10, 6), value_max=None
    )
    c = DealFactory(
        slug="nvidia-amd",
        kind=Deal.Kind.RESEARCH,
        announced_on=datetime.date(2023, 1, 1),
        value_max=Decimal("5e8"),
    )
    for deal, parties in ((a, (openai, nvidia)), (b, (openai, amd)), (c, (nvidia, amd))):
        for company in parties:
            DealPartyFactory(deal=deal, company=company, role=DealParty.Role.PARTNER)
    ClauseFactory(deal=a, kind=Clause.Kind.WARRANT)
    ClauseFactory(deal=b, kind=Clause.Kind.COMPUTE_COMMITMENT, amount=6, unit=Clause.Unit.GW)
    return a, b, c


def _slugs(response) -> list[str]:
    return re.findall(r'class="deal-title" href="/deals/([^/]+)/"', response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["oa-amd", "oa-nvidia", "nvidia-amd"]),
        ("company=openai", ["oa-amd", "oa-nvidia"]),
        ("company=openai&counterparty=nvidia", ["oa-nvidia"]),
        ("kind=research", ["nvidia-amd"]),
        ("clause=compute_commitment", ["oa-amd"]),
        ("year_from=2024", ["oa-amd", "oa-nvidia"]),
        ("year_to=2024", ["nvidia-amd"]),
        ("min_amount=1B", ["oa-nvidia"]),
        ("min_amount=400M", ["oa-nvidia", "nvidia-amd"]),
    ],
)
def test_it_filters_the_timeline_from_the_url(client, deals, query, expected):
    assert _slugs(client.get(f"/deals/?{query}")) == expected


def test_it_reports_a_bad_filter_and_keeps_the_others(client, deals):
    response = client.get("/deals/?company=openai&min_amount=lots")
    assert response.status_code == 200
    assert _slugs(response) == ["oa-amd", "oa-nvidia"]
    assert "Write an amount like" in response.content.decode()


def test_it_answers_htmx_with_the_form_and_list_fragment_only(client, deals):
    response = client.get("/deals/?company=openai", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    # The form comes with the results, rendered from the URL: a history entry restores both.
    assert html.lstrip().startswith('<div id="timeline"')
    assert '<section id="deal-results"' in html and 'value="openai"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_it_writes_htmx_attributes_as_data_attributes(client, deals):
    html = client.get("/deals/").content.decode()
    assert 'data-hx-get="/deals/"' in html and 'data-hx-push-url="true"' in html
    assert not re.search(r"\shx-", html)


def test_it_pages_older_and_newer_by_keyset(client):
    for i in range(30):
        DealFactory(slug=f"d{i:02d}", announced_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i))
    first = client.get("/deals/")
    assert _slugs(first) == [f"d{i:02d}" for i in range(29, 4, -1)]
    older = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    assert "before=" in older and "offset" not in older.lower()
    second = client.get("/deals/" + older)
    assert _slugs(second) == [f"d{i:02d}" for i in range(4, -1, -1)]
    assert 'rel="next"' not in second.content.decode()
    newer = re.search(r'rel="prev" href="([^"]+)"', second.content.decode()).group(1).replace("&amp;", "&")
    assert _slugs(client.get("/deals/" + newer)) == _slugs(first)


def test_it_keeps_the_filters_in_the_pagination_and_download_links(client):
    company = CompanyFactory(slug="openai")
    for i in range(30):
        deal = DealFactory(slug=f"d{i:02d}")
        DealPartyFactory(deal=deal, company=company)
    html = client.get("/deals/?company=openai").content.decode()
    assert re.search(r'rel="next" href="\?company=openai&amp;before=', html)
    assert 'href="/exports/deals.csv?company=openai"' in html


def test_it_answers_an_htmx_history_restore_with_the_full_page(client, deals):
    response = client.get(
        "/deals/?company=openai", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=largest", ["oa-nvidia", "nvidia-amd", "oa-amd"]),
        ("sort=oldest", ["nvidia-amd", "oa-nvidia", "oa-amd"]),
        ("sort=nonsense", ["oa-amd", "oa-nvidia", "nvidia-amd"]),
        ("company=OpenAI", ["oa-amd", "oa-nvidia"]),
        ("company=OpenAI%20Inc.&counterparty=NVIDIA", ["oa-nvidia"]),
    ],
)
def test_it_sorts_and_reads_company_names(client, deals, query, expected):
    assert _slugs(client.get(f"/deals/?{query}")) == expected


def test_it_says_how_many_deals_match(client, deals):
    assert "3 deals" in client.get("/deals/").content.decode()
    assert "2 deals match these filters" in client.get("/deals/?company=openai").content.decode()
    assert "1 deal match" in client.get("/deals/?company=openai&counterparty=nvidia").content.decode()


def test_it_caps_the_count_instead_of_counting_every_row(client, monkeypatch):
    from partnerships.selectors import timeline

    monkeypatch.setattr(timeline, "COUNT_CAP", 3)
    for i in range(5):
        DealFactory(slug=f"n{i}")
    assert "More than 3 deals" in client.get("/deals/").content.decode()


@pytest.mark.parametrize("sort", ["", "oldest", "largest"])
def test_it_pages_every_order_by_keyset_both_ways(client, sort):
    for i in range(30):
        DealFactory(
            slug=f"d{i:02d}",
            announced_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
            value_max=None if i % 7 == 0 else Decimal(10**9 + (i * 37) % 11 * 10**8),
        )
    everything = []
    url = f"/deals/?sort={sort}"
    pages = []
    while url:
        html = client.get(url).content.decode()
        pages.append((url, _slugs_of(html)))
        everything += _slugs_of(html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = "/deals/" + found.group(1).replace("&amp;", "&") if found else None
    assert sorted(everything) == sorted(f"d{i:02d}" for i in range(30)) and len(everything) == 30
    # Walking back from the last page gives the previous page again.
    last = client.get(pages[-1][0]).content.decode()
    newer = re.search(r'rel="prev" href="([^"]+)"', last).group(1).replace("&amp;", "&")
    assert _slugs_of(client.get("/deals/" + newer).content.decode()) == pages[-2][1]
    if sort == "largest":
        values = [Deal.objects.get(slug=s).headline_value or -1 for s in everything]
        assert values == sorted(values, reverse=True)


def _slugs_of(html: str) -> list[str]:
    return re.findall(r'class="deal-title" href="/deals/([^/]+)/"', html)


def test_it_explains_an_unknown_company_and_what_a_name_resolved_to(client, deals):
    from tests.factories import CompanyFactory as Companies

    Companies(slug="amazon", name="Amazon").aliases.create(name="AWS")
    html = client.get("/deals/?company=aws&counterparty=Nobody").content.decode()
    assert "Showing Amazon" in html
    assert "No company is called “Nobody”" in html and "not a company slug" not in html
    assert '<datalist id="company-names">' in html and '<option value="AWS">AWS (Amazon)</option>' in html
