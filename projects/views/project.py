"""The project list (with its filters and exports) and a project's page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coachprog.exports import FORMATS as EXPORT_FORMATS
from coachprog.exports import table_response
from coachprog.permissions import Access
from projects.forms import (
    ProgressScoreForm,
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
    get_project_for_user,
    visible_projects,
)
from projects.services import (
    progress_score_change,
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
        {"page": page, "filters": filters, "columns": columns, "query": query.urlencode()},
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
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "can_edit": access >= Access.WRITE,
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
