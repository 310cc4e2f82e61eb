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

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

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


class ModelChoiceField(forms.ModelChoiceField):
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


class PersonField(forms.CharField):
    """A person, typed as their e-mail address or part of their name.

    No list of everyone: it works without JavaScript and with any number of people (one bounded
    query). Several matches are named, with their addresses, so the person can type the one meant.
    """

    MATCHES_NAMED = 5

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
        people = self._people()
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
        matches = people
        for word in text.split()[:5]:
            matches = matches.filter(models.Q(display_name__icontains=word) | models.Q(email__icontains=word))
        found = list(matches.order_by("display_name", "email")[: self.MATCHES_NAMED + 1])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(
                f"No one who can sign in matches “{text}”: type their e-mail address or part of their name."
            )
        named = "; ".join(f"{person.display_name or person.email} ({person.email})" for person in found[:5])
        more = " and others" if len(found) > self.MATCHES_NAMED else ""
        raise ValidationError(
            f"Several people match “{text}”: {named}{more}. Type the e-mail address of the one you mean."
        )
