"""Planner forms: they explain the rules the services and database enforce, naming the field."""

from datetime import date

from django import forms
from django.template.defaultfilters import filesizeformat

from coachprog.accounts.models import User
from coachprog.forms import DateField, ModelChoiceField, ModelMultipleChoiceField
from cohorts.models import MATERIAL_MAX_BYTES, Cohort, CurriculumTopic, Programme, Session, SessionMaterial
from cohorts.planning import local_date, local_time, london

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _people():
    return User.objects.filter(is_active=True).order_by("display_name")


class CohortPlanForm(forms.Form):
    programme = ModelChoiceField(queryset=Programme.objects.all())
    number = forms.IntegerField(min_value=1)
    name = forms.CharField(max_length=200, required=False)
    starts_on = DateField(label="Starts on", widget=DATE_INPUT)
    ends_on = DateField(label="Ends on", widget=DATE_INPUT)
    capacity = forms.IntegerField(min_value=1, initial=24)
    leads = ModelMultipleChoiceField(queryset=_people(), required=False)
    topics = ModelMultipleChoiceField(
        queryset=CurriculumTopic.objects.all(), required=False, label="Curriculum topics"
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The cohort must end on or after the day it starts.")
        programme, number = data.get("programme"), data.get("number")
        if programme and number and Cohort.objects.filter(programme=programme, number=number).exists():
            self.add_error("number", f"{programme} already has a cohort {number}.")
        return data


class SessionPlanForm(forms.Form):
    """A session entered as a local date with start and end times (Europe/London)."""

    kind = forms.ChoiceField(choices=Session.Kind.choices)
    title = forms.CharField(max_length=200)
    day = DateField(label="Date", widget=DATE_INPUT)
    start = forms.TimeField(label="Start time", widget=TIME_INPUT)
    end = forms.TimeField(label="End time", widget=TIME_INPUT)
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    venue_address = forms.CharField(
        label="Venue address", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    online_url = forms.URLField(label="Online joining link", required=False, assume_scheme="https")
    facilitators = ModelMultipleChoiceField(queryset=_people(), required=False)
    topics = ModelMultipleChoiceField(
        queryset=CurriculumTopic.objects.all(), required=False, label="Curriculum topics"
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        self.cohort = cohort
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        return {
            "kind": session.kind,
            "title": session.title,
            "day": local_date(session.starts_at),
            "start": local_time(session.starts_at),
            "end": local_time(session.ends_at),
            "venue_name": session.venue_name,
            "venue_address": session.venue_address,
            "online_url": session.online_url,
            "facilitators": list(session.facilitators.all()),
            "topics": list(session.topics.all()),
        }

    def clean(self):
        data = super().clean()
        if self.cohort.status == Cohort.Status.CANCELLED:
            raise forms.ValidationError("This cohort is cancelled, so its sessions cannot be planned.")
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The end time must be after the start time.")
        if not data.get("venue_name") and not data.get("online_url") and "online_url" not in self.errors:
            self.add_error("venue_name", "Give a venue or an online joining link.")
        return data

    def session_fields(self) -> dict:
        """The cleaned data in the services' terms: aware start and end datetimes."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "starts_at": london(data["day"], data["start"]),
            "ends_at": london(data["day"], data["end"]),
            "venue_name": data["venue_name"],
            "venue_address": data["venue_address"],
            "online_url": data["online_url"],
        }


class CohortCopyForm(forms.Form):
    """The new cohort's number, name and start date; with a plan, one editable date per copied session."""

    number = forms.IntegerField(min_value=1)
    name = forms.CharField(max_length=200, required=False)
    new_start = DateField(
        label="New start date",
        widget=DATE_INPUT,
        help_text="The first session moves to the first same weekday on or after this date.",
    )

    def __init__(self, *args, source: Cohort, plan=(), **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)
        self.plan = list(plan)
        for copied in self.plan:
            self.fields[self.day_field(copied.source)] = DateField(
                label=copied.source.title, initial=copied.day, widget=DATE_INPUT
            )

    @staticmethod
    def day_field(session: Session) -> str:
        return f"session_{session.pk}"

    def rows(self):
        """(copied session, its date field) for the preview table."""
        return [(copied, self[self.day_field(copied.source)]) for copied in self.plan]

    def clean_number(self):
        number = self.cleaned_data["number"]
        if Cohort.objects.filter(programme_id=self.source.programme_id, number=number).exists():
            raise forms.ValidationError(f"{self.source.programme} already has a cohort {number}.")
        return number

    def days(self) -> dict[int, date]:
        return {c.source.pk: self.cleaned_data[self.day_field(c.source)] for c in self.plan}


class CohortDetailsForm(forms.Form):
    """A cohort's details and completion rule, as the lead edits them in the planner."""

    name = forms.CharField(max_length=200, required=False)
    starts_on = DateField(label="Starts on", widget=DATE_INPUT)
    ends_on = DateField(label="Ends on", widget=DATE_INPUT)
    capacity = forms.IntegerField(
        min_value=1, help_text="Raising it gives the new places to wait-listed applicants at once."
    )
    status = forms.ChoiceField(choices=Cohort.Status.choices)
    applications_close_on = DateField(label="Applications close on", widget=DATE_INPUT, required=False)
    leads = ModelMultipleChoiceField(queryset=_people(), required=False)
    topics = ModelMultipleChoiceField(
        queryset=CurriculumTopic.objects.all(),
        required=False,
        label="Curriculum topics",
        widget=forms.CheckboxSelectMultiple,
    )
    completion_inductions = forms.IntegerField(
        label="Inductions to attend", min_value=0, max_value=10, help_text="0 if none is required."
    )
    completion_all_workshops = forms.BooleanField(label="Every workshop day", required=False)
    completion_all_action_learning_sets = forms.BooleanField(
        label="Every action learning set", required=False
    )

    @classmethod
    def initial_for(cls, cohort: Cohort) -> dict:
        initial = {name: getattr(cohort, name) for name in cls.base_fields if name not in {"leads", "topics"}}
        initial["leads"] = list(cohort.leads.all())
        initial["topics"] = list(cohort.topics.all())
        return initial

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The cohort must end on or after the day it starts.")
        return data


class SessionMaterialForm(forms.Form):
    """A teaching material: a file to upload or a link, with the title people will see."""

    title = forms.CharField(max_length=200)
    file = forms.FileField(
        required=False,
        help_text=SessionMaterial._meta.get_field("file").help_text,
    )
    url = forms.URLField(label="or a link", required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        upload, url = data.get("file"), data.get("url")
        if "url" in self.errors or "file" in self.errors:
            return data
        if not upload and not url:
            self.add_error("file", "Upload a file or give a link.")
        elif upload and url:
            self.add_error("url", "Give a file or a link, not both: add them as two materials.")
        elif upload and upload.size > MATERIAL_MAX_BYTES:
            limit = filesizeformat(MATERIAL_MAX_BYTES)
            self.add_error("file", f"This file is {filesizeformat(upload.size)}; files can be up to {limit}.")
        return data
