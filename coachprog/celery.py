"""The Celery application. Configuration comes from Django settings (CELERY_*).

Task modules import `app` from here and declare tasks with `@app.task(name=...)`,
so the app is configured wherever a task is defined, queued or run.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")

from coachprog.production import require_real_secret_key  # noqa: E402  (needs the settings module set)

require_real_secret_key()
app = Celery("coachprog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
