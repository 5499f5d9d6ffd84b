"""Which newsrooms' adapters have been checked against a real copy of the vendor's own page.

A capture is a page or feed as the vendor served it, saved by someone else and kept in
the folder of captured pages (``PACTWATCH_REALDATA``), never in the repository. The
tests parse each capture below with its newsroom's adapter and selectors and check the
number of items, their dates and that links come out as the vendor wrote them; a
newsroom not listed here has only been tested on pages written for the tests.

The sources page shows this per newsroom: "adapter verified against a capture of <date>"
or "not verified against a real page".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as date_format


@dataclass(frozen=True)
class VerifiedCapture:
    capture: str  # the file inside the captured-pages folder
    captured_on: date
    items: int  # posts the adapter reads from it, each with a date
    month_only: bool = False  # the capture's day is not known

    @property
    def captured(self) -> str:
        return date_format(self.captured_on, "F Y" if self.month_only else "j F Y")

    @property
    def label(self) -> str:
        return f"adapter verified against a capture of {self.captured}"


NOT_VERIFIED = "not verified against a real page"

VERIFIED: dict[str, VerifiedCapture] = {
    "openai-news": VerifiedCapture(
        "feeds/native/openai_com_news_rss_2026-09-25_first8of1229.xml", date(2026, 9, 25), 8
    ),
    "google-ai-blog": VerifiedCapture(
        "feeds/native/blog_google_technology_ai_rss_2026-09-23_first6of20.xml", date(2026, 9, 25), 6
    ),
    "google-deepmind-blog": VerifiedCapture(
        "feeds/native/deepmind_google_blog_rss_2026-09-24_first8of100.xml", date(2026, 9, 25), 8
    ),
    # Ten cards: the featured post is also the first card, so nine posts.
    "mistral-news": VerifiedCapture(
        "listings/mistral_ai_news_listing_2026-03.html", date(2026, 3, 1), 9, month_only=True
    ),
    "anthropic-news": VerifiedCapture(
        "listings/Version1_ai-landscape-tracker__anthropic_page.html", date(2026, 1, 1), 15, month_only=True
    ),
}


def verified_capture(slug: str) -> VerifiedCapture | None:
    return VERIFIED.get(slug)


def verification_label(slug: str) -> str:
    entry = VERIFIED.get(slug)
    return entry.label if entry else NOT_VERIFIED
