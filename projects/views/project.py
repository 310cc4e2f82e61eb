"""The project list (with its search, filters and exports), a project's page, and a project's life:
starting it, changing its details and team, closing it and reopening it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coachprog.accounts.models import Directorate
from coachprog.exports import FORMATS as EXPORT_FORMATS
from coachprog.exports import table_response
from coachprog.permissions import Access, is_programme_lead
from projects.forms import (
    ProgressScoreForm,
    ProjectCloseForm,
    ProjectForm,
    ProjectReopenForm,
    TeamMemberForm,
    TeamMemberFormSet,
    team_from,
)
from projects.listing import (
    filter_projects,
    is_stalled,
    project_list_columns,
    project_list_filters,
    stalled_cutoff,
)
from projects.models import (
    DataPoint,
    Measure,
    PDSACycle,
    ProgressScoreChange,
    Project,
    TeamMembership,
)
from projects.panels import project_panels
from projects.permissions import (
    can_change_project,
    can_start_projects,
    get_membership_for_user,
    get_project_details_for_user,
    get_project_for_reopening,
    get_project_for_user,
    startable_directorates,
    visible_projects,
)
from projects.services import (
    progress_score_change,
    project_close,
    project_reopen,
    project_start,
    project_update,
    team_member_add,
    team_member_remove,
)
from projects.views.data import entry_form

PAGE_SIZE = 25


def _listed_projects(request: HttpRequest):
    """The projects the user may see, filtered by the query string, with the list's columns."""
    visible = visible_projects(request.user)
    projects = filter_projects(visible.select_related("directorate", "sponsor"), request.GET).order_by(
        "title"
    )
    filters = [
        {
            "name": f.name,
            "label": f.label,
            "empty_label": f.empty_label,
            "choices": f.choices(request.user, visible),
            "selected": request.GET.get(f.name, ""),
        }
        for f in project_list_filters()
    ]
    return projects, filters, project_list_columns()


def _column_values(columns, projects: list[Project]) -> None:
    """Attach each extra column's text to the projects shown (one query or so per column)."""
    values = [column.values(projects) for column in columns]
    for project in projects:
        project.extra_columns = [column_values.get(project.pk, "") for column_values in values]


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    projects, filters, columns = _listed_projects(request)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    _column_values(columns, list(page.object_list))
    cutoff = stalled_cutoff()
    for project in page.object_list:
        project.stalled = is_stalled(project, cutoff)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "filters": filters,
            "columns": columns,
            "query": query.urlencode(),
            "search": request.GET.get("q", "")[:200],
            "can_start": can_start_projects(request.user),
        },
    )


@require_safe
def project_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered project list as CSV or Excel, every page."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    projects, _, columns = _listed_projects(request)
    projects = list(projects)
    _column_values(columns, projects)
    cutoff = stalled_cutoff()
    headers = [
        "Project",
        "Directorate",
        "Sponsor",
        *[c.label for c in columns],
        "Status",
        "Progress score",
        "Score since",
        "Stalled",
        "Aim",
        "Start date",
    ]
    rows = [
        [
            p.title,
            p.directorate.name,
            str(p.sponsor),
            *p.extra_columns,
            p.get_status_display(),
            p.progress_score,
            p.score_since,
            "yes" if is_stalled(p, cutoff) else "no",
            p.aim_statement,
            p.started_on,
        ]
        for p in projects
    ]
    filename = f"projects-{timezone.localdate():%Y-%m-%d}"
    return table_response(headers=headers, rows=rows, filename=filename, fmt=fmt, sheet="Projects")


@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project, access = get_project_for_user(request.user, pk)
    project.score_since = (
        ProgressScoreChange.objects.filter(project=project)
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    latest_points = DataPoint.objects.order_by("-period")
    measures = list(
        Measure.objects.filter(project=project)
        .annotate(point_count=Count("data_points"))
        .prefetch_related(Prefetch("data_points", queryset=latest_points, to_attr="points_newest_first"))
    )
    if access >= Access.WRITE:
        for measure in measures:
            latest = measure.points_newest_first[0].period if measure.points_newest_first else None
            measure.entry_form = entry_form(measure, latest)
    can_change = can_change_project(request.user, project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "can_edit": access >= Access.WRITE,
            "can_change": can_change,
            "can_reopen": project.is_archived and is_programme_lead(request.user),
            "reopen_form": ProjectReopenForm(),
            "team_form": TeamMemberForm(auto_id="team-%s") if can_change else None,
            "team": TeamMembership.objects.filter(project=project).select_related("person"),
            "measures": measures,
            "cycles": PDSACycle.objects.filter(project=project).select_related("change_idea", "follows"),
            "score_history": ProgressScoreChange.objects.filter(project=project)
            .select_related("changed_by")
            .order_by("-changed_at")[:10],
            "panels": project_panels(request, project, access),
            "stalled": is_stalled(project, stalled_cutoff()),
            "score_form": ProgressScoreForm(initial={"score": project.progress_score})
            if access >= Access.WRITE
            else None,
        },
    )


@require_POST
def progress_score_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the project's progress score; who, when and why go into its history."""
    project, _ = get_project_for_user(request.user, pk, need=Access.WRITE)
    form = ProgressScoreForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form[field].label}: {' '.join(errors)}")
        return redirect(project)
    change = progress_score_change(
        project=project,
        score=form.cleaned_data["score"],
        changed_by=request.user,
        reason=form.cleaned_data["reason"],
    )
    if change is None:
        messages.info(request, f"The progress score is already {project.progress_score}; nothing changed.")
    else:
        messages.success(request, f"Progress score changed from {change.previous_score} to {change.score}.")
    return redirect(project)


# --- A project's life: start, details, team, close and reopen -----------------------------------


def _show_refusal(form: forms.BaseForm, refused: ValidationError) -> None:
    """A service's refusal, each message on its field where the form has it."""
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused.messages)
        return
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """Start a project: its details, aim and team. A coach who starts one becomes its lead coach."""
    directorates = startable_directorates(request.user)
    if not directorates.exists():
        raise PermissionDenied(
            "Coaches, QI leads (in their own directorates) and programme leads start projects."
        )
    form = ProjectForm(request.POST or None, directorates=directorates)
    team = TeamMemberFormSet(request.POST or None, prefix="team", form_kwargs={"require_person": False})
    if request.method == "POST":
        valid = form.is_valid() & team.is_valid()  # both, so every error shows at once
        if valid:
            try:
                project = project_start(started_by=request.user, team=team_from(team), **form.details())
            except ValidationError as refused:
                _show_refusal(form, refused)
            else:
                messages.success(
                    request, f"{project} has started. Next, add the measures that will show the aim."
                )
                return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "team": team, "project": None})


@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a project's details (its coaches, its directorate's QI leads and programme leads)."""
    project = get_project_details_for_user(request.user, pk)
    # The project's own directorate stays a choice even for an editor who could not start one there.
    directorates = Directorate.objects.filter(
        Q(pk__in=startable_directorates(request.user).values("pk")) | Q(pk=project.directorate_id)
    )
    form = ProjectForm(request.POST or None, instance=project, directorates=directorates)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, changed_by=request.user, **form.details())
        except ValidationError as refused:
            _show_refusal(form, refused)
        else:
            messages.success(request, f"The details of {form.cleaned_data['title'].strip()} are saved.")
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "team": None, "project": project})


@require_http_methods(["GET", "HEAD", "POST"])
def project_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete or close a project with its outcome summary; it becomes a read-only archive."""
    project = get_project_details_for_user(request.user, pk)
    form = ProjectCloseForm(request.POST or None, initial={"outcome_summary": project.outcome_summary})
    if request.method == "POST" and form.is_valid():
        try:
            closed = project_close(project=project, closed_by=request.user, **form.cleaned_data)
        except ValidationError as refused:
            _show_refusal(form, refused)
        else:
            messages.success(
                request,
                f"{closed} is {closed.get_status_display().lower()}: it stays listed as a read-only archive, "
                "and its coaching has ended.",
            )
            return redirect(closed)
    return render(request, "projects/project_close.html", {"form": form, "project": project})


@require_POST
def project_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme lead makes an archived project active again, saying why."""
    project = get_project_for_reopening(request.user, pk)
    form = ProjectReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Why reopen it: {' '.join(form.errors['reason'])}")
        return redirect(project)
    try:
        project_reopen(project=project, reason=form.cleaned_data["reason"], reopened_by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"{project} is active again. Assign its coaches on the Coaches page.")
    return redirect(project)


@require_http_methods(["GET", "HEAD", "POST"])
def project_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The team: everyone who sees the project reads it; its coaches, QI leads and leads add people."""
    if request.method == "POST":
        project = get_project_details_for_user(request.user, pk)
        can_change = True
    else:
        project, _ = get_project_for_user(request.user, pk)
        can_change = can_change_project(request.user, project)
    form = TeamMemberForm(request.POST or None) if can_change else None
    if request.method == "POST" and form.is_valid():
        person, role = form.cleaned_data["person"], form.cleaned_data["role"]
        try:
            team_member_add(
                project=project,
                person=person,
                role=role,
                joined_on=timezone.localdate(),
                added_by=request.user,
            )
        except ValidationError as refused:
            _show_refusal(form, refused)
        else:
            label = dict(TeamMembership.Role.choices)[role].lower()
            messages.success(request, f"{person} joined the team of {project} as {label}.")
            return redirect(f"{project.get_absolute_url()}#team-heading")
    return render(
        request,
        "projects/project_team.html",
        {
            "project": project,
            "form": form,
            "can_change": can_change,
            "team": TeamMembership.objects.filter(project=project).select_related("person"),
        },
    )


@require_POST
def team_member_remove_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, membership_pk)
    try:
        team_member_remove(membership=membership, removed_by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"{membership.person} is no longer on the team of {membership.project}.")
    return redirect(f"{membership.project.get_absolute_url()}#team-heading")
