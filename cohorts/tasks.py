"""Periodic tasks of the cohorts app: thin and named; the work is in cohorts.reminders."""

from coachprog.celery import app
from cohorts.reminders import session_reminders_queue


@app.task(name="cohorts.session_reminders", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def session_reminders() -> int:
    return session_reminders_queue()
