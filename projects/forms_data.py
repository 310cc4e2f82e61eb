"""Forms for entering and importing a measure's data (moves into projects/forms.py)."""

from django import forms

from projects.imports import MAX_UPLOAD_BYTES
from projects.models import Measure

# --- Data entry and import (measures) ----------------------------------------------------------


SMALL_NUMBER = forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"})


class DataPointForm(forms.Form):
    """Quick entry of one period's value, in the shape the measure expects."""

    period = forms.DateField(
        label="Period starting",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
        help_text="The first day of the week or month the value describes.",
    )
    value = forms.DecimalField(max_digits=14, decimal_places=4, required=False, widget=SMALL_NUMBER)
    numerator = forms.IntegerField(min_value=0, max_value=10**9, required=False, widget=SMALL_NUMBER)
    denominator = forms.IntegerField(min_value=1, max_value=10**9, required=False, widget=SMALL_NUMBER)
    note = forms.CharField(
        max_length=300,
        required=False,
        help_text="Optional; shown on the chart.",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        unit = f" ({measure.unit})" if measure.unit and measure.unit != "%" else ""
        if measure.value_type == Measure.ValueType.PROPORTION:
            del self.fields["value"]
            self.fields["numerator"].required = True
            self.fields["denominator"].required = True
            self.fields["numerator"].help_text = "How many met the definition."
            self.fields["denominator"].help_text = "How many there were in all."
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].required = True
            self.fields["value"].label = f"Value{unit}"

    def clean(self) -> dict:
        data = super().clean()
        numerator, denominator = data.get("numerator"), data.get("denominator")
        if numerator is not None and denominator is not None and numerator > denominator:
            self.add_error("numerator", "The numerator cannot be larger than the denominator.")
        return data


class DataImportForm(forms.Form):
    """Many periods at once: paste from a spreadsheet, or upload a CSV or Excel file."""

    text = forms.CharField(
        label="Paste rows",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the columns from your spreadsheet, header row included.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=f"A .csv or Excel .xlsx file of at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        text, upload = data.get("text", "").strip(), data.get("file")
        if bool(text) == bool(upload):
            raise forms.ValidationError("Paste the rows or upload a file (one of the two).")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        return data
