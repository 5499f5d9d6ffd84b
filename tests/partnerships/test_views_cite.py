"""Cite and share on a deal page: citation text and BibTeX, permalink, sources named by publisher."""

import datetime
import re

import pytest

from partnerships.exports import SCHEMA_VERSION
from partnerships.views.citations import deal_citation, source_rows
from scrapers.models import Announcement
from tests.factories import AnnouncementFactory
from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.SITE_URL = "https://pactwatch.example"


def test_it_gives_a_plain_citation_and_bibtex_with_permalink_access_date_and_version():
    _, _, phases, _ = build_story()
    citation = deal_citation(phases[0], today=datetime.date(2026, 3, 4))
    assert citation.permalink == "https://pactwatch.example/deals/ms-openai-2019/"
    assert citation.text == (
        "Microsoft and OpenAI. “Microsoft and OpenAI (2019)”. Announced Jul 22, 2019. "
        f"Pactwatch dataset, schema {SCHEMA_VERSION}. https://pactwatch.example/deals/ms-openai-2019/ "
        "(accessed 2026-03-04)."
    )
    assert citation.bibtex.startswith("@misc{pactwatch-ms-openai-2019,\n")
    assert "  year = {2019}" in citation.bibtex and "  urldate = {2026-03-04}" in citation.bibtex
    assert "\\url{https://pactwatch.example/deals/ms-openai-2019/}" in citation.bibtex


def test_it_keeps_bibtex_fields_balanced_whatever_the_title(client):
    _, _, phases, _ = build_story()
    deal = phases[0]
    deal.title = "Evil } title {with} 100% & $ # _ \\end"
    bibtex = deal_citation(deal).bibtex
    assert bibtex.count("{") == bibtex.count("}")
    assert "100\\% \\& \\$ \\# \\_" in bibtex


def test_the_deal_page_shows_the_citation_the_permalink_and_a_copy_button(client):
    build_story()
    html = client.get("/deals/ms-openai-2019/").content.decode()
    assert 'id="permalink" href="https://pactwatch.example/deals/ms-openai-2019/"' in html
    assert "@misc{pactwatch-ms-openai-2019," in html and "(accessed " in html
    # The copy buttons wait for the script (hidden without JavaScript): the link itself is the fallback.
    assert re.search(r'<button type="button" class="copy" data-copy-target="permalink"[^>]* hidden>', html)
    assert "<script>" not in html and " onclick=" not in html


def test_sources_are_named_by_publisher_when_known_and_by_domain_otherwise():
    plain = AnnouncementFactory(url="https://www.example.com/news/msft-to-invest-1b", title="")
    rows = source_rows([plain])
    assert rows[0].publisher == "example.com" and rows[0].title == "example.com" and rows[0].kind == ""
    known = Announcement(url="https://blogs.example.org/a", title="A post", pk=99)
    known.publisher = "Example Blog"
    known.source_kind = "primary"
    row = source_rows([known])[0]
    assert row.publisher == "Example Blog" and row.kind == "primary" and row.title == "A post"
