"""Celery tasks of the outbox: thin, named, idempotent; they take ids and call services."""

from datetime import date

from django.utils import timezone

from coachprog.celery import app
from coachprog.outbox import services


# acks_late + reject_on_worker_lost: a task whose worker dies is delivered again; the claim
# in message_send makes the second delivery harmless.
@app.task(name="outbox.send", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_send(message_id: int) -> bool:
    return services.message_send(message_id=message_id)


@app.task(name="outbox.sweep", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_sweep() -> dict[str, int]:
    return services.outbox_sweep()


@app.task(name="outbox.weekly_digests", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def weekly_digests(today: str | None = None) -> int:
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.digests_queue(today=day)
