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


def _neighbour_absent(session: Session, enrolment: Enrolment, *, before: bool) -> Session | None:
    """The counted session just before (or after) this one, if the participant was absent from it too."""
    sessions = Session.objects.filter(cohort_id=session.cohort_id, status=Session.Status.SCHEDULED).exclude(
        pk=session.pk
    )
    if before:
        neighbour = sessions.filter(starts_at__lt=session.starts_at).order_by("-starts_at").first()
    else:
        neighbour = sessions.filter(starts_at__gt=session.starts_at).order_by("starts_at").first()
    if neighbour is None or timezone.localdate(neighbour.starts_at) < enrolment.enrolled_on:
        return None
    absent = Attendance.objects.filter(
        session=neighbour, enrolment=enrolment, status=Attendance.Status.ABSENT
    ).exists()
    return neighbour if absent else None


def _alert_consecutive_absences(session: Session, enrolment: Enrolment) -> None:
    """Tell the cohort's leads when this absence makes two in a row (as the attendance matrix counts them)."""
    other = _neighbour_absent(session, enrolment, before=True) or _neighbour_absent(
        session, enrolment, before=False
    )
    recipients = cohort_lead_emails(session.cohort)
    if other is None or not recipients:
        return
    first, second = sorted([other, session], key=lambda s: s.starts_at)
    send_templated_email(
        to=recipients,
        template="attendance_consecutive_absences",
        context={
            "participant": enrolment.participant,
            "cohort": session.cohort,
            "sessions": [first, second],
            "matrix_url": settings.SITE_URL + reverse("cohorts:attendance_matrix", args=[session.cohort_id]),
        },
    )


@transaction.atomic
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
        _alert_consecutive_absences(session, enrolment)
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
