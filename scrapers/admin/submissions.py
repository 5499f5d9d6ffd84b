"""The admin's "Add announcement": a form, then a progress page that ends at the candidate's review.

The web process never fetches: an address is queued for a worker (like "Scrape now"),
pasted text is stored at once. Extraction runs in a worker after commit, so the progress
page refreshes until the page is stored and read, then links the curator to the
candidate deal's review page (or says the text was not read as a deal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from scrapers import services
from scrapers.forms import AnnouncementSubmissionForm
from scrapers.models import AnnouncementSubmission

SUBMIT_PERMISSION = "scrapers.add_announcementsubmission"
PROGRESS_REFRESH_SECONDS = 3
PROGRESS_MAX_ROWS = 20
# After this long without an extraction, the page stops waiting and says a worker may be down.
EXTRACTION_PATIENCE = timedelta(minutes=5)


def may_submit(request) -> bool:
    return request.user.has_perm(SUBMIT_PERMISSION)


def _context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "refresh_seconds": PROGRESS_REFRESH_SECONDS,
        **extra,
    }


def _bound_form(request) -> tuple[AnnouncementSubmissionForm, str]:
    """The posted form, or an empty one and an error when the request was too big to read."""
    try:
        return AnnouncementSubmissionForm(request.POST), ""
    except RequestDataTooBig:
        return AnnouncementSubmissionForm(), (
            "The form was too large to read (over the server's request limit); nothing was stored. "
            "Paste only the announcement's text."
        )


def submit_view(model_admin, request):
    """GET: the form (an address may be given as ``?url=``); POST: store or queue, then progress."""
    if not may_submit(request):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        form, error = _bound_form(request)
        if not error and form.is_valid():
            data = form.cleaned_data
            submission = services.announcement_submission_request(
                url=data["url"],
                newsroom=data["newsroom"],
                user=request.user,
                page=form.page,
                title=data["title"],
                published_on=data["published_on"],
            )
            return redirect(progress_url([submission.pk]))
    else:
        form = AnnouncementSubmissionForm(
            initial={k: v for k, v in request.GET.items() if k in ("url", "mode")}
        )
    ctx = _context(model_admin, request, title="Add announcement", form=form, request_error=error)
    return TemplateResponse(request, "admin/scrapers/announcement/submit.html", ctx)


def progress_url(ids) -> str:
    return (
        reverse("admin:scrapers_announcement_submitted") + "?" + urlencode({"ids": ",".join(map(str, ids))})
    )


def _ids(request) -> list[int]:
    values = request.GET.get("ids", "").split(",")
    return [int(v) for v in values if v.isdigit() and len(v) < 19][:PROGRESS_MAX_ROWS]


@dataclass
class Progress:
    """What the progress page says about one submission, computed here rather than in the template."""

    submission: AnnouncementSubmission
    pending: bool = False
    stage: str = ""  # "fetching", "extracting", "stalled", "done", "failed"
    candidates: list = None  # (deal, review URL)
    others: list = None  # deals past review (published, rejected...), (deal, admin URL)
    retry_url: str = ""


def _extracted(submission: AnnouncementSubmission) -> bool:
    announcement = submission.announcement
    return bool(
        announcement and announcement.extracted_at and announcement.extracted_at >= submission.finished_at
    )


def _progress(submission: AnnouncementSubmission, now) -> Progress:
    progress = Progress(submission, candidates=[], others=[])
    if not submission.is_done:
        progress.pending, progress.stage = True, "fetching"
        return progress
    if submission.status == AnnouncementSubmission.Status.FAILED:
        progress.stage = "failed"
        query = urlencode({"url": submission.url, "mode": AnnouncementSubmission.Mode.TEXT})
        progress.retry_url = reverse("admin:scrapers_announcement_submit") + "?" + query
        return progress
    if submission.announcement is None:  # the announcement was deleted since
        progress.stage = "done"
        return progress
    if not _extracted(submission):
        waited = now - submission.finished_at
        progress.pending = waited < EXTRACTION_PATIENCE
        progress.stage = "extracting" if progress.pending else "stalled"
        return progress
    progress.stage = "done"
    for deal in submission.announcement.deals.all():
        if deal.status == deal.Status.CANDIDATE:
            progress.candidates.append((deal, reverse("admin:partnerships_deal_review", args=[deal.pk])))
        else:
            progress.others.append((deal, reverse("admin:partnerships_deal_change", args=[deal.pk])))
    return progress


def progress_view(model_admin, request):
    """The submissions' outcomes; refreshes while a worker fetches a page or reads it for a deal."""
    if not may_submit(request) and not model_admin.has_view_permission(request):
        raise PermissionDenied
    submissions = (
        AnnouncementSubmission.objects.filter(pk__in=_ids(request))
        .select_related("announcement", "newsroom")
        .prefetch_related("announcement__deals")
        .order_by("pk")
    )
    now = timezone.now()
    rows = [_progress(submission, now) for submission in submissions]
    ctx = _context(
        model_admin, request, title="Added announcements", rows=rows, pending=any(row.pending for row in rows)
    )
    return TemplateResponse(request, "admin/scrapers/announcement/submitted.html", ctx)
