"""Text people typed is shown as text: markup stored anywhere never renders as live HTML.

Every free-text column of every domain model in the demo programme is overwritten with a
script payload, then every page in the URL matrix is opened as each signed-in role. No
HTML page may contain the payload unescaped. (CSV, Excel, iCalendar and JSON downloads
are not HTML; spreadsheets are guarded against formulas by coachprog.exports.)
"""

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from tests.coachprog.test_url_matrix import MATRIX, ROLES
from tests.coachprog.world import World, build_world, client_for

MARKER = '<script>alert("stored")</script>'
DOMAIN_APPS = ["cohorts", "projects", "coaching"]
# Columns the app generates or that identify rows, not text anyone types.
NOT_TYPED = {"slug", "token", "uid"}


@pytest.fixture(scope="module")
def world(demo, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        return build_world()


def poison_every_text_column() -> int:
    changed = 0
    for app_label in DOMAIN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if hasattr(model, "instance_type"):  # history tables are read through their records' pages
                continue
            # The row's id after the payload keeps unique columns unique.
            columns = {
                field.name: Concat(Value(MARKER), Cast("pk", models.CharField()))
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField)
                and not field.choices
                and field.name not in NOT_TYPED
                and (field.max_length or 1000) >= len(MARKER) + 20
            }
            if columns:
                changed += model._default_manager.update(**columns)
    return changed


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_stored_markup_never_renders_as_html(demo_db, world, role):
    client = client_for(role)
    with transaction.atomic():
        assert poison_every_text_column() > 100
        leaks = []
        for name, row in MATRIX.items():
            response = client.get(reverse(name, kwargs=row.kwargs(world)), follow=True)
            html = response.get("Content-Type", "").startswith("text/html")
            if html and MARKER in response.content.decode(errors="replace"):
                leaks.append(name)
        transaction.set_rollback(True)
    assert leaks == []
