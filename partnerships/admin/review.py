"""The review queue and the one-candidate review page.

The queue lists candidates newest first, then by confidence; the review page puts each
source announcement's text beside the extracted parties and clauses, with every clause's
evidence quote marked in the text, and carries every decision a curator makes on a
candidate: confirm or drop clauses, publish, reject, merge, link a phase, retract.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from partnerships.admin.base import report_each
from partnerships.admin.display import clause_value
from partnerships.admin.highlight import highlight_quotes
from partnerships.diff import clause_diff
from partnerships.evidence import FOUND, MISSING, quote_checks
from partnerships.models import Clause, Deal, DealParty
from partnerships.services.deals import (
    deal_link_phase,
    deal_publish,
    deal_publish_problems,
    deal_reject,
    deal_retract,
    deal_review_clauses,
)
from partnerships.services.merges import deal_merge
from scrapers.models import Announcement

QUEUE_PAGE_SIZE = 50


def candidate_queue():
    """Candidates for the queue page, with everything a row shows loaded in fixed queries."""
    return (
        Deal.objects.candidates()
        .order_by("-created_at", "-confidence", "-id")
        .annotate(
            clause_count=Count("clauses", distinct=True),
            unreviewed_count=Count(
                "clauses", filter=~Q(clauses__status=Clause.Status.CONFIRMED), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("deal_parties", queryset=DealParty.objects.select_related("company")),
            Prefetch("sources", queryset=Announcement.objects.only("id", "title", "url", "published_at")),
        )
    )


def _related_deals(deal: Deal, company_ids: list[int], limit: int = 10) -> list[Deal]:
    """Live deals sharing parties with ``deal``: the likely duplicates and earlier phases."""
    if not company_ids:
        return []
    return list(
        Deal.objects.exclude(pk=deal.pk)
        .exclude(status__in=[Deal.Status.MERGED, Deal.Status.REJECTED])
        .filter(deal_parties__company_id__in=company_ids)
        .annotate(shared=Count("deal_parties"))
        .order_by("-shared", "-announced_on", "-id")[:limit]
    )


def _is_id(value: str) -> bool:
    # Digits that fit a bigint; a longer number would make PostgreSQL raise instead of "not found".
    return value.isdigit() and len(value) <= 18


def _find_deal(value: str) -> Deal:
    value = (value or "").strip()
    if not value:
        raise ValidationError("Pick a deal: choose a suggestion or type its id or slug.")
    found = Deal.objects.filter(Q(slug=value) | Q(pk=int(value)) if _is_id(value) else Q(slug=value)).first()
    if found is None:
        raise ValidationError(f"No deal has the id or slug “{value}”.")
    return found


def queue_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        return _bulk(model_admin, request)
    page = Paginator(candidate_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        **model_admin.admin_site.each_context(request),
        "title": "Review queue",
        "opts": model_admin.model._meta,
        "page": page,
        "candidates": page.object_list,
        "can_curate": model_admin.has_publish_permission(request),
    }
    return TemplateResponse(request, "admin/partnerships/deal/review_queue.html", ctx)


def _bulk(model_admin, request):
    if not model_admin.has_publish_permission(request):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("ids") if _is_id(i)]
    deals = Deal.objects.filter(pk__in=ids).order_by("-created_at")
    op = request.POST.get("op")
    if not ids:
        messages.error(request, "Select at least one candidate.")
    elif op == "publish":
        report_each(request, deals, lambda deal: deal_publish(deal=deal, actor=request.user))
    elif op == "reject":
        reason = request.POST.get("reason", "")
        report_each(request, deals, lambda deal: deal_reject(deal=deal, reason=reason, actor=request.user))
    else:
        messages.error(request, "Unknown action.")
    return redirect(reverse("admin:partnerships_deal_review_queue"))


def review_view(model_admin, request, object_id):
    if not str(object_id).isdigit():
        raise Http404("No such deal.")
    deal = get_object_or_404(Deal, pk=object_id)
    if not model_admin.has_view_permission(request, deal):
        raise PermissionDenied
    if request.method == "POST":
        if not model_admin.has_publish_permission(request):
            raise PermissionDenied
        return _act(request, deal)

    parties = list(deal.deal_parties.select_related("company"))
    clauses = list(deal.clauses.select_related("source", "grantor", "beneficiary", "part_of"))
    sources = list(deal.sources.select_related("filing__company"))
    panes = []
    for source in sources:
        relevant = [c for c in clauses if c.source_id in (None, source.pk)]
        html, _missing = highlight_quotes(source.text or "", relevant)
        panes.append({"source": source, "html": html})
    # The same check as the publish gate's, so the page flags exactly the quotes that block it.
    checks = quote_checks(clauses, sources)
    rows = [
        {
            "clause": c,
            "value": clause_value(c),
            "quote_found": checks.get(c.pk) == FOUND,
            "quote_missing": checks.get(c.pk) == MISSING,
        }
        for c in clauses
    ]
    related = _related_deals(deal, [p.company_id for p in parties])
    diff = None
    if deal.predecessor_id:
        diff = clause_diff(list(deal.predecessor.clauses.all()), clauses)
    ctx = {
        **model_admin.admin_site.each_context(request),
        "title": f"Review: {deal.title}",
        "opts": model_admin.model._meta,
        "original": deal,
        "deal": deal,
        "parties": parties,
        "clause_rows": rows,
        "panes": panes,
        "problems": deal_publish_problems(deal=deal),
        "related": related,
        "diff": diff,
        "can_curate": model_admin.has_publish_permission(request),
        "is_candidate": deal.status in (Deal.Status.CANDIDATE, Deal.Status.REJECTED, Deal.Status.RETRACTED),
    }
    return TemplateResponse(request, "admin/partnerships/deal/review.html", ctx)


def _review_clauses(request, deal: Deal, here: str, queue: str):
    confirm, drop = [], []
    for clause_id in deal.clauses.values_list("pk", flat=True):
        decision = request.POST.get(f"clause-{clause_id}", "")
        (confirm if decision == "confirm" else drop if decision == "drop" else []).append(clause_id)
    result = deal_review_clauses(deal=deal, confirm=confirm, drop=drop, actor=request.user)
    messages.success(request, result.message)
    if "_publish" in request.POST:
        result = deal_publish(deal=deal, actor=request.user)
        messages.success(request, result.message)
        return redirect(queue)
    return redirect(here)


def _publish(request, deal: Deal, here: str, queue: str):
    result = deal_publish(deal=deal, actor=request.user)
    messages.add_message(request, messages.SUCCESS if result.changed else messages.INFO, result.message)
    return redirect(queue if result.changed else here)


def _reject(request, deal: Deal, here: str, queue: str):
    result = deal_reject(deal=deal, reason=request.POST.get("reason", ""), actor=request.user)
    messages.success(request, result.message)
    return redirect(queue)


def _retract(request, deal: Deal, here: str, queue: str):
    result = deal_retract(deal=deal, reason=request.POST.get("reason", ""), actor=request.user)
    messages.success(request, result.message)
    return redirect(here)


def _merge(request, deal: Deal, here: str, queue: str):
    into = _find_deal(request.POST.get("target") or request.POST.get("target_text"))
    result = deal_merge(deal=deal, into=into, actor=request.user)
    messages.success(request, result.message)
    return redirect(reverse("admin:partnerships_deal_change", args=[into.pk]))


def _link_phase(request, deal: Deal, here: str, queue: str):
    predecessor = _find_deal(request.POST.get("target") or request.POST.get("target_text"))
    diff = deal_link_phase(deal=deal, predecessor=predecessor, actor=request.user)
    messages.success(
        request,
        f"“{deal.title}” is now the next phase of “{predecessor.title}”: {len(diff.added)} clauses added, "
        f"{len(diff.removed)} removed, {len(diff.changed)} changed.",
    )
    return redirect(here)


# The review page's buttons (``op``), each a curation service.
_ACTIONS = {
    "clauses": _review_clauses,
    "publish": _publish,
    "reject": _reject,
    "retract": _retract,
    "merge": _merge,
    "phase": _link_phase,
}


def _act(request, deal: Deal):
    here = reverse("admin:partnerships_deal_review", args=[deal.pk])
    act = _ACTIONS.get(request.POST.get("op", ""))
    if act is None:
        messages.error(request, "Unknown action.")
        return redirect(here)
    try:
        return act(request, deal, here, reverse("admin:partnerships_deal_review_queue"))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect(here)
