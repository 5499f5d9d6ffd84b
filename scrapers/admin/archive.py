"""The archive in the admin: announcements with their revisions, scrape runs, selector tests and
hand-added announcements.

They are records of what happened, so they are read-only: a curator fixes a newsroom's
selectors and re-runs it, never the archive. The one way in by hand is "Add announcement"
(``scrapers.admin.submissions``): a page to fetch, or text pasted with its address.
"""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from scrapers.admin import submissions
from scrapers.models import (
    Announcement,
    AnnouncementRevision,
    AnnouncementSubmission,
    ScrapeRun,
    SelectorTest,
)

RAW_PREVIEW_BYTES = 4000


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnnouncementRevisionInline(ReadOnlyMixin, admin.StackedInline):
    model = AnnouncementRevision
    extra = 0
    fields = ("fetched_at", "title", "content_hash", "text")
    readonly_fields = fields
    can_delete = False


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "newsroom",
        "published_at",
        "fetch_status",
        "http_status",
        "fetched_at",
        "extracted_at",
    )
    list_filter = ("fetch_status", "published_precision", "newsroom")
    search_fields = ("title", "url", "text")
    list_select_related = ("newsroom",)
    date_hierarchy = "published_at"
    list_per_page = 50
    readonly_fields = (
        "newsroom",
        "url",
        "url_key",
        "title",
        "published_at",
        "published_precision",
        "summary",
        "text",
        "raw_html_size",
        "raw_html_preview",
        "content_hash",
        "etag",
        "last_modified",
        "fetch_status",
        "fetch_error",
        "fetch_attempts",
        "http_status",
        "fetched_at",
        "extracted_at",
        "created_at",
        "updated_at",
        "linked_deals",
    )
    fields = readonly_fields
    inlines = (AnnouncementRevisionInline,)
    change_list_template = "admin/scrapers/announcement/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("add-announcement/", view(self.submit_view), name="scrapers_announcement_submit"),
            path(
                "add-announcement/progress/",
                view(self.submitted_view),
                name="scrapers_announcement_submitted",
            ),
            *super().get_urls(),
        ]

    def submit_view(self, request):
        return submissions.submit_view(self, request)

    def submitted_view(self, request):
        return submissions.progress_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_submit": submissions.may_submit(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    @admin.display(description="archived page")
    def raw_html_size(self, obj):
        return f"{len(obj.get_raw_html()):,} bytes" if obj.raw_html else "not archived"

    @admin.display(description="archived HTML (start, as text)")
    def raw_html_preview(self, obj):
        if not obj.raw_html:
            return "—"
        # Shown as escaped source text, never rendered: the page is untrusted.
        head = obj.get_raw_html(limit=RAW_PREVIEW_BYTES).decode("utf-8", errors="replace")
        return format_html('<pre class="raw-html">{}</pre>', head)

    @admin.display(description="deals")
    def linked_deals(self, obj):
        deals = list(obj.deals.all()[:20])
        if not deals:
            return "None"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:partnerships_deal_change", args=[d.pk]), d.title) for d in deals),
        )


@admin.register(AnnouncementRevision)
class AnnouncementRevisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("announcement", "fetched_at", "content_hash")
    search_fields = ("announcement__title", "announcement__url", "title")
    list_select_related = ("announcement",)
    readonly_fields = ("announcement", "title", "text", "content_hash", "fetched_at")


@admin.register(ScrapeRun)
class ScrapeRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "newsroom",
        "started_at",
        "finished_at",
        "status",
        "http_status",
        "items_seen",
        "items_new",
        "items_updated",
        "items_skipped",
        "bytes_received",
    )
    list_filter = ("status", "newsroom")
    search_fields = ("newsroom__name", "error")
    list_select_related = ("newsroom",)
    date_hierarchy = "started_at"
    readonly_fields = (
        "newsroom",
        "started_at",
        "finished_at",
        "status",
        "http_status",
        "items_seen",
        "items_new",
        "items_updated",
        "items_skipped",
        "bytes_received",
        "error",
        "note",
    )


@admin.register(SelectorTest)
class SelectorTestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "newsroom",
        "created_at",
        "status",
        "http_status",
        "items_seen",
        "items_skipped",
        "requested_by",
    )
    list_filter = ("status", "newsroom")
    list_select_related = ("newsroom", "requested_by")
    readonly_fields = (
        "newsroom",
        "requested_by",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "http_status",
        "items_seen",
        "items_skipped",
        "items",
        "error",
    )


@admin.register(AnnouncementSubmission)
class AnnouncementSubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who added which page by hand, and what became of it; written only by "Add announcement"."""

    list_display = ("url", "mode", "status", "outcome", "created_at", "requested_by", "announcement")
    list_filter = ("status", "mode", "outcome")
    search_fields = ("url", "error")
    list_select_related = ("requested_by", "announcement")
    readonly_fields = (
        "url",
        "mode",
        "title",
        "published_on",
        "newsroom",
        "requested_by",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "http_status",
        "announcement",
        "outcome",
        "note",
        "error",
    )
