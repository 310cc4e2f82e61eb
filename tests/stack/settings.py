"""Settings for the stack test: production settings with a beat schedule that fires every few seconds.

gunicorn, the Celery worker and Celery beat all run with
DJANGO_SETTINGS_MODULE=tests.stack.settings. Everything else comes from the
environment, exactly as in production; only the clock is faster:

- the monthly sponsor run fires every 3 seconds for a fixed day (1 Dec 2026, the first
  working day of December), so the test need not wait for a real first working day;
- the session reminder scan and the outbox sweep fire every 2 seconds;
- the sweep queues a pending message again after 3 seconds (production: 3 minutes) and
  gives up on one stuck in "sending" after 6 seconds (production: 15 minutes);
- static files are served from the source folders, so the test needs no collectstatic.
"""

from datetime import timedelta

from coachprog.settings import *  # noqa: F403

STACK_RUN_DAY = "2026-12-01"

CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "outbox.sweep", "schedule": 2.0},
    "session-reminders": {"task": "cohorts.session_reminders", "schedule": 2.0},
    "sponsor-monthly-updates": {
        "task": "coaching.sponsor_monthly_updates",
        "schedule": 3.0,
        "kwargs": {"today": STACK_RUN_DAY},
    },
}
OUTBOX_REQUEUE_AFTER = timedelta(seconds=3)
OUTBOX_STUCK_AFTER = timedelta(seconds=6)

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
