"""Where deals come from: vendor newsrooms, the announcements they publish, and every scrape run.

Filings and regulators are sources of the same kind: an ``edgar`` newsroom is one watched
SEC filer (its URL is the filer's submissions JSON; ``EdgarFiler`` is the watchlist's view of
them), a ``cma`` newsroom the UK CMA's cases feed. A ``Filing`` is one EDGAR filing that was
read, and each passage of it naming a tracked company is an ``Announcement`` of kind "filing".
"""

import zlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from extraction.vocabulary import SourceKind as SourceKindVocabulary
from partnerships.models.deals import DatePrecision, text_choices
from scrapers.adapters.base import canonical_url
from scrapers.fetch import inflate, validate_public_url
from scrapers.filings.cover import filing_label
from scrapers.filings.edgar_records import cik_of_submissions_url
from scrapers.untrusted import http_url


class Newsroom(models.Model):
    """A list of announcements: a vendor's feed, HTML listing or JSON endpoint, or a filings source.

    ``edgar``: one SEC filer, read through its submissions JSON; ``cma``: the UK CMA's case
    feed (mergers). Both run on the same schedule, fetcher and health rules as the others.
    """

    class Kind(models.TextChoices):
        FEED = "feed", "RSS / Atom feed"
        HTML = "html", "HTML listing"
        JSON = "json", "JSON endpoint"
        EDGAR = "edgar", "SEC EDGAR filer"
        CMA = "cma", "UK CMA cases"

    # Kinds read by scrapers.services.filings rather than by a listing adapter.
    SOURCE_KINDS = frozenset({Kind.EDGAR, Kind.CMA})

    class Health(models.TextChoices):
        UNKNOWN = "unknown", "Not yet checked"
        OK = "ok", "OK"
        STALE = "stale", "Stale"
        BROKEN = "broken", "Broken"
        BLOCKED = "blocked", "Blocked"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    company = models.ForeignKey(
        "partnerships.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="newsrooms"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField(
        max_length=1000,
        validators=[validate_public_url],
        help_text="The feed, listing page or JSON endpoint to fetch.",
    )
    homepage = models.URLField(max_length=1000, blank=True)
    # HTML: {"item": css, "title": css, "link": css, "date": css}; JSON: {"items_path": "a.b"}.
    selectors = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    expected_cadence = models.DurationField(
        default=timedelta(days=14), help_text="Longer than this without a new item marks the newsroom stale."
    )
    fetch_interval = models.DurationField(default=timedelta(hours=1))
    next_fetch_at = models.DateTimeField(default=timezone.now)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    health_detail = models.CharField(max_length=500, blank=True)
    health_changed_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    typical_item_count = models.PositiveIntegerField(
        default=0, help_text="Items the source usually lists; a collapse below it marks the newsroom broken."
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_new_item_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "next_fetch_at", "etag", "last_modified", "last_success_at"]
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            # Beat dispatcher: active newsrooms whose next fetch is due.
            models.Index(fields=["next_fetch_at"], condition=Q(is_active=True), name="newsroom_due_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_filings_source(self) -> bool:
        return self.kind in self.SOURCE_KINDS

    @property
    def cik(self) -> str:
        """An EDGAR filer's ten-digit CIK, read from its submissions URL ('' for other kinds)."""
        return cik_of_submissions_url(self.url) if self.kind == self.Kind.EDGAR else ""

    def clean(self):
        super().clean()
        if self.kind == self.Kind.EDGAR and not self.cik:
            raise ValidationError(
                {
                    "url": "An EDGAR filer's URL is its submissions JSON: https://data.sec.gov/submissions/CIK##########.json."
                }
            )


class EdgarFilerManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Newsroom.Kind.EDGAR)


class EdgarFiler(Newsroom):
    """The EDGAR watchlist: every ``edgar`` newsroom, one per filer (CIK and company)."""

    objects = EdgarFilerManager()

    class Meta:
        proxy = True
        ordering = ["name"]
        verbose_name = "EDGAR filer"


class Filing(models.Model):
    """One EDGAR filing of a watched filer that Pactwatch read (or tried to): its passages' evidence."""

    class Status(models.TextChoices):
        READ = "read", "Read"
        FAILED = "failed", "Could not be read"

    accession_number = models.CharField(max_length=20, unique=True)
    newsroom = models.ForeignKey(
        Newsroom, null=True, blank=True, on_delete=models.SET_NULL, related_name="filings"
    )
    company = models.ForeignKey(
        "partnerships.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="filings"
    )
    cik = models.CharField(max_length=10)
    filer_name = models.CharField(max_length=200, blank=True, help_text="The filer as EDGAR names it.")
    form = models.CharField(max_length=20)
    items = models.CharField(max_length=100, blank=True, help_text="8-K items, e.g. 1.01,7.01.")
    filed_on = models.DateField(null=True, blank=True)
    period_of_report = models.DateField(null=True, blank=True)
    document_url = models.URLField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READ)
    error = models.CharField(max_length=1000, blank=True)
    passages_found = models.PositiveIntegerField(default=0)
    passages_omitted = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-filed_on", "-id"]
        indexes = [
            # Newsroom admin and the EDGAR run: one filer's filings, newest first.
            models.Index(fields=["newsroom", "-filed_on"], name="filing_newsroom_filed_idx"),
        ]

    def __str__(self):
        return f"{self.label} ({self.accession_number})"

    @property
    def filer(self) -> str:
        """The filer's name as Pactwatch knows it, else as EDGAR gives it."""
        return self.company.name if self.company_id else self.filer_name

    @property
    def label(self) -> str:
        """ "Microsoft’s 10-Q for the quarter ended September 30, 2025"."""
        return filing_label(
            filer=self.filer, form=self.form, period=self.period_of_report, filed_on=self.filed_on
        )


class Announcement(models.Model):
    """One post in a newsroom, archived: its raw page, main text, and a hash to notice edits."""

    class FetchStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        FETCHED = "fetched", "Fetched"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    # filing, regulator, primary (the publisher's own page), press, mirror (a copy elsewhere).
    SourceKind = text_choices(SourceKindVocabulary, "Announcement.SourceKind")

    newsroom = models.ForeignKey(
        Newsroom, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    # The link as the publisher gave it: what pages render and the scraper fetches. Unique too,
    # which url_key's uniqueness implies; loaders look pages up by it.
    url = models.URLField(max_length=1000, unique=True, help_text="The address as the publisher gave it.")
    # De-duplication only: canonical_url(url), so two spellings of one page are one announcement.
    url_key = models.CharField(max_length=1000, editable=False)
    title = models.CharField(max_length=500, blank=True)
    # Who published the page ("Microsoft", "Reuters") and what kind of evidence it is; empty
    # when nobody has said (a page a newsroom listed is the vendor's own: "primary").
    publisher = models.CharField(max_length=200, blank=True)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    summary = models.TextField(blank=True)
    raw_html = models.BinaryField(
        null=True, blank=True, editable=False, help_text="zlib-compressed page body."
    )
    text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    fetch_status = models.CharField(max_length=10, choices=FetchStatus.choices, default=FetchStatus.PENDING)
    fetch_error = models.CharField(max_length=1000, blank=True)
    fetch_attempts = models.PositiveSmallIntegerField(default=0)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # When the page is due for its first fetch (a lease while a task holds it), a retry, or a
    # re-check for vendor edits; None means no more fetches are planned.
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    # A passage of an EDGAR filing (source kind "filing"): the filing, and where the passage
    # sits in the document's text (``filing_document_text``) with the headings above it.
    filing = models.ForeignKey(
        Filing, null=True, blank=True, on_delete=models.PROTECT, related_name="passages"
    )
    passage_start = models.PositiveIntegerField(null=True, blank=True)
    passage_end = models.PositiveIntegerField(null=True, blank=True)
    passage_section = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            # Ingest, "Add announcement" and `manage.py ingest` upsert by this key: one row per page.
            models.UniqueConstraint(fields=["url_key"], name="announcement_url_key_unique"),
            # EDGAR polling stores each passage of a filing once: (accession, offsets) is its key.
            models.UniqueConstraint(
                fields=["filing", "passage_start", "passage_end"],
                condition=Q(filing__isnull=False),
                name="announcement_filing_passage_unique",
            ),
            models.CheckConstraint(
                condition=Q(filing__isnull=True)
                | (Q(passage_start__isnull=False) & Q(passage_end__gt=models.F("passage_start"))),
                name="announcement_passage_has_offsets",
            ),
        ]
        indexes = [
            # Announcements archive page and per-newsroom listing, newest first.
            models.Index(fields=["newsroom", "-published_at", "-id"], name="announcement_newsroom_pub_idx"),
            models.Index(fields=["-published_at", "-id"], name="announcement_published_idx"),
            # Work queue: announcements whose page still has to be fetched.
            models.Index(
                fields=["created_at"], condition=Q(fetch_status="pending"), name="announcement_pending_idx"
            ),
            # Beat dispatcher: pages due for a first fetch, a retry or an edit check.
            models.Index(
                fields=["next_fetch_at"],
                condition=Q(next_fetch_at__isnull=False),
                name="announcement_due_idx",
            ),
        ]

    def __str__(self):
        return self.title or self.url

    def save(self, *args, **kwargs):
        if not self.url_key:
            self.url_key = canonical_url(self.url)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partnerships:announcement_detail", kwargs={"pk": self.pk})

    @property
    def link(self) -> str:
        """The original URL when it is safe to render as a link (http or https), else empty."""
        return http_url(self.url)

    @property
    def has_archive(self) -> bool:
        """Whether Pactwatch holds its own copy of the page (fetched, with text to show).

        Reads no deferred column, so pages that skip the heavy ones may ask it per row.
        """
        return self.fetch_status == self.FetchStatus.FETCHED and bool(self.content_hash)

    def set_raw_html(self, body: bytes) -> None:
        self.raw_html = zlib.compress(body, level=6)

    def get_raw_html(self, *, limit: int | None = None) -> bytes:
        """The archived page, cut at ``limit`` bytes (default: the most a fetch can have stored)."""
        if not self.raw_html:
            return b""
        return inflate(bytes(self.raw_html), max_bytes=limit or settings.SCRAPER_MAX_BYTES, truncate=True)


class AnnouncementRevision(models.Model):
    """A version of an announcement as first seen or as later edited by its vendor."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    # Unified diff of the text against the previous revision (empty for the first one).
    diff = models.TextField(blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["announcement", "fetched_at", "id"]
        constraints = [
            # Re-fetching unchanged content must not add a revision.
            models.UniqueConstraint(
                fields=["announcement", "content_hash"], name="announcementrevision_content_unique"
            ),
        ]

    def __str__(self):
        return f"{self.announcement} @ {self.fetched_at:%Y-%m-%d %H:%M}"


class ScrapeRun(models.Model):
    """One attempt to read a newsroom; health is derived from these, not from logs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"  # asked for from the admin ("Scrape now"), not started yet
        RUNNING = "running", "Running"
        OK = "ok", "OK"
        NOT_MODIFIED = "not_modified", "Not modified"
        FAILED = "failed", "Failed"
        BLOCKED = "blocked", "Blocked"

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.RUNNING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    # Listing entries that could not be read or stored (a bad date, a javascript: link...).
    items_skipped = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    # What a run passed over on purpose and why, not a failure: the forms an EDGAR listing
    # holds that Pactwatch does not read, the filings left for the next run.
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # Sources page and newsroom admin: recent runs of one newsroom.
            models.Index(fields=["newsroom", "-started_at"], name="scraperun_newsroom_started_idx"),
        ]

    def __str__(self):
        return f"{self.newsroom} run {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class SelectorTest(models.Model):
    """A curator's "Test selectors now": fetched and parsed by a worker, stored for the admin to show.

    Nothing else is written: no announcement, no run, no change to the newsroom's health.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    PREVIEW_ITEMS = 50  # items kept for the admin page

    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="selector_tests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    items_seen = models.PositiveIntegerField(default=0)
    items_skipped = models.PositiveIntegerField(default=0)
    # The first PREVIEW_ITEMS parsed items: [{"title", "url", "published_at", "precision", "summary"}].
    items = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Newsroom admin: the latest selector tests of one newsroom.
            models.Index(fields=["newsroom", "-created_at"], name="selectortest_newsroom_idx"),
        ]

    def __str__(self):
        return f"{self.newsroom} selector test {self.created_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.OK, self.Status.FAILED)


class AnnouncementSubmission(models.Model):
    """A curator's "Add announcement": a page to fetch (by a worker) or text pasted with its address.

    The row is what the admin's progress page reads: queued until a worker has fetched the
    page, then the announcement it became (new, updated or unchanged) or the reason it failed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        FETCH = "fetch", "Fetch the page"
        TEXT = "text", "Pasted text"

    class Outcome(models.TextChoices):
        NEW = "new", "New announcement"
        UPDATED = "updated", "Updated an existing announcement"
        UNCHANGED = "unchanged", "Already in the archive, unchanged"

    url = models.CharField(max_length=1000, help_text="The address as the curator gave it.")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    # The curator's title and date for a fetched page; empty: the page's own are used.
    title = models.CharField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    newsroom = models.ForeignKey(Newsroom, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.url} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.OK, self.Status.FAILED)
