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
# The test client and the live server speak plain HTTP, as behind a proxy that redirects to
# HTTPS itself; tests/test_settings.py checks the production default (redirect on).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

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


@pytest.fixture(autouse=True)
def _two_factor_optional(request):
    """Tests sign leads in without an authenticator app, so the site's policy makes two-factor
    optional; the tests of two-factor turn it on (tests/accounts/test_two_factor.py), and
    tests/accounts/test_two_factor.py checks that a site with no saved policy requires it."""
    if "no_saved_policy" in request.keywords:
        return
    uses_database = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_database:
        return
    request.getfixturevalue("_django_db_helper")  # the database access the test asked for
    from coachprog.accounts.models import AccessPolicy

    AccessPolicy.objects.update_or_create(
        pk=AccessPolicy.SINGLETON_PK, defaults={"require_two_factor_for_leads": False}
    )
