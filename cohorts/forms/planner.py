"""Planner forms: they explain the rules the services and database enforce, naming the field."""

from datetime import date

from django import forms
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy

from coachprog.accounts.models import User
from coachprog.forms import DateField, ModelChoiceField, ModelMultipleChoiceField, PeopleField
from cohorts.models import MATERIAL_MAX_BYTES, Cohort, CurriculumTopic, Programme, Session, SessionMaterial
from cohorts.planning import day_flags, day_off_warning, local_date, local_time, london

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def column_max(model: type[Model], name: str) -> int:
    """The largest whole number the column holds on every database we run on.

    PostgreSQL's range for the column type (a small integer holds 32,767); SQLite would
    store any 64-bit number, so without this bound a form could save what PostgreSQL refuses.
    """
    internal_type = model._meta.get_field(name).get_internal_type()
    return BaseDatabaseOperations.integer_field_ranges[internal_type][1]


NUMBER_MAX = column_max(Cohort, "number")
CAPACITY_MAX = column_max(Cohort, "capacity")
INDUCTIONS_MAX = 10  # the cohort_completion_inductions_sane constraint


def cohort_number_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=NUMBER_MAX,
        help_text=f"Cohort 10 has number 10: a whole number from 1 to {NUMBER_MAX:,}.",
        **kwargs,
    )


def capacity_field(help_text: str = "", **kwargs) -> forms.IntegerField:
    rule = f"Most participants who can enrol: 1 to {CAPACITY_MAX:,}."
    return forms.IntegerField(
        min_value=1, max_value=CAPACITY_MAX, help_text=f"{rule} {help_text}".strip(), **kwargs
    )


def planner_people():
    """Whom a cohort's leads and a session's facilitators may be: anyone who can sign in."""
    return User.objects.filter(is_active=True)


def people_field(**kwargs) -> PeopleField:
    # Typed or picked, never a list of everyone (15,000 people rendered 720 KB of options).
    return PeopleField(
        queryset=planner_people(), search_url=reverse_lazy("cohorts:planner_people"), required=False, **kwargs
    )


class CohortPlanForm(forms.Form):
    programme = ModelChoiceField(queryset=Programme.objects.all())
    number = cohort_number_field()
    name = forms.CharField(max_length=200, required=False)
    starts_on = DateField(label="Starts on", widget=DATE_INPUT)
    ends_on = DateField(label="Ends on", widget=DATE_INPUT)
    capacity = capacity_field(initial=24)
    leads = people_field()
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
    facilitators = people_field()
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
    """The new cohort's number, name and start date; with a plan, one editable date per copied session.

    Each date the lead leaves or types is checked like the planner checks a session: one on
    a weekend or a bank holiday needs moving, or "keep" ticked, before the cohort is created.
    """

    number = cohort_number_field()
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
        self.flags = {copied.source.pk: copied.flag for copied in self.plan}
        if self.plan:
            self.fields["keep_flagged_dates"] = forms.BooleanField(
                label="Keep sessions on weekends or bank holidays",
                required=False,
                help_text="Tick to create the cohort with the flagged dates as they are.",
            )
        for copied in self.plan:
            self.fields[self.day_field(copied.source)] = DateField(
                label=copied.source.title, initial=copied.day, widget=DATE_INPUT
            )

    @staticmethod
    def day_field(session: Session) -> str:
        return f"session_{session.pk}"

    def rows(self):
        """(copied session, its date field, why its date needs a look or "") for the preview table."""
        return [
            (copied, self[self.day_field(copied.source)], self.flags.get(copied.source.pk, ""))
            for copied in self.plan
        ]

    @property
    def has_flags(self) -> bool:
        return any(self.flags.values())

    def clean_number(self):
        number = self.cleaned_data["number"]
        if Cohort.objects.filter(programme_id=self.source.programme_id, number=number).exists():
            raise forms.ValidationError(f"{self.source.programme} already has a cohort {number}.")
        return number

    def clean(self):
        data = super().clean()
        days = {c.source.pk: data.get(self.day_field(c.source)) for c in self.plan}
        flags = day_flags(day for day in days.values() if day)
        # The flags follow the dates as typed, so an edited date is checked too.
        self.flags = {pk: flags.get(day, "") if day else self.flags.get(pk, "") for pk, day in days.items()}
        if not data.get("keep_flagged_dates"):
            for copied in self.plan:
                day = days[copied.source.pk]
                if day and day in flags:
                    self.add_error(
                        self.day_field(copied.source),
                        f"{day.day} {day:%b %Y} is {day_off_warning(flags[day])}. Move the session, "
                        "or tick “Keep sessions on weekends or bank holidays”.",
                    )
        return data

    def days(self) -> dict[int, date]:
        return {c.source.pk: self.cleaned_data[self.day_field(c.source)] for c in self.plan}


class CohortDetailsForm(forms.Form):
    """A cohort's details and completion rule, as the lead edits them in the planner."""

    name = forms.CharField(max_length=200, required=False)
    starts_on = DateField(label="Starts on", widget=DATE_INPUT)
    ends_on = DateField(label="Ends on", widget=DATE_INPUT)
    capacity = capacity_field("Raising it gives the new places to wait-listed applicants at once.")
    status = forms.ChoiceField(choices=Cohort.Status.choices)
    applications_close_on = DateField(label="Applications close on", widget=DATE_INPUT, required=False)
    leads = people_field()
    topics = ModelMultipleChoiceField(
        queryset=CurriculumTopic.objects.all(),
        required=False,
        label="Curriculum topics",
        widget=forms.CheckboxSelectMultiple,
    )
    completion_inductions = forms.IntegerField(
        label="Inductions to attend",
        min_value=0,
        max_value=INDUCTIONS_MAX,
        help_text=f"0 to {INDUCTIONS_MAX}; 0 if none is required.",
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


# The planner's people fields by name, for their type-ahead (cohorts.views.planner.planner_people).
PEOPLE_FIELDS: dict[str, PeopleField] = {
    "leads": CohortDetailsForm.base_fields["leads"],
    "facilitators": SessionPlanForm.base_fields["facilitators"],
}


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
