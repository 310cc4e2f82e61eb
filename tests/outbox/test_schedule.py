"""The beat schedule in settings names real tasks, at the documented Europe/London times."""

import pytest
from celery.schedules import crontab
from django.conf import settings

from coachprog.celery import app
from coachprog.outbox.services import MAX_COUNTDOWN, RETRY_DELAYS


@pytest.fixture(scope="module")
def tasks():
    app.loader.import_default_modules()  # what a worker does at start: import every app's tasks
    return app.tasks


def test_every_scheduled_task_exists_and_is_safe_to_deliver_twice(tasks):
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = tasks[entry["task"]]
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True), name


def test_schedule_times(tasks):
    schedule = {name: entry["schedule"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}

    assert schedule == {
        "outbox-sweep": 60.0,
        "session-reminders": crontab(minute="*/15"),
        "sponsor-monthly-updates": crontab(minute=0, hour=7, day_of_month="1-7"),
        "coach-update-reminders": crontab(minute=0, hour=9, day_of_month=25),
        "coach-nudges": crontab(minute=0, hour=8, day_of_week="mon"),
        "weekly-digests": crontab(minute=30, hour=7, day_of_week="mon"),
    }
    assert settings.CELERY_TIMEZONE == "Europe/London"


def test_the_send_task_is_claimed_late_and_named(tasks):
    send = tasks["outbox.send"]

    assert (send.acks_late, send.reject_on_worker_lost) == (True, True)


def test_no_retry_waits_in_redis_longer_than_its_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert MAX_COUNTDOWN.total_seconds() < visibility / 2
    # Longer waits are not Celery countdowns: the sweep picks those messages up when due.
    assert [d for d in RETRY_DELAYS if d > MAX_COUNTDOWN] == [RETRY_DELAYS[-1]]
