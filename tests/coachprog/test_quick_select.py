"""QuickSelect writes the HTML Django's Select writes, only faster (a filter of hundreds of cohorts)."""

import pytest
from django import forms

from coachprog.accounts.models import Directorate
from coachprog.forms import ModelChoiceField, QuickSelect
from tests.factories import DirectorateFactory

CHOICES = [
    ("", "All directorates"),
    ("1", "Surgery & <Theatres>"),
    ("Medicine", [("2", 'Acute "medicine"'), ("3", "Elderly care")]),
    ("4", "Women's health"),
]


@pytest.mark.parametrize("value", [None, "", "1", "3", ["3"]])
@pytest.mark.parametrize(
    "attrs", [None, {"class": "form-select", "id": "id_directorate"}, {"required": True, "disabled": False}]
)
def test_quick_select_writes_what_djangos_select_writes(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("directorate", value, attrs=attrs)
    djangos = forms.Select(choices=CHOICES).render("directorate", value, attrs=attrs)

    assert ours == djangos


@pytest.mark.django_db
def test_model_choice_fields_render_their_rows_with_quick_select():
    surgery = DirectorateFactory(name="Surgery & <Theatres>")

    class Filter(forms.Form):
        directorate = ModelChoiceField(queryset=Directorate.objects.order_by("name"), required=False)

    form = Filter(data={"directorate": str(surgery.pk)})
    html = str(form["directorate"])

    assert isinstance(form.fields["directorate"].widget, QuickSelect)
    assert f'<option value="{surgery.pk}" selected>Surgery &amp; &lt;Theatres&gt;</option>' in html
    assert html == forms.Select(choices=form.fields["directorate"].choices).render(
        "directorate", str(surgery.pk), attrs={"id": "id_directorate"}
    )
