from django.core.management.base import BaseCommand

from partnerships.search.index import is_enabled, search_index_install


class Command(BaseCommand):
    help = (
        "Rebuild the SQLite full-text search index from the deal, clause and announcement tables "
        "(migrate and load_dataset do it too). PostgreSQL needs nothing: its search columns are generated."
    )

    def handle(self, *args, **options):
        if not is_enabled():
            self.stdout.write("PostgreSQL keeps its search columns itself; nothing to rebuild.")
            return
        search_index_install()
        self.stdout.write("Rebuilt the search index.")
