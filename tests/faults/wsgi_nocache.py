"""The project's WSGI application with the cache switched off, so every request reaches the
database (fault tests need requests that really query PostgreSQL)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
application = get_wsgi_application()
