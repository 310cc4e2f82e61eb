"""Root pytest configuration: settings for the test run.

pytest-django reads DJANGO_SETTINGS_MODULE when this file is imported; the
test run needs a secret key but must never borrow a real one.
"""

import os
import uuid

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachprog.settings")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

# pytest-django looked for the settings module before this file set it, so set Django
# up here; test modules and conftest files can then import models at the top.
django.setup()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without running collectstatic, so no hashed manifest exists."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test sees an empty cache, even on the shared Redis that CI uses (login rate limits live there)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }
