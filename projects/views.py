"""Project pages: the list a user may see, a project, a measure and a PDSA cycle."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coachprog.accounts.models import Directorate
from coachprog.permissions import Access
from projects.models import DataPoint, Measure, PDSACycle, ProgressScoreChange, Project, TeamMembership
from projects.panels import project_panels
from projects.permissions import (
    get_measure_for_user,
    get_pdsa_cycle_for_user,
    get_project_for_user,
    visible_projects,
)

PAGE_SIZE = 25


def project_list(request: HttpRequest) -> HttpResponse:
    projects = visible_projects(request.user).select_related("directorate", "sponsor").order_by("title")
    directorates = Directorate.objects.filter(projects__in=visible_projects(request.user)).distinct()
    directorate_id = request.GET.get("directorate", "")
    if directorate_id.isdigit():
        projects = projects.filter(directorate_id=int(directorate_id))
    status = request.GET.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "directorates": directorates,
            "statuses": Project.Status.choices,
            "selected_directorate": directorate_id,
            "selected_status": status,
        },
    )


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project, access = get_project_for_user(request.user, pk)
    latest_points = DataPoint.objects.order_by("-period")
    measures = (
        Measure.objects.filter(project=project)
        .annotate(point_count=Count("data_points"))
        .prefetch_related(Prefetch("data_points", queryset=latest_points, to_attr="points_newest_first"))
    )
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
            .order_by("-changed_at")[:6],
            "panels": project_panels(request, project, access),
        },
    )


def measure_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    measure, access = get_measure_for_user(request.user, project_pk, pk)
    return render(
        request,
        "projects/measure_detail.html",
        {
            "project": measure.project,
            "measure": measure,
            "points": DataPoint.objects.filter(measure=measure).order_by("period"),
            "can_edit": access >= Access.WRITE,
        },
    )


def pdsa_detail(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    cycle, access = get_pdsa_cycle_for_user(request.user, project_pk, pk)
    return render(
        request,
        "projects/pdsa_detail.html",
        {
            "project": cycle.project,
            "cycle": cycle,
            "measures": cycle.measures.all(),
            "can_edit": access >= Access.WRITE,
        },
    )
