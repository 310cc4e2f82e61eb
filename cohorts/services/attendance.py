"""Writes for attendance."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from coachprog.accounts.models import User
from cohorts.models import (
    Attendance,
    Enrolment,
    Session,
)


def attendance_record(
    *, session: Session, enrolment: Enrolment, status: str, recorded_by: User, note: str = ""
) -> Attendance:
    """Record (or correct) one participant's attendance at one session."""
    if enrolment.cohort_id != session.cohort_id:
        raise ValidationError("That participant is not enrolled in this session's cohort.")
    if status not in Attendance.Status.values:
        raise ValidationError(f"“{status}” is not an attendance status.")
    if timezone.localdate(session.starts_at) < enrolment.enrolled_on:
        # Sessions before someone enrolled are "not yet enrolled", never absent.
        raise ValidationError("That participant had not yet enrolled when this session was held.")
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"status": status, "recorded_by": recorded_by, "note": note},
    )
    return attendance


def attendance_record_all_present(*, session: Session, recorded_by: User) -> int:
    """Mark everyone without a record present; never overwrites a record (apologies, late…) already made.

    Participants not yet enrolled when the session was held, and withdrawn ones, are skipped.
    Returns how many were marked present.
    """
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("This session was cancelled, so it has no register.")
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
    return attendance_record(
        session=session,
        enrolment=enrolment,
        status=Attendance.Status.APOLOGIES,
        recorded_by=participant,
        note=note,
    )
