from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        from partnerships import checks  # noqa: F401  (registers the system checks)

        # Page-cache invalidation must be wired in every process (web, worker, shell). It is
        # the only model signal here: bookkeeping, no mail, task or network call.
        from partnerships.cache import connect_signals

        connect_signals()
        # Register this app's tasks in every process, so a task enqueued by name (extraction
        # after a scrape) runs eagerly here when no broker is configured.
        import partnerships.tasks  # noqa: F401
