"""Reading the kept history of an object: every version, who made it, when, and what changed.

The history itself is written by django-simple-history on the models that declare
`history = HistoricalRecords()`. This module turns it into versions a person can read,
and gives templates `{% history_link obj %}` (load it with `{% load history %}`), shown
only to programme leads.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django import template
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone

from coachprog.permissions import is_programme_lead

register = template.Library()

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Version:
    when: datetime
    who: object
    kind: str
    changes: list[Change] = field(default_factory=list)


def tracked_model(label: str) -> type[models.Model] | None:
    """The model named `app_label.model_name` if its history is kept, else None."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if hasattr(model, "instance_type") or not hasattr(model, "history"):
        return None
    return model


def history_url(obj: models.Model) -> str:
    return reverse("object_history", args=[obj._meta.label_lower, obj.pk])


def _m2m_ids(model_field, rows) -> list:
    """The linked ids in a many-to-many diff's rows (dicts of the through table's columns)."""
    target = model_field.m2m_reverse_field_name()
    return [row[target] for row in rows or [] if row.get(target) is not None]


def _display(model: type[models.Model], name: str, value, names: dict) -> str:
    if value in (None, ""):
        return "–"
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field that no longer exists shows its raw value
        return str(value)
    if model_field.many_to_many:
        # A many-to-many field kept in history (`m2m_fields`): the rows linked at that version.
        ids = _m2m_ids(model_field, value)
        return ", ".join(sorted(names.get((model_field.related_model, pk), f"#{pk}") for pk in ids)) or "–"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    if isinstance(value, list):  # a JSON list, such as a programme's prerequisite courses
        return ", ".join(str(item) for item in value) or "–"
    return str(value)


def versions(
    model: type[models.Model], pk: int, *, fields: list[str] | None = None, limit: int = 200
) -> list[Version]:
    """The versions of one object, newest first, with the fields each changed (links shown by name)."""
    records = list(
        model.history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    diffs = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        diffs.append(newer.diff_against(older, included_fields=fields).changes if older is not None else [])
    records, diffs = records[:limit], diffs[:limit]
    # Resolve the ids of changed links to names: one query per related model, however many versions.
    wanted: dict[type[models.Model], set] = {}
    for changes in diffs:
        for change in changes:
            model_field = model._meta.get_field(change.field)
            if model_field.many_to_many:
                wanted.setdefault(model_field.related_model, set()).update(
                    _m2m_ids(model_field, change.old) + _m2m_ids(model_field, change.new)
                )
            elif model_field.is_relation:
                wanted.setdefault(model_field.related_model, set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
    names = {
        (related, row.pk): str(row)
        for related, ids in wanted.items()
        for row in related._default_manager.filter(pk__in=ids)
    }
    return [
        Version(
            when=record.history_date,
            who=record.history_user,
            kind=HISTORY_TYPES.get(record.history_type, record.history_type),
            changes=[
                Change(
                    field=str(model._meta.get_field(change.field).verbose_name),
                    old=_display(model, change.field, change.old, names),
                    new=_display(model, change.field, change.new, names),
                )
                for change in changes
            ],
        )
        for record, changes in zip(records, diffs, strict=True)
    ]


@dataclass
class FieldChange:
    when: datetime
    who: object
    field: str
    old: str
    new: str


def field_changes(obj: models.Model, *, fields: list[str] | None = None) -> list[FieldChange]:
    """Each change to the object's fields (or to the named ones), newest first: an edit history."""
    return [
        FieldChange(version.when, version.who, change.field, change.old, change.new)
        for version in versions(type(obj), obj.pk, fields=fields)
        for change in version.changes
    ]


@register.inclusion_tag("history/_link.html", takes_context=True)
def history_link(context, obj: models.Model) -> dict:
    request = context.get("request")
    show = bool(request and is_programme_lead(request.user) and tracked_model(obj._meta.label))
    return {"url": history_url(obj) if show else ""}
