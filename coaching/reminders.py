"""Scheduled e-mail for coaching: the monthly sponsor update, coaches' reminders and nudges.

Each function finds due work and queues outbox rows whose keys name the period and the
person, so running it twice (a duplicate beat tick, a second beat, a redelivered task)
adds nothing. The reads are a fixed number of queries, plus a fixed number per e-mail.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from coaching.models import Assignment, MonthlyUpdate
from coachprog.bank_holidays import bank_holidays
from coachprog.outbox.models import Kind, Message
from coachprog.outbox.services import iso_week, message_queue
from projects.models import Project

# Days without a meeting before a coach is nudged, and before their QI lead hears of it.
NUDGE_AFTER_DAYS = 21
ESCALATE_AFTER_DAYS = 35


def nudge_after_days() -> int:
    return getattr(settings, "COACH_NUDGE_AFTER_DAYS", NUDGE_AFTER_DAYS)


def escalate_after_days() -> int:
    return getattr(settings, "COACH_ESCALATE_AFTER_DAYS", ESCALATE_AFTER_DAYS)


def first_working_day(year: int, month: int) -> date:
    """The first weekday of the month that is not a bank holiday (in the organisation's nation)."""
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in bank_holidays([year]):
        day += timedelta(days=1)
    return day


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _existing(keys: list[str]) -> set[str]:
    return set(Message.objects.filter(key__in=keys).values_list("key", flat=True))


# --- the monthly sponsor update ---------------------------------------------------------


def sponsor_monthly_key(month: date, sponsor_id: int) -> str:
    return f"sponsor-monthly:{month:%Y-%m}:{sponsor_id}"


def ready_updates(month: date) -> list[MonthlyUpdate]:
    """The latest ready version of each project's update for the month, with project and sponsor."""
    latest: dict[int, MonthlyUpdate] = {}
    rows = (
        MonthlyUpdate.objects.filter(month=month, status=MonthlyUpdate.Status.READY)
        .select_related("project", "project__sponsor", "project__directorate")
        .order_by("project_id", "-version")
    )
    for update in rows:
        latest.setdefault(update.project_id, update)
    return sorted(latest.values(), key=lambda u: u.project.title)


def sponsor_monthly_run(*, today: date | None = None, force: bool = False) -> int:
    """On the first working day, one e-mail per sponsor listing last month's ready updates.

    Returns the number of new outbox rows. `force` runs on any day (for a manual re-run).
    """
    today = today or timezone.localdate()
    if not force and today != first_working_day(today.year, today.month):
        return 0
    month = previous_month(today)
    by_sponsor: dict[int, list[MonthlyUpdate]] = defaultdict(list)
    sponsors = {}
    for update in ready_updates(month):
        by_sponsor[update.project.sponsor_id].append(update)
        sponsors[update.project.sponsor_id] = update.project.sponsor
    waiting: dict[int, list[Project]] = defaultdict(list)
    for project in (
        Project.objects.filter(status=Project.Status.ACTIVE, sponsor_id__in=list(sponsors))
        .exclude(pk__in=[u.project_id for updates in by_sponsor.values() for u in updates])
        .order_by("title")
    ):
        waiting[project.sponsor_id].append(project)
    keys = {sponsor_id: sponsor_monthly_key(month, sponsor_id) for sponsor_id in sponsors}
    existing = _existing(list(keys.values()))
    written = 0
    for sponsor_id, updates in by_sponsor.items():
        if keys[sponsor_id] in existing or not sponsors[sponsor_id].is_active:
            continue
        # Only the headline facts and a link: the narrative and the ask stay in the app.
        items = [
            {
                "project": update.project.title,
                "directorate": str(update.project.directorate),
                "rag": update.get_rag_display(),
                "progress_score": update.progress_score,
                "has_ask": bool(update.sponsor_ask.strip()),
                "url": _absolute(update.get_absolute_url()),
            }
            for update in updates
        ]
        message_queue(
            key=keys[sponsor_id],
            template="sponsor_monthly",
            context={
                "month": month,
                "items": items,
                "waiting": [p.title for p in waiting[sponsor_id]],
                "sponsor_url": _absolute(reverse("coaching:sponsor_home")),
            },
            kind=Kind.SPONSOR_UPDATE,
            recipient=sponsors[sponsor_id],
        )
        written += 1
    return written


# --- coaches: the update reminder on the 25th ---------------------------------------------


def coach_update_reminders_queue(*, today: date | None = None) -> int:
    """Remind each coach whose teams' updates for this month are not ready yet (once a month)."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    ready = MonthlyUpdate.objects.filter(month=month, status=MonthlyUpdate.Status.READY).values("project_id")
    assignments = (
        Assignment.objects.current(today)
        .filter(project__status=Project.Status.ACTIVE, coach__is_active=True)
        .exclude(project_id__in=ready)
        .select_related("coach", "project")
        .order_by("project__title")
    )
    by_coach: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_coach[assignment.coach_id].append(assignment)
    keys = {coach_id: f"coach-update-reminder:{month:%Y-%m}:{coach_id}" for coach_id in by_coach}
    existing = _existing(list(keys.values()))
    written = 0
    for coach_id, mine in by_coach.items():
        if keys[coach_id] in existing:
            continue
        message_queue(
            key=keys[coach_id],
            template="coach_update_reminder",
            context={
                "month": month,
                "projects": [
                    {"title": a.project.title, "url": _absolute(a.project.get_absolute_url())} for a in mine
                ],
            },
            kind=Kind.COACH_REMINDER,
            recipient=mine[0].coach,
        )
        written += 1
    return written


# --- coaches and QI leads: the weekly nudge -----------------------------------------------


def teams_not_met(today: date) -> list[Assignment]:
    """Current assignments on active projects whose team has not met for NUDGE_AFTER_DAYS or more.

    Each carries `days` since the last meeting (or since the assignment began, if never met).
    """
    assignments = (
        Assignment.objects.current(today)
        .filter(project__status=Project.Status.ACTIVE, coach__is_active=True)
        .select_related("coach", "coach__coach_profile__supervisor", "project")
        .annotate(last_met_on=Max("project__meeting_logs__met_on"))
        .order_by("project__title", "pk")
    )
    stale = []
    for assignment in assignments:
        since = max(filter(None, [assignment.last_met_on, assignment.starts_on]))
        assignment.days = (today - since).days
        if assignment.days >= nudge_after_days():
            stale.append(assignment)
    return stale


def _supervisor(assignment: Assignment):
    profile = getattr(assignment.coach, "coach_profile", None)
    supervisor = profile.supervisor if profile else None
    return supervisor if supervisor is not None and supervisor.is_active else None


def coach_nudges_queue(*, today: date | None = None) -> int:
    """At most one nudge e-mail per person per ISO week: their own quiet teams, and (for QI leads)
    their supervisees' teams that have gone ESCALATE_AFTER_DAYS or more without meeting."""
    today = today or timezone.localdate()
    own: dict[int, list[Assignment]] = defaultdict(list)
    escalated: dict[int, list[Assignment]] = defaultdict(list)
    people = {}
    for assignment in teams_not_met(today):
        own[assignment.coach_id].append(assignment)
        people[assignment.coach_id] = assignment.coach
        supervisor = _supervisor(assignment)
        if assignment.days >= escalate_after_days() and supervisor is not None:
            escalated[supervisor.pk].append(assignment)
            people[supervisor.pk] = supervisor
    week = iso_week(today)
    keys = {person_id: f"coach-nudge:{week}:{person_id}" for person_id in people}
    existing = _existing(list(keys.values()))
    written = 0
    for person_id, person in people.items():
        if keys[person_id] in existing:
            continue

        def rows(assignments: list[Assignment]) -> list[dict]:
            return [
                {
                    "title": a.project.title,
                    "coach": str(a.coach),
                    "days": a.days,
                    "url": _absolute(a.project.get_absolute_url()),
                }
                for a in assignments
            ]

        message_queue(
            key=keys[person_id],
            template="coach_nudge",
            context={
                "own": rows(own[person_id]),
                "escalated": rows(escalated[person_id]),
                "team_count": len(own[person_id]) + len(escalated[person_id]),
                "nudge_days": nudge_after_days(),
                "escalate_days": escalate_after_days(),
            },
            kind=Kind.COACH_NUDGE,
            recipient=person,
        )
        written += 1
    return written
