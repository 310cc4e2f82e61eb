"""Writes for the cohort planner: revising sessions and copying a cohort's schedule to new dates."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from coachprog.accounts.models import User
from cohorts.models import Cohort, Enrolment, Programme, Session
from cohorts.planning import local_date, local_time, london
from cohorts.services.applications import waitlist_promote
from cohorts.services.schedule import (
    cohort_create,
    cohort_sessions_cancel,
    session_facilitators_set,
    session_schedule,
    session_update,
)

COHORT_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "status",
        "applications_close_on",
        "completion_inductions",
        "completion_all_workshops",
        "completion_all_action_learning_sets",
    }
)


@transaction.atomic
def cohort_update(*, cohort: Cohort, updated_by: User, leads=None, topics=None, **fields) -> Cohort:
    """Change a cohort's details; a larger capacity gives the new places to the wait-list at once."""
    unknown = set(fields) - COHORT_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"These cohort fields cannot be changed here: {', '.join(sorted(unknown))}.")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    was_cancelled = cohort.status == Cohort.Status.CANCELLED
    for name, value in fields.items():
        setattr(cohort, name, value)
    enrolled = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).count()
    if cohort.capacity < enrolled:
        raise ValidationError(
            {
                "capacity": f"{enrolled} participants are enrolled, so the capacity cannot be "
                f"lower than {enrolled}. Withdraw participants first."
            }
        )
    cohort.full_clean()
    cohort.save()
    if leads is not None:
        cohort.leads.set(leads)
    if topics is not None:
        cohort.topics.set(topics)
    if cohort.status == Cohort.Status.CANCELLED and not was_cancelled:
        cohort_sessions_cancel(cohort=cohort)
    else:
        waitlist_promote(cohort=cohort, decided_by=updated_by)
    return cohort


def session_topics_set(*, session: Session, topics) -> Session:
    session.topics.set(topics)
    return session


@transaction.atomic
def session_revise(*, session: Session, facilitators, topics, **fields) -> Session:
    """Change a session's details, people and topics together; calendar fields raise its SEQUENCE."""
    session_update(session=session, **fields)
    session_facilitators_set(session=session, facilitators=facilitators)
    session_topics_set(session=session, topics=topics)
    return session


@transaction.atomic
def cohort_copy(
    *,
    source: Cohort,
    programme: Programme,
    number: int,
    name: str,
    starts_on: date,
    ends_on: date,
    days: dict[int, date],
    leads=(),
) -> Cohort:
    """Create a cohort with a copy of each scheduled session of `source` on the given dates, or nothing.

    `days` maps each source session's id to its new local date; times of day, venues,
    links, facilitators and topics are copied as they are.
    """
    cohort = cohort_create(
        programme=programme,
        number=number,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=source.capacity,
        leads=leads,
        topics=list(source.topics.all()),
    )
    sessions = (
        Session.objects.filter(cohort=source)
        .exclude(status=Session.Status.CANCELLED)
        .prefetch_related("facilitators", "topics")
        .order_by("starts_at")
    )
    for s in sessions:
        day = days.get(s.pk, local_date(s.starts_at))
        session_schedule(
            cohort=cohort,
            kind=s.kind,
            title=s.title,
            starts_at=london(day, local_time(s.starts_at)),
            ends_at=london(day + (local_date(s.ends_at) - local_date(s.starts_at)), local_time(s.ends_at)),
            venue_name=s.venue_name,
            venue_address=s.venue_address,
            online_url=s.online_url,
            facilitators=list(s.facilitators.all()),
            topics=list(s.topics.all()),
        )
    return cohort
