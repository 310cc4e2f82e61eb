"""WSGI entry point, served by gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")

from coachprog.production import require_real_secret_key  # noqa: E402  (needs the settings module set)

require_real_secret_key()
application = get_wsgi_application()
