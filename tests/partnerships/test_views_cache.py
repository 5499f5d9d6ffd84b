import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from partnerships.cache import VERSION_KEY, content_version
from tests.factories import ClauseFactory, CompanyFactory, DealFactory, DealPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def test_it_serves_the_second_anonymous_view_from_the_cache_without_queries(
    client, django_assert_num_queries
):
    DealFactory(slug="one")
    assert client.get("/deals/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/deals/")
    assert response["X-Page-Cache"] == "hit"
    assert "/deals/one/" in response.content.decode()


def test_it_keeps_full_pages_and_htmx_fragments_apart(client):
    DealFactory(slug="one")
    client.get("/deals/")
    fragment = client.get("/deals/", HTTP_HX_REQUEST="true")
    assert fragment["X-Page-Cache"] == "miss" and "<html" not in fragment.content.decode()


@pytest.mark.parametrize("change", ["deal", "clause", "company", "party"])
def test_it_invalidates_every_page_when_a_change_commits(client, django_capture_on_commit_callbacks, change):
    deal = DealFactory(slug="one", title="Before")
    company = CompanyFactory(slug="acme", name="Acme")
    client.get("/deals/")
    version = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "deal":
            deal.title = "After"
            deal.save()
        elif change == "clause":
            ClauseFactory(deal=deal)
        elif change == "company":
            company.name = "Acme 2"
            company.save()
        else:
            DealPartyFactory(deal=deal, company=company)
    assert content_version() != version
    response = client.get("/deals/")
    assert response["X-Page-Cache"] == "miss"


def test_it_does_not_bump_before_the_transaction_commits(django_capture_on_commit_callbacks):
    version = content_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        DealFactory(slug="pending")
    assert content_version() == version and callbacks


def test_it_never_caches_for_signed_in_staff(client):
    DealFactory(slug="one")
    client.force_login(get_user_model().objects.create_user("staff", password="x", is_staff=True))
    client.get("/deals/")
    assert "X-Page-Cache" not in client.get("/deals/")


def test_it_caches_the_company_page_without_any_csrf_token_in_it(client, django_assert_num_queries):
    CompanyFactory(slug="acme")
    first = client.get("/companies/acme/")
    with django_assert_num_queries(0):
        second = client.get("/companies/acme/")
    assert second["X-Page-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in first.content.decode() and "csrftoken" not in first.cookies


def test_it_survives_a_missing_version_key(client):
    cache.delete(VERSION_KEY)
    assert client.get("/").status_code == 200


def test_it_sees_another_process_bump_once_its_memo_expires(settings):
    settings.PAGE_CACHE_VERSION_TTL = 0
    version = content_version()
    cache.set(VERSION_KEY, "bumped-elsewhere", timeout=None)
    assert content_version() == "bumped-elsewhere" != version


def test_it_keeps_the_pages_of_different_hosts_apart(client):
    DealFactory(slug="one")
    assert client.get("/deals/", HTTP_HOST="localhost")["X-Page-Cache"] == "miss"
    assert client.get("/deals/", HTTP_HOST="127.0.0.1")["X-Page-Cache"] == "miss"
    assert client.get("/deals/", HTTP_HOST="localhost")["X-Page-Cache"] == "hit"
