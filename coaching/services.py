"""Writes for coach profiles, assignments, meeting and supervision logs and monthly updates."""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
    UpdateComment,
)
from coaching.permissions import becomes_lead_coach, can_write_monthly_update
from coaching.reports import month_facts
from coachprog.accounts.models import User
from coachprog.emails import send_templated_email
from coachprog.figures.models import Topic
from coachprog.figures.services import data_versions_bump
from projects.models import PROGRESS_SCORES, Project
from projects.services import progress_score_change

HOURS_RULE = "Hours a week are more than 0 and at most 40, such as 4 or 3.5."


def _capacity_errors(hours_per_week) -> dict[str, str]:
    try:
        fits = hours_per_week is not None and Decimal("0") < Decimal(hours_per_week) <= Decimal("40")
    except (InvalidOperation, TypeError, ValueError):
        fits = False
    return {} if fits else {"hours_per_week": HOURS_RULE}


def _supervisor_errors(*, coach: User, supervisor: User | None, keeping: int | None = None) -> dict[str, str]:
    """A supervisor is a QI lead (of some directorate) who can sign in, and never the coach themselves.

    `keeping` is the current supervisor's id: a supervisor who has since stopped being a QI lead
    stays until someone chooses another, so saving a coach's capacity does not fail on it.
    """
    if supervisor is None:
        return {}
    if supervisor.pk == coach.pk:
        return {"supervisor": "A coach cannot supervise themselves: choose a QI lead."}
    if supervisor.pk != keeping and not (supervisor.is_active and supervisor.qi_lead_directorates.exists()):
        return {
            "supervisor": f"{supervisor} is not a QI lead of any directorate. "
            "A programme lead names QI leads on each directorate's page."
        }
    return {}


@transaction.atomic
def coach_profile_create(
    *, coach: User, hours_per_week: Decimal = Decimal("4.0"), supervisor: User | None = None
) -> CoachProfile:
    """Make someone a coach: capacity within 0–40 hours a week, a QI lead as supervisor (or none yet)."""
    if not coach.is_active:
        raise ValidationError(f"{coach} cannot sign in, so cannot be made a coach.")
    if CoachProfile.objects.filter(coach=coach).exists():
        raise ValidationError(f"{coach} is already a coach.")
    errors = _capacity_errors(hours_per_week) | _supervisor_errors(coach=coach, supervisor=supervisor)
    if errors:
        raise ValidationError(errors)
    profile = CoachProfile(coach=coach, hours_per_week=hours_per_week, supervisor=supervisor)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def coach_profile_update(
    *, profile: CoachProfile, hours_per_week: Decimal, supervisor: User | None, is_active: bool
) -> CoachProfile:
    """Change a coach's capacity or supervisor, or stand them down (not while they still have teams)."""
    coach = profile.coach
    errors = _capacity_errors(hours_per_week) | _supervisor_errors(
        coach=coach, supervisor=supervisor, keeping=profile.supervisor_id
    )
    if not is_active and profile.is_active:
        teams = [
            str(a.project) for a in Assignment.objects.current().filter(coach=coach).select_related("project")
        ]
        if teams:
            errors["is_active"] = (
                f"{coach} still coaches {', '.join(teams)}: end "
                f"{'that assignment' if len(teams) == 1 else 'those assignments'} first."
            )
    if is_active and not profile.is_active and not coach.is_active:
        errors["is_active"] = f"{coach} cannot sign in, so cannot coach."
    if errors:
        raise ValidationError(errors)
    profile.hours_per_week, profile.supervisor, profile.is_active = hours_per_week, supervisor, is_active
    profile.full_clean()
    profile.save()
    return profile


def coach_profile_set(
    *,
    coach: User,
    hours_per_week: Decimal = Decimal("4.0"),
    supervisor: User | None = None,
    is_active: bool = True,
) -> CoachProfile:
    """Create or update a coach's profile by the same rules; an inactive coach keeps their history
    but takes no teams."""
    profile = CoachProfile.objects.filter(coach=coach).select_related("coach").first()
    if profile is None:
        profile = coach_profile_create(coach=coach, hours_per_week=hours_per_week, supervisor=supervisor)
        if is_active:
            return profile
    return coach_profile_update(
        profile=profile, hours_per_week=hours_per_week, supervisor=supervisor, is_active=is_active
    )


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
    open_ones = Assignment.objects.filter(project=project, ends_on__isnull=True).select_related("coach")
    for other in open_ones:
        if other.coach_id == coach.pk:
            raise ValidationError({"coach": f"{coach} already coaches {project}."})
        if other.role == role:
            raise ValidationError(
                {
                    "role": f"{project} already has a {other.get_role_display().lower()} ({other.coach}); "
                    "end that assignment first."
                }
            )
    assignment = Assignment(
        coach=coach, project=project, role=role, starts_on=starts_on, assigned_by=assigned_by
    )
    assignment.full_clean()
    assignment.save()
    data_versions_bump(Topic.ASSIGNMENTS)  # a coach counts as trained from their first team
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


# --- A project's coaching as it starts and closes (registered with projects.services at start-up) ---


def project_coaching_start(*, project: Project, started_by: User) -> Assignment | None:
    """A coach who starts a project becomes its lead coach, from its start (or today, if it starts later)."""
    if not becomes_lead_coach(started_by, project):
        return None
    return assignment_start(
        coach=started_by,
        project=project,
        starts_on=min(project.started_on, timezone.localdate()),
        assigned_by=started_by,
    )


def project_coaching_end(*, project: Project, closed_by: User) -> None:
    """A completed or closed project needs no coach: its open assignments end the day it closed."""
    reason = f"The project was {project.get_status_display().lower()}."
    for assignment in Assignment.objects.filter(project=project).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=project.closed_on)
    ):
        assignment.ends_on = max(assignment.starts_on, project.closed_on)
        assignment.end_reason = assignment.end_reason or reason
        assignment.full_clean()
        assignment._history_user = closed_by
        assignment.save(update_fields=["ends_on", "end_reason"])


def _on_scale(score) -> bool:
    try:
        return score is not None and Decimal(score) in PROGRESS_SCORES
    except (InvalidOperation, TypeError, ValueError):
        return False


def _meeting_errors(
    *, coach: User, project: Project, met_on: date, duration_minutes: int, progress_score, attendees
) -> dict[str, str]:
    """Every rule a meeting log breaks, by field, so the form can show them all at once."""
    errors = {}
    if met_on > timezone.localdate():
        errors["met_on"] = "A meeting cannot be logged for a date in the future."
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_MEETING_MINUTES:
        errors["duration_minutes"] = "A meeting lasts between 1 minute and 8 hours."
    if not _on_scale(progress_score):
        errors["progress_score"] = (
            "Choose a progress score on the IHI scale, from 0.5 to 5.0 in steps of 0.5."
        )
    if "met_on" not in errors and not (
        Assignment.objects.current(on=met_on).filter(coach=coach, project=project).exists()
    ):
        errors["project"] = f"{coach} was not assigned to {project} on {met_on:%-d %b %Y}."
    team = set(project.memberships.values_list("person_id", flat=True))
    if any(person.pk not in team for person in attendees):
        errors["attendees"] = f"Only members of {project}'s team can be ticked as attending."
    return errors


def _next_steps_add(meeting: MeetingLog, next_steps: list[dict] | None) -> None:
    for fields in next_steps or []:
        step = NextStep(meeting=meeting, **fields)
        step.full_clean()
        step.save()


def _next_steps_complete(project: Project, steps, done_on: date) -> None:
    """Tick off open next steps; only this team's steps, so nothing from another team slips in."""
    steps = list(steps)
    if any(step.meeting.project_id != project.pk for step in steps):
        raise ValidationError({"completed_steps": f"Only {project}'s own next steps can be ticked off."})
    for step in steps:
        if step.done_on is None:
            step.done_on = done_on
            step.save(update_fields=["done_on"])


def _score_follow_latest(meeting: MeetingLog, changed_by: User) -> None:
    """The latest meeting sets the team's progress score (an older one only adds to the history)."""
    if meeting.project.meeting_logs.filter(met_on__gt=meeting.met_on).exists():
        return
    progress_score_change(
        project=meeting.project,
        score=meeting.progress_score,
        changed_by=changed_by,
        reason=f"Team meeting on {meeting.met_on:%-d %b %Y}",
        changed_at=timezone.make_aware(datetime.combine(meeting.met_on, time(12))),
    )


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
    completed_steps=(),
) -> MeetingLog:
    """Log a team meeting by a coach assigned on that date; also records the team's progress score."""
    attendees = list(attendees)
    errors = _meeting_errors(
        coach=coach,
        project=project,
        met_on=met_on,
        duration_minutes=duration_minutes,
        progress_score=progress_score,
        attendees=attendees,
    )
    if errors:
        raise ValidationError(errors)
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
    _next_steps_add(meeting, next_steps)
    _next_steps_complete(project, completed_steps, met_on)
    _score_follow_latest(meeting, coach)
    data_versions_bump(Topic.MEETINGS)
    return meeting


@transaction.atomic
def meeting_log_update(
    *,
    meeting: MeetingLog,
    editor: User,
    met_on: date,
    duration_minutes: int,
    progress_score: Decimal,
    mode: str,
    attendees=(),
    focus_slugs=(),
    notes: str = "",
    next_steps: list[dict] | None = None,
    completed_steps=(),
) -> MeetingLog:
    """Change a meeting log: only its coach, while still assigned; the history keeps the old version."""
    if editor.pk != meeting.coach_id:
        raise ValidationError("Only the coach who logged a meeting can change it.")
    if not Assignment.objects.current().filter(coach=editor, project=meeting.project).exists():
        raise ValidationError(
            {"project": f"{editor} no longer coaches {meeting.project}, so this log is read-only."}
        )
    attendees = list(attendees)
    errors = _meeting_errors(
        coach=editor,
        project=meeting.project,
        met_on=met_on,
        duration_minutes=duration_minutes,
        progress_score=progress_score,
        attendees=attendees,
    )
    if errors:
        raise ValidationError(errors)
    meeting.met_on, meeting.duration_minutes, meeting.progress_score = (
        met_on,
        duration_minutes,
        progress_score,
    )
    meeting.mode, meeting.notes = mode, notes
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    meeting.focuses.set(MeetingFocus.objects.filter(slug__in=focus_slugs))
    _next_steps_add(meeting, next_steps)
    _next_steps_complete(meeting.project, completed_steps, met_on)
    _score_follow_latest(meeting, editor)
    data_versions_bump(Topic.MEETINGS)
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
    """Record a coach's supervision; the reflection stays private unless the coach shares it."""
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


def supervision_log_update(
    *,
    log: SupervisionLog,
    editor: User,
    held_on: date,
    kind: str,
    supervisor: User | None,
    themes: str,
    will_try: str,
    reflection: str,
    reflection_shared: bool,
) -> SupervisionLog:
    """Change a supervision log: the coach's alone; the history keeps the old version (not the reflection)."""
    if editor.pk != log.coach_id:
        raise ValidationError("Only the coach can change their supervision log.")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Supervision cannot be logged for a date in the future."})
    log.held_on, log.kind, log.supervisor = held_on, kind, supervisor
    log.themes, log.will_try = themes, will_try
    log.reflection, log.reflection_shared = reflection, reflection_shared
    log.full_clean()
    log.save()
    return log


def supervision_note_set(*, log: SupervisionLog, supervisor: User, note: str) -> SupervisionLog:
    """The supervisor's own note on a supervision log; the coach's words stay as they wrote them."""
    if supervisor.pk == log.coach_id:
        raise ValidationError(
            {"supervisor_note": "A coach cannot write the supervisor's note on their own log."}
        )
    if not note.strip():
        raise ValidationError({"supervisor_note": "Write the note before saving it."})
    log.supervisor_note = note
    log.full_clean()
    log.save(update_fields=["supervisor_note", "updated_at"])
    return log


def coach_capacity_set(*, profile: CoachProfile, hours_per_week: Decimal) -> CoachProfile:
    """Change a coach's ring-fenced hours a week (more than 0, at most 40)."""
    if _capacity_errors(hours_per_week):
        raise ValidationError({"hours_per_week": "Capacity is more than 0 and at most 40 hours a week."})
    profile.hours_per_week = hours_per_week
    profile.full_clean()
    profile.save(update_fields=["hours_per_week"])
    return profile


@transaction.atomic
def monthly_update_draft(*, project: Project, month: date, author: User) -> MonthlyUpdate:
    """Open the month's draft update (or return the one already open); a new version starts from the last.

    Only the project's current coaches write it, and never for a month to come.
    """
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": f"{month:%B %Y} has not started yet, so there is nothing to report."})
    if not can_write_monthly_update(author, project):
        raise ValidationError({"author": f"Only {project}'s current coaches can write its monthly update."})
    existing = MonthlyUpdate.objects.filter(
        project=project, month=month, status=MonthlyUpdate.Status.DRAFT
    ).first()
    if existing:
        return existing
    latest = MonthlyUpdate.objects.filter(project=project, month=month).order_by("-version").first()
    # Read the score from the database: the caller's instance may predate the latest meeting.
    score = Project.objects.values_list("progress_score", flat=True).get(pk=project.pk)
    update = MonthlyUpdate(
        project=project,
        month=month,
        version=latest.version + 1 if latest else 1,
        author=author,
        progress_score=score,
        # A new version starts from the ready one it replaces; the ready one is kept unchanged.
        narrative=latest.narrative if latest else "",
        sponsor_ask=latest.sponsor_ask if latest else "",
        rag=latest.rag if latest else "",
    )
    update.full_clean()
    update.save()
    return update


def monthly_update_edit(
    *, update: MonthlyUpdate, narrative: str, sponsor_ask: str, rag: str
) -> MonthlyUpdate:
    """Change a draft's text and RAG status; a ready update stays as the sponsor read it."""
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
    # Kept with the update, so the sponsor's home shows it without redrawing every chart.
    update.signal_count = month_facts(update.project, update.month).signal_count
    update.full_clean()
    update.save(update_fields=["status", "ready_at", "signal_count"])
    return update


def monthly_update_latest_ready(*, project: Project, month: date) -> MonthlyUpdate | None:
    """The version the sponsor reads: the latest ready one of the month."""
    return (
        MonthlyUpdate.objects.filter(project=project, month=month, status=MonthlyUpdate.Status.READY)
        .order_by("-version")
        .first()
    )


def monthly_update_acknowledge(*, update: MonthlyUpdate, sponsor: User) -> MonthlyUpdate:
    """The sponsor says they have read a ready update; the first acknowledgement is kept."""
    if update.status != MonthlyUpdate.Status.READY:
        raise ValidationError("Only a ready update can be acknowledged.")
    if sponsor.pk != update.project.sponsor_id:
        raise ValidationError(f"Only {update.project}'s sponsor can acknowledge its update.")
    if update.acknowledged_at is None:
        update.acknowledged_at, update.acknowledged_by = timezone.now(), sponsor
        update.full_clean()
        update.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return update


def _comment_recipients(update: MonthlyUpdate, author: User) -> list[User]:
    """The coaches who hear of a comment: the project's current coaches and the update's author."""
    coaches = {
        a.coach.pk: a.coach
        for a in Assignment.objects.current().filter(project=update.project).select_related("coach")
    }
    coaches.setdefault(update.author_id, update.author)
    return [coach for pk, coach in sorted(coaches.items()) if pk != author.pk and coach.is_active]


@transaction.atomic
def update_comment_add(*, update: MonthlyUpdate, author: User, body: str) -> UpdateComment:
    """Add a comment on a ready update and e-mail the coaches (never the private meeting notes)."""
    if update.status != MonthlyUpdate.Status.READY:
        raise ValidationError("Comments are for ready updates; this one is still a draft.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write your comment before sending it."})
    comment = UpdateComment(update=update, author=author, body=body)
    comment.full_clean()
    comment.save()
    url = settings.SITE_URL + comment.get_absolute_url()
    for coach in _comment_recipients(update, author):
        send_templated_email(
            template="update_comment",
            context={"comment": comment, "update": update, "project": update.project, "url": url},
            key=f"update-comment:{comment.pk}:{coach.pk}",
            user=coach,
        )
    return comment
