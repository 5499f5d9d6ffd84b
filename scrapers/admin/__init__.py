"""Scraping in the admin: newsrooms (``newsrooms``), the archive and its hand-added
announcements (``archive``, ``submissions``). Importing the package registers them all."""

from scrapers.admin import archive, newsrooms  # noqa: F401 - importing registers the model admins
