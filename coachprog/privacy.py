"""One person's data: a subject access export, and erasure of a person who has left.

coachprog imports no app, so it finds a person's rows through the model registry
(every foreign key and many-to-many field that points at the user model), and each
app registers at start-up what erasing a person does to its own rows (`eraser`) and
what must happen first (`blocker`, e.g. "end their coaching assignment").

Erasure keeps the programme's history whole: rows the person is linked to stay, so a
project's meetings and data keep their dates and counts; the person's identity (name,
e-mail, sign-in, private free text) is replaced by a placeholder and their account can
no longer sign in.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

Blocker = Callable[[models.Model], list[str]]
Eraser = Callable[[models.Model], None]
# Rows about a person that link to them only through another row (attendance, through an enrolment).
RowsFinder = Callable[[models.Model], list[models.QuerySet]]


@dataclass(frozen=True)
class _Hooks:
    blockers: list[Blocker]
    erasers: list[Eraser]
    rows: list[RowsFinder]


_hooks = _Hooks(blockers=[], erasers=[], rows=[])


def register_erasure(
    *, blocker: Blocker | None = None, eraser: Eraser | None = None, rows: RowsFinder | None = None
) -> None:
    """Called from an app's `ready()`: what must happen before erasure, what erasure does to the
    app's rows, and which of its rows are about a person without pointing at them directly."""
    for hook, registered in ((blocker, _hooks.blockers), (eraser, _hooks.erasers), (rows, _hooks.rows)):
        if hook is not None and hook not in registered:
            registered.append(hook)


def _is_history_table(model: type[models.Model]) -> bool:
    # django-simple-history's tables record who changed what; they are exported through the
    # rows they track, not on their own.
    return hasattr(model, "instance_type")


def person_querysets(person) -> list[tuple[str, models.QuerySet]]:
    """Every model's rows linked to the person, by model label, in one query per model."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if model is user_model or _is_history_table(model) or model._meta.auto_created:
            continue
        links = [
            field.name
            for field in model._meta.get_fields()
            if getattr(field, "concrete", False)
            and (field.many_to_one or field.one_to_one or field.many_to_many)
            and field.related_model is user_model
        ]
        if not links:
            continue
        condition = Q()
        for name in links:
            condition |= Q(**{name: person})
        found.append((model._meta.label, model._default_manager.filter(condition).distinct().order_by("pk")))
    for finder in _hooks.rows:
        found.extend((queryset.model._meta.label, queryset.order_by("pk")) for queryset in finder(person))
    return found


def person_data_export(person) -> dict:
    """Everything stored about a person (a subject access request), as plain data ready for JSON."""
    records = {}
    for label, queryset in person_querysets(person):
        rows = serializers.serialize("python", queryset)
        if rows:
            records.setdefault(label, []).extend({"id": row["pk"], **row["fields"]} for row in rows)
    return {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "email": person.email,
            "display_name": person.display_name,
            "organisation_unit": str(person.organisation_unit) if person.organisation_unit_id else None,
            "date_joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
            "is_active": person.is_active,
            "groups": sorted(person.groups.values_list("name", flat=True)),
        },
        "records": records,
    }


def erasure_blockers(person) -> list[str]:
    """What must be done before the person can be erased (empty when nothing stands in the way)."""
    reasons = []
    for blocker in _hooks.blockers:
        reasons.extend(blocker(person))
    return reasons


ERASED_DOMAIN = "erased.invalid"  # .invalid can never receive mail (RFC 2606)


def is_erased(person) -> bool:
    return person.email.endswith("@" + ERASED_DOMAIN)


@transaction.atomic
def person_erase(*, person, erased_by) -> None:
    """Replace a departed person's identity with a placeholder, keeping the rows that make up history."""
    if person.pk == erased_by.pk:
        raise ValidationError("You cannot erase your own account; ask another programme lead.")
    if is_erased(person):
        raise ValidationError(f"{person} has already been erased.")
    if reasons := erasure_blockers(person):
        raise ValidationError(reasons)
    for eraser in _hooks.erasers:
        eraser(person)
    # Sign-in identities held by allauth (e-mail addresses, two-factor devices) go entirely.
    for label in ("account.EmailAddress", "mfa.Authenticator", "socialaccount.SocialAccount"):
        if _app_label_installed(label):
            apps.get_model(label).objects.filter(user=person).delete()
    person.display_name = f"Former member {person.pk}"
    person.email = f"erased-{person.pk}@{ERASED_DOMAIN}"
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    logger.info("Person %s erased by user %s", person.pk, erased_by.pk)


def _app_label_installed(label: str) -> bool:
    app_label = label.split(".")[0]
    return any(config.label == app_label for config in apps.get_app_configs())
