"""Reads that join coaching to projects and cohorts, each a fixed number of queries."""

from datetime import date, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, NextStep, SupervisionLog
from cohorts.models import Session
from projects.models import Project

# Days since a team's last meeting after which the coach home shows amber, then red.
MEETING_AMBER_DAYS = 21
MEETING_RED_DAYS = 35


def meeting_cadence(last_met_on: date | None, today: date | None = None) -> tuple[int | None, str]:
    """Days since the last meeting and a Bootstrap colour for it."""
    if last_met_on is None:
        return None, "secondary"
    days = ((today or timezone.localdate()) - last_met_on).days
    if days > MEETING_RED_DAYS:
        return days, "danger"
    if days > MEETING_AMBER_DAYS:
        return days, "warning"
    return days, "success"


def annotate_cadence(projects: list[Project], today: date | None = None) -> list[Project]:
    """Set `days_since_meeting` and `cadence_colour` on projects from `with_coaching_summary`."""
    for project in projects:
        project.days_since_meeting, project.cadence_colour = meeting_cadence(project.last_met_on, today)
    return projects


def with_coaching_summary(projects: QuerySet[Project], month: date | None = None) -> QuerySet[Project]:
    """Annotate projects with their last meeting, open next steps and this month's update status."""
    month = (month or timezone.localdate()).replace(day=1)
    updates = MonthlyUpdate.objects.filter(project=OuterRef("pk"), month=month)
    return projects.annotate(
        last_met_on=Max("meeting_logs__met_on"),
        open_next_steps=Subquery(
            NextStep.objects.filter(meeting__project=OuterRef("pk"), done_on__isnull=True)
            .order_by()
            .values("meeting__project")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        update_ready=Exists(updates.filter(status=MonthlyUpdate.Status.READY)),
        update_draft=Exists(updates.filter(status=MonthlyUpdate.Status.DRAFT)),
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.current().select_related("coach"),
            to_attr="current_assignments",
        )
    )


def coach_teams(coach) -> list[Assignment]:
    """The coach's current assignments, each with its project summarised for the coach home."""
    assignments = list(
        Assignment.objects.current().filter(coach=coach).select_related("project").order_by("project__title")
    )
    summaries = {
        p.pk: p
        for p in with_coaching_summary(
            Project.objects.filter(pk__in=[a.project_id for a in assignments]).select_related("directorate")
        )
    }
    for assignment in assignments:
        project = summaries[assignment.project_id]
        assignment.summary = project
        assignment.days_since_meeting, assignment.cadence_colour = meeting_cadence(project.last_met_on)
    return assignments


def upcoming_sessions_for(user, *, days: int = 60, limit: int = 5) -> QuerySet[Session]:
    """Scheduled sessions in the coming weeks that the person attends or facilitates."""
    now = timezone.now()
    return (
        Session.objects.filter(
            Q(facilitators=user)
            | Q(cohort__enrolments__participant=user, cohort__enrolments__status="enrolled"),
            status=Session.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lte=now + timedelta(days=days),
        )
        .select_related("cohort")
        .distinct()
        .order_by("starts_at")[:limit]
    )


def coaches_overview(coach_profiles: QuerySet[CoachProfile]) -> QuerySet[CoachProfile]:
    """Coach profiles with their current team count and last supervision and meeting dates."""
    today = timezone.localdate()
    return coach_profiles.select_related("coach", "supervisor").annotate(
        team_count=Count(
            "coach__assignments",
            filter=Q(coach__assignments__starts_on__lte=today)
            & (Q(coach__assignments__ends_on__isnull=True) | Q(coach__assignments__ends_on__gte=today)),
            distinct=True,
        ),
        last_supervision_on=Subquery(
            SupervisionLog.objects.filter(coach=OuterRef("coach")).order_by("-held_on").values("held_on")[:1]
        ),
        last_meeting_on=Subquery(
            MeetingLog.objects.filter(coach=OuterRef("coach")).order_by("-met_on").values("met_on")[:1]
        ),
    )
