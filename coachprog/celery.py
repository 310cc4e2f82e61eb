"""The Celery application. Configuration comes from Django settings (CELERY_*).

Task modules import `app` from here and declare tasks with `@app.task(name=...)`,
so the app is configured wherever a task is defined, queued or run.
"""

import os
import sys

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")

app = Celery("coachprog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def refuse_unsafe_settings(**_) -> None:
    """A worker or beat that sends people e-mail must not start on the development key, nor
    without a broker (it would wait on an in-memory queue nothing else can reach).

    Checked when those processes start, not on import: management commands (migrate,
    demo_data, runchart) import task modules and need no key.
    """
    from django.core.exceptions import ImproperlyConfigured

    from coachprog.production import require_production_settings

    try:
        require_production_settings()
    except ImproperlyConfigured as refused:
        # Celery logs and ignores exceptions from signal handlers; leaving is the only refusal.
        sys.stderr.write(f"ImproperlyConfigured: {refused}\n")
        raise SystemExit(1) from refused
