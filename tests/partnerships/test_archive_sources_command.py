"""``manage.py archive_sources`` against a real HTTP server on 127.0.0.1, with pages that fail."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from scrapers import fetch as fetch_module
from scrapers.models import Announcement
from tests.factories import AnnouncementFactory, DealFactory

pytestmark = pytest.mark.django_db

ARTICLE = (
    "<html><head><title>Example Labs and Sample Cloud sign a compute deal</title></head><body><article>"
    "<h1>Example Labs and Sample Cloud sign a compute deal</h1><p>Example Labs will buy one gigawatt of "
    "capacity from Sample Cloud over five years, the companies said on Monday.</p></article></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        body, status = (ARTICLE.encode(), 200) if self.path == "/news/deal" else (b"gone", 404)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(settings):
    settings.SCRAPER_ALLOW_LOOPBACK = True
    settings.SCRAPER_CONNECT_TIMEOUT = 1.0
    settings.SCRAPER_READ_TIMEOUT = 1.0
    settings.SCRAPER_HOST_DELAY = 0.0
    fetch_module.clear_caches()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    fetch_module.clear_caches()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(*args) -> str:
    out = StringIO()
    call_command("archive_sources", *args, stdout=out)
    return out.getvalue()


def test_it_archives_what_it_can_and_names_what_it_could_not(server):
    deal = DealFactory()
    good = AnnouncementFactory(url=f"{server}/news/deal", newsroom=None, text="", fetch_status="skipped")
    missing = AnnouncementFactory(url=f"{server}/news/gone", newsroom=None, text="", fetch_status="skipped")
    refused = AnnouncementFactory(url=f"http://127.0.0.1:{closed_port()}/x", newsroom=None, text="")
    deal.sources.add(good, missing, refused)

    output = run()

    assert "Archiving 3 source page(s)" in output
    assert "[3/3]" in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("archived 1, failed 2: ")
    assert missing.url in last and refused.url in last
    good.refresh_from_db()
    assert good.has_archive and "one gigawatt" in good.text
    assert not Announcement.objects.get(pk=missing.pk).has_archive


def test_it_skips_pages_already_archived_and_deals_not_public(server):
    archived = AnnouncementFactory(
        url=f"{server}/news/deal", newsroom=None, fetch_status="fetched", content_hash="x"
    )
    DealFactory().sources.add(archived)
    DealFactory(status="candidate").sources.add(
        AnnouncementFactory(url=f"{server}/news/draft", newsroom=None)
    )
    assert "Nothing to archive" in run()
