"""The project list: filters (including coaching's), the stalled flag and CSV/Excel export."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from projects.listing import months_before
from projects.models import ProgressScoreChange
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _scored(project, score: str, on: date):
    ProgressScoreChange.objects.create(
        project=project,
        score=Decimal(score),
        changed_by=project.sponsor,
        changed_at=timezone.make_aware(datetime.combine(on, datetime.min.time())),
    )
    project.progress_score = Decimal(score)
    project.save()
    return project


def _titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2025, 5, 31), 3, date(2025, 2, 28)), (date(2025, 1, 15), 3, date(2024, 10, 15))],
)
def test_months_before_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert months_before(day, months) == expected


@time_machine.travel(date(2025, 6, 30))
def test_project_at_one_score_for_three_months_is_flagged_stalled(lead_client):
    _scored(ProjectFactory(title="Stuck"), "2.0", date(2025, 3, 29))
    _scored(ProjectFactory(title="Moving"), "3.0", date(2025, 4, 2))

    response = lead_client.get("/projects/")
    stalled = lead_client.get("/projects/?stalled=yes")
    moving = lead_client.get("/projects/?stalled=no")

    assert {p.title: p.stalled for p in response.context["page"].object_list} == {
        "Moving": False,
        "Stuck": True,
    }
    assert _titles(stalled) == ["Stuck"]
    assert _titles(moving) == ["Moving"]


def test_project_list_filters_by_score_coach_and_the_coachs_cohort(lead_client):
    cohort = CohortFactory()
    trained, other = UserFactory(display_name="Trained Coach"), UserFactory(display_name="Other Coach")
    EnrolmentFactory(cohort=cohort, participant=trained)
    AssignmentFactory(coach=trained, project=_scored(ProjectFactory(title="A"), "3.5", date(2025, 1, 6)))
    AssignmentFactory(coach=other, project=_scored(ProjectFactory(title="B"), "1.0", date(2025, 1, 6)))
    AssignmentFactory(
        coach=trained,
        project=ProjectFactory(title="C (ended)"),
        ends_on=timezone.localdate() - timedelta(days=1),
        end_reason="Handed over",
    )

    assert _titles(lead_client.get("/projects/?score=3.5")) == ["A"]
    assert _titles(lead_client.get(f"/projects/?coach={trained.pk}")) == ["A"]
    assert _titles(lead_client.get(f"/projects/?cohort={cohort.pk}")) == ["A"]
    assert _titles(lead_client.get("/projects/?score=9&coach=x")) == ["A", "B", "C (ended)"]
    page = lead_client.get("/projects/")
    assert [p.extra_columns for p in page.context["page"].object_list] == [
        ["Trained Coach"],
        ["Other Coach"],
        [""],
    ]


def test_project_list_shows_a_coach_only_their_projects(client):
    coach = UserFactory()
    AssignmentFactory(coach=coach, project=ProjectFactory(title="Mine"))
    ProjectFactory(title="Someone else's")
    client.force_login(coach)

    assert _titles(client.get("/projects/")) == ["Mine"]
    assert [row[0] for row in _csv(client.get("/projects/export/csv/"))[1:]] == ["Mine"]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_project_list_exports_the_filtered_list_as_csv_and_excel(lead_client):
    coach = UserFactory(display_name="Tom Okafor")
    project = _scored(ProjectFactory(title="Timely discharge"), "3.5", date(2025, 1, 6))
    AssignmentFactory(coach=coach, project=project)
    ProjectFactory(title="Filtered out")

    csv_rows = _csv(lead_client.get("/projects/export/csv/?score=3.5"))
    workbook = load_workbook(io.BytesIO(lead_client.get("/projects/export/xlsx/?score=3.5").content))

    assert csv_rows[0] == [
        "Project",
        "Directorate",
        "Sponsor",
        "Coach",
        "Status",
        "Progress score",
        "Score since",
        "Stalled",
        "Aim",
        "Start date",
    ]
    assert [row[:8] for row in csv_rows[1:]] == [
        [
            "Timely discharge",
            project.directorate.name,
            str(project.sponsor),
            "Tom Okafor",
            "Active",
            "3.5",
            "2025-01-06 00:00",
            "yes",
        ],
    ]
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[0] for row in sheet_rows] == ["Project", "Timely discharge"]
    assert lead_client.get("/projects/export/pdf/").status_code == 404


def test_progress_score_change_from_the_project_page_keeps_who_when_and_why(client):
    coach = UserFactory(display_name="Tom Okafor")
    project = ProjectFactory()
    AssignmentFactory(coach=coach, project=project)
    client.force_login(coach)

    response = client.post(
        f"/projects/{project.pk}/progress-score/",
        {"score": "2.5", "reason": "First test of change"},
        follow=True,
    )

    change = ProgressScoreChange.objects.get(project=project)
    assert (change.previous_score, change.score, change.changed_by, change.reason) == (
        Decimal("0.5"),
        Decimal("2.5"),
        coach,
        "First test of change",
    )
    assert "Progress score changed from 0.5 to 2.5." in response.content.decode()


def test_progress_score_change_needs_a_reason_and_write_access(client):
    project = ProjectFactory()
    AssignmentFactory(project=project, coach=(coach := UserFactory()))
    client.force_login(coach)

    response = client.post(
        f"/projects/{project.pk}/progress-score/", {"score": "2.5", "reason": ""}, follow=True
    )
    assert "Reason: This field is required." in response.content.decode()
    client.force_login(project.sponsor)
    assert (
        client.post(f"/projects/{project.pk}/progress-score/", {"score": "2.5", "reason": "x"}).status_code
        == 403
    )
    assert not ProgressScoreChange.objects.filter(project=project).exists()


@time_machine.travel(date(2025, 6, 30))
def test_project_page_flags_a_stalled_project(lead_client):
    project = _scored(ProjectFactory(), "2.0", date(2025, 3, 1))

    response = lead_client.get(f"/projects/{project.pk}/")

    assert response.context["stalled"] is True
    assert "The score has not changed for three months or more" in response.content.decode()
