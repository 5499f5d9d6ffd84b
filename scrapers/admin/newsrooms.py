"""Newsrooms in the admin: their settings and health, "Test selectors now" and "Scrape now".

Both actions are queued for a Celery worker (the web process never fetches); the progress
page refreshes until the worker has filled in each result.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from partnerships.admin.base import GuardedHistoryAdmin
from scrapers import services
from scrapers.models import Newsroom, ScrapeRun, SelectorTest

RECENT_RUNS = 10
TEST_SELECTORS_LIMIT = 5  # newsrooms tested per click: each fetch waits on politeness
PROGRESS_REFRESH_SECONDS = 3
PROGRESS_MAX_ROWS = 100


@admin.register(Newsroom)
class NewsroomAdmin(GuardedHistoryAdmin):
    list_display = (
        "name",
        "kind",
        "company",
        "health",
        "is_active",
        "last_success_at",
        "last_new_item_at",
        "consecutive_failures",
        "next_fetch_at",
        "announcement_count",
    )
    list_filter = ("health", "kind", "is_active")
    search_fields = ("name", "slug", "url", "company__name")
    list_select_related = ("company",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("company",)
    readonly_fields = (
        "health",
        "health_detail",
        "health_changed_at",
        "consecutive_failures",
        "typical_item_count",
        "last_success_at",
        "last_new_item_at",
        "etag",
        "last_modified",
        "recent_runs",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "company", "kind", "url", "homepage", "is_active", "notes")}),
        (
            "Parsing",
            {
                "fields": ("selectors",),
                "description": 'HTML: {"item": css, "title": css, "link": css, "date": css}; '
                'JSON: {"items_path": "a.b"}. Use the "Test selectors now" action to check a change.',
            },
        ),
        ("Schedule", {"fields": ("fetch_interval", "expected_cadence", "next_fetch_at")}),
        (
            "Health",
            {
                "fields": (
                    ("health", "health_changed_at"),
                    "health_detail",
                    ("consecutive_failures", "typical_item_count"),
                    ("last_success_at", "last_new_item_at"),
                    ("etag", "last_modified"),
                    "recent_runs",
                )
            },
        ),
        ("Timestamps", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    actions = ("test_selectors_now", "scrape_now")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(announcement_total=Count("announcements"))

    @admin.display(description="announcements", ordering="announcement_total")
    def announcement_count(self, obj):
        return obj.announcement_total

    @admin.display(description=f"last {RECENT_RUNS} runs")
    def recent_runs(self, obj):
        if obj is None or obj.pk is None:
            return "No runs yet."
        runs = list(obj.runs.order_by("-started_at", "-id")[:RECENT_RUNS])
        if not runs:
            return "No runs yet."
        all_url = reverse("admin:scrapers_scraperun_changelist") + f"?newsroom__id__exact={obj.pk}"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}/{}/{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{run.started_at:%Y-%m-%d %H:%M}",
                    run.get_status_display(),
                    run.http_status or "",
                    run.items_seen,
                    run.items_new,
                    run.items_updated,
                    run.bytes_received,
                    run.error[:200],
                )
                for run in runs
            ),
        )
        return format_html(
            "<table><thead><tr><th>started</th><th>status</th><th>HTTP</th><th>seen/new/updated</th>"
            '<th>bytes</th><th>error</th></tr></thead><tbody>{}</tbody></table><a href="{}">All runs</a>',
            rows,
            all_url,
        )

    @admin.action(description="Test selectors now (fetch and parse, save nothing)", permissions=["change"])
    def test_selectors_now(self, request, queryset):
        if queryset.filter(kind__in=Newsroom.SOURCE_KINDS).exists():
            self.message_user(
                request,
                "EDGAR filers and the CMA feed have no selectors; use “Scrape now”.",
                messages.WARNING,
            )
            queryset = queryset.exclude(kind__in=Newsroom.SOURCE_KINDS)
        newsrooms = list(queryset[: TEST_SELECTORS_LIMIT + 1])
        if len(newsrooms) > TEST_SELECTORS_LIMIT:
            self.message_user(
                request,
                f"Testing the first {TEST_SELECTORS_LIMIT} selected newsrooms only.",
                messages.WARNING,
            )
            newsrooms = newsrooms[:TEST_SELECTORS_LIMIT]
        tests = services.selector_tests_request(newsrooms=newsrooms, user=request.user)
        return redirect(_progress_url(tests=[t.pk for t in tests]))

    @admin.action(description="Scrape now", permissions=["change"])
    def scrape_now(self, request, queryset):
        runs = services.newsroom_scrapes_request(newsrooms=list(queryset))
        self.message_user(request, f"Queued a scrape of {len(runs)} newsroom(s).")
        return redirect(_progress_url(runs=[r.pk for r in runs]))

    def get_urls(self):
        progress = path(
            "progress/", self.admin_site.admin_view(self.progress_view), name="scrapers_newsroom_progress"
        )
        return [progress, *super().get_urls()]

    def progress_view(self, request):
        """What the workers made of "Test selectors now" and "Scrape now"; refreshes until all are done."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tests = list(SelectorTest.objects.filter(pk__in=_ids(request, "tests")).select_related("newsroom"))
        runs = list(ScrapeRun.objects.filter(pk__in=_ids(request, "runs")).select_related("newsroom"))
        pending = any(not t.is_done for t in tests) or any(r.finished_at is None for r in runs)
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Selector tests and scrapes",
            "opts": self.model._meta,
            "tests": tests,
            "runs": runs,
            "pending": pending,
            "refresh_seconds": PROGRESS_REFRESH_SECONDS,
        }
        return TemplateResponse(request, "admin/scrapers/newsroom/progress.html", ctx)


def _progress_url(*, tests=(), runs=()) -> str:
    query = urlencode({"tests": ",".join(map(str, tests)), "runs": ",".join(map(str, runs))})
    return reverse("admin:scrapers_newsroom_progress") + "?" + query


def _ids(request, name: str) -> list[int]:
    values = request.GET.get(name, "").split(",")
    return [int(v) for v in values if v.isdigit() and len(v) < 19][:PROGRESS_MAX_ROWS]
