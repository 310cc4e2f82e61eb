"""factory-boy factories: one per model, each building the plainest valid row.

Every factory satisfies every database constraint on its own, with unique
values from sequences. Defaults follow the model's defaults (a cohort is
planning, a monthly update is a draft); tests state anything else they rely on.
Dates are fixed in 2025 and times are aware, in Europe/London.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory, Password

from coaching.models import (
    Assignment,
    CoachProfile,
    MeetingLog,
    MonthlyUpdate,
    NextStep,
    SupervisionLog,
)
from coachprog.accounts.models import Directorate, User
from coachprog.outbox.models import Message
from cohorts.models import Application, Attendance, Cohort, Enrolment, Programme, Session
from projects.models import (
    ARCHIVED_STATUSES,
    DataPoint,
    DriverNode,
    Measure,
    PDSACycle,
    Project,
    TeamMembership,
)

LONDON = ZoneInfo("Europe/London")
PASSWORD = "coachprog-test"


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def first_of_month(n: int) -> date:
    """The first of the n-th month from January 2025."""
    return date(2025 + n // 12, n % 12 + 1, 1)


# --- accounts --------------------------------------------------------------------


class DirectorateFactory(DjangoModelFactory):
    class Meta:
        model = Directorate

    name = factory.Sequence(lambda n: f"Directorate {n}")


class UserFactory(DjangoModelFactory):
    """An active person without a directorate who signs in with the password PASSWORD."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = Password(PASSWORD)


# --- cohorts -----------------------------------------------------------------------


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Improvement Coaching Programme {n}")


class CohortFactory(DjangoModelFactory):
    """A cohort in planning, October 2025 to March 2026, with 24 places."""

    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = date(2025, 10, 1)
    ends_on = date(2026, 3, 31)
    capacity = 24
    status = Cohort.Status.PLANNING


class SessionFactory(DjangoModelFactory):
    """A workshop day at a venue, 9am to 5pm on the cohort's first day."""

    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    kind = Session.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Workshop Day {n}")
    starts_at = factory.LazyAttribute(lambda o: london(o.cohort.starts_on, time(9)))
    ends_at = factory.LazyAttribute(lambda o: london(o.cohort.starts_on, time(17)))
    venue_name = "NCVO, London"
    venue_address = "Society Building, 8 All Saints Street, London N1 9RL"


class ApplicationFactory(DjangoModelFactory):
    """A submitted application, availability confirmed, every prerequisite ticked, awaiting the lead's
    decision. A wait-listed one has its line manager's approval and a place in the line."""

    class Meta:
        model = Application

    cohort = factory.SubFactory(CohortFactory)
    applicant = factory.SubFactory(UserFactory)
    status = Application.Status.SUBMITTED
    directorate = factory.SubFactory(DirectorateFactory)
    role_title = "Ward manager"
    prerequisites_completed = factory.LazyAttribute(lambda o: list(o.cohort.programme.prerequisite_courses))
    line_manager_name = "Line Manager"
    line_manager_email = "manager@example.org"
    availability_confirmed = True
    submitted_at = london(date(2025, 9, 1), time(10))
    # Submitting asks the line manager once; a draft has asked nobody yet.
    manager_times_asked = factory.LazyAttribute(lambda o: 0 if o.status == Application.Status.DRAFT else 1)
    manager_asked_at = factory.LazyAttribute(lambda o: o.submitted_at if o.manager_times_asked else None)
    manager_last_asked_at = factory.LazyAttribute(lambda o: o.manager_asked_at)
    # An application the line manager approved or declined carries their answer.
    manager_approved = factory.LazyAttribute(
        lambda o: {
            Application.Status.MANAGER_APPROVED: True,
            Application.Status.MANAGER_DECLINED: False,
            Application.Status.WAITLISTED: True,
        }.get(o.status)
    )
    manager_responded_at = factory.LazyAttribute(
        lambda o: None if o.manager_approved is None else o.submitted_at + timedelta(days=1)
    )
    decided_at = None
    # The wait-list's order: since the lead wait-listed it, or since it was sent.
    waitlisted_at = factory.LazyAttribute(
        lambda o: (o.decided_at or o.submitted_at) if o.status == Application.Status.WAITLISTED else None
    )


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    participant = factory.SubFactory(UserFactory)
    status = Enrolment.Status.ENROLLED
    enrolled_on = factory.LazyAttribute(lambda o: o.cohort.starts_on)


class AttendanceFactory(DjangoModelFactory):
    """A participant present at a session of their own cohort."""

    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort"))
    status = Attendance.Status.PRESENT
    recorded_by = factory.SubFactory(UserFactory)


# --- projects ----------------------------------------------------------------------


class ProjectFactory(DjangoModelFactory):
    """An active project at progress score 0.5 (the model's default)."""

    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    aim_what = "Reduce the wait from referral to first appointment"
    aim_how_much = "from 42 to 28 days"
    aim_by_when = date(2026, 6, 30)
    sponsor = factory.SubFactory(UserFactory)
    status = Project.Status.ACTIVE
    started_on = date(2025, 1, 6)
    progress_score = Decimal("0.5")
    # A completed or closed project has its closing date and outcome (a database constraint).
    closed_on = factory.LazyAttribute(lambda p: date(2025, 9, 30) if p.status in ARCHIVED_STATUSES else None)
    outcome_summary = factory.LazyAttribute(
        lambda p: (
            "Reached the aim; the new process is part of the ward's routine."
            if p.status in ARCHIVED_STATUSES
            else ""
        )
    )


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    project = factory.SubFactory(ProjectFactory)
    person = factory.SubFactory(UserFactory)
    role = TeamMembership.Role.MEMBER


class MeasureFactory(DjangoModelFactory):
    """A weekly outcome measure taking a single value."""

    class Meta:
        model = Measure

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    kind = Measure.Kind.OUTCOME
    operational_definition = "Median days from referral to first appointment, for appointments in the week."
    unit = "days"
    better_direction = Measure.Direction.DOWN
    frequency = Measure.Frequency.WEEKLY
    value_type = Measure.ValueType.VALUE


class DataPointFactory(DjangoModelFactory):
    """A single value for a week (consecutive Mondays from 6 Jan 2025, starting again after 1,000 weeks,
    so a long test run never leaves the dates a period may have)."""

    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    period = factory.Sequence(lambda n: date(2025, 1, 6) + timedelta(weeks=n % 1000))
    value = Decimal("42")
    recorded_by = factory.SubFactory(UserFactory)


class DriverNodeFactory(DjangoModelFactory):
    """A primary driver (pass kind and parent for the levels below)."""

    class Meta:
        model = DriverNode

    project = factory.SubFactory(ProjectFactory)
    kind = DriverNode.Kind.PRIMARY
    parent = None
    text = factory.Sequence(lambda n: f"Driver {n}")


class PDSACycleFactory(DjangoModelFactory):
    """A planned cycle; numbers come from a sequence, so they never collide within a project."""

    class Meta:
        model = PDSACycle

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Test of change {n}")
    status = PDSACycle.Status.PLANNED


# --- coaching ----------------------------------------------------------------------


class CoachProfileFactory(DjangoModelFactory):
    """A coach with four hours a week and no supervisor yet."""

    class Meta:
        model = CoachProfile

    coach = factory.SubFactory(UserFactory)
    hours_per_week = Decimal("4.0")
    supervisor = None


class AssignmentFactory(DjangoModelFactory):
    """An open lead-coach assignment from 6 Jan 2025 (no coach profile is made for the coach)."""

    class Meta:
        model = Assignment

    coach = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Assignment.Role.LEAD
    starts_on = date(2025, 1, 6)
    ends_on = None
    assigned_by = factory.SubFactory(UserFactory)


class MeetingLogFactory(DjangoModelFactory):
    """An hour-long in-person meeting on 3 Feb 2025 at progress score 1.5."""

    class Meta:
        model = MeetingLog

    coach = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    met_on = date(2025, 2, 3)
    duration_minutes = 60
    mode = MeetingLog.Mode.IN_PERSON
    progress_score = Decimal("1.5")
    notes = "Private notes for coaches and leads."


class SupervisionLogFactory(DjangoModelFactory):
    """A 1:1 supervision on 10 Feb 2025 with an unshared private reflection."""

    class Meta:
        model = SupervisionLog

    coach = factory.SubFactory(UserFactory)
    supervisor = factory.SubFactory(UserFactory)
    held_on = date(2025, 2, 10)
    kind = SupervisionLog.Kind.ONE_TO_ONE
    themes = "Handling a stuck team."
    reflection = "I rescue the team when they go quiet."
    reflection_shared = False


class MonthlyUpdateFactory(DjangoModelFactory):
    """A first-version draft for a month (consecutive months from January 2025); `ready=True` locks it."""

    class Meta:
        model = MonthlyUpdate

    project = factory.SubFactory(ProjectFactory)
    month = factory.Sequence(first_of_month)
    version = 1
    author = factory.SubFactory(UserFactory)
    status = MonthlyUpdate.Status.DRAFT

    class Params:
        ready = factory.Trait(
            status=MonthlyUpdate.Status.READY,
            narrative="The team met three times; data collection is reliable.",
            rag=MonthlyUpdate.Rag.GREEN,
            ready_at=factory.LazyAttribute(lambda o: london(o.month + timedelta(days=40), time(9))),
        )


class NextStepFactory(DjangoModelFactory):
    class Meta:
        model = NextStep

    meeting = factory.SubFactory(MeetingLogFactory)
    description = factory.Sequence(lambda n: f"Next step {n}")
    owner = "Team lead"
    due_on = factory.LazyAttribute(lambda o: o.meeting.met_on + timedelta(days=7))


# --- outbox ------------------------------------------------------------------------


class MessageFactory(DjangoModelFactory):
    """An outbox message sent to a person (status `sent`); pass status for any other state."""

    class Meta:
        model = Message

    key = factory.Sequence(lambda n: f"test-message:{n}")
    kind = Message.Kind.GENERAL
    recipient = factory.SubFactory(UserFactory)
    to_address = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "someone@example.org")
    subject = factory.Sequence(lambda n: f"Message {n}")
    text = "Hello."
    html = "<p>Hello.</p>"
    status = Message.Status.SENT
    next_attempt_at = factory.LazyFunction(lambda: london(date(2025, 10, 1), time(9)))
    sent_at = factory.LazyAttribute(lambda o: o.next_attempt_at if o.status == Message.Status.SENT else None)
    claimed_at = factory.LazyAttribute(
        lambda o: o.next_attempt_at if o.status in {Message.Status.SENT, Message.Status.SENDING} else None
    )
