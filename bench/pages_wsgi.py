"""The real Pactwatch app plus a hello-world view at ``/__hello__/``, for bench/pages.py.

Serving both from one gunicorn means the baseline and the pages share workers, middleware,
settings and machine load, so their ratio is fair even when the machine is busy.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


# Set Django up first: the project's URLconf imports the admin, which needs the app registry.
application = get_wsgi_application()
urlpatterns = [path("__hello__/", hello), path("", include("config.urls"))]
settings.ROOT_URLCONF = __name__
