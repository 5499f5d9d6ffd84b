"""Settings for the test suite: the real settings, with safe defaults for what tests lack.

The database and Redis still come from the environment, so CI runs the same suite on
PostgreSQL and Redis that developers run on SQLite.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-checks-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: E402,F403

# Unit tests run tasks in-process; tests that need a real worker start one themselves.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SCRAPER_HOST_DELAY = 0.0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if os.environ.get("REDIS_URL"):
    # Tests share one Redis with other runs: keep their keys apart.
    CACHES["default"]["KEY_PREFIX"] = f"pactwatch-test-{os.getpid()}"  # noqa: F405
# Tests roll back instead of committing, so the page cache's version is never bumped and a
# page cached by one test would leak into the next. Cache tests switch it back on.
PAGE_CACHE_ENABLED = False
FRAGMENT_CACHE_ENABLED = False
