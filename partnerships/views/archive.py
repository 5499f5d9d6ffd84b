"""The scraped archive: announcements with their edit history, and newsroom health."""

import difflib

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from partnerships.cache import cached_response, wants_fragment
from partnerships.models import Deal
from partnerships.selectors.common import newsrooms_with_last_run
from scrapers.models import Announcement, AnnouncementRevision, Newsroom
from scrapers.verified import verification_label, verified_capture

PAGE_SIZE = 50
MAX_DIFF_LINES = 400


def announcement_list(request):
    """Newest archived first, keyset-paginated on id (no OFFSET, no COUNT over 200k rows)."""

    def build():
        qs = (
            Announcement.objects.select_related("newsroom")
            .defer("raw_html", "text", "summary")
            .order_by("-id")
        )
        newsroom = request.GET.get("newsroom", "")
        if newsroom:
            qs = qs.filter(newsroom__slug=newsroom)
        try:
            before = int(request.GET.get("before", ""))
        except ValueError:
            before = None
        if before:
            qs = qs.filter(id__lt=before)
        rows = list(qs[: PAGE_SIZE + 1])
        ctx = {
            "announcements": rows[:PAGE_SIZE],
            "older": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
            "is_first": before is None,
            "newsroom": newsroom,
            "newsrooms": Newsroom.objects.order_by("name").values_list("slug", "name"),
        }
        template = (
            "partnerships/_announcement_rows.html"
            if wants_fragment(request)
            else "partnerships/announcement_list.html"
        )
        return render(request, template, ctx)

    return cached_response(request, build)


def revision_diffs(revisions):
    """Line diffs between consecutive revisions, as data (the template escapes every line)."""
    diffs = []
    for older, newer in zip(revisions, revisions[1:], strict=False):
        lines = []
        for line in difflib.unified_diff(older.text.splitlines(), newer.text.splitlines(), lineterm="", n=1):
            if line.startswith(("---", "+++")):
                continue
            op = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
            lines.append((op, line[1:] if op != "hunk" else "…"))
            if len(lines) >= MAX_DIFF_LINES:
                lines.append(("hunk", "(diff truncated)"))
                break
        diffs.append(
            {"older": older, "newer": newer, "title_changed": older.title != newer.title, "lines": lines}
        )
    return diffs


def announcement_detail(request, pk):
    def build():
        item = get_object_or_404(
            Announcement.objects.select_related("newsroom")
            .defer("raw_html")
            .prefetch_related(
                Prefetch("revisions", queryset=AnnouncementRevision.objects.order_by("fetched_at", "id")),
                Prefetch("deals", queryset=Deal.objects.public().order_by("-announced_on")),
            ),
            pk=pk,
        )
        revisions = list(item.revisions.all())
        ctx = {
            "item": item,
            "revisions": revisions,
            "diffs": revision_diffs(revisions),
            "deals": item.deals.all(),
        }
        return render(request, "partnerships/announcement_detail.html", ctx)

    return cached_response(request, build, timeout=120)


def sources(request):
    """Each newsroom's health, its last run, what it found, its last error and whether its
    adapter was verified against a real capture of its page: 1 query.

    No per-newsroom COUNT of the archive: at 200,000 announcements it cost more than the
    rest of the page together; the archive link filters by newsroom instead.
    """

    def build():
        rows = list(newsrooms_with_last_run())
        for newsroom in rows:  # from a registry in code: no query
            newsroom.adapter_verified = verified_capture(newsroom.slug) is not None
            newsroom.adapter_check = verification_label(newsroom.slug)
        return render(request, "partnerships/sources.html", {"newsrooms": rows})

    return cached_response(request, build, timeout=60)
