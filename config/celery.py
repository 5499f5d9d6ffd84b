"""Celery application, configured from Django settings (``CELERY_*``).

Celery's Django integration closes every database connection before and after each task,
so a worker logs in to PostgreSQL again for every task whatever ``CONN_MAX_AGE`` says (one
new session per task was measured with a prefork worker). A worker here treats a task
the way Django treats a request instead: ``close_old_connections`` before and after it,
which closes only connections that are broken, in a failed transaction, or older than
``CONN_MAX_AGE`` (health-checked on first use, ``CONN_HEALTH_CHECKS``). Each thread of a
threads pool keeps its own connection across tasks.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django's system checks run before a worker takes its first task unless this is set: about
# a second of CPU on every start. The deployment runs them once (`manage.py check --deploy`
# in the migrate step the workers wait for), so a restarted worker checks feeds at once.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("pactwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _close_old_connections(sender=None, **kwargs) -> None:
    if sender is not None and getattr(sender.request, "is_eager", False):
        return  # an eager task runs inside the caller's request or test transaction
    from django.db import close_old_connections

    close_old_connections()


def database_connections_reuse(celery_app: Celery) -> bool:
    """Swap the Django fixup's per-task close for ``close_old_connections``; False without the fixup."""
    fixups = [fixup for fixup in celery_app._fixups if hasattr(fixup, "worker_fixup")]
    if not fixups:
        return False
    worker_fixup = fixups[0].worker_fixup
    signals.task_prerun.disconnect(worker_fixup.on_task_prerun)
    signals.task_postrun.disconnect(worker_fixup.on_task_postrun)
    signals.task_prerun.connect(_close_old_connections, weak=False, dispatch_uid="pactwatch-db-prerun")
    signals.task_postrun.connect(_close_old_connections, weak=False, dispatch_uid="pactwatch-db-postrun")
    return True


@signals.worker_init.connect(weak=False)
def _reuse_connections_in_worker(sender=None, **kwargs) -> None:
    # Runs after the fixup's own worker_init receiver (connected when the app was created),
    # which is what connects the per-task close this replaces.
    database_connections_reuse(app)
