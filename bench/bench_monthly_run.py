"""Time the monthly sponsor run for 1,000 sponsors, and count its queries.

Run from anywhere with the project's Python (SQLite by default; set DATABASE_URL to a
PostgreSQL server to measure there: a throwaway test database is created and dropped):
    .venv/bin/python bench/bench_monthly_run.py [--sponsors N]

Each sponsor has two projects with a ready update for October 2026 and one without.
Three phases are timed separately:
- "queue": `sponsor_monthly_run` on 2 Nov 2026 — the reads and one outbox row per sponsor
  (tasks are published to Celery's in-memory broker, not run);
- "re-run": the same run again, as a duplicate beat tick would: it must add nothing;
- "send": `message_send` for every row, through Django's in-memory e-mail backend (no SMTP).
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")
# Importing the Celery app needs a key; this process serves nobody.
os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 50)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

OCTOBER = date(2026, 10, 1)
RUN_DAY = date(2026, 11, 2)


def build(sponsors: int) -> None:
    from tests.factories import MonthlyUpdateFactory, ProjectFactory, UserFactory

    for _ in range(sponsors):
        sponsor = UserFactory(password="x")
        for _ in range(2):
            MonthlyUpdateFactory(project=ProjectFactory(sponsor=sponsor), month=OCTOBER, ready=True)
        ProjectFactory(sponsor=sponsor)


def timed(function):
    reset_queries()  # Django keeps the last 9,000 queries only; count each phase from zero
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    return result, elapsed, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sponsors", type=int, default=1000)
    args = parser.parse_args()

    from coachprog.celery import app

    setup_test_environment()  # locmem e-mail backend
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app.conf.task_always_eager = False  # queue to the in-memory broker; the send phase is timed alone
    app.conf.broker_url = "memory://"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from coaching.reminders import sponsor_monthly_run
        from coachprog.outbox.models import Message
        from coachprog.outbox.services import message_send

        start = time.perf_counter()
        build(args.sponsors)
        print(f"{connection.vendor}, {args.sponsors} sponsors built in {time.perf_counter() - start:.1f} s")

        written, elapsed, queries = timed(lambda: sponsor_monthly_run(today=RUN_DAY))
        assert written == args.sponsors, written
        print(f"queue:  {elapsed:6.2f} s, {queries} queries ({queries / args.sponsors:.2f} per sponsor)")

        written, elapsed, queries = timed(lambda: sponsor_monthly_run(today=RUN_DAY))
        assert written == 0, written
        print(f"re-run: {elapsed:6.2f} s, {queries} queries (nothing new)")

        ids = list(Message.objects.values_list("pk", flat=True))
        sent, elapsed, queries = timed(lambda: sum(message_send(message_id=pk) for pk in ids))
        assert sent == args.sponsors, sent
        print(f"send:   {elapsed:6.2f} s, {queries} queries ({queries / len(ids):.2f} per message)")
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
