from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from partnerships.api.app import api

admin.site.site_header = "Pactwatch curation"
admin.site.site_title = "Pactwatch admin"
admin.site.index_title = "Review and curate"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # The read API and its schema and docs (partnerships.api).
    path("api/v1/", api.urls),
    path("", include("partnerships.urls")),
]
