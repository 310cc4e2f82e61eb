"""Programme health: the programme's measures as run charts, people trained, and the coach records."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from coaching.forms import CoachRecordFilterForm
from coaching.health import (
    cached_health_charts,
    coach_record_export_rows,
    coach_record_profiles,
    coach_records,
    trained_by_directorate,
)
from coaching.models import CoachProfile
from coaching.permissions import require_role
from coaching.roles import Role
from coachprog.exports import FORMATS, table_response

COACH_RECORDS_PER_PAGE = 50


def _coach_record_filters(request: HttpRequest) -> tuple[CoachRecordFilterForm, QuerySet[CoachProfile]]:
    require_role(request.user, Role.PROGRAMME_LEAD)
    form = CoachRecordFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    profiles = coach_record_profiles(
        query=cleaned.get("q", "").strip(),
        directorate=cleaned.get("directorate"),
        cohort=cleaned.get("cohort"),
    )
    return form, profiles


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """The programme's own measures as run charts, people trained per directorate, and a page of the
    coach records, searched and filtered."""
    form, profiles = _coach_record_filters(request)
    page = Paginator(profiles, COACH_RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)  # the download holds every record the filters find, whatever page is shown
    return render(
        request,
        "coaching/health.html",
        {
            "charts": cached_health_charts(),
            "by_directorate": trained_by_directorate(),
            "form": form,
            "page": page,
            "records": coach_records(page.object_list),
            "query": query.urlencode(),
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )


@require_safe
def health_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every coach record the page's filters find, in the same fixed number of queries however many."""
    _, profiles = _coach_record_filters(request)
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    headers, rows = coach_record_export_rows(coach_records(profiles))
    return table_response(headers=headers, rows=rows, filename="coach-records", fmt=fmt, sheet="Coaches")
