"""Writes for coach profiles, assignments, meeting and supervision logs and monthly updates."""

from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coaching.models import (
    MAX_MEETING_MINUTES,
    Assignment,
    CoachProfile,
    MeetingFocus,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
)
from coachprog.accounts.models import User
from projects.models import Project
from projects.services import progress_score_change


def coach_profile_set(
    *,
    coach: User,
    hours_per_week: Decimal = Decimal("4.0"),
    supervisor: User | None = None,
    is_active: bool = True,
) -> CoachProfile:
    """Create or update a coach's profile; an inactive coach keeps their history but takes no teams."""
    profile = CoachProfile.objects.filter(coach=coach).first() or CoachProfile(coach=coach)
    profile.hours_per_week, profile.supervisor, profile.is_active = hours_per_week, supervisor, is_active
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def assignment_start(
    *, coach: User, project: Project, starts_on: date, assigned_by: User, role: str = Assignment.Role.LEAD
) -> Assignment:
    """Assign a coach to a team; a coach needs a profile, and each role holds one open assignment."""
    profile = CoachProfile.objects.filter(coach=coach).first()
    if profile is None:
        raise ValidationError({"coach": f"{coach} has no coach profile yet; add one before assigning teams."})
    if not profile.is_active:
        raise ValidationError({"coach": f"{coach} is not coaching at the moment, so cannot take a team."})
    assignment = Assignment(
        coach=coach, project=project, role=role, starts_on=starts_on, assigned_by=assigned_by
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def assignment_end(*, assignment: Assignment, ends_on: date, reason: str) -> Assignment:
    """Close an assignment; the row stays as history."""
    if assignment.ends_on is not None:
        raise ValidationError("This assignment has already ended.")
    if not reason.strip():
        raise ValidationError({"end_reason": "Say why the assignment ends."})
    assignment.ends_on, assignment.end_reason = ends_on, reason
    assignment.full_clean()
    assignment.save(update_fields=["ends_on", "end_reason"])
    return assignment


@transaction.atomic
def meeting_log_create(
    *,
    coach: User,
    project: Project,
    met_on: date,
    duration_minutes: int,
    progress_score: Decimal,
    mode: str = MeetingLog.Mode.IN_PERSON,
    attendees=(),
    focus_slugs=(),
    notes: str = "",
    next_steps: list[dict] | None = None,
) -> MeetingLog:
    """Log a team meeting by a coach assigned on that date; also records the team's progress score."""
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "A meeting cannot be logged for a date in the future."})
    if not 1 <= duration_minutes <= MAX_MEETING_MINUTES:
        raise ValidationError({"duration_minutes": "A meeting lasts between 1 minute and 8 hours."})
    if not Assignment.objects.current(on=met_on).filter(coach=coach, project=project).exists():
        raise ValidationError({"project": f"{coach} was not assigned to {project} on {met_on:%-d %b %Y}."})
    meeting = MeetingLog(
        coach=coach,
        project=project,
        met_on=met_on,
        duration_minutes=duration_minutes,
        progress_score=progress_score,
        mode=mode,
        notes=notes,
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    meeting.focuses.set(MeetingFocus.objects.filter(slug__in=focus_slugs))
    for step in next_steps or []:
        NextStep.objects.create(meeting=meeting, **step)
    is_latest = not project.meeting_logs.filter(met_on__gt=met_on).exists()
    if is_latest:
        progress_score_change(
            project=project,
            score=progress_score,
            changed_by=coach,
            reason=f"Team meeting on {met_on:%-d %b %Y}",
            changed_at=timezone.make_aware(datetime.combine(met_on, time(12))),
        )
    return meeting


def supervision_log_create(
    *,
    coach: User,
    held_on: date,
    kind: str = SupervisionLog.Kind.ONE_TO_ONE,
    supervisor: User | None = None,
    themes: str = "",
    will_try: str = "",
    reflection: str = "",
    reflection_shared: bool = False,
) -> SupervisionLog:
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Supervision cannot be logged for a date in the future."})
    log = SupervisionLog(
        coach=coach,
        held_on=held_on,
        kind=kind,
        supervisor=supervisor,
        themes=themes,
        will_try=will_try,
        reflection=reflection,
        reflection_shared=reflection_shared,
    )
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def monthly_update_draft(*, project: Project, month: date, author: User) -> MonthlyUpdate:
    """Open the month's draft update (or return the one already open)."""
    month = month.replace(day=1)
    existing = MonthlyUpdate.objects.filter(
        project=project, month=month, status=MonthlyUpdate.Status.DRAFT
    ).first()
    if existing:
        return existing
    version = (
        MonthlyUpdate.objects.filter(project=project, month=month).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    # Read the score from the database: the caller's instance may predate the latest meeting.
    score = Project.objects.values_list("progress_score", flat=True).get(pk=project.pk)
    update = MonthlyUpdate(project=project, month=month, version=version, author=author, progress_score=score)
    update.full_clean()
    update.save()
    return update


def monthly_update_edit(
    *, update: MonthlyUpdate, narrative: str, sponsor_ask: str, rag: str
) -> MonthlyUpdate:
    if update.status != MonthlyUpdate.Status.DRAFT:
        raise ValidationError("This update is ready and locked; open a new version to change it.")
    update.narrative, update.sponsor_ask, update.rag = narrative, sponsor_ask, rag
    update.full_clean()
    update.save(update_fields=["narrative", "sponsor_ask", "rag"])
    return update


def monthly_update_mark_ready(*, update: MonthlyUpdate) -> MonthlyUpdate:
    """Lock the update for the sponsor; it needs a narrative and a RAG status."""
    if update.status != MonthlyUpdate.Status.DRAFT:
        raise ValidationError("This update is already ready.")
    errors = {}
    if not update.narrative.strip():
        errors["narrative"] = "Write a short narrative before marking the update ready."
    if not update.rag:
        errors["rag"] = "Choose a RAG status before marking the update ready."
    if errors:
        raise ValidationError(errors)
    update.status, update.ready_at = MonthlyUpdate.Status.READY, timezone.now()
    update.full_clean()
    update.save(update_fields=["status", "ready_at"])
    return update
