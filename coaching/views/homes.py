"""The role-aware home and each role's start page."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, SupervisionLog
from coaching.permissions import require_role, visible_supervision_logs
from coaching.queries import (
    annotate_cadence,
    coach_teams,
    coaches_overview,
    logged_hours,
    month_capacity_hours,
    score_trends,
    supervision_due_before,
    teams_needing_attention,
    trend_direction,
    upcoming_sessions_for,
    with_coaching_summary,
)
from coaching.roles import Role, home_url_for
from cohorts.attendance import enrolment_counts
from cohorts.models import Cohort
from projects.models import Project
from projects.permissions import can_start_projects

ATTENTION_SHOWN = 10
COACHES_PER_PAGE = 25


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page that matters most for their main role."""
    return redirect(home_url_for(request.user))


@require_safe
def welcome(request: HttpRequest) -> HttpResponse:
    return render(request, "coaching/welcome.html")


@require_safe
def programme_overview(request: HttpRequest) -> HttpResponse:
    """The programme lead's start page: cohorts, teams needing attention, coaches."""
    require_role(request.user, Role.PROGRAMME_LEAD)
    today = timezone.localdate()
    cohorts = list(
        Cohort.objects.select_related("programme")
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("-starts_on")[:6]
    )
    # Places and completion as the cohort's own pages work them out (cohorts.attendance).
    counts = enrolment_counts(cohorts)
    for cohort in cohorts:
        cohort.counts = counts[cohort.pk]
    # Picked in the database, not by loading every active project to keep ten.
    attention = teams_needing_attention(Project.objects.all(), limit=ATTENTION_SHOWN, today=today)
    coaches = coaches_overview(CoachProfile.objects.filter(is_active=True)).order_by(
        "coach__display_name", "pk"
    )
    coaches_page = Paginator(coaches, COACHES_PER_PAGE).get_page(request.GET.get("coaches_page"))
    return render(
        request,
        "coaching/programme_overview.html",
        {
            "cohorts": cohorts,
            "attention": attention,
            "active_project_count": Project.objects.filter(status=Project.Status.ACTIVE).count(),
            "coaches": coaches_page.object_list,
            "coaches_page": coaches_page,
            "supervision_due_before": supervision_due_before(today),
        },
    )


@require_safe
def coach_home(request: HttpRequest) -> HttpResponse:
    """A coach's start page: my teams and how recently each was met, next sessions, supervision."""
    require_role(request.user, Role.COACH)
    user = request.user
    profile = CoachProfile.objects.filter(coach=user).select_related("supervisor").first()
    month_start = timezone.localdate().replace(day=1)
    hours = logged_hours(user, month_start)
    capacity = month_capacity_hours(profile.hours_per_week, month_start) if profile else None
    return render(
        request,
        "coaching/coach_home.html",
        {
            "profile": profile,
            "teams": coach_teams(user),
            "past_assignments": Assignment.objects.filter(coach=user, ends_on__lt=timezone.localdate())
            .select_related("project")
            .order_by("-ends_on")[:5],
            "recent_meetings": MeetingLog.objects.filter(coach=user).select_related("project")[:5],
            "supervision": SupervisionLog.objects.filter(coach=user).select_related("supervisor")[:3],
            "upcoming_sessions": upcoming_sessions_for(user),
            "hours_this_month": hours,
            "capacity_this_month": capacity,
            "over_capacity": capacity is not None and hours > capacity,
            "amber_days": settings.COACHING_MEETING_AMBER_DAYS,
            "red_days": settings.COACHING_MEETING_RED_DAYS,
            "can_start_projects": can_start_projects(user),
        },
    )


@require_safe
def qi_lead_home(request: HttpRequest) -> HttpResponse:
    """A QI lead's start page: supervisees and the projects in their directorates."""
    require_role(request.user, Role.QI_LEAD)
    user = request.user
    supervisees = coaches_overview(CoachProfile.objects.filter(supervisor=user, is_active=True)).order_by(
        "coach__display_name"
    )
    projects = list(
        with_coaching_summary(
            Project.objects.filter(directorate__qi_leads=user, status=Project.Status.ACTIVE).select_related(
                "directorate", "sponsor"
            )
        ).order_by("directorate__name", "title")
    )
    annotate_cadence(projects)
    return render(
        request,
        "coaching/qi_lead_home.html",
        {
            "supervisees": supervisees,
            "projects": projects,
            "supervision_due_before": supervision_due_before(),
            "recent_supervision": visible_supervision_logs(user)
            .exclude(coach=user)
            .select_related("coach", "supervisor")[:5],
            "can_start_projects": can_start_projects(user),
        },
    )


@require_safe
def sponsor_home(request: HttpRequest) -> HttpResponse:
    """A sponsor's start page: each project's month at a glance (RAG, score trend, signals, update)."""
    require_role(request.user, Role.SPONSOR)
    ready = MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.READY).order_by("-month", "-version")
    projects = list(
        with_coaching_summary(Project.objects.filter(sponsor=request.user).select_related("directorate"))
        .prefetch_related(Prefetch("monthly_updates", queryset=ready, to_attr="ready_updates"))
        .order_by("title")
    )
    trends = score_trends([p.pk for p in projects])
    for project in projects:
        project.score_trend = trends.get(project.pk, [])
        project.trend = trend_direction(project.score_trend)
        project.latest_update = project.ready_updates[0] if project.ready_updates else None
    return render(request, "coaching/sponsor_home.html", {"projects": projects})
