"""The publish gate: what the review page reports blocks the service, the admin action and the button."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships.models import AlertEvent, Clause, Deal, LedgerEntry
from partnerships.services.deals import deal_publish, deal_publish_problems
from tests.curation.conftest import make_candidate
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def review_url(deal):
    return reverse("admin:partnerships_deal_review", args=[deal.pk])


def flag_a_quote(deal) -> Clause:
    clause = deal.clauses.order_by("pk").first()
    clause.quote = "A sentence the source never printed."
    clause.save()
    return clause


def test_it_is_ready_when_sources_directions_and_quotes_hold():
    assert deal_publish_problems(deal=make_candidate()) == []


def test_it_refuses_to_publish_a_deal_whose_quote_is_not_in_its_source():
    deal = make_candidate()
    flag_a_quote(deal)
    problems = deal_publish_problems(deal=deal)
    assert problems == ["Investment: its quote is not found in the source text."]
    with pytest.raises(ValidationError, match="not found in the source text"):
        deal_publish(deal=deal)
    deal.refresh_from_db()
    assert deal.status == Deal.Status.CANDIDATE
    assert not AlertEvent.objects.exists() and not LedgerEntry.objects.exists()


def test_it_refuses_a_quote_it_cannot_check_and_a_deal_without_a_source():
    deal = make_candidate()
    deal.sources.update(text="")
    assert any("cannot be checked" in p for p in deal_publish_problems(deal=deal))
    deal.sources.clear()
    assert "It needs at least one source announcement." in deal_publish_problems(deal=deal)


def test_it_asks_for_a_grantor_and_beneficiary_that_are_parties():
    deal = make_candidate()
    investment, compute = deal.clauses.order_by("pk")
    investment.grantor = None
    investment.save()
    compute.beneficiary = CompanyFactory(name="Stranger")
    compute.save()
    problems = deal_publish_problems(deal=deal)
    assert "Investment: name its grantor (who gives it and who receives it)." in problems
    assert "Compute commitment: its beneficiary is not a party of the deal." in problems


def test_the_admin_action_refuses_with_the_reason(client, curator):
    deal = make_candidate()
    flag_a_quote(deal)
    client.force_login(curator)
    response = client.post(
        reverse("admin:partnerships_deal_changelist"),
        {"action": "publish_selected", "_selected_action": [deal.pk]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    assert any("cannot be published yet" in t and "not found in the source text" in t for t in texts)
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.CANDIDATE


def test_the_review_page_disables_publishing_with_the_reasons_and_ticks_nothing(client, curator):
    deal = make_candidate(confirmed=False)
    client.force_login(curator)
    html = client.get(review_url(deal)).content.decode()
    assert 'disabled aria-describedby="publish-problems"' in html
    assert "still unreviewed" in html
    assert " checked" not in html  # no decision is made for the curator

    flag_a_quote(deal)
    deal.clauses.update(status=Clause.Status.CONFIRMED)
    html = client.get(review_url(deal)).content.decode()
    assert "not found in the source text" in html and "disabled" in html

    response = client.post(review_url(deal), {"op": "publish"})
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.CANDIDATE


def test_the_review_page_offers_publishing_once_nothing_is_left(client, curator):
    deal = make_candidate()
    client.force_login(curator)
    html = client.get(review_url(deal)).content.decode()
    assert "publish-problems" not in html
    client.post(review_url(deal), {"op": "publish"})
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.PUBLISHED
    assert LedgerEntry.objects.filter(deal=deal).count() == 2
