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

from coachprog.privacy import personal_data_for, rows_readable

HIDDEN = "(not shown)"


def hidden_by_row(user, model: type[models.Model], rows) -> dict[object, set[str]]:
    """For each of `rows` (by pk), the confidential fields of `model` the user may not read on it.

    One query per rule for the whole page where the rule can ask for many rows at once, so a list or
    an inline costs the same queries for 1 row as for 100.
    """
    rows = list(rows)
    hidden = {row.pk: set() for row in rows}
    entry = personal_data_for(model)
    for rule in entry.confidential if entry else ():
        readable = rows_readable(user, rows, rule)
        for row in rows:
            if row.pk not in readable:
                hidden[row.pk].update(rule.fields)
    return hidden


def hidden_fields(user, model: type[models.Model], rows) -> set[str]:
    """The confidential fields of `model` that the user may not read on at least one of `rows`."""
    return set().union(*hidden_by_row(user, model, rows).values())


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


class _MaskedColumn:
    """A list column that shows the field only on rows the user may read it on.

    The changelist tells it what is hidden on each row of the page at once (`hidden`); a row it was
    not told about is judged alone.
    """

    def __init__(self, model: type[models.Model], name: str, user) -> None:
        self.model, self.name, self.user = model, name, user
        self.short_description = model._meta.get_field(name).verbose_name
        self.admin_order_field = name
        self.__name__ = name
        self.hidden: dict[object, set[str]] = {}

    def __call__(self, obj):
        hidden = self.hidden.get(obj.pk)
        if hidden is None:
            hidden = hidden_fields(self.user, self.model, [obj])
        return HIDDEN if self.name in hidden else getattr(obj, self.name)


class FollowsPagesAdmin(admin.ModelAdmin):
    """Shows a row's confidential fields only to those the app's pages show them to."""

    # Where the task is done in the app, for the read-only admins; shown on their pages.
    app_note = ""
    # A filtered list says "5 results" without counting the whole table again (300,000 data points).
    show_full_result_count = False

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
            _MaskedColumn(self.model, name, request.user) if name in confidential else name
            for name in super().get_list_display(request)
        ]

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        masked = [column for column in changelist.list_display if isinstance(column, _MaskedColumn)]
        if masked:
            # What each row on the page hides, worked out for the page at once rather than row by row.
            hidden = hidden_by_row(request.user, self.model, changelist.result_list)
            for column in masked:
                column.hidden = hidden
        return changelist

    def get_search_fields(self, request: HttpRequest):
        # A search over a confidential field would tell the searcher what it holds.
        confidential = confidential_fields(self.model)
        return [name for name in super().get_search_fields(request) if name.lstrip("^=@") not in confidential]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if self.app_note:
            extra_context = {"subtitle": self.app_note, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class TypedFilter(admin.SimpleListFilter):
    """A list filter typed rather than picked, for a relation to a table that grows with the programme
    (cohorts, directorates, projects): the sidebar lists none of its rows, however many there are.

    Subclasses (made by `typed_filter`) name the text fields matched (icontains) and, optionally, a
    number field matched exactly when the text is a whole number.
    """

    template = "admin/typed_filter.html"
    text_fields: tuple[str, ...] = ()
    number_field = ""
    placeholder = ""

    def lookups(self, request: HttpRequest, model_admin):
        return ()  # nothing to list: the value is typed

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset):
        text = (self.value() or "").strip()[:200]
        if not text:
            return queryset
        condition = models.Q()
        for name in self.text_fields:
            condition |= models.Q(**{f"{name}__icontains": text})
        if self.number_field and text.isdigit() and text.isascii() and len(text) <= 9:
            condition |= models.Q(**{self.number_field: int(text)})
        return queryset.filter(condition).distinct()

    def choices(self, changelist):
        yield {
            "parameter": self.parameter_name,
            "value": self.value() or "",
            "placeholder": self.placeholder,
            # The rest of the list's query (search, other filters), kept when this one is sent or cleared.
            "others": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name != self.parameter_name
                for value in values
            ],
            "clear": changelist.get_query_string(remove=[self.parameter_name]),
        }


def typed_filter(
    title: str, parameter: str, *text_fields: str, number_field: str = "", placeholder: str = ""
) -> type[TypedFilter]:
    """A `TypedFilter` by `title` over `text_fields` (and `number_field`), sent as `?<parameter>=…`."""
    attrs = {
        "title": title,
        "parameter_name": parameter,
        "text_fields": text_fields,
        "number_field": number_field,
        "placeholder": placeholder or f"Part of its name{' or its number' if number_field else ''}",
    }
    return type(f"{parameter.title().replace('_', '')}TypedFilter", (TypedFilter,), attrs)


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
    """An inline that only reads, leaving out confidential fields the user may not read on any of its rows.

    Its rows come with their parent and the rows their shown relations name (and `list_select_related`,
    for what else their names and the pages' rules read), so an enrolment with 80 sessions' attendance
    costs no more queries than one with 8.
    """

    extra = 0
    can_delete = False
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest):
        relations = {
            field.name for field in self.model._meta.concrete_fields if field.many_to_one or field.one_to_one
        }
        shown = [name for name in self.fields or () if name in relations]
        parent = self.fk_name or self._parent_field()  # each row's name (`__str__`) often names it
        return super().get_queryset(request).select_related(parent, *shown, *self.list_select_related)

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
