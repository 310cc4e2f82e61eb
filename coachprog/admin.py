"""The admin's shared bases: an emergency tool that follows the pages' rules.

Every ordinary task has a page in the app, whose services validate, keep history and send
e-mail. So the admin is for emergencies only:

- a record whose writes belong to services is read-only in the admin (`ReadOnlyAdmin`), and
  its pages say where the task is done in the app;
- no admin page shows a field the app's pages would not show the person looking
  (`FollowsPagesAdmin`): each row's confidential fields are left out, masked in lists and
  never searched, by the rules each app registers with coachprog.privacy;
- a history version can be read but never reverted (`HistoryAdmin`): a revert is a write
  around the services.

coachprog imports no app: the rules come from the privacy registry.
"""

import dataclasses

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from coachprog.privacy import field_readable, personal_data_for

HIDDEN = "(not shown)"


def hidden_fields(user, model: type[models.Model], rows) -> set[str]:
    """The confidential fields of `model` that the user may not read on at least one of `rows`."""
    entry = personal_data_for(model)
    if entry is None:
        return set()
    hidden = set()
    for rule in entry.confidential:
        if any(not field_readable(user, row, rule) for row in rows):
            hidden.update(rule.fields)
    return hidden


def confidential_fields(model: type[models.Model]) -> set[str]:
    entry = personal_data_for(model)
    return {name for rule in entry.confidential for name in rule.fields} if entry else set()


def _without(fieldsets, hidden: set[str]) -> list:
    kept = []
    for name, options in fieldsets:
        fields = []
        for line in options.get("fields", ()):
            if isinstance(line, list | tuple):
                line = tuple(field for field in line if field not in hidden)
                if line:
                    fields.append(line)
            elif line not in hidden:
                fields.append(line)
        if fields:
            kept.append((name, {**options, "fields": fields}))
    return kept


def _masked_column(model: type[models.Model], name: str, user):
    """A list column that shows the field only on rows the user may read it on."""
    label = model._meta.get_field(name).verbose_name

    @admin.display(description=label, ordering=name)
    def column(obj):
        return HIDDEN if name in hidden_fields(user, model, [obj]) else getattr(obj, name)

    return column


class FollowsPagesAdmin(admin.ModelAdmin):
    """Shows a row's confidential fields only to those the app's pages show them to."""

    # Where the task is done in the app, for the read-only admins; shown on their pages.
    app_note = ""

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets = _without(fieldsets, hidden_fields(request.user, self.model, [obj]))
        if self.app_note and fieldsets:
            name, options = fieldsets[0]
            fieldsets = [(name, {**options, "description": self.app_note}), *fieldsets[1:]]
        return fieldsets

    def get_list_display(self, request: HttpRequest):
        confidential = confidential_fields(self.model)
        return [
            _masked_column(self.model, name, request.user) if name in confidential else name
            for name in super().get_list_display(request)
        ]

    def get_search_fields(self, request: HttpRequest):
        # A search over a confidential field would tell the searcher what it holds.
        confidential = confidential_fields(self.model)
        return [name for name in super().get_search_fields(request) if name.lstrip("^=@") not in confidential]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if self.app_note:
            extra_context = {"subtitle": self.app_note, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class ReadOnlyAdmin(FollowsPagesAdmin):
    """A record written only through services: the admin reads it, the app's pages change it."""

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # Every field is read, never a form input, on the change page and on a kept version alike.
        if self.fields:
            return list(self.fields)
        excluded = set(self.exclude or ())
        opts = self.model._meta
        return [
            field.name
            for field in [*opts.concrete_fields, *opts.many_to_many]
            if not field.primary_key and field.name not in excluded
        ]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's History button, without its Revert: a revert would write around the services."""

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Versions are read here, never restored; make the change in the app.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record):
        # The list of changes shows old and new values: none of a field the user may not read.
        hidden = hidden_fields(request.user, self.model, [historical_record.instance])
        return _ChangesShown(self.model, historical_record, hidden=hidden)


class _ChangesShown(HistoricalRecordContextHelper):
    def __init__(self, model, historical_record, *, hidden: set[str]) -> None:
        super().__init__(model, historical_record)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        shown = [change for change in delta.changes if change.field not in self.hidden]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))


class ReadOnlyHistoryAdmin(HistoryAdmin, ReadOnlyAdmin):
    """A read-only record with its kept history."""


class ReadOnlyInline(admin.TabularInline):
    """An inline that only reads, leaving out confidential fields the user may not read on any of its rows."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return list(self.fields or ())

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        rows = self.get_queryset(request).filter(**{self.fk_name or self._parent_field(): obj})
        return _without(fieldsets, hidden_fields(request.user, self.model, list(rows)))

    def _parent_field(self) -> str:
        return next(
            field.name
            for field in self.model._meta.fields
            if field.is_relation and field.related_model is self.parent_model
        )
