"""System checks of the partnerships app (registered when the app is ready)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_site_url_is_https(app_configs, **kwargs):
    """RFC 8058 one-click unsubscribe requires an https List-Unsubscribe URL."""
    if not (settings.SITE_URL or "").startswith("https://"):
        return [
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}: alert emails need an https URL for one-click unsubscribe.",
                hint="Set SITE_URL=https://your.domain (RFC 8058).",
                id="partnerships.W601",
            )
        ]
    return []
