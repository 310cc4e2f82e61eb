"""The lead views: the coaching overview (with its export); programme health is in `health`."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coaching.forms import OverviewFilterForm
from coaching.overview import coaching_overview, overview_export_rows
from coaching.permissions import overview_projects, require_role, visible_coach_profiles
from coaching.roles import Role
from coachprog.exports import FORMATS, table_response
from projects.models import Project


def _overview_filters(request: HttpRequest) -> tuple[OverviewFilterForm, QuerySet[Project], dict]:
    require_role(request.user, Role.PROGRAMME_LEAD, Role.QI_LEAD)
    projects = overview_projects(request.user)
    form = OverviewFilterForm(request.GET or None, projects=projects)
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = {
        "directorate": cleaned.get("directorate"),
        "cohort": cleaned.get("cohort"),
        "query": cleaned.get("q", "").strip(),
    }
    return form, projects, filters


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Teams × months of meetings held, teams without a coach, coaches without recent supervision,
    a page of each."""
    form, projects, filters = _overview_filters(request)
    overview = coaching_overview(
        projects,
        visible_coach_profiles(request.user),
        pages={name: request.GET.get(name) for name in ("page", "uncoached_page", "coaches_page")},
        **filters,
    )
    query = request.GET.copy()
    for name in ("page", "uncoached_page", "coaches_page"):
        query.pop(name, None)  # the download holds every team, whatever page is shown
    return render(
        request,
        "coaching/overview.html",
        {"form": form, "overview": overview, "query": query.urlencode()},
    )


@require_safe
def overview_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    _, projects, filters = _overview_filters(request)
    headers, rows = overview_export_rows(projects, **filters)
    return table_response(headers=headers, rows=rows, filename="coaching-overview", fmt=fmt, sheet="Meetings")
