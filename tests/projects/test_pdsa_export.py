"""A project's PDSA cycles as CSV or Excel, for all who see the project, at a fixed number of queries."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import DriverNode, PDSACycle
from tests.factories import DriverNodeFactory, MeasureFactory, PDSACycleFactory
from tests.page_queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _change_idea(project) -> DriverNode:
    primary = DriverNodeFactory(project=project)
    secondary = DriverNodeFactory(project=project, kind=DriverNode.Kind.SECONDARY, parent=primary)
    return DriverNodeFactory(
        project=project, kind=DriverNode.Kind.CHANGE_IDEA, parent=secondary, text="Discharge checklist"
    )


@pytest.fixture
def cycles(project_a):
    """PDSA 1, completed and adapted, and PDSA 2 that follows it, testing the same change idea."""
    idea = _change_idea(project_a)
    measure = MeasureFactory(project=project_a, name="Days to discharge summary")
    first = PDSACycleFactory(
        project=project_a,
        number=1,
        title="Checklist on one ward",
        change_idea=idea,
        status=PDSACycle.Status.COMPLETED,
        plan_question="Will a checklist help?",
        plan_prediction="Half the summaries on time",
        plan_who="Ward 4 nurses",
        plan_what="Use the checklist",
        plan_where="Ward 4",
        plan_when="One week",
        plan_data="Summaries sent within 24 hours",
        do_what_happened="Used on 12 discharges",
        do_observations="Nights forgot it",
        study_results="8 of 12 on time",
        act_decision=PDSACycle.Decision.ADAPT,
        act_next_step="Try it at night",
        starts_on=date(2025, 3, 3),
        completed_on=date(2025, 3, 10),
    )
    first.measures.add(measure)
    second = PDSACycleFactory(
        project=project_a, number=2, title="Night shift", change_idea=idea, follows=first
    )
    return first, second


def test_pdsa_export_holds_every_cycle_plan_to_act(client, team_member, cycles):
    client.force_login(team_member)

    rows = _rows(client.get(reverse("projects:pdsa_export", args=[cycles[0].project_id, "csv"])))

    assert rows == [
        [
            "PDSA",
            "Title",
            "Change idea",
            "Follows",
            "Status",
            "Start date",
            "Completed",
            "Measures it should move",
            "Question",
            "Prediction",
            "Who",
            "What",
            "Where",
            "When",
            "Data to collect",
            "What happened",
            "Observations",
            "Results against the prediction",
            "Decision",
            "Next step",
        ],
        [
            "1",
            "Checklist on one ward",
            "Discharge checklist",
            "",
            "Completed",
            "2025-03-03",
            "2025-03-10",
            "Days to discharge summary",
            "Will a checklist help?",
            "Half the summaries on time",
            "Ward 4 nurses",
            "Use the checklist",
            "Ward 4",
            "One week",
            "Summaries sent within 24 hours",
            "Used on 12 discharges",
            "Nights forgot it",
            "8 of 12 on time",
            "Adapt",
            "Try it at night",
        ],
        ["2", "Night shift", "Discharge checklist", "PDSA 1", "Planned", *[""] * 15],
    ]


def test_pdsa_export_as_excel_is_named_for_the_project(client, sponsor, cycles):
    client.force_login(sponsor)
    project_pk = cycles[0].project_id

    response = client.get(reverse("projects:pdsa_export", args=[project_pk, "xlsx"]))

    assert response["Content-Disposition"] == f'attachment; filename="pdsa-cycles-project-{project_pk}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert (sheet.title, sheet.max_row, sheet["B3"].value) == ("PDSA cycles", 3, "Night shift")


def test_pdsa_export_is_not_found_outside_the_project(client, other_coach, cycles):
    client.force_login(other_coach)

    assert client.get(reverse("projects:pdsa_export", args=[cycles[0].project_id, "csv"])).status_code == 404


def test_pdsa_export_in_an_unknown_format_is_not_found(client, team_member, cycles):
    client.force_login(team_member)

    assert client.get(reverse("projects:pdsa_export", args=[cycles[0].project_id, "doc"])).status_code == 404


def test_pdsa_export_queries_do_not_grow(client, team_member, project_a):
    client.force_login(team_member)
    measure = MeasureFactory(project=project_a)
    idea = _change_idea(project_a)

    def grow():
        cycle = PDSACycleFactory(project=project_a, change_idea=idea)
        cycle.measures.add(measure)

    assert_queries_do_not_grow(client, reverse("projects:pdsa_export", args=[project_a.pk, "csv"]), grow)


def test_pdsa_list_links_the_download(client, team_member, cycles):
    client.force_login(team_member)
    project_pk = cycles[0].project_id

    page = client.get(reverse("projects:pdsa_list", args=[project_pk])).content.decode()

    assert reverse("projects:pdsa_export", args=[project_pk, "csv"]) in page
    assert reverse("projects:pdsa_export", args=[project_pk, "xlsx"]) in page
