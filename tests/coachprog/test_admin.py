"""Every model is in the admin, and each list and change page opens on demo-like data."""

import pytest
from django.apps import apps
from django.contrib import admin

from coachprog.accounts.models import User

DOMAIN_APPS = {"accounts", "cohorts", "projects", "coaching"}


def test_every_domain_model_is_registered_in_the_admin():
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in DOMAIN_APPS
        and not m._meta.auto_created
        # A history table is read through its tracked model's admin ("History" button).
        and not hasattr(m, "instance_type")
    ]

    assert [m.__name__ for m in models if m not in admin.site._registry] == []


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in DOMAIN_APPS], ids=lambda m: m.__name__
)
def test_admin_list_and_change_pages_open(client, demo_db, model):
    client.force_login(User.objects.create_superuser(email="admin@example.org", password="x"))
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    assert client.get(base).status_code == 200
    assert client.get(base + "?q=a").status_code == 200
    first = model.objects.order_by("pk").first()
    if first is not None:
        assert client.get(f"{base}{first.pk}/change/").status_code == 200
