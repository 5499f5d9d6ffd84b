"""The scrapers' loopback HTTP server and settings, for the partnership tests that fetch (parse_filing)."""

from tests.scrapers.conftest import _server, scraper_settings, server  # noqa: F401
