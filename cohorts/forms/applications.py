"""Applying to a cohort, a line manager's answer, and the programme lead's decisions."""

from django import forms

from coachprog.accounts.models import Directorate, User
from coachprog.forms import ModelChoiceField, ModelMultipleChoiceField
from cohorts.models import Application, Cohort
from cohorts.services.applications import (
    AVAILABILITY_REQUIRED,
    OVERRIDE_LABEL,
    OVERRIDE_REASON_MAX_LENGTH,
    PPL_REQUIRED,
    line_manager_reassign_refusal,
    line_manager_refusal,
)


class ApplicationForm(forms.Form):
    directorate = ModelChoiceField(queryset=Directorate.objects.order_by("name"))
    role_title = forms.CharField(label="Job role", max_length=200)
    prerequisites_completed = forms.MultipleChoiceField(
        label="Prerequisite courses you have completed",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The programme asks for every one of these. You can still apply without them: "
        "the programme team sees which you have not completed when they decide.",
    )
    is_service_user_or_carer = forms.BooleanField(label="I am a service user or carer", required=False)
    people_participation_lead = forms.CharField(
        label="People Participation Lead",
        max_length=200,
        required=False,
        help_text="Required for service users and carers.",
    )
    line_manager_name = forms.CharField(label="Line manager's name", max_length=200)
    line_manager_email = forms.EmailField(
        label="Line manager's e-mail address",
        help_text=(
            "We e-mail your line manager a link to approve your application. "
            "It cannot be one of your own addresses."
        ),
    )
    availability_confirmed = forms.BooleanField(
        label="I can attend at least one induction session and every workshop and action learning set date",
        error_messages={"required": AVAILABILITY_REQUIRED},
    )

    def __init__(self, *args, cohort: Cohort, applicant: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort, self.applicant = cohort, applicant
        courses = cohort.programme.prerequisite_courses or []
        self.fields["prerequisites_completed"].choices = [(c, c) for c in courses]
        if not courses:
            del self.fields["prerequisites_completed"]

    def clean_line_manager_email(self) -> str:
        email = self.cleaned_data["line_manager_email"]
        # The rule is application_submit's; saying it here puts it next to the field.
        if refusal := line_manager_refusal(applicant=self.applicant, cohort=self.cohort, email=email):
            raise forms.ValidationError(refusal)
        return email

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("is_service_user_or_carer")
            and not cleaned.get("people_participation_lead", "").strip()
        ):
            self.add_error("people_participation_lead", PPL_REQUIRED)
        return cleaned


class ManagerResponseForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])


class ManagerReassignForm(forms.Form):
    """A programme lead asks another line manager to approve an application still awaiting an answer."""

    line_manager_name = forms.CharField(label="Line manager's name", max_length=200)
    line_manager_email = forms.EmailField(
        label="Line manager's e-mail address",
        help_text=(
            "We e-mail them a new link to approve the application. "
            "It cannot be one of the applicant's own addresses."
        ),
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_line_manager_email(self) -> str:
        email = self.cleaned_data["line_manager_email"]
        # The rules are application_manager_reassign's; saying them here puts them next to the field.
        if refusal := line_manager_reassign_refusal(application=self.application, email=email):
            raise forms.ValidationError(refusal)
        return email


DECISIONS = [
    (Application.Status.ACCEPTED, "Accept"),
    (Application.Status.WAITLISTED, "Wait-list"),
    (Application.Status.DECLINED, "Decline"),
]
OVERRIDE_REASON_NEEDED = "Please give the reason for accepting an application that does not meet the rules."
OVERRIDE_NOT_TICKED = f"You gave a reason: tick “{OVERRIDE_LABEL}” to accept with it, or clear the reason."
OVERRIDE_ONLY_TO_ACCEPT = "The override is for accepting: untick it to wait-list or decline."


class ApplicationDecisionForm(forms.Form):
    """A lead's decision on one application, with the explicit override that accepting against
    the rules needs.

    The rules are `application_decide`'s (the line manager's approval, the programme's
    prerequisites); the form asks for the tick and the reason the service records.
    """

    decision = forms.ChoiceField(
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a decision."},
    )
    override = forms.BooleanField(
        label=OVERRIDE_LABEL,
        required=False,
        help_text="Needed to accept an application whose line manager has not approved it, "
        "or whose applicant has not completed every prerequisite course.",
    )
    override_reason = forms.CharField(
        label="Reason for accepting anyway",
        required=False,
        max_length=OVERRIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the decision and in the application's history, "
        "e.g. “Line manager confirmed by phone on 3 Sep”.",
    )

    def clean(self):
        cleaned = super().clean()
        override, reason = cleaned.get("override"), (cleaned.get("override_reason") or "").strip()
        if override and not reason:
            self.add_error("override_reason", OVERRIDE_REASON_NEEDED)
        elif reason and not override:
            self.add_error("override", OVERRIDE_NOT_TICKED)
        elif override and cleaned.get("decision") not in (None, Application.Status.ACCEPTED):
            self.add_error("override", OVERRIDE_ONLY_TO_ACCEPT)
        return cleaned

    def reason_to_record(self) -> str:
        """The reason to give `application_decide`: only when the override is ticked."""
        return self.cleaned_data["override_reason"].strip() if self.cleaned_data.get("override") else ""


class BulkDecisionForm(ApplicationDecisionForm):
    """The same decision for every application ticked in the table."""

    DECISIONS = DECISIONS
    applications = ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        error_messages={"required": "Please tick at least one application."},
    )
    decision = forms.ChoiceField(choices=DECISIONS, error_messages={"required": "Please choose a decision."})
    field_order = ["applications", "decision", "override", "override_reason"]

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = (
            Application.objects.filter(cohort=cohort)
            .select_related("applicant")
            .order_by("submitted_at", "pk")
        )
