"""Reads that join coaching to projects and cohorts, each a fixed number of queries."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from coaching.models import Assignment, CoachProfile, MeetingLog, MonthlyUpdate, NextStep, SupervisionLog
from cohorts.models import Session
from projects.models import Project


def meeting_cadence(last_met_on: date | None, today: date | None = None) -> tuple[int | None, str]:
    """Days since the last meeting and a Bootstrap colour for it (thresholds in settings)."""
    if last_met_on is None:
        return None, "secondary"
    days = ((today or timezone.localdate()) - last_met_on).days
    if days > settings.COACHING_MEETING_RED_DAYS:
        return days, "danger"
    if days > settings.COACHING_MEETING_AMBER_DAYS:
        return days, "warning"
    return days, "success"


def supervision_due_before(today: date | None = None) -> date:
    """Supervision held before this date is overdue."""
    return (today or timezone.localdate()) - timedelta(weeks=settings.COACHING_SUPERVISION_DUE_WEEKS)


def annotate_cadence(projects: list[Project], today: date | None = None) -> list[Project]:
    """Set `days_since_meeting` and `cadence_colour` on projects from `with_coaching_summary`."""
    for project in projects:
        project.days_since_meeting, project.cadence_colour = meeting_cadence(project.last_met_on, today)
    return projects


def last_meeting_on() -> Subquery:
    """A project's last meeting date: one probe of the (project, -met_on) index per project, where a MAX
    over a join grouped every meeting of every project first."""
    return Subquery(
        MeetingLog.objects.filter(project=OuterRef("pk")).order_by("-met_on").values("met_on")[:1]
    )


def teams_needing_attention(
    projects: QuerySet[Project], *, limit: int, today: date | None = None
) -> list[Project]:
    """Active teams with no coach, never met, or not met for more than the red threshold; never met first,
    then the longest since a meeting. The database picks the `limit` (ORDER BY … LIMIT), with their
    coaches and cadence, in two queries."""
    today = today or timezone.localdate()
    current = Assignment.objects.current(on=today)
    red_since = today - timedelta(days=settings.COACHING_MEETING_RED_DAYS)
    active = projects.filter(status=Project.Status.ACTIVE).order_by()
    # A UNION of two anti-joins: an OR of NOT EXISTS costs so much in the planner's estimate that
    # PostgreSQL's JIT compiled the query (20 ms) for a 15 ms answer.
    uncoached = active.filter(~Exists(current.filter(project=OuterRef("pk")))).values("pk")
    stale = active.filter(
        ~Exists(MeetingLog.objects.filter(project=OuterRef("pk"), met_on__gte=red_since))
    ).values("pk")
    teams = (
        Project.objects.filter(pk__in=uncoached.union(stale))
        .annotate(last_met_on=last_meeting_on())
        .select_related("directorate")
        .prefetch_related(
            Prefetch("assignments", queryset=current.select_related("coach"), to_attr="current_assignments")
        )
        .order_by(F("last_met_on").asc(nulls_first=True), "title", "pk")
    )
    return annotate_cadence(list(teams[:limit]), today)


def with_coaching_summary(projects: QuerySet[Project], month: date | None = None) -> QuerySet[Project]:
    """Annotate projects with their last meeting, open next steps and this month's update status."""
    month = (month or timezone.localdate()).replace(day=1)
    updates = MonthlyUpdate.objects.filter(project=OuterRef("pk"), month=month)
    return projects.annotate(
        last_met_on=last_meeting_on(),
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


def score_trends(project_ids, *, points: int = 5) -> dict[int, list[MeetingLog]]:
    """The last few meetings' progress scores of each project, oldest first, in one query."""
    trends: dict[int, list] = {}
    meetings = (
        MeetingLog.objects.filter(project_id__in=project_ids)
        .order_by("project_id", "-met_on", "-pk")
        .only("project_id", "met_on", "progress_score")
    )
    for meeting in meetings:
        recent = trends.setdefault(meeting.project_id, [])
        if len(recent) < points:
            recent.append(meeting)
    return {pk: recent[::-1] for pk, recent in trends.items()}


def trend_direction(meetings: list[MeetingLog]) -> str:
    """ "up", "down" or "flat": the latest score against the earliest of the recent ones."""
    if len(meetings) < 2 or meetings[-1].progress_score == meetings[0].progress_score:
        return "flat"
    return "up" if meetings[-1].progress_score > meetings[0].progress_score else "down"


def coach_teams(coach) -> list[Assignment]:
    """The coach's current assignments, each with its project summarised for the coach home."""
    assignments = list(
        Assignment.objects.current().filter(coach=coach).select_related("project").order_by("project__title")
    )
    project_ids = [a.project_id for a in assignments]
    summaries = {
        p.pk: p
        for p in with_coaching_summary(
            Project.objects.filter(pk__in=project_ids).select_related("directorate")
        )
    }
    trends = score_trends(project_ids)
    for assignment in assignments:
        project = summaries[assignment.project_id]
        assignment.summary = project
        assignment.days_since_meeting, assignment.cadence_colour = meeting_cadence(project.last_met_on)
        assignment.score_trend = trends.get(assignment.project_id, [])
        assignment.trend = trend_direction(assignment.score_trend)
    return assignments


def logged_hours(coach, since: date) -> float:
    """Hours of team meetings the coach logged from `since` to today."""
    minutes = MeetingLog.objects.filter(coach=coach, met_on__gte=since).aggregate(m=Sum("duration_minutes"))
    return round((minutes["m"] or 0) / 60, 1)


def month_capacity_hours(hours_per_week, month_start: date) -> float:
    """A coach's capacity for a calendar month: hours a week × the month's weeks."""
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    return round(float(hours_per_week) * (next_month - month_start).days / 7, 1)


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
    """Coach profiles with their current team count and last supervision and meeting dates.

    Subqueries rather than a COUNT over a join, so a page of coaches costs a few index probes per coach
    shown instead of grouping every coach's assignments first."""
    teams = (
        Assignment.objects.current()
        .filter(coach=OuterRef("coach"))
        .order_by()
        .values("coach")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return coach_profiles.select_related("coach", "supervisor").annotate(
        team_count=Coalesce(Subquery(teams), 0),
        last_supervision_on=Subquery(
            SupervisionLog.objects.filter(coach=OuterRef("coach")).order_by("-held_on").values("held_on")[:1]
        ),
        last_meeting_on=Subquery(
            MeetingLog.objects.filter(coach=OuterRef("coach")).order_by("-met_on").values("met_on")[:1]
        ),
    )


def _minutes_logged_since(since: date) -> Coalesce:
    """A coach's minutes of team meetings after `since`: a range of the (coach, -met_on) index."""
    minutes = (
        MeetingLog.objects.filter(coach=OuterRef("coach"), met_on__gt=since)
        .order_by()
        .values("coach")
        .annotate(m=Sum("duration_minutes"))
        .values("m")
    )
    return Coalesce(Subquery(minutes), 0)


def coach_load_profiles(
    coach_profiles: QuerySet[CoachProfile], *, query: str = "", today: date | None = None
) -> QuerySet[CoachProfile]:
    """Coach profiles by name, searched by name or e-mail address, with the minutes they logged over 4
    and 12 weeks. Subqueries, so a page of coaches costs index probes for the coaches shown only."""
    today = today or timezone.localdate()
    for word in query.split()[:8]:
        word = word[:100]
        coach_profiles = coach_profiles.filter(
            Q(coach__display_name__icontains=word) | Q(coach__email__icontains=word)
        )
    return (
        coach_profiles.select_related("coach", "supervisor")
        .annotate(
            minutes_4=_minutes_logged_since(today - timedelta(weeks=4)),
            minutes_12=_minutes_logged_since(today - timedelta(weeks=12)),
        )
        .order_by("coach__display_name", "pk")
    )


def coach_load(profiles: Iterable[CoachProfile], today: date | None = None) -> list[CoachProfile]:
    """Each coach's current teams and logged hours over 4 and 12 weeks against capacity, for profiles from
    `coach_load_profiles` (a page of them): one query for the profiles and one for their teams."""
    today = today or timezone.localdate()
    profiles = list(profiles)
    teams: dict[int, list[Assignment]] = {}
    current = Assignment.objects.current(on=today).filter(coach_id__in=[p.coach_id for p in profiles])
    for assignment in current.select_related("project").order_by("project__title"):
        teams.setdefault(assignment.coach_id, []).append(assignment)
    for profile in profiles:
        profile.teams = teams.get(profile.coach_id, [])
        profile.hours_4 = round((profile.minutes_4 or 0) / 60, 1)
        profile.hours_12 = round((profile.minutes_12 or 0) / 60, 1)
        profile.capacity_4 = float(profile.hours_per_week) * 4
        profile.capacity_12 = float(profile.hours_per_week) * 12
        profile.load_4 = round(100 * profile.hours_4 / profile.capacity_4) if profile.capacity_4 else 0
        profile.load_12 = round(100 * profile.hours_12 / profile.capacity_12) if profile.capacity_12 else 0
    return profiles


def last_months(count: int, today: date | None = None) -> list[date]:
    """The first days of the last `count` calendar months, oldest first, this month last."""
    month = (today or timezone.localdate()).replace(day=1)
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def meetings_by_month(
    projects: QuerySet[Project] | list[Project], months: list[date]
) -> dict[tuple[int, date], int]:
    """Meetings held per (project, month) over `months`, in one query (a queryset is a subquery)."""
    rows = (
        MeetingLog.objects.filter(project__in=projects, met_on__gte=months[0])
        .annotate(month=TruncMonth("met_on"))
        .values("project_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        counts[row["project_id"], month] = row["n"]
    return counts
