"""What a whole-site backup holds, how it is written, and what counts as an empty database.

A backup is a Django JSON fixture of every row of every model, with foreign keys to
content types and permissions written as natural keys: those two tables are rebuilt by
`migrate` in the target database, perhaps with other ids, so they are left out. Sessions are
left out too (restoring them would sign people back in).
"""

import datetime
from collections.abc import Iterator
from typing import TextIO

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

EXCLUDED = ["contenttypes", "auth.permission", "sessions"]

# Rows that the migrations themselves create. A freshly migrated database has them, and the
# backup's copies (same primary keys, same migrations) replace them on import.
SEEDED_BY_MIGRATIONS = {"auth.group", "cohorts.curriculumtopic", "coaching.meetingfocus"}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model a backup holds (many-to-many tables travel with their models)."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.app_label not in excluded_apps
        and _label(model) not in excluded_models
    ]


def tables_with_data() -> list[str]:
    """Tables that would make a restore unsafe: any row that the migrations did not create."""
    occupied = []
    for model in backed_up_models():
        if _label(model) in SEEDED_BY_MIGRATIONS:
            continue
        if model._base_manager.exists():
            occupied.append(model._meta.db_table)
    return occupied


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds; a backup must keep every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _objects(ordered: list[type[models.Model]]) -> Iterator[models.Model]:
    for model in ordered:
        # The base manager: a default manager that hides archived rows must not drop them here.
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)


def write_backup(stream: TextIO) -> None:
    """Serialise every backed-up row to `stream`, models with natural keys before those that use them."""
    by_app: dict = {}
    for model in backed_up_models():
        by_app.setdefault(model._meta.app_config, []).append(model)
    ordered = serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)
    serializers.serialize(
        "json", _objects(ordered), stream=stream, use_natural_foreign_keys=True, cls=ExactJSONEncoder
    )
