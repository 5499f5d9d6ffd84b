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
        # SQLite only: build the full-text index of the database just migrated (or flushed by
        # a test). Not a model signal: it runs once per migrate, never on a row's save.
        from django.db.models.signals import post_migrate

        from partnerships.search.index import search_index_on_migrate

        post_migrate.connect(search_index_on_migrate, sender=self, dispatch_uid="pactwatch-search-index")
        # Register this app's tasks in every process, so a task enqueued by name (extraction
        # after a scrape) runs eagerly here when no broker is configured.
        import partnerships.tasks  # noqa: F401
