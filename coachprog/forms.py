"""Form fields shared by every app.

Django's model choice fields send any whole number a browser posts to the database as
an id; one beyond the database's integer range is a server error (an overflow) rather
than "not a valid choice". These refuse such ids first. Every form uses them in place of
Django's (tests/coachprog/test_fuzz_forms.py checks), and ModelForms get them through
`ModelForm` below.

Likewise every date a person types is in the years 1900 to 2100 (`DateField`,
`DateTimeField`), and every decimal fits the column it is stored in, judged without
arithmetic that could trap on a huge exponent (`DecimalField`); see `coachprog.bounds`.
"""

import re
from typing import NamedTuple

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join

from coachprog.bounds import (
    DATE_RANGE_TEXT,
    EARLIEST_DATE,
    LATEST_DATE,
    TOO_LARGE,
    TOO_PRECISE,
    date_in_range,
    decimal_problem,
    decimal_range_text,
    fitted_decimal,
)

LARGEST_ID = 2**63 - 1  # a PostgreSQL bigint; SQLite's integers are the same size


def _is_storable_id(value) -> bool:
    try:
        return abs(int(str(value).strip())) <= LARGEST_ID
    except (TypeError, ValueError):
        return True  # not a number at all: Django's own check names it invalid


class QuickSelect(forms.Select):
    """Django's Select, writing the same HTML in Python rather than through a template per option.

    Django renders each option with its own template include: a select of a few hundred
    directorates or cohorts (a filter at a network's size) cost tens of milliseconds a page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = format_html_join(
            "", "{}", ((_option_group(group, options),) for group, options, _ in widget["optgroups"])
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], _attributes(widget["attrs"]), groups
        )


def _option_group(group: str | None, options: list[dict]) -> str:
    rows = format_html_join(
        "",
        '\n  <option value="{}"{}>{}</option>\n',
        ((str(option["value"]), _attributes(option["attrs"]), option["label"]) for option in options),
    )
    return format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group, rows) if group else rows


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them (True: the name alone; False: left out)."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', str(value)))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class ModelChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def to_python(self, value):
        if value not in self.empty_values and not self.to_field_name and not _is_storable_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if not self.to_field_name:
            for pk in value:
                if not _is_storable_id(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


DATE_OUT_OF_RANGE = f"Enter a date in the years {DATE_RANGE_TEXT}."


class _BoundedDates:
    """Refuses dates outside 1900–2100 with a message naming the range; date pickers offer only those."""

    def to_python(self, value):
        value = super().to_python(value)
        day = value.date() if hasattr(value, "date") else value
        if day is not None and not date_in_range(day):
            raise ValidationError(DATE_OUT_OF_RANGE, code="out_of_range")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        input_type = getattr(widget, "input_type", "")
        if input_type == "date":
            attrs.update(min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())
        elif input_type == "month":
            attrs.update(min=f"{EARLIEST_DATE:%Y-%m}", max=f"{LATEST_DATE:%Y-%m}")
        return attrs


class DateField(_BoundedDates, forms.DateField):
    pass


class DateTimeField(_BoundedDates, forms.DateTimeField):
    pass


class DecimalField(forms.DecimalField):
    """A decimal that fits its column: `max_digits` and `decimal_places` are required.

    A huge exponent ("1e1000000") is refused with the range, never by arithmetic that traps.
    """

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or not value.is_finite():
            return value  # `validate` names a missing or non-finite value
        problem = decimal_problem(value, max_digits=self.max_digits, decimal_places=self.decimal_places)
        if problem == TOO_PRECISE:
            places = "place" if self.decimal_places == 1 else "places"
            raise ValidationError(f"Enter a number with at most {self.decimal_places} decimal {places}.")
        if problem == TOO_LARGE:
            span = decimal_range_text(self.max_digits, self.decimal_places)
            raise ValidationError(f"Enter a number from {span}.")
        return fitted_decimal(value)


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """The form field for a model field: safe choice fields for relations, bounded dates and decimals."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    elif isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    elif isinstance(db_field, models.DecimalField) and not db_field.choices:
        kwargs.setdefault("form_class", DecimalField)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """A ModelForm whose relation fields refuse out-of-range ids and whose dates and decimals are bounded
    (see the module's docstring)."""

    class Meta:
        formfield_callback = formfield


MATCHES_NAMED = 5  # matches named in a "several people match" message
MATCHES_SHOWN = 10  # matches a type-ahead offers


def _ids(values) -> list[int]:
    """The values that are ids a row could have; anything else a browser sent is dropped."""
    ids = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and text.isascii() and _is_storable_id(text):
            ids.append(int(text))
    return ids


def people_matching(people: models.QuerySet, text: str, *, limit: int, exclude=()) -> list:
    """Up to `limit` people whose name or address holds every word typed (the first five words),
    in name order: one bounded query, whatever the number of people."""
    matches = people.exclude(pk__in=_ids(exclude))
    for word in text.split()[:5]:
        matches = matches.filter(models.Q(display_name__icontains=word) | models.Q(email__icontains=word))
    return list(matches.order_by("display_name", "email")[:limit])


def person_typed(people: models.QuerySet, text: str):
    """The one person `text` names, as an e-mail address or part of a name; otherwise a ValidationError
    that says why, naming several matches with their addresses so the right one can be typed."""
    if "@" in text:
        person = people.filter(email__iexact=text).first()
        if person is None:
            raise ValidationError(
                f"No one who can sign in has the address “{text}”: check it, or ask a programme lead "
                "to invite them."
            )
        return person
    exact = list(people.filter(display_name__iexact=text)[:2])
    if len(exact) == 1:
        return exact[0]
    found = people_matching(people, text, limit=MATCHES_NAMED + 1)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            f"No one who can sign in matches “{text}”: type their e-mail address or part of their name."
        )
    named = "; ".join(f"{person.display_name or person.email} ({person.email})" for person in found[:5])
    more = " and others" if len(found) > MATCHES_NAMED else ""
    raise ValidationError(
        f"Several people match “{text}”: {named}{more}. Type the e-mail address of the one you mean."
    )


class PersonField(forms.CharField):
    """A person, typed as their e-mail address or part of their name.

    No list of everyone: it works without JavaScript and with any number of people (one bounded
    query). Several matches are named, with their addresses, so the person can type the one meant.
    """

    MATCHES_NAMED = MATCHES_NAMED

    def __init__(self, *, queryset: models.QuerySet | None = None, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 254})
        )
        super().__init__(**kwargs)
        self.queryset = queryset

    def _people(self) -> models.QuerySet:
        if self.queryset is not None:
            return self.queryset
        return get_user_model().objects.filter(is_active=True)

    def prepare_value(self, value):
        return getattr(value, "email", value)  # a person given as initial shows as their address

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return person_typed(self._people(), text)


# --- Several people: chosen ones ticked, more added by typing ---------------------------------------

ADD_SUFFIX = "_add"
MOST_ADDED_AT_ONCE = 10


class PeopleValue(NamedTuple):
    """What a people picker posts: the ids of the people ticked, and the text typed to add more."""

    chosen: list
    add: str


class PeoplePicker(forms.Widget):
    """The people chosen, each a ticked box (untick to remove), and a box to add more by typing.

    It works as a plain form post: typed names and addresses are found when the form is sent. With
    htmx and a `search_url`, matches appear as the person types, and picking one ticks them at once.
    """

    template_name = "includes/_people_picker.html"
    use_fieldset = True  # a legend for the group; the chosen boxes and the add box have their own labels

    def __init__(self, attrs=None, *, search_url: str = ""):
        super().__init__(attrs)
        self.search_url = search_url
        self.people: models.QuerySet | None = None  # set by PeopleField: whom ticked ids may name

    def value_from_datadict(self, data, files, name) -> PeopleValue:
        chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if chosen is None:
            chosen = []
        elif isinstance(chosen, str | int):
            chosen = [chosen]
        return PeopleValue(list(chosen), str(data.get(name + ADD_SUFFIX) or ""))

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and name + ADD_SUFFIX not in data

    def id_for_label(self, id_):
        return ""  # the group has a legend; the add box and each ticked box have labels of their own

    def chosen_people(self, value) -> list:
        """The people to show ticked: given as people (initial), or as posted ids (one query)."""
        chosen, _ = value if isinstance(value, PeopleValue) else (value or [], "")
        people = [item for item in chosen if isinstance(item, models.Model)]
        ids = _ids(item for item in chosen if not isinstance(item, models.Model))
        if ids and self.people is not None:
            found = self.people.in_bulk(ids)
            people += [found[pk] for pk in ids if pk in found]
        unique = {}
        for person in people:
            unique.setdefault(person.pk, person)
        return list(unique.values())

    def use_required_attribute(self, initial) -> bool:
        return False  # the add box may stay empty while people are ticked

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        classes = widget["attrs"].get("class", "")
        # The field's attributes (crispy's classes, aria-describedby) go on the add box, which is labelled.
        add_attrs = {**widget["attrs"], "id": f"{widget['attrs'].get('id', '')}{ADD_SUFFIX}"}
        add_attrs["class"] = classes if "form-control" in classes else f"{classes} form-control".strip()
        widget.update(
            chosen=self.chosen_people(value),
            add_name=name + ADD_SUFFIX,
            add_value=value.add if isinstance(value, PeopleValue) else "",
            add_attrs=add_attrs,
            invalid="is-invalid" in classes,
            search_url=self.search_url,
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # The template is in the project's folder, which Django's default form renderer does not read.
        return super()._render(template_name, context, TemplatesSetting())


class PeopleField(ModelMultipleChoiceField):
    """Several people: those already chosen (ticked ids) and those typed to add, one per comma.

    Each typed entry is found like `PersonField` finds one person; so there is no list of everyone,
    it works without JavaScript, and it costs a bounded number of queries for any number of people.
    """

    widget = PeoplePicker

    def __init__(self, *, queryset: models.QuerySet, search_url: str = "", **kwargs):
        kwargs.setdefault("widget", PeoplePicker(search_url=search_url))
        super().__init__(queryset=queryset, **kwargs)

    def _get_queryset(self):
        return self._queryset

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.people = self._queryset

    queryset = property(_get_queryset, _set_queryset)

    def prepare_value(self, value):
        return value  # the widget shows people, posted ids or the text typed as they are

    def clean(self, value) -> list:
        chosen, add = value if isinstance(value, PeopleValue) else PeopleValue(value or [], "")
        chosen = [item for item in chosen if item not in self.empty_values]
        people = list(self._check_values(chosen)) if chosen else []
        errors = []
        entries = [entry.strip() for entry in re.split(r"[,;\n]", add) if entry.strip()]
        if len(entries) > MOST_ADDED_AT_ONCE:
            raise ValidationError(f"Add at most {MOST_ADDED_AT_ONCE} people at a time.")
        for entry in entries:
            if len(entry) > 254:
                errors.append(ValidationError(f"“{entry[:40]}…” is too long to be a name or an address."))
                continue
            try:
                people.append(person_typed(self.queryset, entry))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        unique = {}
        for person in people:
            unique.setdefault(person.pk, person)
        if self.required and not unique:
            raise ValidationError(self.error_messages["required"], code="required")
        return list(unique.values())

    def has_changed(self, initial, data) -> bool:
        chosen, add = data if isinstance(data, PeopleValue) else PeopleValue(data or [], "")
        before = {str(getattr(person, "pk", person)) for person in initial or []}
        return bool(add.strip()) or before != {str(item) for item in chosen}


def people_picker_answer(request: HttpRequest, *, field: PeopleField, name: str) -> HttpResponse:
    """The people picker's htmx answers, for a view that has already checked who may ask.

    `?pick=<id>` answers the picker again with that person ticked beside those already ticked; any
    other request answers at most MATCHES_SHOWN matches for the text typed, leaving out those ticked.
    The plain form post never needs this: it finds typed people itself.
    """
    ticked = request.GET.getlist(name)
    pick = request.GET.get("pick", "")
    if pick:
        # Focus goes back to the (cleared) add box, ready for the next name.
        attrs = {"id": f"id_{name}", "class": "form-control", "autofocus": True}
        picker = field.widget.render(name, PeopleValue([*ticked, pick], ""), attrs=attrs)
        return HttpResponse(picker)
    text = request.GET.get(name + ADD_SUFFIX, "").strip()[:254]
    people = (
        people_matching(field.queryset, text, limit=MATCHES_SHOWN, exclude=ticked) if len(text) >= 2 else []
    )
    return render(
        request,
        "includes/_people_matches.html",
        {"people": people, "text": text, "name": name, "search_url": field.widget.search_url},
    )
