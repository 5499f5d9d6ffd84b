"""Links as the publisher gave them, with the canonical form kept apart as the de-duplication key.

Until now ``url`` held the canonical form (a trailing slash stripped, tracking parameters
dropped). Existing rows keep it as their link (the spelling they were given is lost) and
get its canonical form as ``url_key``. Two old rows whose links share a key (a page cited
by the dataset in one spelling and scraped in another) cannot both hold it: the older one
does, the newer keeps its own link as its key, and neither is lost.
"""

from django.db import migrations, models

from scrapers.adapters.base import canonical_url


def fill_url_keys(apps, schema_editor):
    Announcement = apps.get_model("scrapers", "Announcement")
    taken: set[str] = set()
    rows = []
    for pk, url in Announcement.objects.order_by("pk").values_list("pk", "url").iterator(chunk_size=2000):
        key = canonical_url(url) or url
        for choice in (key, url, f"{url}#announcement-{pk}"):
            if choice not in taken:
                key = choice
                break
        taken.add(key)
        rows.append(Announcement(pk=pk, url_key=key[:1000]))
    Announcement.objects.bulk_update(rows, ["url_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("scrapers", "0006_source_kind_of_newsroom_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="url_key",
            field=models.CharField(default="", editable=False, max_length=1000),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="announcement",
            name="url",
            field=models.URLField(
                help_text="The address as the publisher gave it.", max_length=1000, unique=True
            ),
        ),
        migrations.RunPython(fill_url_keys, migrations.RunPython.noop),
    ]
