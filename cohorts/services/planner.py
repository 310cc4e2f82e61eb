"""Writes for the cohort planner: revising sessions and copying a cohort's schedule to new dates."""

from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from coachprog.accounts.models import User
from coachprog.figures.models import Topic
from coachprog.figures.services import data_versions_bump
from cohorts.models import Cohort, Programme, Session, SessionMaterial
from cohorts.planning import local_date, local_time, london
from cohorts.services.applications import cohort_enrolled_count, waitlist_promote
from cohorts.services.attendance import enrolment_completion_record
from cohorts.services.materials import session_material_add
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
    was_completed = cohort.status == Cohort.Status.COMPLETED
    ended_on = cohort.ends_on
    for name, value in fields.items():
        setattr(cohort, name, value)
    enrolled = cohort_enrolled_count(cohort)
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
    elif cohort.status != Cohort.Status.COMPLETED:
        waitlist_promote(cohort=cohort, decided_by=updated_by)
    if was_completed or cohort.status == Cohort.Status.COMPLETED:
        # Closing records each outcome from the rule; a changed rule after the close records it again.
        enrolment_completion_record(cohort=cohort)
    if cohort.ends_on != ended_on:
        data_versions_bump(Topic.ENROLMENTS)  # its participants count as trained from its end
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


class CohortCopied(NamedTuple):
    cohort: Cohort
    materials_missing: list[str]  # titles of materials whose file is no longer stored


def _material_copy(material: SessionMaterial, *, session: Session, added_by: User) -> bool:
    """Attach a copy of the material to the session: the same link, or a new copy of the file.

    The file is copied, not shared, so removing it from one cohort never removes it from the other.
    Returns False when the file is no longer in storage.
    """
    if material.url:
        session_material_add(session=session, title=material.title, url=material.url, added_by=added_by)
        return True
    try:
        with material.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        return False
    name = material.file.name.rsplit("/", 1)[-1]
    session_material_add(
        session=session, title=material.title, file=ContentFile(content, name=name), added_by=added_by
    )
    return True


def next_cohort_number(programme: Programme) -> int:
    """One more than the programme's highest cohort number (Cohort 11 after Cohort 10)."""
    highest = Cohort.objects.filter(programme=programme).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


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
    copied_by: User,
) -> CohortCopied:
    """Create a cohort with a copy of each scheduled session of `source` on the given dates, or nothing.

    `days` maps each source session's id to its new local date; times of day, venues,
    links, facilitators, topics and teaching materials are copied as they are, and so are
    the capacity, the curriculum and the completion rule. The closing date for
    applications moves with the first session.
    """
    shift = starts_on - source.starts_on
    cohort = cohort_create(
        programme=programme,
        number=number,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=source.capacity,
        applications_close_on=(
            source.applications_close_on + shift if source.applications_close_on else None
        ),
        leads=leads,
        topics=list(source.topics.all()),
        completion_inductions=source.completion_inductions,
        completion_all_workshops=source.completion_all_workshops,
        completion_all_action_learning_sets=source.completion_all_action_learning_sets,
    )
    sessions = (
        Session.objects.filter(cohort=source)
        .exclude(status=Session.Status.CANCELLED)
        .prefetch_related("facilitators", "topics", "materials")
        .order_by("starts_at")
    )
    missing = []
    for s in sessions:
        day = days.get(s.pk, local_date(s.starts_at))
        copy = session_schedule(
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
        for material in s.materials.all():
            if not _material_copy(material, session=copy, added_by=copied_by):
                missing.append(f"{material.title} ({s.title})")
    return CohortCopied(cohort=cohort, materials_missing=missing)
