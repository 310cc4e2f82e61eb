import pytest
from django.db import transaction
from django.test import override_settings

from coaching.demo import demo_data_load

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo programme, loaded once per module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_data_load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_db(demo, db, settings):
    """Per-test access to the module's demo data (each test still rolls back its own changes)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
