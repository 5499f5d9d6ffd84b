"""Filings sources in the admin: the EDGAR watchlist (CIK and company) and the filings read.

The watchlist is the set of ``edgar`` newsrooms seen through the ``EdgarFiler`` proxy: a
curator adds a filer by CIK and company, and everything else (its submissions URL, schedule
and health) is the newsroom's. Filings are records of what was read, so they are read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from scrapers.filings import FilingParseError, company_feed_url, submissions_url
from scrapers.filings.edgar_records import normalize_cik
from scrapers.models import Announcement, EdgarFiler, Filing, Newsroom
from scrapers.untrusted import http_url


class EdgarFilerForm(forms.ModelForm):
    cik = forms.CharField(
        max_length=10,
        label="CIK",
        help_text="The filer's Central Index Key on EDGAR, e.g. 789019 for Microsoft.",
    )

    class Meta:
        model = EdgarFiler
        fields = (
            "name",
            "slug",
            "company",
            "cik",
            "is_active",
            "fetch_interval",
            "expected_cadence",
            "notes",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["cik"].initial = self.instance.cik.lstrip("0")

    def clean_cik(self):
        try:
            return normalize_cik(self.cleaned_data["cik"])
        except FilingParseError as exc:
            raise ValidationError(f"Not a CIK: {exc}") from None

    def clean(self):
        cleaned = super().clean()
        cik = cleaned.get("cik")
        if cik:
            self.instance.kind = Newsroom.Kind.EDGAR
            self.instance.url = submissions_url(cik)
            self.instance.homepage = company_feed_url(cik).replace("&output=atom", "")
        return cleaned


@admin.register(EdgarFiler)
class EdgarFilerAdmin(admin.ModelAdmin):
    form = EdgarFilerForm
    list_display = (
        "name",
        "company",
        "cik_number",
        "is_active",
        "health",
        "last_success_at",
        "next_fetch_at",
    )
    list_filter = ("health", "is_active")
    search_fields = ("name", "slug", "url", "company__name")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="CIK")
    def cik_number(self, obj):
        return obj.cik.lstrip("0")


class PassageInline(admin.TabularInline):
    model = Announcement
    fk_name = "filing"
    fields = ("title", "passage_section", "passage_start", "passage_end", "extracted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    list_display = (
        "accession_number",
        "filer",
        "form",
        "filed_on",
        "period_of_report",
        "status",
        "passages_found",
    )
    list_filter = ("status", "form", "newsroom")
    search_fields = ("accession_number", "filer_name", "company__name")
    list_select_related = ("company",)
    date_hierarchy = "filed_on"
    readonly_fields = (
        "accession_number",
        "newsroom",
        "company",
        "cik",
        "filer_name",
        "form",
        "items",
        "filed_on",
        "period_of_report",
        "document",
        "status",
        "error",
        "passages_found",
        "passages_omitted",
        "read_at",
    )
    fields = readonly_fields
    inlines = (PassageInline,)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="document")
    def document(self, obj):
        link = http_url(obj.document_url)
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', link, link) if link else "—"
