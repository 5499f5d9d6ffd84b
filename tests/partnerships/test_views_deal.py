import pytest
from django.contrib.auth import get_user_model

from partnerships.models import Deal
from tests.factories import DealFactory
from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_it_shows_parties_value_and_clause_evidence_with_source_and_archive_links(client):
    _, _, phases, src = build_story()
    html = client.get("/deals/ms-openai-2019/").content.decode()
    assert "Microsoft" in html and "OpenAI" in html and "Investor" in html and "Investee" in html
    assert "$1B" in html
    assert "Evidence sentence for exclusivity in 2019." in html
    assert f'href="{src.url}"' in html
    assert f'href="{src.get_absolute_url()}">archived copy' in html
    assert "Last changed" in html and "certainty-reported" in html


def test_it_links_an_archived_copy_only_when_one_was_fetched(client):
    _, _, _, src = build_story()
    src.fetch_status, src.content_hash = "skipped", ""
    src.save()
    html = client.get("/deals/ms-openai-2019/").content.decode()
    assert f'href="{src.url}"' in html
    assert f'href="{src.get_absolute_url()}"' not in html and "archived copy" not in html


def test_it_keeps_the_qualifier_of_an_up_to_headline_value(client):
    DealFactory(slug="upto", value_min=None, value_max=4000000000)
    assert "up to $4B" in client.get("/deals/upto/").content.decode()


def test_it_explains_what_changed_from_the_previous_and_to_the_next_phase(client):
    build_story()
    html = client.get("/deals/ms-openai-2025-01/").content.decode()
    assert "Since the previous phase" in html and "Next phase" in html
    # 2023 → Jan 2025: exclusivity given up, right of first refusal added.
    assert "chg-changed" in html and "Right of first refusal" in html
    assert "chg-added" in html
    # Jan 2025 → Oct 2025: the right of first refusal is given up too.
    assert "removed" in html


def test_it_redirects_a_merged_deal_permanently_to_its_survivor(client):
    survivor = DealFactory(slug="survivor")
    DealFactory(slug="dupe", status=Deal.Status.MERGED, merged_into=survivor)
    response = client.get("/deals/dupe/")
    assert response.status_code == 301
    assert response["Location"] == "/deals/survivor/"


def test_it_follows_a_chain_of_merges(client):
    survivor = DealFactory(slug="survivor")
    middle = DealFactory(slug="middle", status=Deal.Status.MERGED, merged_into=survivor)
    DealFactory(slug="first", status=Deal.Status.MERGED, merged_into=middle)
    response = client.get("/deals/first/")
    assert response.status_code == 301 and response["Location"] == "/deals/survivor/"


def test_it_shows_a_retracted_deal_with_its_reason_instead_of_a_404(client):
    DealFactory(slug="gone", status=Deal.Status.RETRACTED, status_reason="The source withdrew the story.")
    response = client.get("/deals/gone/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Retracted." in html and "The source withdrew the story." in html


@pytest.mark.parametrize("status", [Deal.Status.CANDIDATE, Deal.Status.REJECTED])
def test_it_hides_unpublished_deals_from_the_public(client, status):
    DealFactory(slug="hidden", status=status)
    assert client.get("/deals/hidden/").status_code == 404
    assert "/deals/hidden/" not in client.get("/deals/").content.decode()


def test_it_shows_a_candidate_to_staff_with_a_banner(client):
    DealFactory(slug="hidden", status=Deal.Status.CANDIDATE)
    staff = get_user_model().objects.create_user("curator", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get("/deals/hidden/")
    assert response.status_code == 200 and "visible to staff only" in response.content.decode()


def test_it_answers_404_for_an_unknown_deal(client):
    assert client.get("/deals/nope/").status_code == 404


def test_it_says_a_loaded_deal_last_changed_at_its_announcement_not_at_the_load(client):
    from partnerships.services.dataset import dataset_load

    dataset_load(use_evidence=False)
    html = client.get("/deals/microsoft-openai-2019/").content.decode()
    assert 'Last changed <time datetime="2019-07-22T00:00:00+00:00">Jul 22, 2019</time>' in html
    assert "Data as of" in html and "December 1, 2026" in html
