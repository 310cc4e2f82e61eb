"""The driver diagram: edited as a tree in the browser, drawn as SVG, linked to PDSA cycles."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.driver_diagram import driver_diagram_svg, driver_tree
from projects.models import DriverNode
from projects.services import driver_node_add, pdsa_cycle_create
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _diagram(project):
    primary = driver_node_add(project=project, kind=DriverNode.Kind.PRIMARY, text="Reliable <process>")
    secondary = driver_node_add(
        project=project, kind=DriverNode.Kind.SECONDARY, text="Early summary", parent=primary
    )
    ideas = [
        driver_node_add(project=project, kind=DriverNode.Kind.CHANGE_IDEA, text=text, parent=secondary)
        for text in ("Checklist", "Pharmacy sign-off")
    ]
    return primary, secondary, ideas


def test_driver_tree_nests_the_nodes_under_the_aim():
    project = ProjectFactory()
    _diagram(project)

    tree = driver_tree(project, list(DriverNode.objects.filter(project=project)))

    assert tree.text == project.aim_statement
    assert [
        (p.text, [(s.text, [i.text for i in s.children]) for s in p.children]) for p in tree.children
    ] == [("Reliable <process>", [("Early summary", ["Checklist", "Pharmacy sign-off"])])]


def test_driver_diagram_svg_is_valid_accessible_and_escaped():
    project = ProjectFactory()
    _diagram(project)
    tree = driver_tree(project, list(DriverNode.objects.filter(project=project)))

    svg = ET.fromstring(driver_diagram_svg(tree))

    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Driver diagram"
    assert svg.find(f"{SVG}desc").text.endswith("1 primary driver, 2 change ideas.")
    assert len(svg.findall(f".//{SVG}rect")) == 5  # aim, primary, secondary, two ideas
    assert [t.text for t in svg.findall(f"{SVG}g/{SVG}title")] == [
        project.aim_statement,
        "Reliable <process>",
        "Early summary",
        "Checklist",
        "Pharmacy sign-off",
    ]
    assert len(svg.findall(f"{SVG}path")) == 4  # one line to each child


def test_building_the_diagram_in_the_browser(lead_client):
    project = ProjectFactory()
    url = f"/projects/{project.pk}/driver-diagram/nodes/"

    lead_client.post(url, {"text": "Reliable process"})
    primary = DriverNode.objects.get(project=project)
    lead_client.post(url, {"text": "Early summary", "parent": primary.pk})
    secondary = DriverNode.objects.get(project=project, parent=primary)
    lead_client.post(url, {"text": "Checklist", "parent": secondary.pk})

    assert list(DriverNode.objects.filter(project=project).values_list("kind", "text")) == [
        ("primary", "Reliable process"),
        ("secondary", "Early summary"),
        ("change_idea", "Checklist"),
    ]


def test_removing_a_node_with_children_or_cycles_is_refused_with_the_reason(lead_client):
    project = ProjectFactory()
    primary, _, (idea, spare) = _diagram(project)
    pdsa_cycle_create(project=project, title="One ward", change_idea=idea)
    base = f"/projects/{project.pk}/driver-diagram/nodes/"

    with_children = lead_client.post(f"{base}{primary.pk}/", {"remove": "1"}, follow=True)
    tested = lead_client.post(f"{base}{idea.pk}/", {"remove": "1"}, follow=True)
    lead_client.post(f"{base}{spare.pk}/", {"remove": "1"})

    assert "has drivers or change ideas under it; remove those first." in with_children.content.decode()
    assert "PDSA cycles test “Checklist”, so it stays in the diagram." in tested.content.decode()
    assert list(DriverNode.objects.filter(project=project).values_list("text", flat=True)) == [
        "Reliable <process>",
        "Early summary",
        "Checklist",
    ]


def test_renaming_a_node_and_the_change_idea_links_to_its_cycles(lead_client):
    project = ProjectFactory()
    _, _, (idea, _) = _diagram(project)
    cycle = pdsa_cycle_create(project=project, title="One ward", change_idea=idea)

    lead_client.post(
        f"/projects/{project.pk}/driver-diagram/nodes/{idea.pk}/", {"text": "Ward round checklist"}
    )
    page = lead_client.get(f"/projects/{project.pk}/driver-diagram/").content.decode()

    idea.refresh_from_db()
    assert idea.text == "Ward round checklist"
    assert f'<a href="{cycle.get_absolute_url()}">PDSA 1</a>' in page


def test_a_sponsor_sees_the_diagram_but_cannot_change_it(client):
    project = ProjectFactory()
    primary, _, _ = _diagram(project)
    client.force_login(project.sponsor)

    page = client.get(f"/projects/{project.pk}/driver-diagram/")
    refused = client.post(f"/projects/{project.pk}/driver-diagram/nodes/{primary.pk}/", {"text": "Hijacked"})

    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    assert refused.status_code == 403
    primary.refresh_from_db()
    assert primary.text == "Reliable <process>"


def test_the_diagram_page_runs_the_same_queries_for_a_bigger_diagram(lead_client):
    project = ProjectFactory()
    _diagram(project)
    url = f"/projects/{project.pk}/driver-diagram/"
    with CaptureQueriesContext(connection) as small:
        lead_client.get(url)
    primary, secondary, ideas = _diagram(project)
    for idea in ideas:
        pdsa_cycle_create(project=project, title=f"Test {idea}", change_idea=idea)

    with CaptureQueriesContext(connection) as big:
        lead_client.get(url)

    assert len(big) == len(small)
