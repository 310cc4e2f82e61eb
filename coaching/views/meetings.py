"""Meeting logs: the one-page form a coach fills in after a team meeting, the log and its edit history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from coaching.forms import MeetingLogForm, NextStepFormSet, next_steps_from
from coaching.models import MeetingLog, NextStep
from coaching.permissions import (
    can_see_meeting_details,
    get_meeting_log_for_user,
    get_project_for_meeting_log,
)
from coaching.services import meeting_log_create, meeting_log_update
from coachprog.history import field_changes
from coachprog.permissions import Access
from projects.models import Project

# The fields a meeting's edit history shows (attendees and focuses are not versioned).
MEETING_HISTORY_FIELDS = ["met_on", "duration_minutes", "mode", "progress_score", "notes"]


def _refused(form: MeetingLogForm, refused: ValidationError) -> None:
    """Put the service's reasons on the fields they are about (the team itself on the form)."""
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _form_page(request, *, project: Project, form, steps, meeting: MeetingLog | None = None) -> HttpResponse:
    return render(
        request,
        "coaching/meeting_form.html",
        {"project": project, "form": form, "steps": steps, "meeting": meeting},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Log a team meeting, with its next steps and the old ones ticked off, in one request."""
    project = get_project_for_meeting_log(request.user, project_pk)
    form = MeetingLogForm(request.POST or None, project=project)
    steps = NextStepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            meeting = meeting_log_create(
                coach=request.user,
                project=project,
                next_steps=next_steps_from(steps),
                **form.service_fields(),
            )
        except ValidationError as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"Meeting with {project} on {meeting.met_on:%-d %b %Y} logged.")
            return redirect("coaching:coach_home")
    return _form_page(request, project=project, form=form, steps=steps)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach corrects their log while they coach the team; the history keeps the old version."""
    meeting, _ = get_meeting_log_for_user(request.user, pk, need=Access.WRITE)
    form = MeetingLogForm(request.POST or None, project=meeting.project, meeting=meeting)
    steps = NextStepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            meeting_log_update(
                meeting=meeting,
                editor=request.user,
                next_steps=next_steps_from(steps),
                **form.service_fields(),
            )
        except ValidationError as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Meeting log updated; the previous version is kept in its history.")
            return redirect(meeting)
    return _form_page(request, project=meeting.project, form=form, steps=steps, meeting=meeting)


@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, access = get_meeting_log_for_user(request.user, pk, need=Access.SUMMARY)
    show_notes = access >= Access.READ
    return render(
        request,
        "coaching/meeting_detail.html",
        {
            "meeting": meeting,
            "show_notes": show_notes,
            "show_details": show_notes or can_see_meeting_details(request.user, meeting),
            "can_edit": access >= Access.WRITE,
            "attendees": meeting.attendees.all(),
            "focuses": meeting.focuses.all(),
            "next_steps": NextStep.objects.filter(meeting=meeting),
            # Earlier versions hold the notes too: only for those who may read them.
            "changes": field_changes(meeting, fields=MEETING_HISTORY_FIELDS) if show_notes else [],
        },
    )
