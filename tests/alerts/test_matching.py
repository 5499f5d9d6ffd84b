"""Filter matching: "who wants this deal" (SQL), "which deals does this subscriber want" (SQL) and
the same question asked of one deal in Python all agree."""

from decimal import Decimal

import pytest

from partnerships.filters import DealFilter, subscriptions_accepting
from tests.alerts.conftest import make_deal
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def _both_ways(subscription, deal) -> bool:
    forward = subscriptions_accepting(deal).filter(pk=subscription.pk).exists()
    deal_filter = DealFilter.of_subscription(subscription)
    backward = deal_filter.deals().filter(pk=deal.pk).exists()
    assert forward == backward, "the two matching queries disagree"
    assert deal_filter.matches(deal) == backward, "matching in Python disagrees with the query"
    return forward


def test_it_matches_every_deal_without_filters(openai):
    deal = make_deal(companies=[openai])
    assert _both_ways(SubscriptionFactory(), deal)


def test_it_matches_a_followed_company_as_any_party(openai, microsoft, anthropic):
    deal = make_deal(companies=[microsoft, openai])
    assert _both_ways(SubscriptionFactory(companies=[openai]), deal)
    assert _both_ways(SubscriptionFactory(companies=[anthropic, microsoft]), deal)
    assert not _both_ways(SubscriptionFactory(companies=[anthropic]), deal)


def test_it_matches_deal_kinds(openai):
    deal = make_deal(companies=[openai], kind="cloud")
    yes = SubscriptionFactory()
    yes.deal_kind_list = ["cloud", "chips"]
    yes.save()
    no = SubscriptionFactory()
    no.deal_kind_list = ["investment"]
    no.save()
    assert _both_ways(yes, deal)
    assert not _both_ways(no, deal)


def test_it_matches_any_of_the_clause_kinds(openai):
    deal = make_deal(
        companies=[openai], clauses=[{"kind": "right_of_first_refusal"}, {"kind": "equity_stake"}]
    )
    exclusive_or_rofr = SubscriptionFactory()
    exclusive_or_rofr.clause_kind_list = ["exclusivity", "right_of_first_refusal"]
    exclusive_or_rofr.save()
    only_exclusivity = SubscriptionFactory()
    only_exclusivity.clause_kind_list = ["exclusivity"]
    only_exclusivity.save()
    assert _both_ways(exclusive_or_rofr, deal)
    assert not _both_ways(only_exclusivity, deal)


def test_it_does_not_confuse_clause_kinds_that_share_a_prefix(openai):
    # "investment" must not match inside another value, nor "_" act as a LIKE wildcard.
    deal = make_deal(companies=[openai], clauses=[{"kind": "revenue_share"}])
    subscription = SubscriptionFactory()
    subscription.clause_kind_list = ["investment"]
    subscription.save()
    assert not _both_ways(subscription, deal)


def test_it_matches_a_minimum_amount_on_the_headline_value(openai):
    big = make_deal(companies=[openai], value_min=None, value_max=Decimal("4000000000"))
    small = make_deal(companies=[openai], value_min=Decimal("100000000"), value_max=Decimal("100000000"))
    undisclosed = make_deal(companies=[openai])
    subscription = SubscriptionFactory(min_amount=Decimal("1000000000"))
    assert _both_ways(subscription, big)
    assert not _both_ways(subscription, small)
    assert not _both_ways(subscription, undisclosed)


def test_it_requires_every_filter_in_a_combination(openai, microsoft):
    deal = make_deal(
        companies=[openai, microsoft],
        kind="investment",
        clauses=[{"kind": "exclusivity"}],
        value_min=Decimal("1000000000"),
        value_max=Decimal("1000000000"),
    )
    subscription = SubscriptionFactory(companies=[microsoft], min_amount=Decimal("500000000"))
    subscription.deal_kind_list = ["investment"]
    subscription.clause_kind_list = ["exclusivity"]
    subscription.save()
    assert _both_ways(subscription, deal)
    subscription.min_amount = Decimal("2000000000")
    subscription.save()
    assert not _both_ways(subscription, deal)
    subscription.min_amount = None
    subscription.deal_kind_list = ["cloud"]
    subscription.save()
    assert not _both_ways(subscription, deal)


def test_it_never_matches_inactive_subscriptions(openai):
    deal = make_deal(companies=[openai])
    for status in ("pending", "unsubscribed", "bounced"):
        subscription = SubscriptionFactory(status=status, consent_at=None)
        assert not subscriptions_accepting(deal).filter(pk=subscription.pk).exists()


def test_it_never_offers_candidate_or_rejected_deals_to_feeds(openai):
    candidate = make_deal(companies=[openai], status="candidate")
    rejected = make_deal(companies=[openai], status="rejected")
    subscription = SubscriptionFactory()
    wanted = set(DealFilter.of_subscription(subscription).deals())
    assert candidate not in wanted and rejected not in wanted
