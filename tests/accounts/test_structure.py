"""Directorates, their QI leads and the programme leads, set up in the app rather than the admin."""

import pytest
from django.core.exceptions import ValidationError

from coachprog.accounts.models import Directorate, ProgrammeLeadChange, User
from coachprog.accounts.services import (
    directorate_create,
    directorate_qi_lead_add,
    directorate_rename,
    programme_lead_add,
    programme_lead_remove,
)
from coachprog.history import versions
from tests.factories import DirectorateFactory, UserFactory
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db


# --- directorates -------------------------------------------------------------------


def test_a_lead_adds_a_directorate_and_is_taken_to_it(lead_client):
    response = lead_client.post("/people/directorates/new/", {"name": "  Newham   Community Health "})

    directorate = Directorate.objects.get()
    assert (directorate.name, response["Location"]) == (
        "Newham Community Health",
        f"/people/directorates/{directorate.pk}/",
    )


def test_a_directorate_name_is_unique_whatever_the_capitals(lead_client):
    DirectorateFactory(name="Newham Community Health")

    response = lead_client.post("/people/directorates/new/", {"name": "NEWHAM community health"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["There is already a directorate called “Newham Community Health” (capitals do not count)."]
    }
    assert Directorate.objects.count() == 1


def test_a_directorate_needs_a_name():
    with pytest.raises(ValidationError) as refused:
        directorate_create(name="   ")

    assert refused.value.message_dict == {"name": ["Give the directorate a name."]}


def test_a_lead_renames_a_directorate_and_its_history_keeps_the_old_name(lead_client, programme_lead):
    directorate = directorate_create(name="Specialist Services")

    response = lead_client.post(f"/people/directorates/{directorate.pk}/rename/", {"name": "Specialist Care"})

    assert response.status_code == 302
    latest = versions(Directorate, directorate.pk)[0]
    assert (latest.who, [(c.field, c.old, c.new) for c in latest.changes]) == (
        programme_lead,
        [("name", "Specialist Services", "Specialist Care")],
    )


def test_renaming_to_another_directorates_name_is_refused_but_capitals_of_its_own_may_change():
    DirectorateFactory(name="Tower Hamlets Mental Health")
    newham = DirectorateFactory(name="newham community health")

    with pytest.raises(ValidationError):
        directorate_rename(directorate=newham, name="Tower hamlets mental health")
    directorate_rename(directorate=newham, name="Newham Community Health")

    assert Directorate.objects.get(pk=newham.pk).name == "Newham Community Health"


def test_directorates_page_lists_each_with_its_qi_leads_and_people(lead_client, directorate_a, qi_lead):
    UserFactory(organisation_unit=directorate_a)
    DirectorateFactory(name="Directorate B")

    page = lead_client.get("/people/directorates/").context["page"]

    assert [(str(d), [str(p) for p in d.qi_leads.all()], d.people_count) for d in page.object_list] == [
        ("Directorate A", ["QI lead of A"], 1),
        ("Directorate B", [], 0),
    ]


def test_directorates_page_searches_by_name(lead_client):
    DirectorateFactory(name="Newham Community Health")
    DirectorateFactory(name="Specialist Services")

    page = lead_client.get("/people/directorates/?q=newham").context["page"]

    assert [str(d) for d in page.object_list] == ["Newham Community Health"]


def test_directorates_page_runs_a_fixed_number_of_queries(lead_client):
    def grow():
        directorate = DirectorateFactory()
        directorate.qi_leads.add(UserFactory(), UserFactory())
        UserFactory(organisation_unit=directorate)

    grow()
    page_queries(lead_client, "/people/directorates/")
    assert page_queries(lead_client, "/people/directorates/") == DIRECTORATES_PAGE_QUERIES
    for _ in range(6):
        grow()
    assert page_queries(lead_client, "/people/directorates/") == DIRECTORATES_PAGE_QUERIES


DIRECTORATES_PAGE_QUERIES = 6


@pytest.mark.parametrize("who", ["qi_lead", "coach", "sponsor"])
def test_directorates_are_for_programme_leads(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/people/directorates/").status_code == 403


# --- QI leads -------------------------------------------------------------------------


def test_a_lead_names_a_qi_lead_by_e_mail_address_and_the_history_says_who(lead_client, programme_lead):
    directorate = DirectorateFactory(name="Newham Community Health")
    person = UserFactory(display_name="Dr Amina Yusuf", email="amina@example.org")

    response = lead_client.post(
        f"/people/directorates/{directorate.pk}/qi-leads/add/", {"person": "AMINA@example.org"}
    )

    assert response.status_code == 302
    assert list(directorate.qi_leads.all()) == [person]
    latest = versions(Directorate, directorate.pk)[0]
    assert (latest.who, [(c.field, c.old, c.new) for c in latest.changes]) == (
        programme_lead,
        [("QI leads", "–", "Dr Amina Yusuf")],
    )


def test_a_qi_lead_is_found_by_part_of_their_name(lead_client):
    directorate = DirectorateFactory()
    person = UserFactory(display_name="Dr Amina Yusuf")

    lead_client.post(f"/people/directorates/{directorate.pk}/qi-leads/add/", {"person": "yusuf"})

    assert list(directorate.qi_leads.all()) == [person]


def test_a_name_several_people_match_is_refused_naming_them(lead_client):
    directorate = DirectorateFactory()
    UserFactory(display_name="Sam Ahmed", email="sam.ahmed@example.org")
    UserFactory(display_name="Sam Brown", email="sam.brown@example.org")

    response = lead_client.post(f"/people/directorates/{directorate.pk}/qi-leads/add/", {"person": "Sam"})

    assert response.status_code == 400
    assert response.context["add_form"].errors == {
        "person": [
            "Several people match “Sam”: Sam Ahmed (sam.ahmed@example.org); "
            "Sam Brown (sam.brown@example.org). Type the e-mail address of the one you mean."
        ]
    }
    assert directorate.qi_leads.count() == 0


def test_naming_the_same_qi_lead_twice_says_so(qi_lead, directorate_a):
    with pytest.raises(ValidationError) as refused:
        directorate_qi_lead_add(directorate=directorate_a, person=qi_lead)

    assert refused.value.message_dict == {"person": ["QI lead of A is already a QI lead of Directorate A."]}


def test_a_lead_removes_a_qi_lead_and_the_history_keeps_it(lead_client, directorate_a, qi_lead):
    response = lead_client.post(f"/people/directorates/{directorate_a.pk}/qi-leads/{qi_lead.pk}/remove/")

    assert response.status_code == 302
    assert directorate_a.qi_leads.count() == 0
    latest = versions(Directorate, directorate_a.pk)[0]
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("QI leads", "QI lead of A", "–")]


def test_a_qi_lead_added_from_the_persons_side_is_kept_in_the_directorates_history(directorate_a):
    person = UserFactory(display_name="Dr Amina Yusuf")

    person.qi_lead_directorates.add(directorate_a)
    person.qi_lead_directorates.clear()

    assert [
        [(c.field, c.old, c.new) for c in v.changes] for v in versions(Directorate, directorate_a.pk)[:2]
    ] == [
        [("QI leads", "Dr Amina Yusuf", "–")],
        [("QI leads", "–", "Dr Amina Yusuf")],
    ]


# --- programme leads -------------------------------------------------------------------


def test_a_lead_names_another_programme_lead_and_the_change_is_recorded(lead_client, programme_lead):
    person = UserFactory(display_name="Second lead", email="second@example.org")

    response = lead_client.post("/people/programme-leads/add/", {"person": "second@example.org"})

    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).is_programme_lead is True
    change = ProgrammeLeadChange.objects.get(person=person)
    assert (change.action, change.changed_by) == ("added", programme_lead)


def test_naming_someone_already_a_programme_lead_changes_nothing(lead_client, programme_lead):
    response = lead_client.post("/people/programme-leads/add/", {"person": programme_lead.email}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Programme lead was already a programme lead."]
    assert ProgrammeLeadChange.objects.filter(changed_by=programme_lead).count() == 0


def test_a_lead_removes_another_programme_lead(lead_client, programme_lead):
    other = UserFactory(display_name="Second lead")
    programme_lead_add(user=other, by=programme_lead)

    lead_client.post(f"/people/programme-leads/{other.pk}/remove/")

    assert User.objects.get(pk=other.pk).is_programme_lead is False
    assert list(ProgrammeLeadChange.objects.filter(person=other).values_list("action", "changed_by")) == [
        ("removed", programme_lead.pk),
        ("added", programme_lead.pk),
    ]


def test_the_last_programme_lead_who_can_sign_in_cannot_be_removed(
    lead_client, programme_lead, inactive_user
):
    response = lead_client.post(f"/people/programme-leads/{programme_lead.pk}/remove/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Programme lead is the only programme lead who can sign in. Name another programme lead first, "
        "so that someone can still run the programme."
    ]
    assert User.objects.get(pk=programme_lead.pk).is_programme_lead is True


def test_a_lead_who_removes_themselves_is_sent_home(lead_client, programme_lead):
    programme_lead_add(user=UserFactory(), by=programme_lead)

    response = lead_client.post(f"/people/programme-leads/{programme_lead.pk}/remove/")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert User.objects.get(pk=programme_lead.pk).is_programme_lead is False


def test_a_superuser_stays_a_programme_lead(programme_lead):
    admin = UserFactory(display_name="Administrator", is_superuser=True)
    programme_lead_add(user=admin)

    with pytest.raises(ValidationError) as refused:
        programme_lead_remove(user=admin, by=programme_lead)

    assert refused.value.messages == [
        "Administrator is a superuser, so is a programme lead whatever this list says; "
        "only an administrator can change that."
    ]


def test_programme_leads_page_lists_the_leads_and_recent_changes(lead_client, programme_lead):
    UserFactory(display_name="Administrator", is_superuser=True)
    second = UserFactory(display_name="Second lead")
    programme_lead_add(user=second, by=programme_lead)

    response = lead_client.get("/people/programme-leads/")

    assert [str(p) for p in response.context["leads"]] == ["Administrator", "Programme lead", "Second lead"]
    assert [
        (str(c.person), c.get_action_display(), str(c.changed_by)) for c in response.context["changes"]
    ] == [
        ("Second lead", "Made a programme lead", "Programme lead"),
        ("Programme lead", "Made a programme lead", "None"),
    ]


def test_programme_leads_page_runs_a_fixed_number_of_queries(lead_client, programme_lead):
    def grow():
        programme_lead_add(user=UserFactory(organisation_unit=DirectorateFactory()), by=programme_lead)

    grow()
    page_queries(lead_client, "/people/programme-leads/")
    assert page_queries(lead_client, "/people/programme-leads/") == PROGRAMME_LEADS_PAGE_QUERIES
    for _ in range(6):
        grow()
    assert page_queries(lead_client, "/people/programme-leads/") == PROGRAMME_LEADS_PAGE_QUERIES


PROGRAMME_LEADS_PAGE_QUERIES = 5


def test_the_history_page_shows_who_named_a_qi_lead(lead_client, programme_lead):
    directorate = directorate_create(name="Newham Community Health")
    lead_client.post(f"/people/directorates/{directorate.pk}/qi-leads/add/", {"person": "Programme lead"})

    page = lead_client.get(f"/history/accounts.directorate/{directorate.pk}/").content.decode()

    assert "QI leads" in page
    assert "Programme lead" in page
