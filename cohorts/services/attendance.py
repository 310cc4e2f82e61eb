"""Writes for attendance."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from coachprog.accounts.models import User
from coachprog.emails import send_templated_email
from coachprog.figures.models import Topic
from coachprog.figures.services import data_versions_bump
from cohorts.attendance import (
    attendance_matrix,
    is_finished,
    participant_row,
    session_started,
    streak_started_by,
)
from cohorts.models import (
    Attendance,
    Cohort,
    Enrolment,
    Session,
)


def cohort_lead_emails(cohort: Cohort) -> list[str]:
    """Who hears about a cohort's attendance: its leads, else its programme's, else every programme lead."""
    for people in (
        cohort.leads.all(),
        cohort.programme.leads.all(),
        User.objects.filter(groups__in=Group.objects.filter(name=settings.PROGRAMME_LEADS_GROUP)),
    ):
        emails = sorted({person.email for person in people.filter(is_active=True) if person.email})
        if emails:
            return emails
    return []


def _alert_absence_streak(session: Session, enrolment: Enrolment) -> None:
    """Tell the cohort's leads when this absence starts a streak of two or more in a row, once.

    Whether it does is the attendance matrix's own rule (`streak_started_by`), so a third
    absence in a row adds nothing; the outbox key names the participant and the streak's
    first session, so recording the same streak again (a correction, a retried request)
    never sends a second copy.
    """
    recipients = cohort_lead_emails(session.cohort)
    if not recipients:
        return
    streak = streak_started_by(participant_row(enrolment).cells, session)
    if not streak:
        return
    send_templated_email(
        to=recipients,
        template="attendance_consecutive_absences",
        key=f"attendance_consecutive_absences:{enrolment.pk}:{streak[0].pk}",
        context={
            "participant": enrolment.participant,
            "cohort": session.cohort,
            "sessions": streak,
            "matrix_url": settings.SITE_URL + reverse("cohorts:attendance_matrix", args=[session.cohort_id]),
        },
    )


def _when(session: Session) -> str:
    starts = timezone.localtime(session.starts_at)
    return f"{starts:%H:%M} on {starts.day} {starts:%b %Y}"


def register_closed_reason(session: Session, *, status: str | None = None) -> str | None:
    """Why the register of this session cannot take this mark now, or None.

    A cancelled session has no register. Before a session starts, only apologies can be
    recorded (a participant sends them, or a lead records them for the participant): a
    future "absent" or "present" is a guess, and a guessed absence once alerted a lead.
    """
    if session.status == Session.Status.CANCELLED:
        return "This session was cancelled, so it has no register."
    if not session_started(session) and status != Attendance.Status.APOLOGIES:
        return (
            f"“{session.title}” has not started yet: its register opens at {_when(session)}. "
            "Until then, only apologies can be recorded."
        )
    return None


def enrolment_completion_record(*, cohort: Cohort) -> int:
    """Store each participant's completion as the cohort's rule decides it; returns how many changed.

    Once the cohort is completed, "completed" or "did not complete"; while it is not,
    "enrolled" (the computed state is the truth while a cohort runs). Withdrawn
    participants keep their status.
    """
    finished = is_finished(cohort)
    changed = 0
    for row in attendance_matrix(cohort).rows:
        status = row.completion if finished else Enrolment.Status.ENROLLED
        if row.enrolment.status != status:
            row.enrolment.status = status
            row.enrolment.save(update_fields=["status"])  # each change kept in the history
            changed += 1
    if changed:
        data_versions_bump(Topic.ENROLMENTS)  # who is trained, for programme health
    return changed


@transaction.atomic
def attendance_record(
    *, session: Session, enrolment: Enrolment, status: str, recorded_by: User, note: str = ""
) -> Attendance:
    """Record (or correct) one participant's attendance at one session."""
    if enrolment.cohort_id != session.cohort_id:
        raise ValidationError("That participant is not enrolled in this session's cohort.")
    if status not in Attendance.Status.values:
        raise ValidationError(f"“{status}” is not an attendance status.")
    if reason := register_closed_reason(session, status=status):
        raise ValidationError(reason)
    if timezone.localdate(session.starts_at) < enrolment.enrolled_on:
        # Sessions before someone enrolled are "not yet enrolled", never absent.
        raise ValidationError("That participant had not yet enrolled when this session was held.")
    previous = Attendance.objects.filter(session=session, enrolment=enrolment).values_list(
        "status", flat=True
    )
    was = previous.first()
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"status": status, "recorded_by": recorded_by, "note": note},
    )
    if status == Attendance.Status.ABSENT and was != Attendance.Status.ABSENT:
        _alert_absence_streak(session, enrolment)
    if is_finished(session.cohort):
        enrolment_completion_record(cohort=session.cohort)  # a correction after the close
    return attendance


def attendance_record_all_present(*, session: Session, recorded_by: User) -> int:
    """Mark everyone without a record present; never overwrites a record (apologies, late…) already made.

    Participants not yet enrolled when the session was held, and withdrawn ones, are skipped.
    Returns how many were marked present.
    """
    if reason := register_closed_reason(session, status=Attendance.Status.PRESENT):
        raise ValidationError(reason)
    by = recorded_by
    already = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    held_on = timezone.localdate(session.starts_at)
    enrolments = (
        Enrolment.objects.filter(cohort_id=session.cohort_id, enrolled_on__lte=held_on)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exclude(pk__in=already)
    )
    created = bulk_create_with_history(
        [
            Attendance(session=session, enrolment=e, status=Attendance.Status.PRESENT, recorded_by=by)
            for e in enrolments
        ],
        Attendance,
        default_user=by,
    )
    if created and is_finished(session.cohort):
        enrolment_completion_record(cohort=session.cohort)
    return len(created)


def apologies_send(*, session: Session, participant: User, note: str = "") -> Attendance:
    """Record a participant's own apologies for a future, scheduled session of their cohort."""
    enrolment = Enrolment.objects.filter(
        cohort_id=session.cohort_id, participant=participant, status=Enrolment.Status.ENROLLED
    ).first()
    if enrolment is None:
        raise ValidationError("You are not enrolled in this session's cohort.")
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("This session was cancelled, so no apologies are needed.")
    if session.starts_at <= timezone.now():
        raise ValidationError("You can only send apologies for a session that has not started yet.")
    with transaction.atomic():
        attendance = attendance_record(
            session=session,
            enrolment=enrolment,
            status=Attendance.Status.APOLOGIES,
            recorded_by=participant,
            note=note,
        )
        if recipients := cohort_lead_emails(session.cohort):
            send_templated_email(
                to=recipients,
                template="attendance_apologies",
                context={
                    "participant": participant,
                    "session": session,
                    "cohort": session.cohort,
                    "note": note,
                    "matrix_url": settings.SITE_URL
                    + reverse("cohorts:attendance_matrix", args=[session.cohort_id]),
                },
            )
    return attendance
