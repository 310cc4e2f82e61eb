"""PDSA cycles: planned, recorded stage by stage, chained into ramps, shown as a timeline."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects.models import DriverNode, PDSACycle
from projects.services import driver_node_add, pdsa_cycle_create, pdsa_cycle_update
from tests.factories import MeasureFactory, PDSACycleFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _change_idea(project, text="Discharge checklist"):
    primary = driver_node_add(project=project, kind=DriverNode.Kind.PRIMARY, text="Reliable process")
    secondary = driver_node_add(
        project=project, kind=DriverNode.Kind.SECONDARY, text="Summary early", parent=primary
    )
    return driver_node_add(project=project, kind=DriverNode.Kind.CHANGE_IDEA, text=text, parent=secondary)


def test_completing_a_cycle_needs_a_decision_and_dates_it():
    cycle = pdsa_cycle_create(
        project=ProjectFactory(), title="Checklist on one ward", starts_on=date(2025, 3, 3)
    )

    with pytest.raises(ValidationError) as error:
        pdsa_cycle_update(cycle=cycle, status=PDSACycle.Status.COMPLETED)
    assert error.value.message_dict == {
        "act_decision": ["Choose adopt, adapt or abandon before completing the cycle."]
    }

    cycle.refresh_from_db()
    pdsa_cycle_update(cycle=cycle, status=PDSACycle.Status.COMPLETED, act_decision=PDSACycle.Decision.ADAPT)
    assert cycle.completed_on >= date(2025, 3, 3)


def test_a_cycle_cannot_be_completed_before_it_started():
    cycle = pdsa_cycle_create(project=ProjectFactory(), title="Test", starts_on=date(2025, 3, 3))

    with pytest.raises(ValidationError) as error:
        pdsa_cycle_update(cycle=cycle, completed_on=date(2025, 3, 1))

    assert error.value.message_dict == {"completed_on": ["A cycle cannot be completed before it starts."]}


def test_a_ramp_cannot_loop_back_on_itself():
    project = ProjectFactory()
    first = pdsa_cycle_create(project=project, title="First")
    second = pdsa_cycle_create(project=project, title="Second", follows=first)

    with pytest.raises(ValidationError) as error:
        pdsa_cycle_update(cycle=first, follows=second)

    assert error.value.message_dict == {
        "follows": ["A ramp cannot loop back on itself; choose an earlier cycle."]
    }


def test_a_cycle_cannot_test_another_projects_change_idea():
    idea = _change_idea(ProjectFactory())

    with pytest.raises(ValidationError) as error:
        pdsa_cycle_create(project=ProjectFactory(), title="Borrowed idea", change_idea=idea)

    assert error.value.message_dict == {
        "change_idea": ["Choose a change idea from this project's driver diagram."]
    }


def test_planning_a_cycle_in_the_browser_links_it_to_an_idea_and_measures(lead_client):
    project = ProjectFactory()
    idea = _change_idea(project)
    measure = MeasureFactory(project=project)

    response = lead_client.post(
        f"/projects/{project.pk}/pdsa/new/",
        {
            "title": "Checklist on one ward round",
            "change_idea": idea.pk,
            "measures": [measure.pk],
            "starts_on": "2025-03-03",
            "plan_question": "Will a checklist get summaries started earlier?",
            "plan_prediction": "Half started before the patient leaves.",
            "status": "planned",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    cycle = PDSACycle.objects.get(project=project)
    assert response["Location"] == cycle.get_absolute_url()
    assert (cycle.number, cycle.change_idea, list(cycle.measures.all()), cycle.plan_question) == (
        1,
        idea,
        [measure],
        "Will a checklist get summaries started earlier?",
    )


def test_the_form_names_the_field_when_a_rule_is_broken(lead_client):
    cycle = PDSACycleFactory(starts_on=date(2025, 3, 3))

    response = lead_client.post(
        f"/projects/{cycle.project_id}/pdsa/{cycle.pk}/edit/",
        {"title": cycle.title, "status": "completed", "starts_on": "2025-03-03"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "act_decision": ["Choose adopt, adapt or abandon before completing the cycle."]
    }
    cycle.refresh_from_db()
    assert cycle.status == PDSACycle.Status.PLANNED


def test_the_form_offers_only_this_projects_ideas_cycles_and_measures(lead_client):
    project, other = ProjectFactory(), ProjectFactory()
    _change_idea(other, "Someone else's idea")
    MeasureFactory(project=other)
    PDSACycleFactory(project=other)

    form = lead_client.get(f"/projects/{project.pk}/pdsa/new/").context["form"]

    assert list(form.fields["change_idea"].queryset) == []
    assert list(form.fields["follows"].queryset) == []
    assert list(form.fields["measures"].queryset) == []


def test_a_sponsor_reads_cycles_but_cannot_plan_one(client):
    cycle = PDSACycleFactory()
    client.force_login(cycle.project.sponsor)

    assert client.get(f"/projects/{cycle.project_id}/pdsa/").status_code == 200
    assert client.get(f"/projects/{cycle.project_id}/pdsa/new/").status_code == 403
    assert (
        client.post(f"/projects/{cycle.project_id}/pdsa/{cycle.pk}/edit/", {"title": "x"}).status_code == 403
    )


def test_the_timeline_groups_cycles_into_ramps(lead_client):
    project = ProjectFactory()
    idea = _change_idea(project)
    first = pdsa_cycle_create(project=project, title="One ward", change_idea=idea, starts_on=date(2025, 3, 3))
    pdsa_cycle_create(project=project, title="Every ward", follows=first, starts_on=date(2025, 3, 17))
    pdsa_cycle_create(project=project, title="Text reminders", starts_on=date(2025, 3, 10))

    response = lead_client.get(f"/projects/{project.pk}/pdsa/")

    assert [[c.title for c in ramp] for ramp in response.context["ramps"]] == [
        ["One ward", "Every ward"],
        ["Text reminders"],
    ]
    assert "Testing “Discharge checklist”" in response.content.decode()


def test_the_timeline_runs_the_same_queries_for_more_cycles(lead_client, django_assert_max_num_queries):
    project = ProjectFactory()
    previous = None
    for number in range(3):
        previous = PDSACycleFactory(project=project, follows=previous, number=number + 1)
    lead_client.get(f"/projects/{project.pk}/pdsa/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        lead_client.get(f"/projects/{project.pk}/pdsa/")
    for number in range(3, 20):
        previous = PDSACycleFactory(project=project, follows=previous, number=number + 1)
        previous.measures.add(MeasureFactory(project=project))
    with django_assert_max_num_queries(len(small)):
        lead_client.get(f"/projects/{project.pk}/pdsa/")
