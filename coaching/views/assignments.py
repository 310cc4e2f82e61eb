"""Assigning coaches to teams, ending assignments, and each coach's load against their capacity."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coaching.forms import AssignmentEndForm, AssignmentStartForm, CapacityForm, CoachLoadSearchForm
from coaching.models import Assignment, CoachProfile
from coaching.permissions import (
    can_set_capacity,
    get_assignment_for_user,
    get_coach_profile_for_user,
    get_project_for_assigning,
    require_role,
    visible_coach_profiles,
)
from coaching.queries import coach_load, coach_load_profiles
from coaching.roles import Role
from coaching.services import assignment_end, assignment_start, coach_capacity_set
from coachprog.permissions import Access, require
from projects.permissions import require_live


@require_http_methods(["GET", "HEAD", "POST"])
def project_coaches(request: HttpRequest, project_pk: int) -> HttpResponse:
    """A team's coaches now and before; leads assign and end assignments here."""
    project, access = get_project_for_assigning(request.user, project_pk)
    can_assign = access >= Access.WRITE
    start_form = AssignmentStartForm(request.POST or None) if can_assign else None
    if request.method == "POST":
        require_live(project)  # say why an archived project takes no new coach
        require(access, Access.WRITE)
        if start_form.is_valid():
            try:
                assignment = assignment_start(
                    project=project, assigned_by=request.user, **start_form.cleaned_data
                )
            except ValidationError as refused:
                for field, errors in refused.message_dict.items():
                    start_form.add_error(field if field in start_form.fields else None, errors)
            else:
                messages.success(request, f"{assignment.coach} now coaches {project}.")
                return redirect("coaching:project_coaches", project_pk=project.pk)
    assignments = list(
        Assignment.objects.filter(project=project)
        .select_related("coach", "assigned_by")
        .order_by("-starts_on")
    )
    return render(
        request,
        "coaching/project_coaches.html",
        {
            "project": project,
            "can_assign": can_assign,
            "start_form": start_form,
            "current": [a for a in assignments if a.is_open],
            "past": [a for a in assignments if not a.is_open],
            "end_form": AssignmentEndForm(),
        },
    )


@require_POST
def assignment_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """End an assignment with a date and a reason; the row stays as history."""
    assignment, _ = get_assignment_for_user(request.user, pk, need=Access.WRITE)
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            assignment_end(
                assignment=assignment,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"{assignment.coach}'s assignment to {assignment.project} has ended.")
    else:
        messages.error(request, "Give the end date as a date.")
    return redirect("coaching:project_coaches", project_pk=assignment.project_id)


COACHES_PER_PAGE = 50


@require_safe
def coach_load_page(request: HttpRequest) -> HttpResponse:
    """Each coach's teams and logged hours against capacity over 4 and 12 weeks, to balance assignments:
    a page of coaches, searched by name. `?edit=<profile>` shows that one coach's capacity form (htmx
    asks for just the row); the form posts to `coach_capacity`."""
    require_role(request.user, Role.PROGRAMME_LEAD, Role.QI_LEAD)
    form = CoachLoadSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    visible = visible_coach_profiles(request.user).filter(is_active=True)
    editing = request.GET.get("edit", "")
    if request.htmx and editing.isdigit():
        profile, _ = get_coach_profile_for_user(request.user, int(editing), need=Access.WRITE)
        row = coach_load(coach_load_profiles(CoachProfile.objects.filter(pk=profile.pk)))[0]
        row.can_edit = can_set_capacity(request.user, row)
        return render(request, "coaching/_coach_load_row.html", {"p": row, "editing": row.can_edit})
    page = Paginator(coach_load_profiles(visible, query=query), COACHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    profiles = coach_load(page.object_list)
    for profile in profiles:
        profile.can_edit = can_set_capacity(request.user, profile)
        profile.editing = profile.can_edit and str(profile.pk) == editing
    query_string = request.GET.copy()
    query_string.pop("edit", None)
    return render(
        request,
        "coaching/coach_load.html",
        {"form": form, "page": page, "profiles": profiles, "query": query_string.urlencode()},
    )


@require_POST
def coach_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a coach's capacity; htmx gets the coach's row back, a plain post the page."""
    profile, _ = get_coach_profile_for_user(request.user, pk, need=Access.WRITE)
    form = CapacityForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Capacity is a number of hours a week, such as 4 or 3.5."
    else:
        try:
            coach_capacity_set(profile=profile, hours_per_week=form.cleaned_data["hours_per_week"])
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if request.htmx:
        row = coach_load(coach_load_profiles(CoachProfile.objects.filter(pk=profile.pk)))[0]
        row.can_edit = True
        # 200 even on error: htmx swaps only successful responses, and the row shows the error in its form.
        return render(
            request, "coaching/_coach_load_row.html", {"p": row, "error": error, "editing": bool(error)}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{profile.coach}'s capacity is now {profile.hours_per_week} hours a week.")
    return redirect("coaching:coach_load")
