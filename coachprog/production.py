"""Guards for the processes that serve people: the web app and Celery."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_real_secret_key() -> None:
    """Refuse to serve on the development key unless DEBUG is on."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )


def require_task_queue() -> None:
    """Refuse to serve without a broker unless DEBUG is on or in-process tasks were asked for.

    Without Redis, tasks run inside the web process and nothing runs on a schedule: no monthly
    sponsor updates, no reminders, no retries of failed e-mail. That must be a choice.
    """
    if not settings.DEBUG and not settings.REDIS_URL and not settings.TASKS_IN_PROCESS:
        raise ImproperlyConfigured(
            "REDIS_URL is not set. Set REDIS_URL (e.g. redis://redis:6379/0) and run a Celery worker "
            "and one beat, or set TASKS_IN_PROCESS=true to run tasks inside the web process: then no "
            "scheduled e-mail (monthly sponsor updates, reminders, retries) is ever sent."
        )


def require_production_settings() -> None:
    """Every guard a serving process runs before it starts."""
    require_real_secret_key()
    require_task_queue()
