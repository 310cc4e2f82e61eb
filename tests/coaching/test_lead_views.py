"""The lead views: the coaching overview (teams × months, no coach, no supervision) with its
filters and export, and programme health."""

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from coaching.health import coach_records, health_charts, trained_by_directorate
from coaching.queries import last_months
from projects.models import ProgressScoreChange
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    MeetingLogFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)

pytestmark = pytest.mark.django_db


def _row(response, project):
    return next(r for r in response.context["overview"].rows if r.project == project)


def test_the_overview_counts_meetings_per_team_per_month(lead_client, coach, project_a):
    today = timezone.localdate()
    months = last_months(6, today)
    MeetingLogFactory(coach=coach, project=project_a, met_on=months[-1])
    MeetingLogFactory(coach=coach, project=project_a, met_on=months[-1])
    MeetingLogFactory(coach=coach, project=project_a, met_on=months[1] + timedelta(days=3))
    MeetingLogFactory(coach=coach, project=project_a, met_on=months[0] - timedelta(days=1))  # too old

    response = lead_client.get("/coaching/overview/")

    assert response.context["overview"].months == months
    assert _row(response, project_a).counts == [0, 1, 0, 0, 0, 2]


def test_the_overview_lists_teams_without_a_coach_and_coaches_without_supervision(
    lead_client, coach, project_a, project_b
):
    SupervisionLogFactory(coach=coach, held_on=timezone.localdate() - timedelta(weeks=9))
    recently = UserFactory(display_name="Recently supervised")
    CoachProfileFactory(coach=recently)
    SupervisionLogFactory(coach=recently, held_on=timezone.localdate() - timedelta(weeks=2))

    overview = lead_client.get("/coaching/overview/").context["overview"]

    assert overview.teams_without_coach == [project_b]
    assert [p.coach for p in overview.coaches_without_supervision] == [coach]


def test_the_overview_filters_by_directorate_and_by_the_coachs_cohort(
    lead_client, coach, project_a, project_b, other_coach
):
    cohort = CohortFactory()
    EnrolmentFactory(cohort=cohort, participant=coach)

    by_directorate = lead_client.get(f"/coaching/overview/?directorate={project_b.directorate_id}")
    by_cohort = lead_client.get(f"/coaching/overview/?cohort={cohort.pk}")

    assert [r.project for r in by_directorate.context["overview"].rows] == [project_b]
    assert [r.project for r in by_cohort.context["overview"].rows] == [project_a]
    assert [p.coach for p in by_cohort.context["overview"].coaches_without_supervision] == [coach]


def test_a_qi_lead_sees_their_directorates_teams_only(qi_lead_client, project_a, project_b):
    rows = qi_lead_client.get("/coaching/overview/").context["overview"].rows

    assert [r.project for r in rows] == [project_a]


@pytest.mark.parametrize("role", ["coach", "sponsor", "team_member", "unrelated_user"])
def test_the_overview_is_for_leads(request, client, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/coaching/overview/").status_code == 403
    assert client.get("/coaching/overview/export.csv").status_code == 403


def test_the_overview_exports_as_csv(lead_client, coach, project_a):
    MeetingLogFactory(coach=coach, project=project_a, met_on=timezone.localdate())

    response = lead_client.get("/coaching/overview/export.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    months = [f"{m:%b %Y}" for m in last_months(6)]
    assert rows[0] == ["Project", "Directorate", "Coaches", *months, "Total"]
    assert rows[1] == [
        "Project A",
        "Directorate A",
        "Coach of A (lead coach)",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
        "1",
    ]


def test_the_overview_exports_as_excel_with_the_filter_applied(lead_client, project_a, project_b):
    response = lead_client.get(f"/coaching/overview/export.xlsx?directorate={project_b.directorate_id}")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Project", "Project B"]


def test_an_unknown_export_format_is_not_found(lead_client):
    assert lead_client.get("/coaching/overview/export.pdf").status_code == 404


# --- programme health -------------------------------------------------------------------------


@pytest.mark.time_machine(london(date(2026, 6, 15), time(12)), tick=False)
def test_the_share_of_trained_coaches_actively_coaching_is_worked_out_each_month():
    project = ProjectFactory(started_on=date(2025, 1, 6))
    active, idle = UserFactory(), UserFactory()
    for coach in (active, idle):
        CoachProfileFactory(coach=coach)
        AssignmentFactory(
            coach=coach, project=project if coach is active else ProjectFactory(), starts_on=date(2025, 9, 1)
        )
    MeetingLogFactory(coach=active, project=project, met_on=date(2026, 6, 1))

    active_chart = health_charts()[0]

    assert active_chart.labels[-1] == "Jun 2026"
    assert active_chart.values[-1] == 0.5
    assert active_chart.rows[-1] == ("Jun 2026", "50%", "1 of 2")
    assert active_chart.values[-3] == 0.0  # April: nobody had met a team in the 8 weeks before
    assert "<svg" in active_chart.svg


@pytest.mark.time_machine(london(date(2026, 6, 15), time(12)), tick=False)
def test_projects_whose_score_rose_and_projects_stalled_over_3_months():
    rising = ProjectFactory(started_on=date(2025, 1, 6), progress_score=Decimal("2.0"))
    ProjectFactory(started_on=date(2025, 1, 6), progress_score=Decimal("1.5"))  # never changed: stalled
    ProjectFactory(started_on=date(2026, 5, 1))  # too new to judge
    changer = UserFactory()
    ProgressScoreChange.objects.create(
        project=rising,
        score=Decimal("1.0"),
        previous_score=Decimal("0.5"),
        changed_by=changer,
        changed_at=london(date(2025, 6, 1), time(12)),
    )
    ProgressScoreChange.objects.create(
        project=rising,
        score=Decimal("2.0"),
        previous_score=Decimal("1.0"),
        changed_by=changer,
        changed_at=london(date(2026, 5, 20), time(12)),
    )

    rose, stuck = health_charts()[1:]

    assert rose.rows[-1] == ("Jun 2026", "50%", "1 of 2")
    assert stuck.rows[-1] == ("Jun 2026", "1", "of 2")
    assert stuck.values[-3] == 2  # April: neither had changed since June 2025


def test_people_trained_are_counted_per_directorate():
    newham, hackney = DirectorateFactory(name="Newham"), DirectorateFactory(name="Hackney")
    for unit in (newham, newham, hackney):
        EnrolmentFactory(participant=UserFactory(organisation_unit=unit), status="completed")
    EnrolmentFactory(participant=UserFactory(organisation_unit=hackney), status="enrolled")

    assert trained_by_directorate() == [("Newham", 2), ("Hackney", 1)]


def test_one_record_per_coach_joins_training_supervision_and_coaching(coach, project_a):
    cohort = CohortFactory(starts_on=date(2025, 10, 1), ends_on=date(2026, 3, 31))
    enrolment = EnrolmentFactory(cohort=cohort, participant=coach, enrolled_on=date(2025, 9, 1))
    for _ in range(2):
        AttendanceFactory(session=SessionFactory(cohort=cohort), enrolment=enrolment)
    SupervisionLogFactory(coach=coach, held_on=timezone.localdate() - timedelta(days=20))
    MeetingLogFactory(coach=coach, project=project_a, met_on=timezone.localdate() - timedelta(days=5))

    record = next(r for r in coach_records() if r.profile.coach == coach)

    assert (record.enrolment, record.attended, record.required) == (enrolment, 2, 2)
    assert record.completion == "Complete"
    assert (record.supervision_count, record.team_count, record.meetings_12_weeks) == (1, 1, 1)
    assert record.actively_coaching is True


def test_programme_health_page_draws_the_charts_for_a_programme_lead(lead_client, coach, project_a):
    MeetingLogFactory(coach=coach, project=project_a, met_on=timezone.localdate())

    response = lead_client.get("/programme/health/")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 2
    assert "Trained coaches actively coaching" in page
    assert lead_client.get("/programme/health/coaches.csv").status_code == 200


@pytest.mark.parametrize("role", ["qi_lead", "coach", "sponsor", "team_member"])
def test_programme_health_is_for_programme_leads(request, client, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/programme/health/").status_code == 403
    assert client.get("/programme/health/coaches.csv").status_code == 403
