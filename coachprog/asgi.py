"""ASGI entry point (not used by the default stack, kept for completeness)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")

application = get_asgi_application()
