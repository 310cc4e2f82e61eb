"""Periodic tasks of the coaching app: thin and named; the work is in coaching.reminders.

Each takes an optional ISO date (`today`) so a run can be repeated for a given day by hand
(`celery -A coachprog call coaching.sponsor_monthly_updates --kwargs '{"today": "2026-12-01"}'`).
"""

from datetime import date

from coaching import reminders
from coachprog.celery import app


def _day(today: str | None) -> date | None:
    return date.fromisoformat(today) if today else None


@app.task(
    name="coaching.sponsor_monthly_updates", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def sponsor_monthly_updates(today: str | None = None, force: bool = False) -> int:
    return reminders.sponsor_monthly_run(today=_day(today), force=force)


@app.task(
    name="coaching.coach_update_reminders", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def coach_update_reminders(today: str | None = None) -> int:
    return reminders.coach_update_reminders_queue(today=_day(today))


@app.task(name="coaching.coach_nudges", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def coach_nudges(today: str | None = None) -> int:
    return reminders.coach_nudges_queue(today=_day(today))
