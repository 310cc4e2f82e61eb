"""Coaching pages: the role-aware home, each role's start page, and the coaching records."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, NextStep, SupervisionLog
from coaching.permissions import (
    can_add_supervisor_note,
    can_read_reflection,
    get_meeting_log_for_user,
    get_monthly_update_for_user,
    get_supervision_log_for_user,
    require_role,
    visible_supervision_logs,
)
from coaching.queries import (
    annotate_cadence,
    coach_teams,
    coaches_overview,
    upcoming_sessions_for,
    with_coaching_summary,
)
from coaching.roles import Role, home_url_for
from coachprog.permissions import Access
from cohorts.models import Cohort, Enrolment
from projects.models import Project


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page that matters most for their main role."""
    return redirect(home_url_for(request.user))


def welcome(request: HttpRequest) -> HttpResponse:
    return render(request, "coaching/welcome.html")


def programme_overview(request: HttpRequest) -> HttpResponse:
    """The programme lead's start page: cohorts, teams needing attention, coaches."""
    require_role(request.user, Role.PROGRAMME_LEAD)
    today = timezone.localdate()
    cohorts = (
        Cohort.objects.select_related("programme")
        .annotate(
            participants=Count(
                "enrolments", filter=~Q(enrolments__status=Enrolment.Status.WITHDRAWN), distinct=True
            ),
            completed=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED), distinct=True
            ),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("-starts_on")[:6]
    )
    projects = list(
        with_coaching_summary(
            Project.objects.filter(status=Project.Status.ACTIVE).select_related("directorate", "sponsor")
        ).order_by("title")
    )
    annotate_cadence(projects, today)
    attention = sorted(
        (p for p in projects if not p.current_assignments or p.cadence_colour in {"danger", "secondary"}),
        key=lambda p: -(p.days_since_meeting or 10_000),
    )
    coaches = coaches_overview(CoachProfile.objects.filter(is_active=True)).order_by("coach__display_name")
    return render(
        request,
        "coaching/programme_overview.html",
        {
            "cohorts": cohorts,
            "attention": attention[:10],
            "active_project_count": len(projects),
            "coaches": coaches,
            "supervision_due_before": today - timedelta(weeks=8),
        },
    )


def coach_home(request: HttpRequest) -> HttpResponse:
    """A coach's start page: my teams and how recently each was met, next sessions, supervision."""
    require_role(request.user, Role.COACH)
    user = request.user
    profile = CoachProfile.objects.filter(coach=user).select_related("supervisor").first()
    month_start = timezone.localdate().replace(day=1)
    minutes_this_month = sum(
        MeetingLog.objects.filter(coach=user, met_on__gte=month_start).values_list(
            "duration_minutes", flat=True
        )
    )
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
            "hours_this_month": round(minutes_this_month / 60, 1),
        },
    )


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
            "supervision_due_before": timezone.localdate() - timedelta(weeks=8),
            "recent_supervision": visible_supervision_logs(user)
            .exclude(coach=user)
            .select_related("coach", "supervisor")[:5],
        },
    )


def sponsor_home(request: HttpRequest) -> HttpResponse:
    """A sponsor's start page: their projects and the latest monthly update of each."""
    require_role(request.user, Role.SPONSOR)
    ready = MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.READY).order_by("-month", "-version")
    projects = (
        Project.objects.filter(sponsor=request.user)
        .select_related("directorate")
        .prefetch_related(Prefetch("monthly_updates", queryset=ready, to_attr="ready_updates"))
        .order_by("title")
    )
    return render(request, "coaching/sponsor_home.html", {"projects": projects})


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, access = get_meeting_log_for_user(request.user, pk, need=Access.SUMMARY)
    return render(
        request,
        "coaching/meeting_detail.html",
        {
            "meeting": meeting,
            "show_notes": access >= Access.READ,
            "can_edit": access >= Access.WRITE,
            "attendees": meeting.attendees.all(),
            "focuses": meeting.focuses.all(),
            "next_steps": NextStep.objects.filter(meeting=meeting),
        },
    )


def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    log, access = get_supervision_log_for_user(request.user, pk)
    return render(
        request,
        "coaching/supervision_detail.html",
        {
            "log": log,
            "can_edit": access >= Access.WRITE,
            "show_reflection": can_read_reflection(request.user, log),
            "can_add_note": can_add_supervisor_note(request.user, log),
        },
    )


def monthly_update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update, access = get_monthly_update_for_user(request.user, pk)
    return render(
        request,
        "coaching/monthly_update_detail.html",
        {"update": update, "can_edit": access >= Access.WRITE},
    )
