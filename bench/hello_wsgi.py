"""A hello-world Django view behind the project's full middleware stack, for the throughput
baseline: the fastest any Pactwatch page could be on this machine and configuration."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
