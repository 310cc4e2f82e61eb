"""WSGI entry point, served by gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")

from coachprog.production import require_production_settings  # noqa: E402  (needs the settings module set)

require_production_settings()
application = get_wsgi_application()
