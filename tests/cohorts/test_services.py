"""Service rules for applications, sessions and attendance."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from cohorts.models import Application, Attendance, Cohort, Enrolment, Session
from cohorts.services import application_decide, application_submit, attendance_record, session_schedule
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def submit(cohort: Cohort, *, availability_confirmed: bool = True) -> Application:
    return application_submit(
        cohort=cohort,
        applicant=UserFactory(),
        directorate=DirectorateFactory(),
        role_title="Charge nurse",
        line_manager_name="Line Manager",
        line_manager_email="manager@example.org",
        availability_confirmed=availability_confirmed,
    )


# --- application_submit ------------------------------------------------------------------


def test_application_submit_records_a_submitted_application():
    cohort = CohortFactory(status=Cohort.Status.OPEN)

    application = submit(cohort)

    assert (application.status, application.availability_confirmed, application.submitted_at) == (
        Application.Status.SUBMITTED,
        True,
        NOW,
    )


@pytest.mark.parametrize(
    "status",
    [Cohort.Status.PLANNING, Cohort.Status.RUNNING, Cohort.Status.COMPLETED, Cohort.Status.CANCELLED],
)
def test_application_submit_refuses_a_cohort_not_open_for_applications(status):
    cohort = CohortFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        submit(cohort)

    assert refused.value.messages == [f"{cohort} is not open for applications."]
    assert Application.objects.count() == 0


def test_application_submit_refuses_unconfirmed_availability():
    cohort = CohortFactory(status=Cohort.Status.OPEN)

    with pytest.raises(ValidationError) as refused:
        submit(cohort, availability_confirmed=False)

    assert refused.value.message_dict == {
        "availability_confirmed": ["Please confirm you can attend the induction and every workshop date."]
    }
    assert Application.objects.count() == 0


def test_application_submit_refuses_an_application_after_applications_close():
    cohort = CohortFactory(status=Cohort.Status.OPEN, applications_close_on=date(2025, 8, 31))

    with pytest.raises(ValidationError):
        submit(cohort)


# --- application_decide ------------------------------------------------------------------


def test_application_decide_accepting_enrols_the_applicant():
    application = ApplicationFactory(status=Application.Status.MANAGER_APPROVED)
    lead = UserFactory()

    application_decide(
        application=application,
        decision=Application.Status.ACCEPTED,
        decided_by=lead,
        enrolled_on=date(2025, 9, 8),
    )

    application.refresh_from_db()
    assert (application.status, application.decided_by, application.decided_at) == (
        Application.Status.ACCEPTED,
        lead,
        NOW,
    )
    assert list(
        Enrolment.objects.values_list("cohort", "participant", "application", "status", "enrolled_on")
    ) == [(application.cohort_id, application.applicant_id, application.pk, "enrolled", date(2025, 9, 8))]


def test_application_decide_refuses_to_accept_into_a_full_cohort():
    cohort = CohortFactory(capacity=2)
    EnrolmentFactory.create_batch(2, cohort=cohort)
    application = ApplicationFactory(cohort=cohort)

    with pytest.raises(ValidationError) as refused:
        application_decide(
            application=application, decision=Application.Status.ACCEPTED, decided_by=UserFactory()
        )

    assert refused.value.messages == [f"{cohort} is full (2 places); wait-list the applicant instead."]
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert cohort.enrolments.count() == 2


def test_application_decide_counts_only_enrolled_participants_against_capacity():
    cohort = CohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)
    application = ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)

    application_decide(
        application=application, decision=Application.Status.ACCEPTED, decided_by=UserFactory()
    )

    assert cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == 1


def test_application_decide_wait_lists_without_enrolling():
    cohort = CohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort)
    application = ApplicationFactory(cohort=cohort)

    application_decide(
        application=application, decision=Application.Status.WAITLISTED, decided_by=UserFactory()
    )

    application.refresh_from_db()
    assert application.status == Application.Status.WAITLISTED
    assert cohort.enrolments.count() == 1


def test_application_decide_refuses_a_status_that_is_not_a_decision():
    application = ApplicationFactory()

    with pytest.raises(ValidationError) as refused:
        application_decide(
            application=application, decision=Application.Status.WITHDRAWN, decided_by=UserFactory()
        )

    assert refused.value.messages == ["“withdrawn” is not a decision a programme lead can make."]


def test_application_decide_refuses_to_accept_a_withdrawn_application():
    application = ApplicationFactory(status=Application.Status.WITHDRAWN)

    with pytest.raises(ValidationError):
        application_decide(
            application=application, decision=Application.Status.ACCEPTED, decided_by=UserFactory()
        )


# --- session_schedule ------------------------------------------------------------------


def test_session_schedule_adds_a_session_to_the_cohort():
    cohort = CohortFactory()

    session = session_schedule(
        cohort=cohort,
        kind=Session.Kind.ACTION_LEARNING_SET,
        title="Virtual Action Learning Set 1",
        starts_at=london(date(2025, 11, 4), time(10)),
        ends_at=london(date(2025, 11, 4), time(12)),
        online_url="https://meet.example.org/als-1",
    )

    assert list(cohort.sessions.all()) == [session]
    assert session.is_online is True


def test_session_schedule_refuses_a_cancelled_cohort():
    cohort = CohortFactory(status=Cohort.Status.CANCELLED)

    with pytest.raises(ValidationError) as refused:
        session_schedule(
            cohort=cohort,
            kind=Session.Kind.WORKSHOP,
            title="Workshop Day 1",
            starts_at=london(date(2025, 10, 1), time(9)),
            ends_at=london(date(2025, 10, 1), time(17)),
            venue_name="NCVO, London",
        )

    assert refused.value.messages == ["This cohort is cancelled, so no sessions can be added to it."]
    assert cohort.sessions.count() == 0


# --- attendance_record ------------------------------------------------------------------


def test_attendance_record_second_call_updates_the_same_row():
    session = SessionFactory(cohort=CohortFactory(starts_on=date(2025, 8, 1)))  # held before NOW
    enrolment = EnrolmentFactory(cohort=session.cohort)
    lead = UserFactory()
    attendance_record(session=session, enrolment=enrolment, status=Attendance.Status.ABSENT, recorded_by=lead)

    attendance_record(
        session=session,
        enrolment=enrolment,
        status=Attendance.Status.LATE,
        recorded_by=lead,
        note="Arrived at 9.40 after a train delay",
    )

    assert list(Attendance.objects.values_list("session", "enrolment", "status", "note")) == [
        (session.pk, enrolment.pk, "late", "Arrived at 9.40 after a train delay")
    ]


def test_attendance_record_refuses_a_participant_from_another_cohort():
    session = SessionFactory()
    outsider = EnrolmentFactory()  # enrolled in a different cohort

    with pytest.raises(ValidationError) as refused:
        attendance_record(
            session=session, enrolment=outsider, status=Attendance.Status.PRESENT, recorded_by=UserFactory()
        )

    assert refused.value.messages == ["That participant is not enrolled in this session's cohort."]
    assert Attendance.objects.count() == 0


def test_attendance_record_refuses_an_unknown_status():
    existing = AttendanceFactory()

    with pytest.raises(ValidationError) as refused:
        attendance_record(
            session=existing.session, enrolment=existing.enrolment, status="asleep", recorded_by=UserFactory()
        )

    assert refused.value.messages == ["“asleep” is not an attendance status."]
    existing.refresh_from_db()
    assert existing.status == Attendance.Status.PRESENT
