"""A cohort's applications and participants as CSV and Excel downloads (issue 12, item 9), for the
people who run the cohort, holding what their pages show them."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from coachprog.exports import XLSX_TYPE
from cohorts.models import Application, Cohort, Enrolment
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def cohort():
    return CohortFactory(number=11, status=Cohort.Status.OPEN, capacity=2)


@pytest.fixture
def lead(client, cohort):
    user = UserFactory(display_name="Lena Lead")
    cohort.leads.add(user)
    client.force_login(user)
    return user


def csv_rows(response) -> list[list[str]]:
    assert (response.status_code, response["Content-Type"]) == (200, "text/csv; charset=utf-8")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_applications_download_holds_what_the_leads_table_shows(client, cohort, lead):
    ApplicationFactory(
        cohort=cohort,
        applicant=UserFactory(display_name="Zoe Turner", email="zoe@example.org"),
        directorate=DirectorateFactory(name="Community Health Newham"),
        role_title="Peer support worker",
        prerequisites_completed=["Pocket QI"],
        is_service_user_or_carer=True,
        people_participation_lead="Maria Lopez",
        line_manager_name="Sam Shah",
        line_manager_email="sam@example.org",
        status=Application.Status.ACCEPTED,
        manager_approved=True,
        manager_responded_at=london(date(2025, 9, 2), time(9)),
        decided_by=lead,
        decided_at=london(date(2025, 9, 3), time(11)),
        override_unmet="Prerequisite not completed: Improvement Leaders Programme",
        override_reason="Starts the course in October",
    )

    response = client.get(reverse("cohorts:applications_export", args=[cohort.pk, "csv"]))

    assert response["Content-Disposition"] == 'attachment; filename="cohort-11-applications.csv"'
    assert csv_rows(response) == [
        [
            "Applicant",
            "E-mail",
            "Directorate",
            "Job role",
            "Prerequisites completed",
            "Prerequisites not completed",
            "Service user or carer",
            "People Participation Lead",
            "Line manager",
            "Line manager's e-mail",
            "Line manager's answer",
            "Answered",
            "Can attend every date",
            "Sent",
            "Status",
            "On the wait-list since",
            "Decided by",
            "Decided",
            "Accepted without",
            "Reason for accepting anyway",
        ],
        [
            "Zoe Turner",
            "zoe@example.org",
            "Community Health Newham",
            "Peer support worker",
            "Pocket QI",
            "Improvement Leaders Programme",
            "Yes",
            "Maria Lopez",
            "Sam Shah",
            "sam@example.org",
            "Approved",
            "2025-09-02 09:00",
            "Yes",
            "2025-09-01 10:00",
            "Accepted",
            "",
            "Lena Lead",
            "2025-09-03 11:00",
            "Prerequisite not completed: Improvement Leaders Programme",
            "Starts the course in October",
        ],
    ]


def test_applications_download_leaves_out_drafts_and_names_a_ppl_only_for_service_users(client, cohort, lead):
    ApplicationFactory(cohort=cohort, status=Application.Status.DRAFT, submitted_at=None)
    ApplicationFactory(
        cohort=cohort,
        applicant=UserFactory(display_name="Ann"),
        people_participation_lead="Left over from an edit",
        status=Application.Status.WAITLISTED,
        decided_at=london(date(2025, 8, 30), time(12)),
    )

    rows = csv_rows(client.get(reverse("cohorts:applications_export", args=[cohort.pk, "csv"])))

    assert [(row[0], row[6], row[7], row[14], row[15]) for row in rows[1:]] == [
        ("Ann", "No", "", "Wait-listed", "2025-08-30 12:00")
    ]


def test_applications_download_follows_the_tables_status_filter(client, cohort, lead):
    ApplicationFactory(cohort=cohort, applicant=UserFactory(display_name="Ann"))
    ApplicationFactory(
        cohort=cohort, applicant=UserFactory(display_name="Ben"), status=Application.Status.MANAGER_APPROVED
    )

    url = reverse("cohorts:applications_export", args=[cohort.pk, "csv"])
    filtered = csv_rows(client.get(url, {"status": "manager_approved"}))
    unknown = csv_rows(client.get(url, {"status": "draft"}))
    table = client.get(reverse("cohorts:applications", args=[cohort.pk]), {"status": "manager_approved"})

    assert ([row[0] for row in filtered[1:]], [row[0] for row in unknown[1:]]) == (["Ben"], ["Ann", "Ben"])
    assert f'href="/cohorts/{cohort.pk}/applications.csv?status=manager_approved"' in table.content.decode()


def test_applications_download_keeps_typed_formulas_as_text(client, cohort, lead):
    ApplicationFactory(cohort=cohort, role_title='=HYPERLINK("http://evil.example")')

    rows = csv_rows(client.get(reverse("cohorts:applications_export", args=[cohort.pk, "csv"])))

    assert rows[1][3] == '\'=HYPERLINK("http://evil.example")'


def test_participants_download_lists_everyone_who_had_a_place_as_excel(client, cohort, lead):
    directorate = DirectorateFactory(name="Tower Hamlets Mental Health")
    EnrolmentFactory(
        cohort=cohort,
        participant=UserFactory(display_name="Bea", email="bea@example.org", organisation_unit=directorate),
        enrolled_on=date(2025, 9, 2),
    )
    EnrolmentFactory(
        cohort=cohort,
        participant=UserFactory(display_name="Al", email="al@example.org", organisation_unit=None),
        enrolled_on=date(2025, 8, 1),
        status=Enrolment.Status.WITHDRAWN,
    )

    response = client.get(reverse("cohorts:participants_export", args=[cohort.pk, "xlsx"]))

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        XLSX_TYPE,
        'attachment; filename="cohort-11-participants.xlsx"',
    )
    sheet = load_workbook(io.BytesIO(response.content))["Participants"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Participant", "E-mail", "Directorate", "Enrolled on", "Status"],
        ["Al", "al@example.org", None, datetime(2025, 8, 1), "Withdrawn"],
        ["Bea", "bea@example.org", "Tower Hamlets Mental Health", datetime(2025, 9, 2), "Enrolled"],
    ]


def test_the_pages_link_to_their_downloads(client, cohort, lead):
    ApplicationFactory(cohort=cohort)

    applications = client.get(reverse("cohorts:applications", args=[cohort.pk])).content.decode()
    participants = client.get(reverse("cohorts:participants", args=[cohort.pk])).content.decode()

    assert f'href="/cohorts/{cohort.pk}/applications.xlsx"' in applications
    assert f'href="/cohorts/{cohort.pk}/participants.csv"' in participants


@pytest.mark.parametrize("name", ["cohorts:applications_export", "cohorts:participants_export"])
def test_cohort_downloads_are_for_the_people_who_run_the_cohort(client, cohort, name):
    participant = EnrolmentFactory(cohort=cohort).participant
    url = reverse(name, args=[cohort.pk, "csv"])

    client.force_login(participant)
    as_participant = client.get(url).status_code
    client.force_login(UserFactory())
    as_outsider = client.get(url).status_code
    lead = UserFactory()
    cohort.leads.add(lead)
    client.force_login(lead)
    unknown_format = client.get(reverse(name, args=[cohort.pk, "pdf"])).status_code

    assert (as_participant, as_outsider, unknown_format) == (403, 404, 404)


@pytest.mark.parametrize("name", ["cohorts:applications_export", "cohorts:participants_export"])
def test_cohort_downloads_run_the_same_queries_for_2_and_10_rows(client, cohort, lead, name):
    url = reverse(name, args=[cohort.pk, "xlsx"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def grow(n: int) -> None:
        for _ in range(n):
            application = ApplicationFactory(
                cohort=cohort, status=Application.Status.ACCEPTED, decided_by=lead
            )
            EnrolmentFactory(cohort=cohort, participant=application.applicant, application=application)

    grow(2)
    queries()  # warm the session
    for_2 = queries()
    grow(8)

    assert queries() == for_2
