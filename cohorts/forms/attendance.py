"""Forms for the register and for a participant's apologies."""

from django import forms

from cohorts.models import Attendance


class AttendanceForm(forms.Form):
    """One register row: the clicked status button, and an optional note."""

    status = forms.ChoiceField(choices=Attendance.Status.choices)
    note = forms.CharField(max_length=300, required=False)


class ApologiesForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Message for the programme lead (optional)")
