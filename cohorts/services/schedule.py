"""Writes for programmes, cohorts, sessions and calendar links."""

import secrets
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coachprog.accounts.models import User
from cohorts.attendance import is_finished
from cohorts.models import (
    CalendarToken,
    Cohort,
    CurriculumTopic,
    Programme,
    Session,
)
from cohorts.reminders import session_change_notify
from cohorts.services.attendance import enrolment_completion_record


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
    completion_inductions: int = 1,
    completion_all_workshops: bool = True,
    completion_all_action_learning_sets: bool = True,
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
        completion_inductions=completion_inductions,
        completion_all_workshops=completion_all_workshops,
        completion_all_action_learning_sets=completion_all_action_learning_sets,
    )
    cohort.full_clean()
    cohort.save()
    cohort.leads.set(leads)
    cohort.topics.set(CurriculumTopic.objects.all() if topics is None else topics)
    return cohort


@transaction.atomic
def cohort_set_status(*, cohort: Cohort, status: str) -> Cohort:
    """Move a cohort on; cancelling it cancels its scheduled sessions, so calendars drop them too.

    Completing it records each participant's completion from the cohort's rule; reopening
    it returns them to "enrolled", since the computed state is the truth while it runs.
    """
    if status not in Cohort.Status.values:
        raise ValidationError(f"“{status}” is not a cohort status.")
    was = cohort.status
    cohort.status = status
    cohort.save(update_fields=["status"])
    if status == Cohort.Status.CANCELLED:
        cohort_sessions_cancel(cohort=cohort)
    if Cohort.Status.COMPLETED in {was, status}:
        enrolment_completion_record(cohort=cohort)
    return cohort


def cohort_sessions_cancel(*, cohort: Cohort) -> int:
    """Cancel each scheduled session of the cohort (UID kept, SEQUENCE raised); returns how many."""
    sessions = list(cohort.sessions.filter(status=Session.Status.SCHEDULED))
    for session in sessions:
        session_cancel(session=session)
    return len(sessions)


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
        # Read under a row lock, so two edits at once still give two new sequence numbers.
        current = Session.objects.select_for_update().values_list("sequence", flat=True).get(pk=session.pk)
        session.sequence = current + 1
        changed.append("sequence")
    session.save(update_fields=changed)
    if "sequence" in changed:
        session_change_notify(session=session)  # outbox rows, sent after the commit
    if is_finished(session.cohort) and {"kind", "starts_at", "status"}.intersection(changed):
        # What counts towards completion changed after the close: record it again.
        enrolment_completion_record(cohort=session.cohort)
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
