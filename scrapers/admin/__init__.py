"""Scraping in the admin: newsrooms (``newsrooms``), the archive and its hand-added
announcements (``archive``, ``submissions``), the EDGAR watchlist and filings (``filings``).
Importing the package registers them all."""

from scrapers.admin import archive, filings, newsrooms  # noqa: F401 - importing registers the model admins
