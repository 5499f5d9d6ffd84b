"""``cache.shared``: what every reader of a data version gets alike, computed once per version."""

import datetime

import pytest
from django.core.cache import cache

from partnerships.cache import bump_content_version, shared
from tests.factories import CompanyFactory, DealFactory, DealPartyFactory


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def test_it_builds_once_per_data_version_and_again_after_a_change():
    calls = []

    def build():
        calls.append(1)
        return None  # a build that returns nothing is cached too

    assert shared("layout", build, "2025") is None
    assert shared("layout", build, "2025") is None
    assert len(calls) == 1
    shared("layout", build, "2024")  # other parts, another entry
    assert len(calls) == 2
    bump_content_version()
    shared("layout", build, "2025")
    assert len(calls) == 3


def test_it_builds_every_time_when_fragments_are_off(settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    calls = []
    for _ in range(2):
        shared("layout", lambda: calls.append(1), "x")
    assert len(calls) == 2


@pytest.mark.django_db
def test_it_draws_the_network_once_per_data_version(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/network/?year=all")
    with django_assert_max_num_queries(1):  # the footer's date is shared too: only the session, if any
        assert client.get("/network/?year=all").status_code == 200


def _deal_with(name: str):
    deal = DealFactory(announced_on=datetime.date.today() - datetime.timedelta(days=30))
    DealPartyFactory(deal=deal, company=CompanyFactory(name=name))
    return deal


@pytest.mark.django_db
def test_the_home_figures_are_shared_per_version_and_follow_a_new_deal(
    client, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.PAGE_CACHE_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        _deal_with("Acme Labs")
    assert "Acme Labs" in client.get("/").content.decode()
    with django_assert_max_num_queries(3):  # the latest deals only: the figures and charts are kept
        client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        _deal_with("Zephyr Compute")
    assert "Zephyr Compute" in client.get("/").content.decode()
