"""The guarded client against a real HTTP server on 127.0.0.1."""

import threading
import time
import tracemalloc
import zlib

import brotli
import pytest
from django.core.exceptions import ValidationError

from scrapers import fetch as fetch_module
from scrapers.fetch import FetchError, UnsafeURLError, check_url_allowed, fetch, parse_retry_after
from scrapers.fetch import guard as fetch_guard
from scrapers.models import Newsroom
from tests.scrapers.conftest import gzipped


@pytest.fixture
def fake_dns(monkeypatch):
    """Names that resolve where a test says, so rebinding and private answers can be staged."""
    table: dict[str, list[str]] = {}
    real = fetch_guard.resolve_host

    def resolve(host, port):
        if host in table:
            return table[host]
        if host.endswith(".test"):
            raise OSError("Name or service not known")
        return real(host, port)

    monkeypatch.setattr(fetch_guard, "resolve_host", resolve)
    return table


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/feed",
        "http://192.168.1.1/",
        "http://172.16.3.4/",
        "http://100.64.0.1/",  # CGNAT: is_private is False, is_global is False
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://localhost/",
        "ftp://vendor.example/feed",
        "http://user:pw@vendor.example/",
        "http://[::127.0.0.1]/",  # IPv4-compatible: is_global is True on Python 3.11
        "http://[::10.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the cloud metadata address
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64 prefix
        "http://[fec0::1]/",  # site-local
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[2002:a00:1::1]/",  # 6to4 around 10.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo around 127.0.0.1
        "http://[::]/",
        "http://240.0.0.1/",  # reserved (class E)
        "http://255.255.255.255/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
    ],
)
def test_it_refuses_non_public_urls(url, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeURLError) as caught:
        check_url_allowed(url)
    assert caught.value.permanent
    assert isinstance(caught.value, ValidationError)


@pytest.mark.parametrize(
    "url", ["http://1.1.1.1/", "http://[2606:4700:4700::1111]/", "http://[::ffff:1.1.1.1]/"]
)
def test_it_accepts_public_literal_addresses(url, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    assert check_url_allowed(url)


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::7f00:1", "fec0::1", "2002:7f00:1::"])
def test_it_refuses_a_name_that_resolves_to_a_disguised_private_address(address, fake_dns, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    fake_dns["disguised.test"] = [address]
    with pytest.raises(UnsafeURLError, match="not a public address"):
        check_url_allowed("http://disguised.test/feed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://[::127.0.0.1]/feed", "http://[64:ff9b::7f00:1]/feed", "http://[fec0::1]/feed"]
)
def test_it_refuses_disguised_private_addresses_at_save_time(url, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError) as caught:
        Newsroom(name="N", slug="n", kind="feed", url=url).full_clean()
    assert "url" in caught.value.message_dict


def test_it_refuses_a_name_that_resolves_to_a_private_address(fake_dns, settings):
    fake_dns["intranet.test"] = ["10.1.2.3"]
    with pytest.raises(UnsafeURLError, match="10.1.2.3"):
        fetch("http://intranet.test/feed.xml")


@pytest.mark.django_db
def test_it_validates_newsroom_urls_at_save_time(fake_dns, settings):
    settings.SCRAPER_ALLOW_LOOPBACK = False
    fake_dns["intranet.test"] = ["192.168.0.10"]
    for url in ("http://127.0.0.1/feed", "http://intranet.test/feed"):
        newsroom = Newsroom(name="N", slug="n", kind="feed", url=url)
        with pytest.raises(ValidationError) as caught:
            newsroom.full_clean()
        assert "url" in caught.value.message_dict
    # A name that does not resolve yet is accepted at save time and checked again at fetch time.
    Newsroom(name="N", slug="n", kind="feed", url="https://not-yet-live.test/feed").full_clean()


def test_it_reports_an_unresolvable_name_as_transient(fake_dns):
    with pytest.raises(FetchError, match="does not resolve") as caught:
        fetch("http://nowhere.test/feed.xml")
    assert not caught.value.permanent


def test_it_connects_to_the_checked_address_and_sends_the_name_as_host(server, fake_dns):
    fake_dns["vendor-a.test"] = ["127.0.0.1"]
    server.add("/feed", "<html><body>hello</body></html>")
    result = fetch(f"http://vendor-a.test:{server.port}/feed")
    assert result.text.endswith("hello</body></html>")
    assert server.requests[-1][1]["Host"] == f"vendor-a.test:{server.port}"
    assert "PactwatchBot" in server.requests[-1][1]["User-Agent"]


def test_it_rechecks_every_redirect_hop(server, fake_dns):
    fake_dns["intranet.test"] = ["10.9.9.9"]
    url = server.add("/go", status=302, headers={"Location": "http://intranet.test/admin"})
    with pytest.raises(UnsafeURLError):
        fetch(url)


def test_it_stops_a_redirect_loop(server):
    url = server.add("/a", status=301, headers={"Location": "/b"})
    server.add("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirects") as caught:
        fetch(url)
    assert caught.value.permanent
    assert server.hits("/a") + server.hits("/b") == 4  # the first request plus three allowed hops


def test_it_follows_a_redirect_and_reports_the_final_url(server):
    url = server.add("/old", status=301, headers={"Location": "/new"})
    server.add("/new", "<p>moved</p>")
    result = fetch(url)
    assert result.url == server.url("/new")
    assert result.redirects == [url]


def test_it_treats_304_as_not_modified_not_as_a_redirect(server):
    url = server.add("/feed", "<rss/>", etag='"v1"')
    first = fetch(url)
    assert first.etag == '"v1"' and not first.not_modified
    second = fetch(url, etag='"v1"')
    assert second.not_modified and second.body == b""
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'


def test_it_times_out_a_slow_server_as_transient(server):
    url = server.add("/slow", "late", delay=1.5)
    with pytest.raises(FetchError, match="Timed out") as caught:
        fetch(url)
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (502, False), (404, True), (410, True), (401, True)]
)
def test_it_classifies_http_errors(server, status, permanent):
    url = server.add("/x", "error page", status=status)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.status == status
    assert caught.value.permanent is permanent


def test_it_passes_on_retry_after_from_429_and_503(server):
    url = server.add("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.retry_after == 120 and not caught.value.permanent
    assert 0 < parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT") <= fetch_module.MAX_RETRY_AFTER


def test_it_recognises_bot_protection(server):
    url = server.add("/news", "<title>Just a moment...</title><div id='cf-chl'>", status=403)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.blocked


def test_it_stops_reading_a_huge_body_at_the_cap(server, settings):
    url = server.add("/huge", stream_bytes=50 * 1024 * 1024)
    with pytest.raises(FetchError, match="byte limit") as caught:
        fetch(url)
    assert caught.value.permanent
    big = server.add("/declared", b"x" * (settings.SCRAPER_MAX_BYTES + 1))
    with pytest.raises(FetchError, match="declares"):
        fetch(big)


def test_it_decodes_gzip_and_brotli(server):
    page = "<html><body>Caf\u00e9 partnership</body></html>".encode()
    server.add("/gz", gzipped(page), headers={"Content-Encoding": "gzip"})
    server.add("/br", brotli.compress(page), headers={"Content-Encoding": "br"})
    assert "Caf\u00e9 partnership" in fetch(server.url("/gz")).text
    assert "Caf\u00e9 partnership" in fetch(server.url("/br")).text


def test_it_rejects_a_compressed_body_served_as_plain_text(server):
    page = b"<html><body>" + b"Announcement text. " * 200 + b"</body></html>"
    url = server.add("/raw-br", brotli.compress(page))  # no Content-Encoding header
    with pytest.raises(FetchError, match="does not decode to text"):
        fetch(url)


def test_it_survives_a_wrong_charset_header(server):
    body = "<html><body>Soci\u00e9t\u00e9 G\u00e9n\u00e9rale and Mistral sign a deal</body></html>".encode(
        "cp1252"
    )
    url = server.add("/latin", body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale" in fetch(url).text
    utf8 = "<html><body>Soci\u00e9t\u00e9 G\u00e9n\u00e9rale</body></html>".encode()
    url = server.add("/liar", utf8, headers={"Content-Type": "text/html; charset=iso-8859-1"})
    assert "Soci\u00e9t\u00e9" in fetch(url).text


def test_it_reads_the_charset_from_a_meta_tag(server):
    body = '<html><head><meta charset="windows-1252"></head><body>\u201cquoted\u201d</body></html>'.encode(
        "cp1252"
    )
    url = server.add("/meta", body, headers={"Content-Type": "text/html"})
    assert "\u201cquoted\u201d" in fetch(url).text


def test_it_honours_robots_txt_and_caches_it(server):
    server.add("/robots.txt", "User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"})
    allowed = server.add("/news", "<p>ok</p>")
    blocked = server.add("/private/feed", "<p>secret</p>")
    with pytest.raises(FetchError, match="robots.txt disallows") as caught:
        fetch(blocked)
    assert caught.value.permanent
    assert server.hits("/private/feed") == 0
    fetch(allowed)
    fetch(allowed)
    assert server.hits("/robots.txt") == 1


def test_it_waits_when_robots_txt_is_unreachable(server):
    server.add("/robots.txt", "down", status=503)
    url = server.add("/news", "<p>ok</p>")
    with pytest.raises(FetchError, match="robots.txt") as caught:
        fetch(url)
    assert not caught.value.permanent
    assert server.hits("/news") == 0


def test_it_keeps_one_request_in_flight_per_host(server, fake_dns, settings):
    settings.SCRAPER_HOST_DELAY = 0.05
    fake_dns["same-host.test"] = ["127.0.0.1"]
    fake_dns["other-host.test"] = ["127.0.0.1"]
    server.add("/p", "<p>ok</p>", delay=0.1)
    urls = [f"http://same-host.test:{server.port}/p"] * 4 + [f"http://other-host.test:{server.port}/p"] * 2
    errors = []

    def worker(url):
        try:
            fetch(url)
        except FetchError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert server.max_in_flight[f"same-host.test:{server.port}"] == 1
    assert server.max_in_flight[f"other-host.test:{server.port}"] == 1
    assert server.hits("/p") == 6


def test_it_tries_the_next_checked_address_when_one_refuses(server, fake_dns):
    # Nothing listens on 127.0.0.2 (the server is bound to 127.0.0.1): that connection is refused.
    fake_dns["two-homes.test"] = ["127.0.0.2", "127.0.0.1"]
    server.add("/p", "<p>second address</p>")
    assert "second address" in fetch(f"http://two-homes.test:{server.port}/p").text


def test_it_shares_the_host_slot_through_redis_when_configured(server, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: politeness is in-process here (covered above)")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "pactwatch"
    key = f"{prefix}:host:127.0.0.1:busy"
    url = server.add("/slow-enough", "<p>ok</p>", delay=0.4)
    fetch(server.add("/warm", "<p>robots cached</p>"))  # so the next request is the only one in flight
    settings.SCRAPER_HOST_DELAY = 0.3
    worker = threading.Thread(target=fetch, args=(url,))
    worker.start()
    deadline = time.monotonic() + 2
    seen = False
    while time.monotonic() < deadline and not seen:
        seen = client.exists(key) == 1 and server.hits("/slow-enough") == 1
        time.sleep(0.01)
    worker.join()
    assert seen, "another worker process would not have seen the host as busy"
    assert client.exists(key) == 0  # released after the response
    # ...and the host's minimum delay is a Redis key every worker waits out.
    assert 0 < client.pttl(f"{prefix}:host:127.0.0.1:cooldown") <= 300


# --- Bounded decoding -----------------------------------------------------------------------


def _zeros_as(encoding: str, size: int) -> bytes:
    if encoding == "br":
        compressor = brotli.Compressor(quality=4, lgwin=24)
        parts = [compressor.process(b"\0" * (1 << 20)) for _ in range(size >> 20)]
        return b"".join(parts) + compressor.finish()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    parts = [compressor.compress(b"\0" * (1 << 20)) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


@pytest.mark.parametrize("encoding", ["br", "gzip", "deflate"])
def test_it_stops_a_decompression_bomb_at_the_cap_without_inflating_it(server, encoding):
    bomb = _zeros_as(encoding, 512 << 20)  # 512 MiB of zeros in a few hundred KB at most
    url = server.add(f"/bomb-{encoding}", bomb, headers={"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="byte limit once decoded") as caught:
            fetch(url)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.permanent
    assert peak < 16 << 20, f"decoding peaked at {peak:,} bytes for a 1 MiB cap"


def test_it_refuses_stacked_encodings(server):
    url = server.add("/twice", gzipped(gzipped(b"<p>hello</p>")), headers={"Content-Encoding": "gzip, gzip"})
    with pytest.raises(FetchError, match="stacked encodings") as caught:
        fetch(url)
    assert caught.value.permanent


def test_it_refuses_an_unknown_encoding(server):
    url = server.add("/zstd", b"\x28\xb5\x2f\xfd", headers={"Content-Encoding": "zstd"})
    with pytest.raises(FetchError, match="Unknown content encoding") as caught:
        fetch(url)
    assert caught.value.permanent


def test_it_bounds_a_gzip_body_sent_without_content_encoding(server):
    url = server.add("/hidden-gzip", _zeros_as("gzip", 256 << 20))
    with pytest.raises(FetchError, match="byte limit once decoded") as caught:
        fetch(url)
    assert caught.value.permanent


def test_it_still_undoes_a_small_gzip_sent_without_content_encoding(server):
    url = server.add("/small-gzip", gzipped(b"<html><body>quietly compressed</body></html>"))
    assert "quietly compressed" in fetch(url).text


def test_it_decodes_raw_deflate_and_several_gzip_members(server):
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw.compress(b"<p>raw deflate</p>") + raw.flush()
    server.add("/raw-deflate", body, headers={"Content-Encoding": "deflate"})
    server.add(
        "/members", gzipped(b"<p>first ") + gzipped(b"second</p>"), headers={"Content-Encoding": "gzip"}
    )
    assert "raw deflate" in fetch(server.url("/raw-deflate")).text
    assert "first second" in fetch(server.url("/members")).text


def test_it_bounds_archived_pages_too():
    from scrapers.fetch import TooLarge, inflate

    stored = zlib.compress(b"a" * 5000)
    assert inflate(stored, max_bytes=100, truncate=True) == b"a" * 100
    with pytest.raises(TooLarge):
        inflate(stored, max_bytes=100)
    assert inflate(stored, max_bytes=5000) == b"a" * 5000


# --- Deadlines and redirects --------------------------------------------------------------


def test_it_ends_a_request_whose_headers_trickle_in_at_its_deadline(server):
    # Each byte comes well within the read timeout, so only a deadline for the whole request stops it.
    url = server.add("/trickle", trickle=0.1, trickle_for=15)
    with pytest.raises(FetchError, match="whole request must finish within") as caught:
        fetch(url)
    assert not caught.value.permanent


def test_it_keeps_every_request_inside_its_host_slot_lease(settings):
    settings.SCRAPER_CONNECT_TIMEOUT, settings.SCRAPER_READ_TIMEOUT = 5, 20
    assert fetch_module.request_deadline() == 65
    assert fetch_module.slot_lease() > fetch_module.request_deadline()


@pytest.mark.parametrize("location", ["http:\\\\localhost/x", "http://vendor.example/a b", "/next\\..\\x"])
def test_it_refuses_a_malformed_redirect(server, location):
    url = server.add("/odd", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="malformed address") as caught:
        fetch(url)
    assert caught.value.permanent
