"""Forms for the coaching pages. They explain the rules; the services enforce them."""

from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from coaching.models import (
    MAX_MEETING_MINUTES,
    Assignment,
    CoachProfile,
    MeetingFocus,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
)
from coaching.roles import ROLE_LABELS, Role
from coachprog.accounts.models import Directorate, User
from coachprog.forms import (
    DateField,
    DecimalField,
    ModelChoiceField,
    ModelForm,
    ModelMultipleChoiceField,
    PersonField,
)
from cohorts.models import Cohort
from projects.models import ProgressScore, Project

SCORE_OFF_SCALE = "Choose a progress score on the IHI scale, from 0.5 to 5.0 in steps of 0.5."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingLogForm(forms.Form):
    """One team meeting: the choices (who came, which next steps) are this team's only."""

    met_on = DateField(label="Date", widget=DateInput())
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        widget=forms.NumberInput(
            attrs={"min": 1, "max": MAX_MEETING_MINUTES, "step": 5, "inputmode": "numeric"}
        ),
    )
    mode = forms.ChoiceField(choices=MeetingLog.Mode.choices, widget=forms.RadioSelect)
    attendees = ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who attended",
        error_messages={"invalid_choice": "Only members of this team can be ticked as attending."},
    )
    focuses = ModelMultipleChoiceField(
        queryset=MeetingFocus.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What you worked on",
    )
    progress_score = forms.TypedChoiceField(
        choices=[("", "Choose a score")] + ProgressScore.choices,
        coerce=Decimal,
        label="The team's progress score now",
        error_messages={"invalid_choice": SCORE_OFF_SCALE, "required": SCORE_OFF_SCALE},
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by you, your supervisor and the programme's leads; never by the sponsor or the team.",
    )
    completed_steps = ModelMultipleChoiceField(
        queryset=NextStep.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Next steps done since last time",
        error_messages={"invalid_choice": "Only this team's open next steps can be ticked off."},
    )

    def __init__(self, *args, project: Project, meeting: MeetingLog | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["attendees"].queryset = User.objects.filter(memberships__project=project).order_by(
            "display_name"
        )
        open_steps = NextStep.objects.filter(meeting__project=project, done_on__isnull=True)
        if meeting is not None:
            open_steps = open_steps.exclude(meeting=meeting)
        self.fields["completed_steps"].queryset = open_steps.select_related("meeting").order_by(
            "meeting__met_on", "pk"
        )
        self.fields["completed_steps"].label_from_instance = _step_label
        if meeting is None:
            self.initial.setdefault("met_on", timezone.localdate())
            self.initial.setdefault("duration_minutes", 60)
            self.initial.setdefault("mode", MeetingLog.Mode.IN_PERSON)
            self.initial.setdefault("progress_score", str(project.progress_score))
        else:
            self.initial.update(
                met_on=meeting.met_on,
                duration_minutes=meeting.duration_minutes,
                mode=meeting.mode,
                attendees=list(meeting.attendees.all()),
                focuses=list(meeting.focuses.all()),
                progress_score=str(meeting.progress_score),
                notes=meeting.notes,
            )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "met_on": data["met_on"],
            "duration_minutes": data["duration_minutes"],
            "progress_score": data["progress_score"],
            "mode": data["mode"],
            "attendees": list(data["attendees"]),
            "focus_slugs": [focus.slug for focus in data["focuses"]],
            "notes": data["notes"],
            "completed_steps": list(data["completed_steps"]),
        }


def _step_label(step: NextStep) -> str:
    due = f", due {step.due_on:%-d %b %Y}" if step.due_on else ""
    return f"{step.description} ({step.owner}{due})"


class NextStepForm(forms.Form):
    """An agreed next step; a row left blank is ignored."""

    description = forms.CharField(max_length=300, label="Next step", required=False)
    owner = forms.CharField(max_length=150, label="Who", required=False)
    due_on = DateField(label="Due", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if not data.get("description", "").strip():
            if data.get("owner") or data.get("due_on"):
                self.add_error("description", "Say what the next step is, or clear the row.")
            return {}
        if not data.get("owner", "").strip():
            self.add_error("owner", "Say who will do this next step.")
        return data


NextStepFormSet = forms.formset_factory(NextStepForm, extra=3, max_num=20, absolute_max=20)


def next_steps_from(formset) -> list[dict]:
    """The filled-in rows of a valid next-steps formset, as fields for NextStep."""
    return [form.cleaned_data for form in formset if form.cleaned_data]


def supervisors_for(coach: User) -> QuerySet[User]:
    """People a coach can name as supervisor: QI leads and anyone already supervising coaches."""
    return (
        User.objects.filter(
            Q(qi_lead_directorates__isnull=False) | Q(supervisees__isnull=False), is_active=True
        )
        .exclude(pk=coach.pk)
        .distinct()
        .order_by("display_name")
    )


class SupervisionLogForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = SupervisionLog
        fields = ["held_on", "kind", "supervisor", "themes", "will_try", "reflection", "reflection_shared"]
        widgets = {
            "held_on": DateInput(),
            "kind": forms.RadioSelect,
            "themes": forms.Textarea(attrs={"rows": 3}),
            "will_try": forms.Textarea(attrs={"rows": 3}),
            "reflection": forms.Textarea(attrs={"rows": 4}),
        }

    # Typed, not a list of every QI lead and supervisor (thousands across a network).
    supervisor = PersonField(
        label="Supervisor",
        required=False,
        help_text="Their e-mail address, or part of their name: a QI lead or someone who supervises coaches.",
    )

    def __init__(self, *args, coach: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors_for(coach)
        if self.instance.pk is not None:
            self.initial["supervisor"] = self.instance.supervisor  # shown as their address
        else:
            profile = CoachProfile.objects.filter(coach=coach).select_related("supervisor").first()
            self.initial.setdefault("held_on", timezone.localdate())
            if profile and profile.supervisor_id:
                self.initial.setdefault("supervisor", profile.supervisor)

    def _post_clean(self):
        # The service validates the whole log (including the date rule); skip the model's own pass here.
        pass


class SupervisorNoteForm(forms.Form):
    supervisor_note = forms.CharField(label="Your note", widget=forms.Textarea(attrs={"rows": 3}))


class AssignmentStartForm(forms.Form):
    # Typed, not a list of every coach (2,000 at a network's size); the service refuses someone who is
    # not coaching, and says why.
    coach = PersonField(label="Coach", help_text="Their e-mail address, or part of their name.")
    role = forms.ChoiceField(choices=Assignment.Role.choices, initial=Assignment.Role.LEAD)
    starts_on = DateField(label="Start date", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("starts_on", timezone.localdate())


class AssignmentEndForm(forms.Form):
    ends_on = DateField(label="End date", widget=DateInput())
    end_reason = forms.CharField(label="Why it ends", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("ends_on", timezone.localdate())


class CapacityForm(forms.Form):
    hours_per_week = DecimalField(label="Hours a week", max_digits=4, decimal_places=1)


class CoachCreateForm(forms.Form):
    """Make someone a coach: their ring-fenced time and their supervisor."""

    hours_per_week = DecimalField(
        label="Hours a week",
        max_digits=4,
        decimal_places=1,
        initial=Decimal("4.0"),
        help_text="Ring-fenced coaching time: more than 0 and at most 40 hours. "
        "Half a day a week is about 4.",
        widget=forms.NumberInput(attrs={"min": "0.1", "max": "40", "step": "0.1", "inputmode": "decimal"}),
    )
    # Anyone can be typed: the service refuses someone who is not a QI lead and says how to make one.
    supervisor = PersonField(
        label="Supervisor",
        required=False,
        help_text="A QI lead: type their e-mail address or part of their name. Leave empty if the coach has "
        "no supervisor yet.",
    )

    def clean_hours_per_week(self):
        hours = self.cleaned_data["hours_per_week"]
        if hours is not None and not Decimal("0") < hours <= Decimal("40"):
            raise forms.ValidationError("Hours a week are more than 0 and at most 40, such as 4 or 3.5.")
        return hours


class CoachProfileForm(CoachCreateForm):
    """A coach's capacity and supervisor, and whether they are still coaching."""

    is_active = forms.BooleanField(
        label="Actively coaching",
        required=False,
        help_text="Untick when they stop coaching: they keep their history but take no new teams. "
        "End their current assignments first.",
    )


class PeopleFilterForm(forms.Form):
    """The people page's search: by name or e-mail address, role and directorate (all optional)."""

    q = forms.CharField(label="Name or e-mail", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *((r.value, ROLE_LABELS[r]) for r in Role)]
    )
    directorate = ModelChoiceField(
        queryset=Directorate.objects.none(),
        required=False,
        empty_label="All directorates",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, directorates: QuerySet[Directorate], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = directorates


class CoachLoadSearchForm(forms.Form):
    """The coaches' load page's search, by name or e-mail address."""

    q = forms.CharField(label="Coach's name or e-mail", max_length=100, required=False)


class OverviewFilterForm(forms.Form):
    """The lead overview's search and filters; an empty choice means everything the lead may see."""

    q = forms.CharField(label="Team or coach", max_length=100, required=False)
    directorate = ModelChoiceField(queryset=Directorate.objects.none(), required=False)
    cohort = ModelChoiceField(
        queryset=Cohort.objects.none(), required=False, label="Coach's cohort", empty_label="All cohorts"
    )

    def __init__(self, *args, projects: QuerySet[Project], **kwargs):
        super().__init__(*args, **kwargs)
        # EXISTS per directorate (an index probe each), not a scan of every project.
        self.fields["directorate"].queryset = Directorate.objects.filter(
            Exists(projects.filter(directorate=OuterRef("pk")))
        ).order_by("name")
        self.fields["directorate"].empty_label = "All directorates"
        self.fields["cohort"].queryset = Cohort.objects.select_related("programme").order_by("-starts_on")


class CoachRecordFilterForm(forms.Form):
    """Programme health's coach records: a name or address, a directorate, a cohort; empty means all."""

    q = forms.CharField(label="Coach", max_length=100, required=False)
    directorate = ModelChoiceField(
        queryset=Directorate.objects.none(), required=False, empty_label="All directorates"
    )
    cohort = ModelChoiceField(queryset=Cohort.objects.none(), required=False, empty_label="All cohorts")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The directorates coaches work in: an EXISTS per directorate, not every directorate there is.
        self.fields["directorate"].queryset = Directorate.objects.filter(
            Exists(CoachProfile.objects.filter(coach__organisation_unit=OuterRef("pk")))
        ).order_by("name")
        self.fields["cohort"].queryset = Cohort.objects.order_by("-starts_on", "-pk")


class MonthlyUpdateStartForm(forms.Form):
    """Which month to write about: this month unless the coach picks an earlier one."""

    month = DateField(
        label="Month", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )


class MonthlyUpdateForm(forms.Form):
    """The coach's words: the facts are shown beside the form, not copied into it."""

    narrative = forms.CharField(
        label="How the month went",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A short paragraph the sponsor can read in a minute.",
    )
    sponsor_ask = forms.CharField(
        label="What the team needs from the sponsor",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave blank when the team needs nothing this month.",
    )
    rag = forms.ChoiceField(
        label="RAG status",
        required=False,
        choices=[("", "Not chosen yet")] + MonthlyUpdate.Rag.choices,
        widget=forms.RadioSelect,
        help_text="Red: off track and needs help; amber: at risk; green: on track.",
    )

    def __init__(self, *args, update: MonthlyUpdate, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(narrative=update.narrative, sponsor_ask=update.sponsor_ask, rag=update.rag)


class UpdateCommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your comment before sending it."},
    )
