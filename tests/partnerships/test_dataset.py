"""The shipped dataset in the database: what it loads, that it loads once, and its evidence."""

import datetime
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count

from partnerships.models import (
    Clause,
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    LedgerEntry,
    RegulatoryReview,
    normalize_name,
)
from partnerships.services.dataset import DEFAULT_PATH, DatasetError, dataset_load, load, read_dataset
from partnerships.services.dataset.evidence import Evidence, evidence_quotes
from scrapers.adapters.base import canonical_url
from scrapers.models import Announcement, Newsroom

RAW = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
CLAUSES = sum(len(deal["clauses"]) for deal in RAW["deals"])
VENDORS = {
    "openai", "microsoft", "anthropic", "google", "amazon", "nvidia", "meta", "mistral-ai", "xai", "cohere",
    "amd", "oracle", "apple", "broadcom", "softbank",
}  # fmt: skip


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The dataset loaded once for the module (with evidence when the fact sheet exists), rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = dataset_load()
        yield summary
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """Every row in every Pactwatch table, history tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"partnerships", "scrapers"}
    }


def chain(slug: str) -> list[str]:
    deal, slugs = Deal.objects.get(slug=slug), []
    while deal is not None:
        slugs.append(deal.slug)
        deal = deal.predecessor
    return slugs


def roles(slug: str) -> dict[str, str]:
    return dict(DealParty.objects.filter(deal__slug=slug).values_list("company__slug", "role"))


def clause(deal_slug: str, key: str) -> Clause:
    return Clause.objects.select_related("grantor", "beneficiary", "part_of").get(
        deal__slug=deal_slug, dataset_key=key
    )


# --- what is loaded -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_every_real_deal_as_published_with_its_clause_certainty(loaded):
    assert loaded.deals.new == 101 == Deal.objects.published().count()
    assert Clause.objects.count() == CLAUSES == 349
    by_certainty = dict(Clause.objects.values_list("certainty").annotate(n=Count("id")).order_by())
    assert by_certainty == {"confirmed": 178, "reported": 165, "unconfirmed": 6}
    # Reviewed by the dataset's curators: the curation state, not how sure the facts are.
    assert not Clause.objects.exclude(status=Clause.Status.CONFIRMED).exists()


@pytest.mark.django_db
def test_it_dates_deals_by_their_announcement_not_by_the_load(loaded):
    deal = Deal.objects.get(slug="microsoft-openai-2025-10")
    midnight = datetime.datetime(2025, 10, 28, tzinfo=datetime.UTC)
    assert deal.published_at == midnight and deal.updated_at == midnight
    assert not Deal.objects.filter(updated_at__date=datetime.date.today()).exists()
    assert loaded.as_of == datetime.date(2026, 12, 1)


@pytest.mark.django_db
def test_it_draws_each_clause_from_its_grantor_to_its_beneficiary(loaded):
    stake, azure = clause("microsoft-openai-2025-10", "c1"), clause("microsoft-openai-2025-10", "c3")
    assert (stake.grantor.slug, stake.beneficiary.slug, stake.basis) == ("microsoft", "openai", "total")
    assert (azure.grantor.slug, azure.beneficiary.slug, azure.basis) == ("openai", "microsoft", "incremental")
    tranche = clause("amd-openai-2025-10", "c2")
    assert tranche.part_of == clause("amd-openai-2025-10", "c1") and tranche.is_tranche
    assert clause("microsoft-openai-2019", "c3").mutual


@pytest.mark.django_db
def test_it_makes_the_stargate_venture_a_party_of_its_own(loaded):
    assert roles("stargate-2025") == {
        "stargate-llc": "venture", "softbank": "investor", "openai": "customer", "oracle": "investor",
        "mgx": "investor", "arm": "partner", "microsoft": "partner", "nvidia": "partner",
    }  # fmt: skip
    assert Company.objects.get(slug="stargate-llc").kind == Company.Kind.VENTURE


@pytest.mark.django_db
def test_it_chains_the_phases_of_each_partnership_in_order(loaded):
    assert chain("microsoft-openai-2025-10") == [
        "microsoft-openai-2025-10", "microsoft-openai-2025-09-mou", "microsoft-openai-2025-01",
        "microsoft-openai-2023", "microsoft-openai-2019",
    ]  # fmt: skip
    assert chain("google-broadcom-anthropic-2026-04") == [
        "google-broadcom-anthropic-2026-04", "google-anthropic-2025-10", "google-anthropic-2025-01",
        "google-anthropic-2023-10", "google-anthropic-2023-02",
    ]  # fmt: skip
    assert chain("oracle-openai-2025-09") == ["oracle-openai-2025-09", "oracle-openai-2025-07"]
    assert Deal.objects.get(slug="stargate-2025").predecessor is None
    for deal in Deal.objects.filter(predecessor__isnull=False).select_related("predecessor"):
        assert deal.predecessor.announced_on <= deal.announced_on, deal.slug


@pytest.mark.django_db
def test_it_keeps_valuations_apart_from_payments(loaded):
    series_f = Deal.objects.get(slug="anthropic-series-f-2025-09")
    assert (series_f.valuation_amount, series_f.valuation_currency) == (Decimal("183000000000"), "USD")
    assert (series_f.valuation_basis, series_f.valuation_certainty) == ("post_money", "confirmed")
    assert series_f.headline_value == Decimal("13000000000")
    assert not LedgerEntry.objects.filter(counted=Decimal("183000000000")).exists()


@pytest.mark.django_db
def test_it_derives_each_headline_from_the_new_money_of_the_deal(loaded):
    def headline(slug):
        deal = Deal.objects.get(slug=slug)
        return deal.value_min, deal.value_max, deal.currency

    assert headline("amazon-anthropic-2023") == (
        None,
        Decimal("4000000000"),
        "USD",
    )  # up to, tranches not added
    assert headline("amazon-anthropic-2024") == (
        Decimal("4000000000"),
        Decimal("4000000000"),
        "USD",
    )  # not the total
    assert headline("microsoft-openai-2025-10") == (Decimal("250000000000"), Decimal("250000000000"), "USD")
    assert headline("openai-softbank-sb-energy-2026-01")[1] == Decimal("1000000000")  # two investors
    assert headline("microsoft-mistral-2024") == (Decimal("15000000"), Decimal("15000000"), "EUR")
    assert headline("amazon-anthropic-2026-04") == (Decimal("100000000000"), None, "USD")  # more than
    assert headline("apple-openai-2024") == (None, None, "USD")


@pytest.mark.django_db
def test_it_gives_each_source_its_publisher_kind_and_a_title_that_is_no_url_slug(loaded):
    deal = Deal.objects.get(slug="aws-openai-2025-11")
    page = deal.sources.get(
        url="https://www.aboutamazon.com/news/aws/aws-open-ai-workloads-compute-infrastructure"
    )
    assert (page.publisher, page.source_kind) == ("Amazon", "primary")
    assert page.fetch_status == Announcement.FetchStatus.PENDING and page.newsroom.slug == "amazon-news-aws"
    assert not page.has_archive
    # The page cited as a mirror by one deal and as press by another is press.
    info = Announcement.objects.get(
        url__startswith="https://www.theinformation.com/articles/amazons-switzerland"
    )
    assert (info.source_kind, info.publisher) == ("press", "The Information")
    for announcement in Announcement.objects.all():
        slug_title, host = load._slug_title(announcement.url), urlsplit(announcement.url).hostname
        assert announcement.title and (announcement.title != slug_title or slug_title == host), (
            announcement.url
        )


def test_it_titles_a_source_by_publisher_and_site_without_the_fact_sheet():
    from partnerships.services.dataset.evidence import fallback_title

    assert fallback_title("https://www.reuters.com/technology/x-y-z/", "Reuters") == "Reuters (reuters.com)"
    assert fallback_title("https://cdrinfo.com/d7/content/a-b", "cdrinfo.com") == "cdrinfo.com"


@pytest.mark.django_db
def test_it_resolves_subsidiaries_but_not_products_as_aliases(loaded):
    def owner(name):
        return CompanyAlias.objects.get(normalized=normalize_name(name)).company.slug

    assert (owner("AWS"), owner("Amazon Web Services"), owner("Google DeepMind"), owner("MSFT")) == (
        "amazon", "amazon", "google", "microsoft",
    )  # fmt: skip
    for product in ("Azure", "Microsoft Azure", "Claude", "Copilot", "ChatGPT", "Gemini", "Sora"):
        assert not CompanyAlias.objects.filter(normalized=normalize_name(product)).exists(), product
    assert not Company.objects.filter(is_proposed=True).exists()


@pytest.mark.django_db
def test_it_registers_real_newsrooms_for_every_major_vendor(loaded):
    newsrooms = list(Newsroom.objects.select_related("company"))
    assert {n.company.slug for n in newsrooms if not n.is_filings_source} >= VENDORS
    validate = URLValidator(schemes=["https"])
    for newsroom in newsrooms:
        validate(newsroom.url)
        validate(newsroom.homepage)
        assert newsroom.fetch_interval < newsroom.expected_cadence, newsroom.slug
        if newsroom.kind == Newsroom.Kind.HTML:
            assert newsroom.selectors.get("item"), newsroom.slug


@pytest.mark.django_db
def test_it_loads_every_regulatory_review_of_the_file_once(loaded):
    cited = {(r["authority"], r["case"]) for deal in RAW["deals"] for r in deal["regulatory"]}
    assert cited and RegulatoryReview.objects.count() == len(cited)
    ftc = RegulatoryReview.objects.get(authority="us-ftc")
    assert set(ftc.deals.values_list("slug", flat=True)) == {
        deal["slug"] for deal in RAW["deals"] if any(r["authority"] == "us-ftc" for r in deal["regulatory"])
    }


@pytest.mark.django_db
def test_it_seeds_the_edgar_watchlist_and_the_cma_cases_feed(loaded):
    filers = {n.company.slug: n.cik for n in Newsroom.objects.filter(kind=Newsroom.Kind.EDGAR)}
    assert filers == {entry["company"]: entry["cik"].zfill(10) for entry in RAW["edgar_filers"]}
    [cma] = Newsroom.objects.filter(kind=Newsroom.Kind.CMA)
    assert cma.url == "https://www.gov.uk/cma-cases.atom?case_type%5B%5D=mergers" and cma.company is None


# --- loading once ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_changes_nothing_when_loaded_again(loaded):
    before = row_counts()
    stamps = dict(Deal.objects.values_list("slug", "updated_at"))
    summary = dataset_load()
    assert row_counts() == before  # history tables included: no spurious history rows
    assert dict(Deal.objects.values_list("slug", "updated_at")) == stamps
    assert not summary.changed
    assert (summary.deals.unchanged, summary.clauses.unchanged) == (101, CLAUSES)
    assert (summary.ledger.new, summary.ledger.updated, summary.ledger.removed) == (0, 0, 0)


@pytest.mark.django_db
def test_it_updates_only_what_the_file_changed(loaded, tmp_path):
    data = json.loads(json.dumps(RAW))
    data["deals"][0]["summary"] = "A rewritten summary for this test only."
    data["deals"][0]["clauses"][0]["amount"] = "1500000000"
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(data))
    deal = Deal.objects.get(slug="microsoft-openai-2019")
    history = (deal.history.count(), Clause.history.count(), Deal.history.count())

    summary = dataset_load(path=path)

    assert (summary.deals.updated, summary.clauses.updated) == (1, 1)
    deal.refresh_from_db()
    assert deal.summary == "A rewritten summary for this test only."
    assert deal.updated_at == deal.published_at  # a correction is not news
    assert clause("microsoft-openai-2019", "c1").amount == Decimal("1500000000")
    assert (deal.history.count(), Clause.history.count(), Deal.history.count()) == (
        history[0] + 1, history[1] + 1, history[2] + 1,
    )  # fmt: skip
    # The ledger follows: 2019 now counts $1.5B, so October 2025's $13B total adds $11.5B.
    total = LedgerEntry.objects.get(clause=clause("microsoft-openai-2025-10", "c2"))
    assert total.counted == Decimal("11500000000")


@pytest.mark.django_db
def test_it_keeps_a_curators_retraction_on_reload(loaded):
    Deal.objects.filter(slug="apple-openai-2024").update(status=Deal.Status.RETRACTED)
    dataset_load()
    assert Deal.objects.get(slug="apple-openai-2024").status == Deal.Status.RETRACTED


@pytest.mark.django_db
def test_it_rolls_back_everything_when_a_write_fails(loaded, monkeypatch, tmp_path):
    data = json.loads(json.dumps(RAW))
    data["companies"][0]["description"] = "Changed before the failure."
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(data))
    before = row_counts()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "load_newsrooms", explode)
    with pytest.raises(RuntimeError):
        dataset_load(path=path)
    assert row_counts() == before
    assert Company.objects.get(slug=RAW["companies"][0]["slug"]).description != "Changed before the failure."


# --- evidence ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_fills_quotes_and_titles_from_the_fact_sheet_at_load_time(loaded, realdata):
    sheet = json.loads((realdata / "deals_v2.json").read_text(encoding="utf-8"))
    by_id = {entry["id"]: entry for entry in sheet["deals"]}
    for deal in RAW["deals"]:
        entry_clauses = {c["id"]: c for c in by_id[deal["fact_sheet_id"]]["clauses"]}
        for entry in deal["clauses"]:
            quote = (entry_clauses[entry["key"]].get("quote") or "").strip()
            assert clause(deal["slug"], entry["key"]).quote == quote, (deal["slug"], entry["key"])
    assert loaded.quotes_filled > 340
    primary = by_id["microsoft-openai-2025-10"]["sources"][0]
    assert Announcement.objects.get(url_key=canonical_url(primary["url"])).title == primary["title"]


def test_it_skips_quotes_whose_fact_sheet_entry_is_dated_otherwise():
    deal = next(d for d in read_dataset(DEFAULT_PATH)["deals"] if d["slug"] == "microsoft-openai-2019")
    evidence = Evidence(
        quotes={("microsoft-openai-2019-07", "c1"): "a quote"},
        dates={"microsoft-openai-2019-07": "2023-01-23"},
    )
    notes = []
    assert evidence_quotes(deal, evidence, notes) == {}
    assert notes and "dated 2023-01-23" in notes[0]
    evidence.dates["microsoft-openai-2019-07"] = "2019-07"
    assert evidence_quotes(deal, evidence, []) == {"c1": "a quote"}


def test_it_keeps_no_fact_sheet_quote_or_title_in_the_repository(realdata):
    def normalise(text):
        return " ".join(text.replace("\u2019", "'").lower().split())

    shipped = normalise(DEFAULT_PATH.read_text(encoding="utf-8"))
    sheet = json.loads((realdata / "deals_v2.json").read_text(encoding="utf-8"))
    quotes = [
        c["quote"] for deal in sheet["deals"] for c in deal["clauses"] if len(c.get("quote") or "") > 25
    ]
    titles = [
        s["title"] for deal in sheet["deals"] for s in deal["sources"] if len(s.get("title") or "") > 25
    ]
    assert quotes and titles
    assert [q for q in quotes + titles if normalise(q) in shipped] == []


# --- validation ----------------------------------------------------------------------------------


def test_it_validates_the_shipped_file():
    dataset = read_dataset(DEFAULT_PATH)
    assert len(dataset["deals"]) == 101 and len(dataset["companies"]) == 74
    assert dataset["as_of"] == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["deals"][27]["clauses"][0].update(kind="golden_share"),
            "deals[27] (stargate-2025) clauses[0]: unknown clause kind 'golden_share'",
        ),
        (
            lambda d: d["deals"][5]["clauses"][0].update(amount="-4000000000"),
            "deals[5] (amazon-anthropic-2023) clauses[0]: negative amount",
        ),
        (
            lambda d: d["deals"][0]["clauses"][0].update(grantor="apple"),
            "deals[0] (microsoft-openai-2019) clauses[0]: grantor 'apple' is not a party of the deal",
        ),
        (
            lambda d: d["deals"][0]["clauses"][0].update(beneficiary="microsoft"),
            "grantor and beneficiary are the same company",
        ),
        (
            lambda d: d["deals"][5]["clauses"][1].update(part_of="c99"),
            "deals[5] (amazon-anthropic-2023) clauses[1]: part_of 'c99' is not a clause of the deal",
        ),
        (
            lambda d: d["deals"][5]["clauses"][0].update(part_of="c2"),
            "part_of loops",
        ),
        (lambda d: d["deals"][0]["clauses"][0].update(certainty="rumoured"), "unknown certainty 'rumoured'"),
        (lambda d: d["deals"][0]["clauses"][0].update(basis="cumulative"), "unknown basis 'cumulative'"),
        (lambda d: d["deals"][0]["sources"][0].update(kind="blog"), "unknown source kind 'blog'"),
        (
            lambda d: d["deals"][0]["clauses"][0].update(source="https://example.com/elsewhere"),
            "is not one of the deal's sources",
        ),
        (
            lambda d: d["deals"][0]["parties"][1].update(company="openai-inc"),
            "deals[0] (microsoft-openai-2019) parties[1]: missing party: unknown company 'openai-inc'",
        ),
        (
            lambda d: d["deals"][2].update(predecessor="microsoft-openai-2024"),
            "deals[2] (microsoft-openai-2023): unknown predecessor slug 'microsoft-openai-2024'",
        ),
        (
            lambda d: d["deals"][0].update(predecessor="microsoft-openai-2025-10"),
            "predecessor 'microsoft-openai-2025-10' is dated after",
        ),
        (lambda d: d["deals"][0]["clauses"][1].update(key="c1"), "duplicate clause key 'c1'"),
        (lambda d: d["deals"][1].update(kind="merger"), "unknown deal kind 'merger'"),
        (lambda d: d["companies"][1]["aliases"].append("AWS"), "alias 'AWS' is already used by"),
        (lambda d: d["deals"][2].update(announced_on="2025-13-01"), "is not a date"),
        (lambda d: d.update(as_of="soon"), "dataset: as_of 'soon' is not a date"),
    ],
)
def test_it_names_the_bad_entry_in_a_broken_file(change, message, tmp_path):
    data = json.loads(json.dumps(RAW))
    change(data)
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DatasetError) as caught:
        read_dataset(path)
    assert message in str(caught.value)
