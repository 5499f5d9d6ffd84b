"""Every way a curator can change a published deal's terms makes exactly one alert event.

The events are written by the curation services themselves (no model signal): the admin
deal form with its clause inlines, the clause admin, the review page (confirm, drop, link a
phase), merges, retraction. A save that changes no material term makes none.
"""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse

from partnerships.models import AlertEvent, Clause, Company, Deal, DealParty
from partnerships.services.deals import deal_publish, deal_retract, deal_update
from partnerships.services.merges import company_merge
from tests.curation.conftest import make_candidate
from tests.factories import CompanyFactory, DealPartyFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would submit for the admin's change form (``id="deal_form"`` etc.)."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)


def _admin_form(client, url) -> dict:
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    form: dict = {}
    for name, value in parser.values:
        if name in form:
            form[name] = [*form[name], value] if isinstance(form[name], list) else [form[name], value]
        else:
            form[name] = value
    form.pop("csrfmiddlewaretoken", None)
    return form


def _clause_index(form: dict, clause: Clause) -> int:
    return next(
        i for i in range(int(form["clauses-TOTAL_FORMS"])) if form[f"clauses-{i}-id"] == str(clause.pk)
    )


def changes(deal) -> int:
    return AlertEvent.objects.filter(deal=deal, kind=AlertEvent.Kind.CHANGED).count()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as a committed request would: on-commit tasks (eager here) run after it."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def published(committed):
    """A published deal whose publication alert has gone out to one instant subscriber."""
    SubscriptionFactory()
    deal = make_candidate()
    committed(deal_publish, deal=deal)
    assert len(mail.outbox) == 1 and AlertEvent.objects.get(deal=deal).fingerprint
    mail.outbox.clear()
    return deal


def _change_url(deal):
    return reverse("admin:partnerships_deal_change", args=[deal.pk])


# --- The admin deal form and its clause inlines ----------------------------------------------


def test_one_admin_submission_changing_the_headline_and_every_kind_of_clause_edit_is_one_event(
    client, curator, published, committed
):
    client.force_login(curator)
    form = _admin_form(client, _change_url(published))
    edited, removed = published.clauses.order_by("pk")
    form["value_max"] = "12000000000"
    form[f"clauses-{_clause_index(form, edited)}-amount"] = "3000000000"
    form[f"clauses-{_clause_index(form, removed)}-DELETE"] = "on"
    new = int(form["clauses-TOTAL_FORMS"])
    form["clauses-TOTAL_FORMS"] = str(new + 1)
    form |= {
        f"clauses-{new}-kind": "exclusivity",
        f"clauses-{new}-subject": "cloud",
        f"clauses-{new}-effect": "granted",
        f"clauses-{new}-status": "confirmed",
        f"clauses-{new}-certainty": "reported",
        f"clauses-{new}-confidence": "1",
        f"clauses-{new}-position": "9",
        f"clauses-{new}-deal": str(published.pk),
    }
    form["_save"] = "Save"
    response = committed(client.post, _change_url(published), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    published.refresh_from_db()
    assert published.value_max == Decimal("12000000000")
    assert sorted(published.clauses.values_list("kind", flat=True)) == ["exclusivity", "investment"]
    assert changes(published) == 1
    assert len(mail.outbox) == 1
    assert "New: Exclusivity (cloud)" in mail.outbox[0].body


def test_an_admin_save_that_changes_only_wording_makes_no_event(client, curator, published, committed):
    client.force_login(curator)
    form = _admin_form(client, _change_url(published))
    form["summary"] = "Reworded by a curator."
    form[f"clauses-{_clause_index(form, published.clauses.first())}-quote"] = "A retyped quote."
    form["_save"] = "Save"
    assert committed(client.post, _change_url(published), form).status_code == 302
    published.refresh_from_db()
    assert published.summary == "Reworded by a curator."
    assert changes(published) == 0 and mail.outbox == []


def test_an_admin_form_opened_before_a_retraction_does_not_undo_it(client, curator, published, committed):
    client.force_login(curator)
    form = _admin_form(client, _change_url(published))
    deal_retract(deal=published, reason="withdrawn by the vendor")
    form["value_max"] = "99000000000"
    form["_save"] = "Save"
    assert committed(client.post, _change_url(published), form).status_code == 302
    published.refresh_from_db()
    assert published.status == Deal.Status.RETRACTED and published.status_reason == "withdrawn by the vendor"
    assert changes(published) == 0


def test_a_new_deal_added_in_the_admin_makes_no_event(client, curator, committed):
    client.force_login(curator)
    form = _admin_form(client, reverse("admin:partnerships_deal_add"))
    form |= {"title": "Added by hand", "slug": "added-by-hand", "kind": "cloud", "announced_on": "2025-01-02"}
    form["_save"] = "Save"
    assert committed(client.post, reverse("admin:partnerships_deal_add"), form).status_code == 302
    assert Deal.objects.get(slug="added-by-hand").status == Deal.Status.CANDIDATE
    assert not AlertEvent.objects.exists()


# --- The clause admin ---------------------------------------------------------------------------


def test_a_clause_edited_on_its_own_page_is_one_event(client, curator, published, committed):
    clause = published.clauses.first()
    url = reverse("admin:partnerships_clause_change", args=[clause.pk])
    client.force_login(curator)
    form = _admin_form(client, url)
    form["amount"] = "2500000000"
    form["_save"] = "Save"
    assert committed(client.post, url, form).status_code == 302
    assert changes(published) == 1 and len(mail.outbox) == 1


def test_a_clause_added_on_its_own_page_is_one_event(client, curator, published, committed):
    url = reverse("admin:partnerships_clause_add")
    client.force_login(curator)
    form = _admin_form(client, url)
    form |= {"deal": str(published.pk), "kind": "warrant", "effect": "granted", "status": "confirmed"}
    form["_save"] = "Save"
    assert committed(client.post, url, form).status_code == 302
    assert published.clauses.filter(kind="warrant").exists()
    assert changes(published) == 1


def test_a_clause_deleted_on_its_own_page_is_one_event(client, curator, published, committed):
    clause = published.clauses.first()
    client.force_login(curator)
    url = reverse("admin:partnerships_clause_delete", args=[clause.pk])
    assert committed(client.post, url, {"post": "yes"}).status_code == 302
    assert not Clause.objects.filter(pk=clause.pk).exists()
    assert changes(published) == 1


def test_clauses_deleted_together_from_the_list_are_one_event_per_deal(client, curator, published, committed):
    client.force_login(curator)
    ids = [str(pk) for pk in published.clauses.values_list("pk", flat=True)]
    url = reverse("admin:partnerships_clause_changelist")
    committed(client.post, url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not published.clauses.exists()
    assert changes(published) == 1 and len(mail.outbox) == 1


# --- The review page ----------------------------------------------------------------------------


def _review(client, deal, committed, **form):
    return committed(client.post, reverse("admin:partnerships_deal_review", args=[deal.pk]), form)


def test_dropping_a_clause_on_the_review_page_is_one_event(client, curator, published, committed):
    keep, drop = published.clauses.order_by("pk")
    client.force_login(curator)
    _review(
        client,
        published,
        committed,
        op="clauses",
        **{f"clause-{keep.pk}": "confirm", f"clause-{drop.pk}": "drop"},
    )
    assert list(published.clauses.values_list("pk", flat=True)) == [keep.pk]
    assert changes(published) == 1 and len(mail.outbox) == 1


def test_confirming_clauses_on_the_review_page_makes_no_event(client, curator, published, committed):
    Clause.objects.filter(deal=published).update(status=Clause.Status.EXTRACTED)
    client.force_login(curator)
    _review(
        client,
        published,
        committed,
        op="clauses",
        **{f"clause-{c.pk}": "confirm" for c in published.clauses.all()},
    )
    assert set(published.clauses.values_list("status", flat=True)) == {"confirmed"}
    assert changes(published) == 0 and mail.outbox == []


def test_linking_a_published_deal_as_a_next_phase_is_one_event(client, curator, published, committed):
    earlier = make_candidate(
        status=Deal.Status.PUBLISHED, announced_on=published.announced_on.replace(year=2020)
    )
    client.force_login(curator)
    _review(client, published, committed, op="phase", target=str(earlier.pk))
    published.refresh_from_db()
    assert published.predecessor == earlier
    assert changes(published) == 1
    assert "Linked as a new phase" in mail.outbox[0].body


# --- Merges ---------------------------------------------------------------------------------------


def test_merging_a_duplicate_that_adds_a_clause_into_a_published_deal_is_one_event(
    client, curator, published, committed
):
    dup = make_candidate()
    Clause.objects.create(deal=dup, kind=Clause.Kind.BOARD_RIGHTS, status=Clause.Status.CONFIRMED)
    client.force_login(curator)
    _review(client, dup, committed, op="merge", target_text=published.slug)
    assert published.clauses.filter(kind=Clause.Kind.BOARD_RIGHTS).exists()
    assert changes(published) == 1 and len(mail.outbox) == 1
    assert changes(dup) == 0


def test_merging_an_identical_duplicate_into_a_published_deal_makes_no_event(
    client, curator, published, committed
):
    dup = make_candidate()  # the same two clauses, identically stated
    client.force_login(curator)
    _review(client, dup, committed, op="merge", target_text=published.slug)
    assert Deal.objects.get(pk=dup.pk).status == Deal.Status.MERGED
    assert changes(published) == 0 and mail.outbox == []


def test_merging_an_earlier_phase_tells_the_later_published_phase_once(client, curator, committed):
    SubscriptionFactory()
    survivor = make_candidate(status=Deal.Status.PUBLISHED)
    dup = make_candidate(status=Deal.Status.PUBLISHED)
    later = make_candidate(announced_on=dup.announced_on.replace(year=2026))
    committed(deal_publish, deal=later)
    Deal.objects.filter(pk=later.pk).update(predecessor=dup)
    mail.outbox.clear()
    # The predecessor is set behind the services' back above: the later phase's alert snapshot
    # still says "no predecessor", and re-pointing it to the survivor is the one change.
    client.force_login(curator)
    _review(client, dup, committed, op="merge", target_text=survivor.slug)
    later.refresh_from_db()
    assert later.predecessor_id == survivor.pk
    assert changes(later) == 1


def test_a_company_merge_changes_no_terms_and_makes_no_event(published, committed, curator):
    party = published.deal_parties.first()
    twin = CompanyFactory(name=f"{party.company.name} Inc")
    other = make_candidate(status=Deal.Status.PUBLISHED)
    DealPartyFactory(deal=other, company=twin)
    committed(company_merge, company=twin, into=party.company, actor=curator)
    assert DealParty.objects.filter(deal=other, company=party.company).exists()
    assert not Company.objects.filter(pk=twin.pk).exists()
    assert not AlertEvent.objects.filter(kind=AlertEvent.Kind.CHANGED).exists()
    assert mail.outbox == []


# --- Retraction -------------------------------------------------------------------------------


def test_retracting_mails_nobody_and_republishing_unchanged_makes_no_event(
    client, curator, published, committed
):
    client.force_login(curator)
    _review(client, published, committed, op="retract", reason="the vendor withdrew it")
    assert Deal.objects.get(pk=published.pk).status == Deal.Status.RETRACTED
    committed(deal_publish, deal=published)
    events = AlertEvent.objects.filter(deal=published)
    assert events.exclude(kind=AlertEvent.Kind.RETRACTED).count() == 1  # the first "published"
    # The retraction is an event for webhooks only: no email about a withdrawal.
    assert list(events.filter(kind=AlertEvent.Kind.RETRACTED).values_list("key", flat=True)) == [
        "retracted-1"
    ]
    assert mail.outbox == []


def test_republishing_after_the_terms_moved_while_retracted_is_one_event(published, committed):
    committed(deal_retract, deal=published, reason="checking the amount")
    clause = published.clauses.first()
    clause.amount = Decimal("2200000000")
    committed(deal_update, deal=Deal.objects.get(pk=published.pk), clauses=[clause], save_deal=False)
    assert changes(published) == 0  # nobody is told about a withdrawn deal
    committed(deal_publish, deal=published)
    assert changes(published) == 1 and len(mail.outbox) == 1


# --- Nothing happens behind the services' back ---------------------------------------------


def test_a_plain_model_save_records_no_alert_event(published, committed):
    clause = published.clauses.first()
    clause.amount = Decimal("1")
    committed(clause.save)
    published.value_max = Decimal("1")
    committed(published.save)
    assert changes(published) == 0 and mail.outbox == []


def test_no_model_signal_receiver_of_a_deal_or_clause_does_more_than_bookkeeping():
    bookkeeping = {"partnerships.cache", "simple_history.models"}
    for signal in (pre_save, post_save, post_delete):
        for model in (Deal, Clause, DealParty, Company):
            modules = {receiver.__module__ for receiver in signal._live_receivers(model)[0]}
            assert modules <= bookkeeping, f"{signal} of {model.__name__}: {modules - bookkeeping}"


def test_saving_a_deal_reads_nothing_first(published, django_assert_num_queries):
    published.summary = "One more edit."
    with django_assert_num_queries(2):  # the UPDATE and its history row: no SELECT of the old row
        published.save()
