"""Programmes added and changed in the app by programme leads, kept in the history."""

import pytest
from django.core.exceptions import ValidationError

from coachprog.history import versions
from cohorts.models import Programme
from cohorts.services import programme_create, programme_update
from tests.factories import CohortFactory, ProgrammeFactory
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db


def test_a_lead_adds_a_programme_with_its_prerequisite_courses(lead_client):
    response = lead_client.post(
        "/cohorts/programmes/new/",
        {
            "name": "Quality Coach Development Programme",
            "description": "For coaches in every directorate.",
            "prerequisite_courses": "Pocket QI\n\n  Improvement   Leaders Programme \npocket qi\n",
        },
    )

    assert response["Location"] == "/cohorts/programmes/"
    programme = Programme.objects.get()
    assert (programme.name, programme.description, programme.prerequisite_courses) == (
        "Quality Coach Development Programme",
        "For coaches in every directorate.",
        ["Pocket QI", "Improvement Leaders Programme"],
    )


def test_a_programme_name_is_unique_whatever_the_capitals(lead_client):
    ProgrammeFactory(name="Improvement Coaching Programme")

    response = lead_client.post("/cohorts/programmes/new/", {"name": "improvement coaching programme"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["There is already a programme called “Improvement Coaching Programme”."]
    }


def test_a_course_name_over_200_characters_is_refused_with_the_limit(lead_client):
    response = lead_client.post("/cohorts/programmes/new/", {"name": "P", "prerequisite_courses": "x" * 201})

    assert response.context["form"].errors == {
        "prerequisite_courses": [f"A course's name is at most 200 characters: “{'x' * 40}…”."]
    }


def test_more_than_twenty_courses_are_refused():
    with pytest.raises(ValidationError) as refused:
        programme_create(name="P", prerequisite_courses=[f"Course {n}" for n in range(21)])

    assert refused.value.message_dict == {"prerequisite_courses": ["List at most 20 prerequisite courses."]}


def test_a_lead_changes_a_programme_and_the_history_keeps_who_and_what(lead_client, programme_lead):
    programme = programme_create(name="Improvement Coaching Programme", prerequisite_courses=["Pocket QI"])

    form = lead_client.get(f"/cohorts/programmes/{programme.pk}/edit/").context["form"]
    lead_client.post(
        f"/cohorts/programmes/{programme.pk}/edit/",
        {
            "name": "Improvement Coaching Programme",
            "description": "",
            "prerequisite_courses": "Pocket QI\nQI 101",
        },
    )

    assert form["prerequisite_courses"].value() == "Pocket QI"
    latest = versions(Programme, programme.pk)[0]
    assert (latest.who, [(c.field, c.old, c.new) for c in latest.changes]) == (
        programme_lead,
        [("prerequisite courses", "Pocket QI", "Pocket QI, QI 101")],
    )


def test_renaming_a_programme_to_another_ones_name_is_refused():
    ProgrammeFactory(name="Quality Coach Development Programme")
    programme = ProgrammeFactory(name="Improvement Coaching Programme")

    with pytest.raises(ValidationError) as refused:
        programme_update(
            programme=programme,
            name="QUALITY coach development programme",
            description="",
            prerequisite_courses=[],
        )

    assert refused.value.message_dict == {
        "name": ["There is already a programme called “Quality Coach Development Programme”."]
    }


def test_programmes_page_lists_each_with_its_cohorts(lead_client):
    programme = ProgrammeFactory(name="Improvement Coaching Programme", prerequisite_courses=["Pocket QI"])
    CohortFactory(programme=programme, number=9)
    CohortFactory(programme=programme, number=10)
    ProgrammeFactory(name="Quality Coach Development Programme")

    page = lead_client.get("/cohorts/programmes/").context["page"]

    assert [(str(p), p.cohort_count, p.latest_cohort) for p in page.object_list] == [
        ("Improvement Coaching Programme", 2, 10),
        ("Quality Coach Development Programme", 0, None),
    ]


def test_an_empty_programmes_page_says_what_to_do_first(lead_client):
    page = lead_client.get("/cohorts/programmes/").content.decode()

    assert "No programmes yet." in page
    assert 'href="/cohorts/programmes/new/"' in page


def test_programmes_page_runs_a_fixed_number_of_queries(lead_client):
    def grow():
        CohortFactory(programme=ProgrammeFactory())

    grow()
    page_queries(lead_client, "/cohorts/programmes/")
    assert page_queries(lead_client, "/cohorts/programmes/") == PROGRAMMES_PAGE_QUERIES
    for _ in range(6):
        grow()
    assert page_queries(lead_client, "/cohorts/programmes/") == PROGRAMMES_PAGE_QUERIES


PROGRAMMES_PAGE_QUERIES = 5


@pytest.mark.parametrize("who", ["qi_lead", "coach", "sponsor"])
def test_programmes_are_changed_by_programme_leads_only(client, request, who):
    programme = ProgrammeFactory()
    client.force_login(request.getfixturevalue(who))

    assert client.get("/cohorts/programmes/").status_code == 403
    assert client.post(f"/cohorts/programmes/{programme.pk}/edit/", {"name": "Mine"}).status_code == 403
