"""Form fields shared by every app.

Django's model choice fields send any whole number a browser posts to the database as
an id; one beyond the database's integer range is a server error (an overflow) rather
than "not a valid choice". These refuse such ids first. Every form uses them in place of
Django's (tests/coachprog/test_fuzz_forms.py checks), and ModelForms get them through
`ModelForm` below.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

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


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """The form field for a model field, with the safe choice fields for relations."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """A ModelForm whose relation fields refuse out-of-range ids (see the module's docstring)."""

    class Meta:
        formfield_callback = formfield
