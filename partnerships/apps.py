from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        # Page-cache invalidation must be wired in every process (web, worker, shell).
        from partnerships.cache import connect_signals

        connect_signals()
