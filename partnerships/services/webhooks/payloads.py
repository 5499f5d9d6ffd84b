"""What a webhook says: one builder per event type, registered by the alert event's kind.

A generic (JSON) delivery's body follows the Standard Webhooks shape::

    {"type": "deal.terms_changed", "timestamp": "2026-11-30T09:12:00Z",
     "data": {"deal": {...}, "changes": {"added": [...], "removed": [...], "changed": [...],
              "deal": [...]}, "links": {"deal": ..., "api": ...}}}

``changes`` is ``partnerships.changes.change_set`` (old → new per clause field, basis and
certainty included); each added or changed clause carries its evidence (quote, source,
archived copy). A ``regulatory.decision`` carries the ``review`` instead (authority, case, outcome,
decision date and document, the decision stages). Slack deliveries are built from the same data
by ``slack``.

A new event type is a builder registered for its alert event kind (``register``): the fan-out,
signing, retries and Slack rendering are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from partnerships.api.reads.common import absolute, api_url, clause_out, deal_summary
from partnerships.changes import change_set
from partnerships.models import AlertEvent, Clause, Deal
from partnerships.services.alerts.events import deal_snapshot


@dataclass(frozen=True)
class EventType:
    name: str  # "deal.published": the payload's "type"
    data: Callable[[AlertEvent], dict]  # the payload's "data"
    deliverable: Callable[[Deal], bool]  # whether the deal's state still warrants sending


_REGISTRY: dict[str, EventType] = {}


def register(kind: str, event_type: EventType) -> None:
    """Deliver alert events of ``kind`` to webhooks as ``event_type``."""
    _REGISTRY[kind] = event_type


def event_type_of(alert_event: AlertEvent) -> EventType | None:
    return _REGISTRY.get(alert_event.kind)


def _deal_out(deal: Deal) -> dict:
    deal = (
        Deal.objects.select_related("predecessor")
        .prefetch_related("deal_parties__company", "clauses")
        .get(pk=deal.pk)
    )
    summary = deal_summary(deal, deal.predecessor.slug if deal.predecessor else None)
    summary["parties"].sort(key=lambda p: p["company"]["name"])
    return summary


def _evidence(deal: Deal) -> dict[tuple[str, str], dict]:
    """The deal's current clauses as evidence, by (kind, subject)."""
    clauses = Clause.objects.filter(deal=deal).select_related("grantor", "beneficiary", "source")
    found = {}
    for clause in clauses.defer("source__raw_html", "source__text", "source__summary").order_by(
        "position", "id"
    ):
        out = clause_out(clause)
        source = out["source"] or {}
        found.setdefault(
            (clause.kind, (clause.subject or "").strip().lower()),
            {"quote": out["quote"], "source": source.get("url"), "archived_copy": source.get("archived_url")},
        )
    return found


def _with_evidence(changes: dict, deal: Deal) -> dict:
    evidence = _evidence(deal)
    for state in changes["added"]:
        state["evidence"] = evidence.get((state["kind"], state["subject"]))
    for change in changes["changed"]:
        change["after"]["evidence"] = evidence.get((change["kind"], change["subject"]))
    return changes


def _links(deal: Deal) -> dict:
    return {"deal": absolute(deal.get_absolute_url()), "api": api_url(f"deals/{deal.slug}/")}


def deal_event_data(alert_event: AlertEvent) -> dict:
    """A deal's publication or change: the deal, what changed, links."""
    deal = alert_event.deal
    snapshot = alert_event.snapshot or {}
    before = alert_event.previous_snapshot if alert_event.kind == AlertEvent.Kind.CHANGED else None
    changes = _with_evidence(change_set(before, snapshot), deal) if snapshot else None
    return {"deal": _deal_out(deal), "changes": changes, "links": _links(deal)}


def retraction_data(alert_event: AlertEvent) -> dict:
    deal = alert_event.deal
    return {"deal": _deal_out(deal), "reason": deal.status_reason, "links": _links(deal)}


def regulatory_data(alert_event: AlertEvent) -> dict:
    """A competition authority's decision on a review of the deal (the event's snapshot of it)."""
    deal = alert_event.deal
    return {"deal": _deal_out(deal), "review": alert_event.snapshot or {}, "links": _links(deal)}


def _published(deal: Deal) -> bool:
    return deal.status == Deal.Status.PUBLISHED


register(AlertEvent.Kind.PUBLISHED, EventType("deal.published", deal_event_data, _published))
register(AlertEvent.Kind.CHANGED, EventType("deal.terms_changed", deal_event_data, _published))
register(AlertEvent.Kind.RETRACTED, EventType("deal.retracted", retraction_data, lambda deal: True))
register(AlertEvent.Kind.REGULATORY_DECISION, EventType("regulatory.decision", regulatory_data, _published))

VERIFICATION, TEST = "endpoint.verification", "endpoint.test"


def envelope(event_type: str, at, data: dict) -> dict:
    """The Standard Webhooks body: type, timestamp, data."""
    return {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}


def verification_data(endpoint) -> dict:
    return {
        "endpoint": endpoint.pk,
        "message": "Pactwatch checks that this endpoint answers. Answer with any 2xx to start receiving deal events.",
        "manage": f"{settings.SITE_URL}/alerts/",
    }


def test_data() -> dict:
    """A sample: the latest published deal as a publication, marked as a test."""
    deal = Deal.objects.published().order_by("-announced_on", "-id").first()
    data = {"test": True, "message": "A test event sent from your Pactwatch alerts page."}
    if deal is not None:
        changes = _with_evidence(change_set(None, deal_snapshot(deal)), deal)
        data.update(deal=_deal_out(deal), changes=changes, links=_links(deal))
    return data
