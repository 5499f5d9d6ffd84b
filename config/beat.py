"""Beat's own Celery app: ``celery -A config.beat beat``.

Beat only sends task names on a schedule, so it needs the broker, the schedule and the
routes from the settings, but neither Django's apps nor the task modules. The project's
app (``config.celery``) would load both through Celery's Django integration (and run the
system checks) in beat too: about 135 MB resident instead of about 40.

Its scheduler also sends the dispatcher at start instead of one tick later, so a beat
restarted by a deploy hands out due newsrooms at once.
"""

import os

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Entries sent at beat's start, then on their schedule.
RUN_AT_START = ("dispatch-due-newsrooms",)


class Scheduler(PersistentScheduler):
    """The default scheduler, with ``RUN_AT_START`` entries due at once."""

    def setup_schedule(self):
        super().setup_schedule()
        for name in RUN_AT_START:
            entry = self.schedule.get(name)
            run_every = getattr(entry.schedule, "run_every", None) if entry else None
            if run_every is not None:
                entry.last_run_at = entry.default_now() - run_every


# No fixups: the Django one would call django.setup() and import every task module.
app = Celery("pactwatch", fixups=[], set_as_current=False)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_scheduler = "config.beat:Scheduler"
