"""Forms for the projects app, one section per part of the app.

Forms parse and explain; the services in ``projects.services`` enforce the rules.
"""

import copy
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from coachprog.accounts.models import User
from coachprog.forms import DateField, DecimalField, ModelForm, PersonField
from projects.data_rules import range_text, value_problems
from projects.imports import MAX_ROWS, MAX_TEXT_CHARS, MAX_UNZIPPED_BYTES, MAX_UPLOAD_BYTES
from projects.models import (
    LIVE_STATUSES,
    DataPoint,
    DriverNode,
    Measure,
    PDSACycle,
    ProgressScore,
    Project,
    TeamMembership,
)
from projects.periods import period_problem
from projects.services import (
    MEASURE_FIELDS,
    PROJECT_DETAIL_FIELDS,
    measure_errors,
    pdsa_cycle_errors,
    project_errors,
)

# --- Charts: frozen baseline, new phases (rebases) and chart notes ------------------------------
#
# Each decision about a chart is a person's, with a recorded reason; these small forms post to
# their own views (projects.views.measures.baseline_freeze and the ones after it).

CHART_FIELD_LABELS = {
    "points": "Points in the baseline",
    "baseline_points": "Points in the baseline",
    "baseline_reason": "Reason",
    "starts_on": "First point of the new phase",
    "reason": "Reason",
    "on": "Date",
    "text": "Note",
}


def chart_errors_text(errors: ValidationError | forms.Form) -> str:
    """Form or service errors as one message, each naming its field ("Reason: This field is required.")."""
    if isinstance(errors, forms.Form):
        by_field = {name: list(messages) for name, messages in errors.errors.items()}
    elif hasattr(errors, "error_dict"):
        by_field = errors.message_dict
    else:
        by_field = {"__all__": errors.messages}
    parts = []
    for name, messages in by_field.items():
        label = CHART_FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        text = " ".join(messages)
        parts.append(text if name == "__all__" else f"{label}: {text}")
    return " ".join(parts)


class BaselineFreezeForm(forms.Form):
    """Freeze the centre line (and limits) on the first N points, saying why."""

    points = forms.IntegerField(label="Points in the baseline", min_value=1)
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="For example: “Stable period before the first PDSA cycle”."
    )

    def __init__(self, *args, point_count: int, first_phase_start: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.point_count, self.first_phase_start = point_count, first_phase_start
        self.largest = min(point_count, first_phase_start or point_count)
        self.fields["points"].widget.attrs.update({"min": 1, "max": max(self.largest, 1)})
        self.fields[
            "points"
        ].help_text = (
            f"The first 1 to {self.largest} points give the centre line; the rules still run on every point."
        )

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if self.first_phase_start is not None and points > self.first_phase_start:
            raise ValidationError(
                f"The first phase has {self.first_phase_start} points and a baseline cannot run past a "
                "recalculation: freeze fewer points, or remove the phase first."
            )
        if points > self.point_count:
            raise ValidationError(f"The measure has only {self.point_count} data points.")
        return points


class PhaseAddForm(forms.Form):
    """Start a new phase (recalculate the chart) at one of the measure's data points, saying why."""

    starts_on = forms.TypedChoiceField(
        label="First point of the new phase",
        coerce=date.fromisoformat,
        error_messages={
            "invalid_choice": "Choose one of the measure's data points after the first, after the frozen "
            "baseline and not already starting a phase."
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="For example: “New discharge checklist adopted on all wards”.",
    )

    def __init__(
        self,
        *args,
        periods: Sequence[date],
        labels: Sequence[str],
        taken: Sequence[date] = (),
        baseline_points: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        earliest = max(1, baseline_points or 0)
        self.periods = [
            (period.isoformat(), label)
            for position, (period, label) in enumerate(zip(periods, labels, strict=True))
            if position >= earliest and period not in taken
        ]
        # No point is chosen for the person: a recalculation is a deliberate decision.
        self.fields["starts_on"].choices = [("", "Choose a data point"), *self.periods]


class ChartNoteForm(forms.Form):
    """A free-text note shown on the chart's time axis at a date."""

    on = DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    text = forms.CharField(
        label="Note", max_length=200, help_text="For example: “Two locum doctors on the ward”."
    )


# --- Data entry and import (measures) ----------------------------------------------------------


SMALL_NUMBER = forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"})


PERIOD_HELP = {
    Measure.Frequency.DAILY: "The day the value describes: today or an earlier day.",
    Measure.Frequency.WEEKLY: "The Monday the week starts: this week or an earlier one.",
    Measure.Frequency.MONTHLY: "The 1st of the month: this month or an earlier one.",
}


class DataPointForm(forms.Form):
    """Quick entry of one period's value, in the shape, period and range the measure expects.

    `replaces` carries the value the person agreed to replace (the confirm step fills it).
    """

    period = DateField(
        label="Period starting",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
        help_text="The first day of the week or month the value describes: this one or an earlier one.",
    )
    value = DecimalField(
        max_digits=DataPoint._meta.get_field("value").max_digits,
        decimal_places=DataPoint._meta.get_field("value").decimal_places,
        required=False,
        widget=SMALL_NUMBER,
    )
    numerator = forms.IntegerField(min_value=0, max_value=10**9, required=False, widget=SMALL_NUMBER)
    denominator = forms.IntegerField(min_value=1, max_value=10**9, required=False, widget=SMALL_NUMBER)
    note = forms.CharField(
        max_length=300,
        required=False,
        help_text="Shown on the chart at this point.",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    replaces = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["period"].help_text = PERIOD_HELP.get(measure.frequency, self.fields["period"].help_text)
        unit = f" ({measure.unit})" if measure.unit and measure.unit != "%" else ""
        valid = range_text(measure.lowest_value, measure.highest_value)
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
            if valid != "any number":
                self.fields["value"].help_text = f"{valid[0].upper()}{valid[1:]}."

    def clean_period(self) -> date:
        period = self.cleaned_data["period"]
        if problem := period_problem(period, frequency=self.measure.frequency):
            raise ValidationError(problem)
        return period

    def clean(self) -> dict:
        data = super().clean()
        shape = ("numerator", "denominator") if "numerator" in self.fields else ("value",)
        if all(data.get(name) is not None for name in shape):
            numbers = {name: data[name] for name in shape}
            for field, message in value_problems(self.measure, **numbers).items():
                self.add_error(None if field == NON_FIELD_ERRORS else field, message)
        return data


class DataImportForm(forms.Form):
    """Many periods at once: paste from a spreadsheet, or upload a CSV or Excel file."""

    text = forms.CharField(
        label="Paste rows",
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=f"Copy the columns from your spreadsheet, header row included; at most {MAX_ROWS:,} rows.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=f"A .csv or Excel .xlsx file of at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB and "
        f"{MAX_ROWS:,} rows; from a workbook, the first sheet's columns A to Z are read (at most "
        f"{MAX_UNZIPPED_BYTES // (1024 * 1024)} MB once unzipped).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data  # a text too long or a broken upload: that error says it all
        text, upload = data.get("text", "").strip(), data.get("file")
        if bool(text) == bool(upload):
            raise forms.ValidationError("Paste the rows or upload a file (one of the two).")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        return data


class ProgressScoreForm(forms.Form):
    """A change of the project's progress score, with the reason kept in its history."""

    score = forms.TypedChoiceField(
        label="Progress score",
        choices=ProgressScore.choices,
        coerce=Decimal,
        help_text="The IHI project assessment scale, from 0.5 (intent to participate) to 5.0.",
    )
    reason = forms.CharField(
        max_length=300, help_text="A short reason, e.g. “First PDSA cycle shows a modest improvement”."
    )


# --- PDSA cycles --------------------------------------------------------------------------------


PDSA_PLAN_FIELDS = [
    "title",
    "change_idea",
    "follows",
    "measures",
    "starts_on",
    "plan_question",
    "plan_prediction",
    "plan_who",
    "plan_what",
    "plan_where",
    "plan_when",
    "plan_data",
]
PDSA_SECTIONS = [
    ("Plan", PDSA_PLAN_FIELDS),
    ("Do", ["do_what_happened", "do_observations"]),
    ("Study", ["study_results"]),
    ("Act", ["act_decision", "act_next_step", "status", "completed_on"]),
]


class PDSACycleForm(ModelForm):
    """Plan, Do, Study and Act of one cycle; choices come from this project only."""

    class Meta(ModelForm.Meta):
        model = PDSACycle
        fields = [name for _, names in PDSA_SECTIONS for name in names]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "measures": forms.CheckboxSelectMultiple,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in [
                    "plan_question",
                    "plan_prediction",
                    "plan_what",
                    "plan_data",
                    "do_what_happened",
                    "do_observations",
                    "study_results",
                    "act_next_step",
                ]
            },
        }
        help_texts = {
            "plan_question": "What do you want to learn from this test?",
            "plan_prediction": "What do you think will happen, and why?",
            "follows": "The cycle this one builds on, so cycles form a ramp.",
            "act_decision": "Adopt the change, adapt it and test again, or abandon it.",
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["change_idea"].queryset = DriverNode.objects.filter(
            project=project, kind=DriverNode.Kind.CHANGE_IDEA
        )
        self.fields["change_idea"].empty_label = "No change idea yet"
        cycles = PDSACycle.objects.filter(project=project)
        if self.instance.pk:
            cycles = cycles.exclude(pk=self.instance.pk)
        self.fields["follows"].queryset = cycles
        self.fields["follows"].empty_label = "The first cycle of a ramp"
        self.fields["measures"].queryset = Measure.objects.filter(project=project)
        self.fields["measures"].required = False

    def clean(self) -> dict:
        data = super().clean()
        candidate = copy.copy(self.instance)
        candidate.project = self.project
        for name in ("change_idea", "follows", "status", "act_decision", "starts_on", "completed_on"):
            if name in data:
                setattr(candidate, name, data[name])
        for field, message in pdsa_cycle_errors(candidate).items():
            self.add_error(field, message)
        return data

    def sections(self) -> list[tuple[str, list]]:
        return [(title, [self[name] for name in names]) for title, names in PDSA_SECTIONS]


class DriverNodeForm(forms.Form):
    text = forms.CharField(
        max_length=300, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )


class MeasureForm(ModelForm):
    """A measure's definition, with its valid range and frequency explained."""

    class Meta(ModelForm.Meta):
        model = Measure
        fields = list(MEASURE_FIELDS)
        widgets = {"operational_definition": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "kind": "Outcome: the aim itself; process: the steps to it; balancing: what might get worse.",
            "lowest_value": "Values below it are refused. 0 suits counts, times, rates and proportions, "
            "which cannot be negative; leave it blank only if the measure can be (a change from a "
            "baseline, say). For a proportion, give fractions (0.9 for 90%).",
            "highest_value": "Optional. Values above it are refused: 7 for days in a week, say.",
            "target": "Optional. For a proportion, give it as a fraction (0.9 for 90%). It must be in "
            "the valid range.",
            "frequency": "Each value describes a day, a week starting on a Monday, or a month starting "
            "on the 1st: one value a period.",
            "chart": "A run chart suits most teams; SPC adds control limits once there are about 20 points.",
        }

    def clean(self) -> dict:
        data = super().clean()
        # A field that did not parse is left out here: its own error says what is wrong.
        candidate = Measure(
            value_type=data.get("value_type", Measure.ValueType.VALUE),
            lowest_value=data.get("lowest_value"),
            highest_value=data.get("highest_value"),
            target=data.get("target"),
        )
        for field, message in measure_errors(candidate).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


# --- Projects: start, details, team, close and reopen ---------------------------------------------

LIVE_STATUS_CHOICES = [(status.value, status.label) for status in LIVE_STATUSES]
DATE_INPUT = {"type": "date"}


class ProjectForm(ModelForm):
    """A project's details, with prompts that teach a good aim (what, how much, by when)."""

    sponsor = PersonField(
        label="Sponsor",
        help_text="The senior leader accountable for the project: their e-mail address, or part of their "
        "name.",
    )

    class Meta(ModelForm.Meta):
        model = Project
        fields = list(PROJECT_DETAIL_FIELDS)
        labels = {
            "aim_what": "Aim: what will improve, for whom",
            "aim_how_much": "Aim: how much",
            "aim_by_when": "Aim: by when",
        }
        widgets = {
            "aim_what": forms.Textarea(attrs={"rows": 2}),
            "aim_by_when": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "started_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        }
        help_texts = {
            "title": "A short name the team will recognise, e.g. “Fewer falls on Ward 3”.",
            "aim_what": "One specific thing, e.g. “Reduce falls among inpatients on Ward 3”.",
            "aim_how_much": "A number, so everyone can tell when it is reached: “by 30%”, “to 90%”, "
            "“from 42 to 28 days”.",
            "aim_by_when": "A date, e.g. 31 Mar 2027. Together: “Reduce falls among inpatients on Ward 3 "
            "by 30% by 31 Mar 2027.”",
            "started_on": "When the team started, or will start, working on it.",
            "status": "Active, or on hold for a while; completing or closing a project is a separate step, "
            "with its outcome.",
        }

    def __init__(self, *args, directorates: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = directorates.order_by("name")
        self.fields["directorate"].empty_label = "Choose a directorate"
        self.fields["status"].choices = LIVE_STATUS_CHOICES
        if self.instance.pk is None:
            self.initial.setdefault("started_on", timezone.localdate())
            self.initial.setdefault("status", Project.Status.ACTIVE)
        else:
            self.initial["sponsor"] = self.instance.sponsor.email
            # The current sponsor stays valid even if their account has since been switched off.
            self.fields["sponsor"].queryset = User.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.sponsor_id)
            )

    def clean(self) -> dict:
        data = super().clean()
        candidate = copy.copy(self.instance)
        for name in PROJECT_DETAIL_FIELDS:
            if data.get(name) is not None:
                setattr(candidate, name, data[name])
        for field, message in project_errors(candidate, changed=self.changed_data).items():
            if field not in self.errors:  # a field that did not parse already says so
                self.add_error(field, message)
        return data

    def _post_clean(self):
        # The service validates the whole project (the form has named each broken rule already).
        pass

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROJECT_DETAIL_FIELDS}


class TeamMemberForm(forms.Form):
    """A person joining a project's team, in one role; on the start page a row left blank is ignored."""

    person = PersonField(
        label="Team member", required=False, help_text="Their e-mail address, or part of their name."
    )
    role = forms.ChoiceField(choices=TeamMembership.Role.choices, initial=TeamMembership.Role.MEMBER)

    def __init__(self, *args, require_person: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].required = require_person


TeamMemberFormSet = forms.formset_factory(TeamMemberForm, extra=3, max_num=20, absolute_max=20)


def team_from(formset) -> list[tuple]:
    """The filled-in rows of a valid team formset, as (person, role)."""
    return [
        (f.cleaned_data["person"], f.cleaned_data["role"]) for f in formset if f.cleaned_data.get("person")
    ]


class ProjectCloseForm(forms.Form):
    """Completing or closing a project, with what it achieved: it becomes a read-only archive."""

    status = forms.ChoiceField(
        label="How it ends",
        choices=[
            (Project.Status.COMPLETED.value, "Completed: it ran its course"),
            (Project.Status.CLOSED.value, "Closed: it stopped before its aim was reached"),
        ],
        widget=forms.RadioSelect,
    )
    outcome_summary = forms.CharField(
        label="Outcome summary",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What changed and by how much, what the team learned, and what happens next (sustained, "
        "spread to other teams, or stopped). Sponsors and future teams read this.",
    )


class ProjectReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it",
        max_length=300,
        help_text="Kept in the project's history, e.g. “Improvement not sustained: a second round of PDSA "
        "cycles”.",
    )
