"""The lead views: the coaching overview (with its export) and programme health."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coaching.forms import OverviewFilterForm
from coaching.health import coach_record_export_rows, coach_records, health_charts, trained_by_directorate
from coaching.overview import Overview, coaching_overview, overview_export_rows
from coaching.permissions import overview_projects, require_role, visible_coach_profiles
from coaching.roles import Role
from coachprog.exports import FORMATS, table_response


def _overview(request: HttpRequest) -> tuple[OverviewFilterForm, Overview]:
    require_role(request.user, Role.PROGRAMME_LEAD, Role.QI_LEAD)
    projects = overview_projects(request.user)
    form = OverviewFilterForm(request.GET or None, projects=projects)
    filters = form.cleaned_data if form.is_valid() else {}
    overview = coaching_overview(
        projects,
        visible_coach_profiles(request.user),
        directorate=filters.get("directorate"),
        cohort=filters.get("cohort"),
    )
    return form, overview


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """Teams × months of meetings held, teams without a coach, coaches without recent supervision."""
    form, overview = _overview(request)
    return render(
        request,
        "coaching/overview.html",
        {"form": form, "overview": overview, "query": request.GET.urlencode()},
    )


@require_safe
def overview_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    _, overview = _overview(request)
    headers, rows = overview_export_rows(overview)
    return table_response(headers=headers, rows=rows, filename="coaching-overview", fmt=fmt, sheet="Meetings")


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """The programme's own measures as run charts, people trained per directorate, one record per coach."""
    require_role(request.user, Role.PROGRAMME_LEAD)
    return render(
        request,
        "coaching/health.html",
        {
            "charts": health_charts(),
            "by_directorate": trained_by_directorate(),
            "records": coach_records(),
        },
    )


@require_safe
def health_export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_role(request.user, Role.PROGRAMME_LEAD)
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    headers, rows = coach_record_export_rows(coach_records())
    return table_response(headers=headers, rows=rows, filename="coach-records", fmt=fmt, sheet="Coaches")
