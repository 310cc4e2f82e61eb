"""The database itself refuses bad rows.

Rows are written with `Model.objects.create` / `bulk_create` (the factories
call `objects.create` too), never through `full_clean`, so each refusal here
comes from a constraint in the schema. Each test expects the named constraint:
PostgreSQL names it in the error; SQLite names a check constraint, but for a
unique constraint on plain columns it names the columns instead.
"""

import re
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError

from coaching.models import Assignment, MonthlyUpdate
from coachprog.accounts.models import User
from cohorts.models import Application, Attendance, Enrolment
from projects.models import DataPoint, PDSACycle
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    DataPointFactory,
    DirectorateFactory,
    DriverNodeFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    PDSACycleFactory,
    ProgrammeFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    TeamMembershipFactory,
    UserFactory,
    london,
)

pytestmark = pytest.mark.django_db


def unique_violation(constraint: str, table: str, *columns: str) -> str:
    """A pattern for the error of a unique constraint, as PostgreSQL or SQLite words it."""
    sqlite_columns = ", ".join(f"{table}.{column}" for column in columns)
    return f"{constraint}|UNIQUE constraint failed: {re.escape(sqlite_columns)}$"


ALL_FACTORIES = [
    DirectorateFactory,
    UserFactory,
    ProgrammeFactory,
    CohortFactory,
    SessionFactory,
    ApplicationFactory,
    EnrolmentFactory,
    AttendanceFactory,
    ProjectFactory,
    TeamMembershipFactory,
    MeasureFactory,
    DataPointFactory,
    PDSACycleFactory,
    DriverNodeFactory,
    CoachProfileFactory,
    AssignmentFactory,
    MeetingLogFactory,
    SupervisionLogFactory,
    MonthlyUpdateFactory,
]


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_factories_make_rows_that_pass_full_clean(factory_class):
    row = factory_class()

    row.full_clean()  # raises ValidationError on any invalid field or constraint


def test_factories_make_a_ready_monthly_update_that_passes_full_clean():
    update = MonthlyUpdateFactory(ready=True)

    update.full_clean()


# --- cohorts --------------------------------------------------------------------------


def test_attendance_second_row_for_the_same_session_and_enrolment_refused():
    first = AttendanceFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "attendance_once_per_session", "cohorts_attendance", "session_id", "enrolment_id"
            ),
        ),
        transaction.atomic(),
    ):
        Attendance.objects.create(
            session=first.session,
            enrolment=first.enrolment,
            status=Attendance.Status.LATE,
            recorded_by=first.recorded_by,
        )


def test_enrolment_second_row_for_the_same_cohort_and_participant_refused():
    first = EnrolmentFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "enrolment_unique_per_cohort", "cohorts_enrolment", "cohort_id", "participant_id"
            ),
        ),
        transaction.atomic(),
    ):
        Enrolment.objects.create(
            cohort=first.cohort, participant=first.participant, enrolled_on=date(2025, 10, 2)
        )


def test_application_second_row_for_the_same_cohort_and_applicant_refused():
    first = ApplicationFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "application_unique_per_cohort", "cohorts_application", "cohort_id", "applicant_id"
            ),
        ),
        transaction.atomic(),
    ):
        Application.objects.create(
            cohort=first.cohort,
            applicant=first.applicant,
            directorate=first.directorate,
            role_title="Charge nurse",
            line_manager_name="Another Manager",
            line_manager_email="another.manager@example.org",
        )


def test_cohort_ending_before_it_starts_refused():
    with pytest.raises(IntegrityError, match="cohort_ends_after_start"), transaction.atomic():
        CohortFactory(starts_on=date(2025, 10, 1), ends_on=date(2025, 9, 30))


def test_session_ending_before_it_starts_refused():
    with pytest.raises(IntegrityError, match="session_ends_after_start"), transaction.atomic():
        SessionFactory(
            starts_at=london(date(2025, 10, 1), time(17)), ends_at=london(date(2025, 10, 1), time(9))
        )


def test_session_in_a_cancelled_cohort_refused():
    # A CHECK cannot see the cohort's row, so a trigger enforces this one (cohorts migration 0006).
    cancelled = CohortFactory(status="cancelled")
    with pytest.raises(IntegrityError, match="session_not_in_cancelled_cohort"), transaction.atomic():
        SessionFactory(cohort=cancelled)


def test_session_moved_into_a_cancelled_cohort_refused():
    session = SessionFactory()
    cancelled = CohortFactory(status="cancelled")
    with pytest.raises(IntegrityError, match="session_not_in_cancelled_cohort"), transaction.atomic():
        type(session).objects.filter(pk=session.pk).update(cohort=cancelled)


def test_a_cancelled_cohorts_session_cannot_be_scheduled_again():
    session = SessionFactory(status="cancelled")
    type(session.cohort).objects.filter(pk=session.cohort_id).update(status="cancelled")
    session.title = "Renamed after the cohort was cancelled"
    session.save()  # an edit that schedules nothing is fine

    with pytest.raises(IntegrityError, match="session_not_in_cancelled_cohort"), transaction.atomic():
        type(session).objects.filter(pk=session.pk).update(status="scheduled")


def test_a_cancelled_session_of_a_cancelled_cohort_loads_from_a_backup():
    cancelled = CohortFactory(status="cancelled")
    SessionFactory(cohort=cancelled, status="cancelled")  # what a restore inserts
    assert cancelled.sessions.count() == 1


def test_session_with_neither_venue_nor_link_refused():
    with pytest.raises(IntegrityError, match="session_has_venue_or_link"), transaction.atomic():
        SessionFactory(venue_name="", venue_address="", online_url="")


# --- projects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory_class", "constraint"),
    [
        (ProjectFactory, "project_progress_score_on_scale"),
        (MeetingLogFactory, "meeting_progress_score_on_scale"),
        (MonthlyUpdateFactory, "monthly_update_score_on_scale"),
    ],
    ids=["project", "meeting log", "monthly update"],
)
@pytest.mark.parametrize("score", [Decimal("2.7"), Decimal("0.0"), Decimal("5.5")])
def test_progress_score_off_the_ihi_scale_refused(factory_class, constraint, score):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        factory_class(progress_score=score)


@pytest.mark.parametrize(
    ("value", "numerator", "denominator"),
    [
        (Decimal("3"), 3, 4),
        (None, 5, 4),
        (None, 0, 0),
        (None, None, None),
    ],
    ids=["value and numerator", "numerator above denominator", "denominator 0", "nothing"],
)
def test_data_point_neither_a_value_nor_a_valid_proportion_refused(value, numerator, denominator):
    measure = MeasureFactory()
    recorder = UserFactory()

    with pytest.raises(IntegrityError, match="data_point_value_or_proportion"), transaction.atomic():
        DataPoint.objects.create(
            measure=measure,
            period=date(2025, 1, 6),
            value=value,
            numerator=numerator,
            denominator=denominator,
            recorded_by=recorder,
        )


def test_data_point_second_row_for_the_same_period_refused():
    measure = MeasureFactory()
    recorder = UserFactory()
    points = [
        DataPoint(measure=measure, period=date(2025, 1, 6), value=Decimal(v), recorded_by=recorder)
        for v in ("40", "41")
    ]

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "data_point_once_per_period", "projects_datapoint", "measure_id", "period"
            ),
        ),
        transaction.atomic(),
    ):
        DataPoint.objects.bulk_create(points)


@pytest.mark.parametrize("period", [date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_data_point_period_outside_1900_to_2100_refused(period):
    with pytest.raises(IntegrityError, match="data_point_period_in_range"), transaction.atomic():
        DataPointFactory(period=period)


@pytest.mark.parametrize("period", [date(1900, 1, 1), date(2100, 12, 31)])
def test_data_point_period_at_the_ends_of_1900_to_2100_accepted(period):
    assert DataPointFactory(period=period).period == period


@pytest.mark.parametrize(
    ("starts_on", "completed_on"),
    [(date(1, 1, 1), None), (date(2025, 2, 3), date(9999, 12, 31)), (date(1899, 12, 31), date(2025, 2, 3))],
)
def test_pdsa_cycle_dates_outside_1900_to_2100_refused(starts_on, completed_on):
    with pytest.raises(IntegrityError, match="pdsa_dates_in_range"), transaction.atomic():
        PDSACycleFactory(starts_on=starts_on, completed_on=completed_on)


def test_pdsa_cycle_completed_without_a_decision_refused():
    with pytest.raises(IntegrityError, match="pdsa_completed_has_decision"), transaction.atomic():
        PDSACycleFactory(
            status=PDSACycle.Status.COMPLETED,
            starts_on=date(2025, 2, 3),
            completed_on=date(2025, 2, 17),
            act_decision="",
        )


# --- coaching -------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, 481])
def test_meeting_log_duration_outside_one_minute_to_eight_hours_refused(minutes):
    with pytest.raises(IntegrityError, match="meeting_duration_in_range"), transaction.atomic():
        MeetingLogFactory(duration_minutes=minutes)


@pytest.mark.parametrize("minutes", [1, 480])
def test_meeting_log_duration_at_the_limits_accepted(minutes):
    meeting = MeetingLogFactory(duration_minutes=minutes)

    assert meeting.duration_minutes == minutes


def test_assignment_second_open_row_for_the_same_project_and_role_refused():
    first = AssignmentFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "assignment_one_open_per_role", "coaching_assignment", "project_id", "role"
            ),
        ),
        transaction.atomic(),
    ):
        Assignment.objects.create(
            coach=UserFactory(),
            project=first.project,
            role=first.role,
            starts_on=date(2025, 3, 3),
            assigned_by=first.assigned_by,
        )


def test_assignment_new_open_row_accepted_once_the_old_one_has_ended():
    first = AssignmentFactory(ends_on=date(2025, 3, 2), end_reason="Handed over")

    second = Assignment.objects.create(
        coach=UserFactory(),
        project=first.project,
        role=first.role,
        starts_on=date(2025, 3, 3),
        assigned_by=first.assigned_by,
    )

    assert list(Assignment.objects.filter(project=first.project, ends_on__isnull=True)) == [second]


def test_monthly_update_month_not_on_the_first_refused():
    with pytest.raises(IntegrityError, match="monthly_update_first_of_month"), transaction.atomic():
        MonthlyUpdateFactory(month=date(2025, 2, 14))


def test_monthly_update_ready_without_rag_refused():
    with pytest.raises(IntegrityError, match="monthly_update_ready_is_complete"), transaction.atomic():
        MonthlyUpdateFactory(ready=True, rag="")


def test_monthly_update_second_draft_for_the_same_project_month_refused():
    first = MonthlyUpdateFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=unique_violation(
                "monthly_update_one_draft", "coaching_monthlyupdate", "project_id", "month"
            ),
        ),
        transaction.atomic(),
    ):
        MonthlyUpdate.objects.create(project=first.project, month=first.month, version=2, author=first.author)


def test_monthly_update_draft_accepted_beside_a_ready_version_of_the_same_month():
    ready = MonthlyUpdateFactory(ready=True)

    draft = MonthlyUpdate.objects.create(
        project=ready.project, month=ready.month, version=2, author=ready.author
    )

    assert list(MonthlyUpdate.objects.filter(project=ready.project).values_list("version", "status")) == [
        (2, "draft"),
        (1, "ready"),
    ]
    assert draft.status == MonthlyUpdate.Status.DRAFT


# --- accounts -------------------------------------------------------------------------


def test_user_email_differing_only_in_case_refused():
    UserFactory(email="amina.yusuf@example.org")

    with pytest.raises(IntegrityError, match="user_email_unique_ci"), transaction.atomic():
        User.objects.create(email="Amina.Yusuf@Example.org")


# --- on_delete=PROTECT ----------------------------------------------------------------


def _session_with_attendance() -> tuple[Model, Model]:
    attendance = AttendanceFactory()
    return attendance.session, attendance


def _project_with_a_measure() -> tuple[Model, Model]:
    measure = MeasureFactory()
    return measure.project, measure


def _measure_with_a_data_point() -> tuple[Model, Model]:
    point = DataPointFactory()
    return point.measure, point


def _sponsor_of_a_project() -> tuple[Model, Model]:
    project = ProjectFactory()
    return project.sponsor, project


@pytest.mark.parametrize(
    "make_rows",
    [_session_with_attendance, _project_with_a_measure, _measure_with_a_data_point, _sponsor_of_a_project],
    ids=["session with attendance", "project with a measure", "measure with a data point", "sponsor"],
)
def test_delete_refused_while_protected_rows_refer_to_it(make_rows: Callable[[], tuple[Model, Model]]):
    row, protecting = make_rows()

    with pytest.raises(ProtectedError) as refused:
        row.delete()

    assert refused.value.protected_objects == {protecting}
    assert type(row).objects.filter(pk=row.pk).exists()


def test_proportion_target_outside_zero_to_one_refused():
    with pytest.raises(IntegrityError, match="measure_proportion_target_is_a_fraction"), transaction.atomic():
        MeasureFactory(value_type="proportion", target=Decimal("90"))
