"""Writes for attendance."""

from django.core.exceptions import ValidationError

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
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"status": status, "recorded_by": recorded_by, "note": note},
    )
    return attendance
