"""Create the Curator and Viewer staff groups (see partnerships/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from partnerships.roles import sync_role_groups


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); on a fresh
    # database they do not exist yet, so create them now from the migration state.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)


def drop_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Curator", "Viewer"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0003_deal_publish_permission"),
        ("scrapers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_groups, drop_groups),
    ]
