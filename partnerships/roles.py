"""Staff roles as permission sets, so groups can be (re)built from code.

Rules rather than a frozen list of permissions: a model added later to ``partnerships``
or ``scrapers`` becomes visible to both roles the next time the groups are synced
(``createcurator`` syncs them; so does the data migration that first creates them).
"""

CURATOR = "Curator"
VIEWER = "Viewer"
ROLE_APPS = ("partnerships", "scrapers")

# Models a curator edits in full (rows inline on a deal or a company can be removed).
_CURATOR_FULL = {
    ("partnerships", "clause"),
    ("partnerships", "dealparty"),
    ("partnerships", "company"),
    ("partnerships", "companyalias"),
}
# Models a curator edits but never deletes: a deal is rejected or retracted, never deleted;
# a newsroom is switched off rather than removed (its runs and announcements stay); an
# announcement submission is the record of an "Add announcement".
_CURATOR_EDIT = {
    ("partnerships", "deal"),
    ("scrapers", "newsroom"),
    ("scrapers", "announcementsubmission"),
}
# Personal data of subscribers: not part of curation, hidden from both roles.
_PRIVATE_MODELS = {"subscription", "alertevent", "alertdelivery", "digest"}


def role_permissions(permissions, role: str) -> list:
    """Pick the permissions a role should hold from an iterable of Permission rows."""
    chosen = []
    for perm in permissions:
        app, model = perm.content_type.app_label, perm.content_type.model
        if app not in ROLE_APPS or model in _PRIVATE_MODELS or model.startswith("historical"):
            continue
        action = perm.codename.split("_", 1)[0]
        if action == "view" or (role == CURATOR and _curator_may(app, model, action, perm.codename)):
            chosen.append(perm)
    return chosen


def _curator_may(app: str, model: str, action: str, codename: str) -> bool:
    if codename == "publish_deal":
        return True
    if (app, model) in _CURATOR_FULL:
        return action in {"add", "change", "delete"}
    return (app, model) in _CURATOR_EDIT and action in {"add", "change"}


def sync_role_groups(apps=None) -> dict[str, int]:
    """Create the Curator and Viewer groups and set their permissions exactly.

    ``apps`` is the migration state registry inside a data migration, Django's app
    registry otherwise. Returns how many permissions each group holds.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label__in=ROLE_APPS).select_related("content_type")
    )
    counts = {}
    for role in (CURATOR, VIEWER):
        group, _ = Group.objects.get_or_create(name=role)
        chosen = role_permissions(perms, role)
        group.permissions.set(chosen)
        counts[role] = len(chosen)
    return counts


def _sync_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Permissions of models added after the groups migration exist only once their app's
    # post_migrate handler ran; re-sync after each role app so both groups pick them up.
    # The admin (which connects this) may load before auth, whose own post_migrate handler
    # creates the permissions: create this app's first, or a fresh database's groups miss them.
    if app_config is not None and app_config.label in ROLE_APPS:
        from django.contrib.auth.management import create_permissions

        create_permissions(app_config, verbosity=0, using=using)
        sync_role_groups()


def connect_role_sync() -> None:
    from django.db.models.signals import post_migrate

    post_migrate.connect(_sync_after_migrate, dispatch_uid="partnerships-roles-sync")
