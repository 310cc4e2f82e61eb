"""Writes for programmes, cohorts, sessions, applications, enrolment and attendance."""

import secrets
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coachprog.accounts.models import Directorate, User
from cohorts.models import (
    Application,
    Attendance,
    CalendarToken,
    Cohort,
    CurriculumTopic,
    Enrolment,
    Programme,
    Session,
)


def programme_create(
    *, name: str, description: str = "", prerequisite_courses: list[str] | None = None, leads=()
) -> Programme:
    programme = Programme(name=name, description=description)
    if prerequisite_courses is not None:
        programme.prerequisite_courses = prerequisite_courses
    programme.full_clean()
    programme.save()
    programme.leads.set(leads)
    return programme


@transaction.atomic
def cohort_create(
    *,
    programme: Programme,
    number: int,
    starts_on: date,
    ends_on: date,
    capacity: int = 24,
    name: str = "",
    status: str = Cohort.Status.PLANNING,
    applications_close_on: date | None = None,
    leads=(),
    topics=None,
) -> Cohort:
    cohort = Cohort(
        programme=programme,
        number=number,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        status=status,
        applications_close_on=applications_close_on,
    )
    cohort.full_clean()
    cohort.save()
    cohort.leads.set(leads)
    cohort.topics.set(CurriculumTopic.objects.all() if topics is None else topics)
    return cohort


def cohort_set_status(*, cohort: Cohort, status: str) -> Cohort:
    if status not in Cohort.Status.values:
        raise ValidationError(f"“{status}” is not a cohort status.")
    cohort.status = status
    cohort.save(update_fields=["status"])
    return cohort


@transaction.atomic
def session_schedule(
    *,
    cohort: Cohort,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue_name: str = "",
    venue_address: str = "",
    online_url: str = "",
    facilitators=(),
    topics=(),
) -> Session:
    """Add a session to a cohort; refuses one in a cancelled cohort or ending before it starts."""
    if cohort.status == Cohort.Status.CANCELLED:
        raise ValidationError("This cohort is cancelled, so no sessions can be added to it.")
    session = Session(
        cohort=cohort,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_name=venue_name,
        venue_address=venue_address,
        online_url=online_url,
    )
    session.full_clean()
    session.save()
    session.facilitators.set(facilitators)
    session.topics.set(topics)
    return session


def session_facilitators_set(*, session: Session, facilitators) -> Session:
    session.facilitators.set(facilitators)
    return session


def application_submit(
    *,
    cohort: Cohort,
    applicant: User,
    directorate: Directorate,
    role_title: str,
    line_manager_name: str,
    line_manager_email: str,
    availability_confirmed: bool,
    prerequisites_completed: list[str] | None = None,
    is_service_user_or_carer: bool = False,
    people_participation_lead: str = "",
) -> Application:
    """Record a submitted application; the cohort must be open and the applicant available."""
    if cohort.status != Cohort.Status.OPEN:
        raise ValidationError(f"{cohort} is not open for applications.")
    if cohort.applications_close_on and timezone.localdate() > cohort.applications_close_on:
        closed = f"{cohort.applications_close_on:%-d %b %Y}"
        raise ValidationError(f"Applications for {cohort} closed on {closed}.")
    if not availability_confirmed:
        raise ValidationError(
            {"availability_confirmed": "Please confirm you can attend the induction and every workshop date."}
        )
    application = Application(
        cohort=cohort,
        applicant=applicant,
        directorate=directorate,
        role_title=role_title,
        line_manager_name=line_manager_name,
        line_manager_email=line_manager_email,
        availability_confirmed=True,
        prerequisites_completed=prerequisites_completed or [],
        is_service_user_or_carer=is_service_user_or_carer,
        people_participation_lead=people_participation_lead,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_decide(
    *, application: Application, decision: str, decided_by: User, enrolled_on: date | None = None
) -> Application:
    """Accept, wait-list or decline an application; accepting enrols the applicant if there is room."""
    allowed = {Application.Status.ACCEPTED, Application.Status.WAITLISTED, Application.Status.DECLINED}
    if decision not in allowed:
        raise ValidationError(f"“{decision}” is not a decision a programme lead can make.")
    awaiting = {
        Application.Status.SUBMITTED,
        Application.Status.MANAGER_APPROVED,
        Application.Status.WAITLISTED,
    }
    if application.status not in awaiting:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}; it is not awaiting a decision."
        )
    cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
    if decision == Application.Status.ACCEPTED:
        enrolled = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if enrolled >= cohort.capacity:
            raise ValidationError(
                f"{cohort} is full ({cohort.capacity} places); wait-list the applicant instead."
            )
        enrolment_create(
            cohort=cohort, participant=application.applicant, application=application, enrolled_on=enrolled_on
        )
    application.status = decision
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    return application


def enrolment_create(
    *,
    cohort: Cohort,
    participant: User,
    application: Application | None = None,
    enrolled_on: date | None = None,
) -> Enrolment:
    enrolment = Enrolment(
        cohort=cohort,
        participant=participant,
        application=application,
        enrolled_on=enrolled_on or timezone.localdate(),
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


def enrolment_set_status(*, enrolment: Enrolment, status: str) -> Enrolment:
    enrolment.status = status
    enrolment.full_clean()
    enrolment.save(update_fields=["status"])
    return enrolment


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


# What a calendar shows of a session: changing any of these raises its iCalendar SEQUENCE.
SESSION_CALENDAR_FIELDS = frozenset(
    {"kind", "title", "starts_at", "ends_at", "venue_name", "venue_address", "online_url", "status"}
)
SESSION_EDITABLE_FIELDS = SESSION_CALENDAR_FIELDS | {"notes"}


@transaction.atomic
def session_update(*, session: Session, **fields) -> Session:
    """Save the changed fields; SEQUENCE rises by one when anything a calendar shows has changed."""
    unknown = set(fields) - SESSION_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"These session fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in fields.items() if getattr(session, name) != value]
    if not changed:
        return session
    for name in changed:
        setattr(session, name, fields[name])
    session.full_clean()
    if SESSION_CALENDAR_FIELDS.intersection(changed):
        # Counted in the database, so two edits at once still give two new sequence numbers.
        session.sequence = F("sequence") + 1
        changed.append("sequence")
    session.save(update_fields=changed)
    if "sequence" in changed:
        session.refresh_from_db(fields=["sequence"])
    return session


def session_cancel(*, session: Session) -> Session:
    """Cancel a session, keeping its UID and raising its SEQUENCE so calendars show it as cancelled."""
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("This session is already cancelled.")
    return session_update(session=session, status=Session.Status.CANCELLED)


def calendar_token_issue(*, person: User) -> CalendarToken:
    """Give the person a new private calendar link; any link they had before stops working."""
    token, _ = CalendarToken.objects.update_or_create(
        person=person, defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()}
    )
    return token


def calendar_token_revoke(*, person: User) -> None:
    """Switch off the person's private calendar link, if they have one."""
    CalendarToken.objects.filter(person=person).delete()
