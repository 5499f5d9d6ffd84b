from django.apps import AppConfig


class ScrapersConfig(AppConfig):
    name = "scrapers"
    verbose_name = "Newsrooms and scraping"

    def ready(self):
        from scrapers.extraction.tasks import extract_announcement  # noqa: F401  (registers the task)
