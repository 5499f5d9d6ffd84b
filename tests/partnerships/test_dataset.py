"""The shipped dataset: what it loads, that it loads once, and that its text is Pactwatch's own."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.validators import URLValidator
from django.db import transaction

from partnerships.diff import clause_diff
from partnerships.models import Clause, Company, CompanyAlias, Deal, DealParty, normalize_name
from partnerships.services import dataset as dataset_service
from partnerships.services.dataset import DEFAULT_PATH, DatasetError, dataset_load, read_dataset
from scrapers.models import Announcement, Newsroom

RAW = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))

VENDORS = {
    "openai",
    "microsoft",
    "anthropic",
    "google",
    "amazon",
    "nvidia",
    "meta",
    "mistral-ai",
    "xai",
    "cohere",
    "amd",
    "oracle",
    "apple",
    "broadcom",
    "softbank",
}


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


def clause(deal_slug: str, kind: str, subject: str = "") -> Clause:
    return Clause.objects.get(deal__slug=deal_slug, kind=kind, subject=subject)


# --- what is loaded -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_every_real_deal_as_published(loaded):
    assert loaded.deals.new == 38
    assert Deal.objects.published().count() == 38
    assert not Deal.objects.filter(published_at__isnull=True).exists()
    assert Clause.objects.count() == sum(len(deal["clauses"]) for deal in RAW["deals"])
    assert not Clause.objects.exclude(status=Clause.Status.CONFIRMED).exists()


@pytest.mark.django_db
def test_it_gives_known_deals_the_right_parties_and_roles(loaded):
    assert roles("microsoft-openai-2019") == {"microsoft": "investor", "openai": "investee"}
    assert roles("oracle-openai-2025-07") == {"oracle": "provider", "openai": "customer"}
    # The fact sheet names "Amazon Web Services": it is an alias, so the party is Amazon.
    assert roles("aws-openai-2025-11") == {"amazon": "provider", "openai": "customer"}
    assert roles("amazon-anthropic-2023") == {"amazon": "investor", "anthropic": "investee"}
    assert roles("disney-openai-2025-12") == {"disney": "licensor", "openai": "licensee"}
    assert roles("stargate-2025") == {
        "openai": "investor",
        "softbank": "investor",
        "oracle": "investor",
        "mgx": "investor",
        "arm": "provider",
        "microsoft": "provider",
        "nvidia": "provider",
    }


@pytest.mark.django_db
def test_it_resolves_every_fact_sheet_party_to_the_same_companies(loaded, realdata):
    sheet = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    by_key = {normalize_name(c.name): c.slug for c in Company.objects.all()}
    by_key.update({a.normalized: a.company.slug for a in CompanyAlias.objects.select_related("company")})

    def resolve(name):
        # "SpaceX (xAI)" and "U.S. Department of Defense (CDAO)": the bracket only explains.
        return by_key.get(normalize_name(re.sub(r"\s*\(.*\)$", "", name)), name)

    for deal in RAW["deals"]:
        entry = sheet[deal["fact_sheet_index"]]
        assert {resolve(name) for name in entry["parties"]} == set(roles(deal["slug"])), deal["slug"]
        assert entry["announced_on"][:7] == deal["announced_on"][:7], deal["slug"]


@pytest.mark.django_db
def test_it_chains_the_phases_of_each_partnership_in_order(loaded):
    assert chain("microsoft-openai-2025-10") == [
        "microsoft-openai-2025-10",
        "microsoft-openai-2025-01",
        "microsoft-openai-2023",
        "microsoft-openai-2019",
    ]
    assert chain("amazon-anthropic-2026-04") == [
        "amazon-anthropic-2026-04",
        "amazon-anthropic-2024",
        "amazon-anthropic-2023",
    ]
    assert chain("google-broadcom-anthropic-2026-04") == [
        "google-broadcom-anthropic-2026-04",
        "google-anthropic-2025-10",
        "google-anthropic-2023-10",
        "google-anthropic-2023-02",
    ]
    assert chain("stargate-five-sites-2025-09") == [
        "stargate-five-sites-2025-09",
        "oracle-openai-2025-07",
        "stargate-2025",
    ]
    # The September 2025 memorandum had no published terms: it is not a phase.
    assert Deal.objects.get(slug="microsoft-openai-2025-09-mou").predecessor is None
    for deal in Deal.objects.filter(predecessor__isnull=False).select_related("predecessor"):
        assert deal.predecessor.announced_on <= deal.announced_on, deal.slug


@pytest.mark.django_db
def test_it_shows_the_right_of_first_refusal_arrive_and_go(loaded):
    phase_2023, jan_2025, oct_2025 = (
        list(Deal.objects.get(slug=slug).clauses.all())
        for slug in ("microsoft-openai-2023", "microsoft-openai-2025-01", "microsoft-openai-2025-10")
    )

    arrival = clause_diff(phase_2023, jan_2025)
    assert [c.kind for c in arrival.added].count("right_of_first_refusal") == 1
    cloud = [c for c in arrival.changed if c.kind == "exclusivity" and c.subject == "cloud"]
    assert len(cloud) == 1 and cloud[0].after.effect == Clause.Effect.REMOVED

    departure = clause_diff(jan_2025, oct_2025)
    rofr = [c for c in departure.changed if c.kind == "right_of_first_refusal"]
    assert len(rofr) == 1
    assert rofr[0].fields == ("effect",)
    assert (rofr[0].before.effect, rofr[0].after.effect) == ("granted", "removed")
    assert not [c for c in departure.added if c.kind == "right_of_first_refusal"]
    ip = [c for c in departure.changed if c.kind == "ip_license"]
    assert [(c.before.amount, c.after.amount) for c in ip] == [(Decimal("2030"), Decimal("2032"))]


@pytest.mark.django_db
def test_it_normalises_amounts_units_and_qualifiers(loaded):
    first = clause("amazon-anthropic-2023", "investment")
    assert (first.amount, first.unit, first.qualifier) == (Decimal("4000000000"), "USD", "up_to")
    amazon = Deal.objects.get(slug="amazon-anthropic-2023")
    assert (amazon.value_min, amazon.value_max, amazon.headline_qualifier) == (
        None,
        Decimal("4000000000"),
        "up_to",
    )

    assert clause("microsoft-openai-2019", "investment").amount == Decimal("1000000000")
    stake = clause("microsoft-openai-2025-10", "equity_stake", "openai group pbc")
    assert (stake.amount, stake.unit, stake.qualifier) == (Decimal("27"), "percent", "approximately")
    azure = clause("microsoft-openai-2025-10", "compute_commitment", "azure")
    assert (azure.amount, azure.unit, azure.qualifier) == (Decimal("250000000000"), "USD", "")
    warrant = clause("amd-openai-2025-10", "warrant", "amd shares")
    assert (warrant.amount, warrant.unit, warrant.qualifier) == (Decimal("160000000"), "shares", "up_to")
    oracle = clause("oracle-openai-2025-07", "compute_commitment", "stargate capacity")
    assert (oracle.amount, oracle.unit) == (Decimal("4.5"), "GW")
    cerebras = clause("cerebras-openai-2026-01", "compute_commitment", "power")
    assert (cerebras.amount, cerebras.unit) == (Decimal("750"), "MW")
    mistral = Deal.objects.get(slug="microsoft-mistral-2024")
    assert (mistral.value_max, mistral.currency) == (Decimal("15000000"), "EUR")
    # "Tens of billions" is not a figure: no amount is invented.
    assert clause("google-anthropic-2025-10", "compute_commitment", "google cloud").amount is None


@pytest.mark.django_db
def test_it_marks_facts_the_fact_sheet_calls_uncertain(loaded, realdata):
    sheet = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    for deal in RAW["deals"]:
        row = Deal.objects.get(slug=deal["slug"])
        uncertain = bool(sheet[deal["fact_sheet_index"]].get("uncertain"))
        assert (row.confidence < 1) == uncertain, deal["slug"]
        for position, entry in enumerate(deal["clauses"]):
            pointer = entry["evidence"]
            if pointer and sheet[pointer["deal"]]["clauses"][pointer["clause"]].get("uncertain"):
                assert row.clauses.get(position=position).confidence < 1, (deal["slug"], position)
    assert clause("microsoft-openai-2019", "investment").confidence == 1
    assert clause("google-anthropic-2023-02", "investment").confidence < 1


@pytest.mark.django_db
def test_it_links_sources_and_points_each_clause_at_the_first(loaded):
    deal = Deal.objects.get(slug="aws-openai-2025-11")
    urls = set(deal.sources.values_list("url", flat=True))
    assert "https://www.aboutamazon.com/news/aws/aws-open-ai-workloads-compute-infrastructure" in urls
    first = Announcement.objects.get(url=RAW["deals"][19]["sources"][0])
    assert set(deal.clauses.values_list("source", flat=True)) == {first.pk}
    assert not Deal.objects.filter(sources__isnull=True).exists()
    # A vendor's own page is queued for the archive; third-party press is only cited.
    assert first.fetch_status == Announcement.FetchStatus.PENDING
    assert first.newsroom.slug == "amazon-news-aws"
    press = Announcement.objects.get(
        url="https://qz.com/amazon-invest-4-billion-ai-startup-anthropic-model-chip-1851705944"
    )
    assert press.fetch_status == Announcement.FetchStatus.SKIPPED and press.newsroom is None


@pytest.mark.django_db
def test_it_resolves_subsidiaries_but_not_products_as_aliases(loaded):
    def owner(name):
        return CompanyAlias.objects.get(normalized=normalize_name(name)).company.slug

    assert owner("AWS") == "amazon"
    assert owner("Amazon Web Services") == "amazon"
    assert owner("Google DeepMind") == "google"
    assert owner("MSFT") == "microsoft"
    for product in ("Azure", "Microsoft Azure", "Claude", "Copilot", "ChatGPT", "Gemini", "Sora"):
        assert not CompanyAlias.objects.filter(normalized=normalize_name(product)).exists(), product
    assert not Company.objects.filter(is_proposed=True).exists()


@pytest.mark.django_db
def test_it_registers_real_newsrooms_for_every_major_vendor(loaded):
    newsrooms = list(Newsroom.objects.select_related("company"))
    assert {n.company.slug for n in newsrooms} >= VENDORS
    validate = URLValidator(schemes=["https"])
    for newsroom in newsrooms:
        validate(newsroom.url)
        validate(newsroom.homepage)
        assert newsroom.kind in Newsroom.Kind.values
        assert newsroom.fetch_interval < newsroom.expected_cadence, newsroom.slug
        if newsroom.kind == Newsroom.Kind.HTML:
            assert newsroom.selectors.get("item"), newsroom.slug
    assert Newsroom.objects.get(slug="openai-news").url == "https://openai.com/news/rss.xml"
    assert Newsroom.objects.get(slug="anthropic-news").kind == Newsroom.Kind.HTML


def test_it_ships_anthropic_selectors_that_find_the_listing_items(realdata):
    from bs4 import BeautifulSoup

    page = next((realdata / "listings").glob("*anthropic_page.html")).read_text(encoding="utf-8")
    selectors = next(n for n in RAW["newsrooms"] if n["slug"] == "anthropic-news")["selectors"]
    soup = BeautifulSoup(page, "lxml")
    found = {}
    for item in soup.select(selectors["item"]):
        link = item if not selectors["link"] else item.select_one(selectors["link"])
        title = item.select_one(selectors["title"])
        date = item.select_one(selectors["date"])
        if link is not None and link.get("href") and title is not None and date is not None:
            found.setdefault(link["href"], (title.get_text(strip=True), date.get_text(strip=True)))
    # Independent count: the publication list plus the featured grid, each card carrying a <time>.
    expected = {a["href"] for a in soup.find_all("a", href=True) if a.find("time")}
    assert len(found) == len(expected) >= 14
    assert found["/news/claude-new-constitution"][1] == "Jan 22, 2026"


def test_it_parses_the_real_anthropic_listing_with_the_shipped_selectors(realdata):
    from scrapers.adapters.html import HtmlAdapter

    newsroom = Newsroom(
        **{
            k: v
            for k, v in next(n for n in RAW["newsrooms"] if n["slug"] == "anthropic-news").items()
            if k in {"slug", "name", "url", "homepage", "selectors"}
        }
    )
    page = next((realdata / "listings").glob("*anthropic_page.html")).read_bytes()
    items = HtmlAdapter().parse(page, base_url=newsroom.url, newsroom=newsroom)
    assert len(items) == 15
    assert all(item.published_at is not None and item.title for item in items)
    by_url = {item.url: item for item in items}
    assert by_url[
        "https://www.anthropic.com/news/claude-new-constitution"
    ].published_at.date().isoformat() == ("2026-01-22")


def test_it_stores_sources_under_their_canonical_address():
    from scrapers.adapters.base import canonical_url

    sources = [url for deal in RAW["deals"] for url in deal["sources"]]
    assert [url for url in sources if canonical_url(url) != url] == []


# --- loading once ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_changes_nothing_when_loaded_again(loaded):
    before = row_counts()
    stamps = dict(Deal.objects.values_list("slug", "updated_at"))
    summary = dataset_load()
    assert row_counts() == before  # history tables included: no spurious history rows
    assert dict(Deal.objects.values_list("slug", "updated_at")) == stamps
    assert not summary.changed
    assert (summary.deals.unchanged, summary.clauses.unchanged) == (38, Clause.objects.count())


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
    assert clause("microsoft-openai-2019", "investment").amount == Decimal("1500000000")
    assert (deal.history.count(), Clause.history.count(), Deal.history.count()) == (
        history[0] + 1,
        history[1] + 1,
        history[2] + 1,
    )


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

    monkeypatch.setattr(dataset_service, "_load_newsrooms", explode)
    with pytest.raises(RuntimeError):
        dataset_load(path=path)
    assert row_counts() == before
    assert Company.objects.get(slug=RAW["companies"][0]["slug"]).description != "Changed before the failure."


# --- evidence ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_fills_quotes_from_the_fact_sheet_at_load_time(loaded, realdata):
    sheet = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    expected = 0
    for deal in RAW["deals"]:
        for position, entry in enumerate(deal["clauses"]):
            pointer = entry["evidence"]
            quote = (
                (sheet[pointer["deal"]]["clauses"][pointer["clause"]].get("quote") or "").strip()
                if pointer
                else ""
            )
            row = Clause.objects.get(deal__slug=deal["slug"], position=position)
            assert row.quote == quote, (deal["slug"], position)
            expected += bool(quote)
    assert loaded.quotes_filled == expected > 100
    rofr = clause("microsoft-openai-2025-10", "right_of_first_refusal", "compute")
    assert "right of first refusal" in rofr.quote


def test_it_skips_quotes_whose_fact_sheet_entry_moved(realdata):
    deal = next(d for d in read_dataset(DEFAULT_PATH)["deals"] if d["slug"] == "microsoft-openai-2019")
    sheet = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    shifted = [sheet[1], *sheet]  # every index now points one deal too early
    notes = []
    assert dataset_service.evidence_quotes(deal, shifted, notes) == {}
    assert notes and "dated 2023-01-23" in notes[0]


# --- the text is Pactwatch's own ---------------------------------------------------------------


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.lower().split())


def _our_texts():
    for deal in RAW["deals"]:
        yield deal["slug"], deal["title"]
        yield deal["slug"], deal["summary"]
        for entry in deal["clauses"]:
            yield deal["slug"], entry["summary"]
    for company in RAW["companies"]:
        yield company["slug"], company["description"]
    for newsroom in RAW["newsrooms"]:
        yield newsroom["slug"], newsroom["notes"]


def _realdata_corpus(root: Path) -> str:
    parts = []
    for pattern in (
        "deals.json",
        "announcements/*.txt",
        "articles/**/*.md",
        "listings/*.json",
        "feeds/*.xml",
    ):
        parts.extend(p.read_text(encoding="utf-8", errors="ignore") for p in root.glob(pattern))
    return _normalise("\n".join(parts))


def test_it_writes_every_summary_in_its_own_words(realdata):
    corpus = _realdata_corpus(realdata)
    copied = []
    for where, text in _our_texts():
        for sentence in re.split(r"(?<=[.!?;:])\s+", text):
            sentence = _normalise(sentence).rstrip(".!?;:")
            if len(sentence) > 40 and sentence in corpus:
                copied.append((where, sentence))
    assert copied == []


def test_it_keeps_no_fact_sheet_quote_in_the_repository(realdata):
    shipped = _normalise(DEFAULT_PATH.read_text(encoding="utf-8"))
    sheet = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    quotes = [c["quote"] for deal in sheet for c in deal["clauses"] if len(c.get("quote") or "") > 25]
    assert quotes
    assert [q for q in quotes if _normalise(q) in shipped] == []


# --- validation ----------------------------------------------------------------------------------


def test_it_validates_the_shipped_file():
    dataset = read_dataset(DEFAULT_PATH)
    assert len(dataset["deals"]) == 38
    assert {e["evidence"]["deal"] for d in RAW["deals"] for e in d["clauses"] if e["evidence"]} <= set(
        range(38)
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["deals"][3]["clauses"][0].update(kind="golden_share"),
            "deals[3] (stargate-2025) clauses[0]: unknown clause kind 'golden_share'",
        ),
        (
            lambda d: d["deals"][6]["clauses"][0].update(amount="-4000000000"),
            "deals[6] (amazon-anthropic-2023) clauses[0]: negative amount",
        ),
        (
            lambda d: d["deals"][0]["parties"][1].update(company="openai-inc"),
            "deals[0] (microsoft-openai-2019) parties[1]: missing party: unknown company 'openai-inc'",
        ),
        (lambda d: d["deals"][5].update(parties=[]), "deals[5] (microsoft-openai-2025-10): missing parties"),
        (
            lambda d: d["deals"][5].update(predecessor="microsoft-openai-2024"),
            "deals[5] (microsoft-openai-2025-10): unknown predecessor slug 'microsoft-openai-2024'",
        ),
        (
            lambda d: d["deals"][0].update(predecessor="microsoft-openai-2025-10"),
            "predecessor 'microsoft-openai-2025-10' is dated after",
        ),
        (
            lambda d: d["deals"][1].update(kind="merger"),
            "deals[1] (microsoft-openai-2023): unknown deal kind 'merger'",
        ),
        (lambda d: d["deals"][0]["parties"][0].update(role="owner"), "unknown party role 'owner'"),
        (lambda d: d["deals"][0]["clauses"][0].update(unit="bitcoin"), "unknown unit 'bitcoin'"),
        (
            lambda d: d["deals"][0].update(slug="microsoft-openai-2023"),
            "deals[1] (microsoft-openai-2023): duplicate deal slug",
        ),
        (lambda d: d["companies"][1]["aliases"].append("AWS"), "alias 'AWS' is already used by"),
        (
            lambda d: d["newsrooms"][0].update(kind="podcast"),
            "newsrooms[0] (openai-news): unknown newsroom kind 'podcast'",
        ),
        (lambda d: d["deals"][2].update(announced_on="2025-13-01"), "is not a date"),
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
