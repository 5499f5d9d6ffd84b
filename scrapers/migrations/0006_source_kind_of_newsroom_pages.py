"""A page a registered newsroom listed is its vendor's own: mark it "primary", published by the vendor."""

from django.db import migrations


def forwards(apps, schema_editor):
    Announcement = apps.get_model("scrapers", "Announcement")
    Newsroom = apps.get_model("scrapers", "Newsroom")
    for newsroom in Newsroom.objects.select_related("company"):
        publisher = newsroom.company.name if newsroom.company_id else newsroom.name
        Announcement.objects.filter(newsroom=newsroom, source_kind="").update(
            source_kind="primary", publisher=publisher[:200]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("scrapers", "0005_announcement_publisher_source_kind"),
        ("partnerships", "0011_clause_direction_certainty_deal_valuation_ledger"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
