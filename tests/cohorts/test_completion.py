"""One source of truth for enrolment and completion (issue 12, item 5).

Completion is worked out in one place (`cohorts.attendance.completion`, through the
attendance matrices) and every page that shows it says the same: the cohort page, the
attendance matrix and its exports, the cohort list, the programme page and the coach
record. While a cohort runs that computed state is the truth; completing the cohort
records each outcome on the enrolment from the same rule.
"""

import csv
import io
import re
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from cohorts.attendance import enrolment_counts
from cohorts.models import Attendance, Cohort, Enrolment, Session
from cohorts.services import cohort_set_status, enrolment_set_status
from cohorts.services.attendance import attendance_record
from tests.factories import (
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

RUNNING = london(date(2025, 11, 1), time(12))
AFTER_THE_LAST_SESSION = london(date(2025, 12, 10), time(12))
PRESENT, ABSENT = Attendance.Status.PRESENT, Attendance.Status.ABSENT


def session(cohort, day: date, kind=Session.Kind.WORKSHOP, title: str = "") -> Session:
    return SessionFactory(
        cohort=cohort,
        kind=kind,
        title=title or f"{kind} {day}",
        starts_at=london(day, time(9)),
        ends_at=london(day, time(17)),
    )


def details_post(cohort: Cohort, **overrides) -> dict:
    data = {
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "status": cohort.status,
        "applications_close_on": "",
        "completion_inductions": cohort.completion_inductions,
        "completion_all_workshops": "on",
        "completion_all_action_learning_sets": "on",
    }
    return data | overrides


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def figures_on_every_page(client, cohort: Cohort, coach) -> dict:
    """The cohort's places, completion summary and each participant's completion, as each page shows them."""
    detail = client.get(reverse("cohorts:detail", args=[cohort.pk]))
    matrix = client.get(reverse("cohorts:attendance_matrix", args=[cohort.pk]))
    listing = client.get(reverse("cohorts:list"))
    programme = client.get("/programme/")
    export = csv_rows(client.get(reverse("cohorts:attendance_export", args=[cohort.pk, "csv"])))
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("cohorts:attendance_export", args=[cohort.pk, "xlsx"])).content)
    )["Attendance"]
    health = client.get("/programme/health/")
    health_csv = csv_rows(client.get("/programme/health/coaches.csv"))
    applications = client.get(reverse("cohorts:applications", args=[cohort.pk])).content.decode()
    participants = client.get(reverse("cohorts:participants", args=[cohort.pk])).content.decode()
    listed = next(c for c in listing.context["cohorts"] if c.pk == cohort.pk)
    overview = next(c for c in programme.context["cohorts"] if c.pk == cohort.pk)
    record = next(r for r in health.context["records"] if r.profile.coach == coach)
    return {
        "cohort page": (
            detail.context["counts"].places,
            detail.context["counts"].summary,
            {
                str(e.participant): e.row.completion_label if e.row else e.get_status_display()
                for e in detail.context["enrolments"]
            },
        ),
        "matrix": (
            matrix.context["matrix"].counts.places,
            matrix.context["matrix"].counts.summary,
            {str(r.enrolment.participant): r.completion_label for r in matrix.context["matrix"].rows},
        ),
        "cohort list": (listed.counts.places, listed.counts.summary),
        "programme page": (overview.counts.places, overview.counts.summary),
        "attendance CSV": {row[0]: row[-1] for row in export[1:]},
        "attendance Excel": {row[0].value: row[-1].value for row in sheet.iter_rows(min_row=2)},
        "coach record": (record.completion, record.attended, record.required),
        "coach record CSV": next((row[5], row[3], row[4]) for row in health_csv[1:] if row[0] == str(coach)),
        "applications and participants pages": [
            re.search(r"(\d+) of (\d+) places taken", page).groups() for page in (applications, participants)
        ],
        "pages": (detail, matrix, listing, programme),
    }


def test_one_cohort_shows_the_same_figures_on_every_page_running_and_completed(
    lead_client, programme_lead, time_machine
):
    time_machine.move_to(RUNNING, tick=False)
    cohort = CohortFactory(
        number=10, starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 31), capacity=16, status="running"
    )
    induction = session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION, "Induction")
    day1 = session(cohort, date(2025, 10, 8), title="Workshop Day 1")
    day2 = session(cohort, date(2025, 10, 15), title="Workshop Day 2")
    als = session(cohort, date(2025, 10, 22), Session.Kind.ACTION_LEARNING_SET, "Action learning set 1")
    day3 = session(cohort, date(2025, 12, 3), title="Workshop Day 3")
    coach = UserFactory(display_name="Dee Coach")
    CoachProfileFactory(coach=coach)
    ada, ben, dee = (
        EnrolmentFactory(cohort=cohort, participant=person, enrolled_on=date(2025, 9, 1))
        for person in (
            UserFactory(display_name="Ada Lovelace"),
            UserFactory(display_name="Ben Absent"),
            coach,
        )
    )
    EnrolmentFactory(
        cohort=cohort,
        participant=UserFactory(display_name="Cal Withdrawn"),
        status=Enrolment.Status.WITHDRAWN,
    )
    for enrolment in (ada, ben, dee):
        for held in (induction, day1, als):
            AttendanceFactory(session=held, enrolment=enrolment, status=PRESENT)
        AttendanceFactory(session=day2, enrolment=enrolment, status=ABSENT if enrolment == ben else PRESENT)

    running = figures_on_every_page(lead_client, cohort, coach)

    labels = {"Ada Lovelace": "On track", "Ben Absent": "At risk", "Dee Coach": "On track"}
    assert running["cohort page"] == (
        "3 / 16",
        "0 complete, 2 on track, 1 at risk",
        labels | {"Cal Withdrawn": "Withdrawn"},
    )
    assert running["matrix"] == ("3 / 16", "0 complete, 2 on track, 1 at risk", labels)
    assert (
        running["cohort list"] == running["programme page"] == ("3 / 16", "0 complete, 2 on track, 1 at risk")
    )
    assert running["attendance CSV"] == running["attendance Excel"] == labels
    assert running["coach record"] == ("On track", 4, 5)
    assert running["coach record CSV"] == ("On track", "4", "5")
    assert running["applications and participants pages"] == [("3", "16"), ("3", "16")]
    detail, matrix, listing, programme = running["pages"]
    for page in running["pages"]:
        assert "0 complete, 2 on track, 1 at risk" in page.content.decode()
    assert (
        '<strong>At risk</strong> <span class="text-body-secondary">(3/5)</span>' in detail.content.decode()
    )
    assert (
        '<strong>At risk</strong> <span class="text-body-secondary">(3/5)</span>' in matrix.content.decode()
    )
    # While the cohort runs, the computed state is the truth: nothing is recorded yet.
    assert set(Enrolment.objects.filter(cohort=cohort).values_list("status", flat=True)) == {
        "enrolled",
        "withdrawn",
    }

    time_machine.move_to(AFTER_THE_LAST_SESSION, tick=False)
    lead_client.force_login(programme_lead)  # weeks later: a new sign-in
    for enrolment in (ada, ben, dee):
        attendance_record(session=day3, enrolment=enrolment, status=PRESENT, recorded_by=programme_lead)
    closed = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, status="completed")
    )
    assert (closed.status_code, closed["Location"]) == (302, reverse("cohorts:planner", args=[cohort.pk]))

    completed = figures_on_every_page(lead_client, cohort, coach)

    labels = {"Ada Lovelace": "Completed", "Ben Absent": "Did not complete", "Dee Coach": "Completed"}
    assert completed["cohort page"] == ("3 / 16", "2 of 3 completed", labels | {"Cal Withdrawn": "Withdrawn"})
    assert completed["matrix"] == ("3 / 16", "2 of 3 completed", labels)
    assert completed["cohort list"] == completed["programme page"] == ("3 / 16", "2 of 3 completed")
    assert completed["attendance CSV"] == completed["attendance Excel"] == labels
    assert completed["coach record"] == ("Completed", 5, 5)
    assert completed["coach record CSV"] == ("Completed", "5", "5")
    assert completed["applications and participants pages"] == [("3", "16"), ("3", "16")]
    # Completing the cohort recorded each outcome from the same rule.
    assert dict(
        Enrolment.objects.filter(cohort=cohort).values_list("participant__display_name", "status")
    ) == {
        "Ada Lovelace": "completed",
        "Ben Absent": "not_completed",
        "Dee Coach": "completed",
        "Cal Withdrawn": "withdrawn",
    }


# --- the defects seen on the demo data ------------------------------------------------------------


@pytest.fixture
def closed_cohort(time_machine):
    """Cohort 10, completed: Ada attended everything, Ben missed Workshop Day 2."""
    time_machine.move_to(AFTER_THE_LAST_SESSION, tick=False)
    cohort = CohortFactory(number=10, starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 31), capacity=16)
    days = [session(cohort, date(2025, 10, d), title=f"Workshop Day {n}") for n, d in ((1, 8), (2, 15))]
    ada = EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="Ada Lovelace"))
    ben = EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="Ben Absent"))
    for day in days:
        AttendanceFactory(session=day, enrolment=ada, status=PRESENT)
    AttendanceFactory(session=days[0], enrolment=ben, status=PRESENT)
    AttendanceFactory(session=days[1], enrolment=ben, status=ABSENT)
    cohort.completion_inductions = 0
    cohort.save()
    cohort_set_status(cohort=cohort, status=Cohort.Status.COMPLETED)
    return cohort


def test_cohort_page_and_matrix_agree_on_each_participants_completion(lead_client, closed_cohort):
    # Seen on the demo: "Did not complete" on the cohort page, "At risk" in the matrix.
    detail = lead_client.get(reverse("cohorts:detail", args=[closed_cohort.pk]))
    matrix = lead_client.get(reverse("cohorts:attendance_matrix", args=[closed_cohort.pk]))

    on_detail = {str(e.participant): (e.row.completion_label, e.status) for e in detail.context["enrolments"]}
    in_matrix = {str(r.enrolment.participant): r.completion_label for r in matrix.context["matrix"].rows}
    assert on_detail == {
        "Ada Lovelace": ("Completed", "completed"),
        "Ben Absent": ("Did not complete", "not_completed"),
    }
    assert in_matrix == {"Ada Lovelace": "Completed", "Ben Absent": "Did not complete"}


def test_cohort_list_counts_participants_who_completed_as_enrolled(lead_client, closed_cohort):
    # Seen on the demo: "Enrolled 0/16" on the cohort list, 12/16 on the programme page.
    listing = lead_client.get(reverse("cohorts:list")).content.decode()
    programme = lead_client.get("/programme/").content.decode()

    assert '<td class="text-end text-nowrap">2 / 16</td>' in listing
    assert '<td class="text-end text-nowrap">2 / 16</td>' in programme
    assert "<td>1 of 2 completed</td>" in listing
    assert "<td>1 of 2 completed</td>" in programme


def test_correcting_the_register_after_the_close_records_the_outcome_again(closed_cohort, programme_lead):
    ben = Enrolment.objects.get(cohort=closed_cohort, participant__display_name="Ben Absent")
    day2 = closed_cohort.sessions.get(title="Workshop Day 2")

    attendance_record(session=day2, enrolment=ben, status=Attendance.Status.LATE, recorded_by=programme_lead)

    ben.refresh_from_db()
    assert ben.status == Enrolment.Status.COMPLETED
    assert [h.status for h in ben.history.order_by("history_date")] == [
        "enrolled",
        "not_completed",
        "completed",
    ]


def test_reopening_a_cohort_returns_its_participants_to_enrolled(closed_cohort):
    cohort_set_status(cohort=closed_cohort, status=Cohort.Status.RUNNING)

    assert set(closed_cohort.enrolments.values_list("status", flat=True)) == {"enrolled"}
    assert enrolment_counts([closed_cohort])[closed_cohort.pk].summary == "1 complete, 0 on track, 1 at risk"


def test_completion_cannot_be_set_by_hand():
    enrolment = EnrolmentFactory()

    with pytest.raises(ValidationError) as refused:
        enrolment_set_status(enrolment=enrolment, status=Enrolment.Status.COMPLETED)

    assert refused.value.messages == [
        "Completion is recorded from the cohort's completion rule when the cohort is completed; "
        "it cannot be set by hand."
    ]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_a_participant_sees_their_own_completion_under_their_cohorts_rule(client, time_machine):
    time_machine.move_to(RUNNING, tick=False)
    cohort = CohortFactory(completion_inductions=0, completion_all_action_learning_sets=False)
    day = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(session=day, enrolment=enrolment, status=PRESENT)
    client.force_login(enrolment.participant)

    mine = client.get(reverse("cohorts:my_attendance", args=[cohort.pk])).content.decode()
    page = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()

    # The rule the cohort set, not the default one.
    assert "To complete, attend every workshop day." in mine
    assert "<strong>Complete</strong>: 1 of 1 required session attended." in mine
    assert (
        "<strong>Complete</strong>: 1 of 1 required session attended. To complete, attend every workshop day."
        in page
    )


# --- query counts ------------------------------------------------------------------------------------


def _grow(size: int) -> None:
    """`size` cohorts, each with `size` sessions and participants and a full register."""
    for _ in range(size):
        cohort = CohortFactory(starts_on=date(2025, 1, 6), ends_on=date(2025, 6, 30))
        sessions = [session(cohort, date(2025, 1, 6 + i)) for i in range(size)]
        for _ in range(size):
            enrolment = EnrolmentFactory(cohort=cohort)
            for held in sessions:
                AttendanceFactory(session=held, enrolment=enrolment)


@pytest.mark.parametrize("size", [1, 4])
def test_cohort_list_runs_a_fixed_number_of_queries(lead_client, size):
    _grow(size)
    page_queries(lead_client, reverse("cohorts:list"))  # a warm-up: the first request signs in

    # The cohorts, the open ones, and three for every cohort's figures together; the rest is the sign-in.
    assert page_queries(lead_client, reverse("cohorts:list")) == 9


@pytest.mark.parametrize("size", [1, 4])
def test_programme_page_runs_a_fixed_number_of_queries(lead_client, size):
    _grow(size)
    page_queries(lead_client, "/programme/")

    assert page_queries(lead_client, "/programme/") == 10


@pytest.mark.parametrize("size", [1, 4])
def test_cohort_page_runs_a_fixed_number_of_queries(lead_client, size):
    _grow(size)
    cohort = Cohort.objects.order_by("pk").first()
    page_queries(lead_client, reverse("cohorts:detail", args=[cohort.pk]))

    assert page_queries(lead_client, reverse("cohorts:detail", args=[cohort.pk])) == 12


def test_the_database_refuses_a_capacity_beyond_its_column():
    # PostgreSQL's smallint refuses it (DataError); SQLite stores any 64-bit number in a small
    # integer column, so the check constraint refuses it there (IntegrityError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        CohortFactory(capacity=99_999_999_999)


@pytest.mark.parametrize("size", [1, 4])
def test_attendance_matrix_runs_a_fixed_number_of_queries(lead_client, size):
    _grow(size)
    cohort = Cohort.objects.order_by("pk").first()
    path = reverse("cohorts:attendance_matrix", args=[cohort.pk])
    page_queries(lead_client, path)

    assert page_queries(lead_client, path) == 7


@pytest.mark.parametrize("size", [1, 4])
def test_coach_records_run_a_fixed_number_of_queries(lead_client, size):
    _grow(size)
    for enrolment in Enrolment.objects.all():
        CoachProfileFactory(coach=enrolment.participant)
    page_queries(lead_client, "/programme/health/")

    # Three for the attendance matrices of every coach's cohort together, not three per cohort.
    assert page_queries(lead_client, "/programme/health/") == 17
