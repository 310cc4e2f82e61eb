"""The people page, a person's record, and making someone a coach without the admin (issue 12, item 2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from coaching.models import CoachProfile
from coaching.people import PEOPLE_PER_PAGE
from coaching.roles import roles_for, roles_of, with_role_flags
from coaching.services import coach_profile_create, coach_profile_update
from coachprog.accounts.models import User
from coachprog.accounts.services import programme_lead_add, user_create
from coachprog.history import versions
from cohorts.models import Enrolment
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CoachProfileFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    ProjectFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [str(person) for person in response.context["page"].object_list]


def _roles(response) -> dict[str, list[str]]:
    return {str(person): person.role_labels for person in response.context["page"].object_list}


# --- the people page ---------------------------------------------------------------


def test_people_page_lists_everyone_with_the_roles_their_relations_give_them(
    lead_client, programme_lead, qi_lead, coach, sponsor, team_member
):
    applicant = ApplicationFactory(applicant=UserFactory(display_name="Applicant")).applicant

    roles = _roles(lead_client.get("/people/?q=o"))  # every fixture name has an "o" or "O"

    assert {
        name: roles[name] for name in ["Programme lead", "QI lead of A", "Coach of A", "Sponsor of A"]
    } == {
        "Programme lead": ["Programme lead"],
        "QI lead of A": ["QI lead"],
        "Coach of A": ["Coach"],
        "Sponsor of A": ["Sponsor"],
    }
    assert _roles(lead_client.get("/people/?q=member"))["Member of A"] == ["Team member"]
    assert _roles(lead_client.get(f"/people/?q={applicant.email}")) == {"Applicant": ["Participant"]}


def test_people_page_roles_are_each_persons_own_roles(lead_client, qi_lead, coach, other_coach, team_member):
    people = list(with_role_flags(User.objects.filter(is_active=True)))

    assert {p.email: roles_of(p) for p in people} == {
        p.email: roles_for(User.objects.get(pk=p.pk)) for p in people
    }


def test_a_superuser_is_listed_as_a_programme_lead(lead_client):
    UserFactory(display_name="Site administrator", is_superuser=True)

    response = lead_client.get("/people/?role=programme_lead")

    assert _names(response) == ["Programme lead", "Site administrator"]


def test_people_page_finds_people_by_part_of_a_name_or_email(lead_client):
    UserFactory(display_name="Amina Yusuf", email="amina.yusuf@nhs.net")
    UserFactory(display_name="Ben Okafor", email="ben@example.org")

    assert _names(lead_client.get("/people/?q=yusuf")) == ["Amina Yusuf"]
    assert _names(lead_client.get("/people/?q=BEN@EXAMPLE")) == ["Ben Okafor"]
    assert _names(lead_client.get("/people/?q=nobody-has-this")) == []
    assert "Nobody matches that search." in lead_client.get("/people/?q=nobody-has-this").content.decode()


def test_people_page_filters_by_role_and_directorate(lead_client, coach, other_coach, directorate_a, sponsor):
    UserFactory(display_name="Nurse in A", organisation_unit=directorate_a)
    User.objects.filter(pk=coach.pk).update(organisation_unit=directorate_a)

    assert _names(lead_client.get("/people/?role=coach")) == ["Coach of A", "Coach of B"]
    assert _names(lead_client.get(f"/people/?directorate={directorate_a.pk}")) == ["Coach of A", "Nurse in A"]
    assert _names(lead_client.get(f"/people/?role=coach&directorate={directorate_a.pk}")) == ["Coach of A"]


def test_people_page_ignores_a_role_or_directorate_it_does_not_know(lead_client):
    response = lead_client.get("/people/?role=emperor&directorate=99999999999999999999")

    assert response.status_code == 200
    assert _names(response) == ["Programme lead"]


def test_people_page_shows_fifty_people_a_page(lead_client):
    for n in range(PEOPLE_PER_PAGE + 5):
        UserFactory(display_name=f"Staff {n:03}")

    first, second = lead_client.get("/people/"), lead_client.get("/people/?page=2")

    assert (len(first.context["page"].object_list), len(second.context["page"].object_list)) == (50, 6)
    assert "Page 2 of 2" in second.content.decode()


def test_a_qi_lead_sees_the_people_of_their_directorates_and_the_coaches_they_see(
    qi_lead_client, directorate_a, coach, other_coach, project_b
):
    UserFactory(display_name="Nurse in A", organisation_unit=directorate_a)
    UserFactory(display_name="Nurse in B", organisation_unit=project_b.directorate)

    response = qi_lead_client.get("/people/")

    # Their supervisee (who works in no directorate yet) and the people of directorate A only.
    assert _names(response) == ["Coach of A", "Nurse in A"]
    assert [str(d) for d in response.context["form"].fields["directorate"].queryset] == ["Directorate A"]


@pytest.mark.parametrize("who", ["coach", "sponsor", "team_member", "unrelated_user"])
def test_people_page_is_for_programme_and_qi_leads(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/people/").status_code == 403


def test_people_are_linked_from_the_navigation_of_leads(lead_client):
    items = lead_client.get("/people/").context["nav_items"]

    assert [item["label"] for item in items if item["active"]] == ["People"]


# --- a person's page ----------------------------------------------------------------


def test_person_page_shows_roles_cohorts_teams_sponsored_projects_and_supervisees(
    lead_client, coach, qi_lead, project_a
):
    cohort = CohortFactory(number=10)
    EnrolmentFactory(cohort=cohort, participant=coach, status=Enrolment.Status.COMPLETED)
    ProjectFactory(title="Fewer falls", sponsor=coach)
    TeamMembershipFactory(person=coach, project=ProjectFactory(title="Quicker discharge"))

    record = lead_client.get(f"/people/{coach.pk}/").context["record"]

    assert record.roles == ["Coach", "Sponsor", "Team member", "Participant"]
    assert [(str(e.cohort), e.get_status_display()) for e in record.enrolments] == [
        (str(cohort), "Completed")
    ]
    assert [str(a.project) for a in record.current_assignments] == ["Project A"]
    assert [str(p) for p in record.sponsored] == ["Fewer falls"]
    assert [str(m.project) for m in record.teams] == ["Quicker discharge"]
    assert (record.profile.supervisor, record.can_manage_coach, record.can_make_coach) == (
        qi_lead,
        True,
        False,
    )
    supervisor = lead_client.get(f"/people/{qi_lead.pk}/").context["record"]
    assert ([str(p.coach) for p in supervisor.supervisees], [str(d) for d in supervisor.qi_lead_of]) == (
        ["Coach of A"],
        ["Directorate A"],
    )


def test_person_page_links_a_lead_to_export_and_erase(lead_client, team_member):
    page = lead_client.get(f"/people/{team_member.pk}/").content.decode()

    assert f'href="/privacy/people/{team_member.pk}/export/"' in page
    assert f'href="/privacy/people/{team_member.pk}/erase/"' in page


def test_a_qi_lead_sees_only_what_they_may_see_of_their_supervisee(qi_lead_client, coach, project_b):
    AssignmentFactory(
        coach=coach, project=ProjectFactory(title="Elsewhere", directorate=project_b.directorate)
    )
    EnrolmentFactory(participant=coach, status=Enrolment.Status.COMPLETED)

    response = qi_lead_client.get(f"/people/{coach.pk}/")

    record = response.context["record"]
    assert ([str(a.project) for a in record.current_assignments], record.enrolments) == (["Project A"], [])
    assert "/privacy/people/" not in response.content.decode()


def test_a_qi_lead_cannot_open_someone_outside_their_directorates(qi_lead_client, other_coach):
    assert qi_lead_client.get(f"/people/{other_coach.pk}/").status_code == 404


def test_the_privacy_people_list_links_to_each_persons_record(lead_client, team_member):
    page = lead_client.get("/privacy/people/?q=Member").content.decode()

    assert f'<a href="/people/{team_member.pk}/">Member of A</a>' in page


# --- making someone a coach -----------------------------------------------------------


def _participants_actions(client, cohort) -> list[tuple[str, list[tuple[str, str]]]]:
    others = client.get(f"/cohorts/{cohort.pk}/participants/").context["others"]
    return [(str(e.participant), [(a.label, a.url) for a in e.actions]) for e in others]


def test_participants_page_offers_make_coach_to_those_who_completed(lead_client):
    cohort = CohortFactory()
    done = EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="A Done"), status="completed")
    coached = EnrolmentFactory(
        cohort=cohort, participant=UserFactory(display_name="B Coach"), status="completed"
    )
    CoachProfileFactory(coach=coached.participant)
    EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="C Left"), status="withdrawn")

    assert _participants_actions(lead_client, cohort) == [
        ("A Done", [("Make coach", f"/people/{done.participant_id}/make-coach/")]),
        ("B Coach", [("Coach record", f"/people/{coached.participant_id}/")]),
        ("C Left", []),
    ]


def test_a_programme_lead_makes_a_participant_a_coach_with_capacity_and_supervisor(
    lead_client, programme_lead, qi_lead
):
    person = EnrolmentFactory(status=Enrolment.Status.COMPLETED).participant

    response = lead_client.post(
        f"/people/{person.pk}/make-coach/", {"hours_per_week": "3.5", "supervisor": qi_lead.email}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    profile = CoachProfile.objects.get(coach=person)
    assert (profile.hours_per_week, profile.supervisor, profile.is_active) == (Decimal("3.5"), qi_lead, True)
    assert [(r.history_type, r.history_user) for r in profile.history.all()] == [("+", programme_lead)]


def test_make_coach_form_suggests_the_qi_lead_of_the_persons_directorate(lead_client, qi_lead, directorate_a):
    person = UserFactory(organisation_unit=directorate_a)

    form = lead_client.get(f"/people/{person.pk}/make-coach/").context["form"]

    assert (form["hours_per_week"].value(), form["supervisor"].value()) == (Decimal("4.0"), qi_lead.email)


def test_a_supervisor_found_by_part_of_their_name_is_chosen(lead_client, qi_lead):
    person = UserFactory()

    lead_client.post(f"/people/{person.pk}/make-coach/", {"hours_per_week": "4", "supervisor": "qi lead"})

    assert CoachProfile.objects.get(coach=person).supervisor == qi_lead


def test_a_supervisor_who_is_not_a_qi_lead_is_refused_with_the_rule(lead_client, sponsor):
    person = UserFactory()

    response = lead_client.post(
        f"/people/{person.pk}/make-coach/", {"hours_per_week": "4", "supervisor": sponsor.email}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "supervisor": [
            "Sponsor of A is not a QI lead of any directorate. "
            "A programme lead names QI leads on each directorate's page."
        ]
    }
    assert not CoachProfile.objects.filter(coach=person).exists()


@pytest.mark.parametrize("hours", ["0", "40.5", "-2"])
def test_make_coach_refuses_hours_outside_0_to_40(lead_client, hours):
    person = UserFactory()

    response = lead_client.post(f"/people/{person.pk}/make-coach/", {"hours_per_week": hours})

    assert response.context["form"].errors == {
        "hours_per_week": ["Hours a week are more than 0 and at most 40, such as 4 or 3.5."]
    }


def test_make_coach_for_someone_already_a_coach_opens_their_coach_profile(lead_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.get(f"/people/{coach.pk}/make-coach/")

    assert response["Location"] == f"/coaching/coaches/{profile.pk}/edit/"


def test_a_qi_lead_makes_coaches_in_their_own_directorate_only(qi_lead_client, directorate_a, project_b):
    mine = UserFactory(organisation_unit=directorate_a)
    theirs = UserFactory(organisation_unit=project_b.directorate)

    made = qi_lead_client.post(f"/people/{mine.pk}/make-coach/", {"hours_per_week": "4"})
    refused = qi_lead_client.post(f"/people/{theirs.pk}/make-coach/", {"hours_per_week": "4"})

    assert (made.status_code, refused.status_code) == (302, 404)
    assert list(CoachProfile.objects.filter(coach__in=[mine, theirs]).values_list("coach_id", flat=True)) == [
        mine.pk
    ]


def test_coach_profile_create_refuses_someone_who_cannot_sign_in():
    with pytest.raises(ValidationError) as refused:
        coach_profile_create(coach=UserFactory(display_name="Gone", is_active=False))

    assert refused.value.messages == ["Gone cannot sign in, so cannot be made a coach."]


def test_coach_profile_create_refuses_someone_who_is_already_a_coach(coach):
    with pytest.raises(ValidationError) as refused:
        coach_profile_create(coach=coach)

    assert refused.value.messages == ["Coach of A is already a coach."]


def test_a_coach_cannot_be_their_own_supervisor(qi_lead):
    with pytest.raises(ValidationError) as refused:
        coach_profile_create(coach=qi_lead, supervisor=qi_lead)

    assert refused.value.message_dict == {
        "supervisor": ["A coach cannot supervise themselves: choose a QI lead."]
    }


# --- changing a coach's profile ---------------------------------------------------------


def test_a_lead_changes_a_coachs_supervisor_and_the_history_shows_both(lead_client, coach, project_b):
    new_supervisor = UserFactory(display_name="QI lead of B")
    project_b.directorate.qi_leads.add(new_supervisor)
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(
        f"/coaching/coaches/{profile.pk}/edit/",
        {"hours_per_week": "4.0", "supervisor": new_supervisor.email, "is_active": "on"},
    )

    assert response["Location"] == f"/people/{coach.pk}/"
    profile.refresh_from_db()
    assert profile.supervisor == new_supervisor
    latest = versions(CoachProfile, profile.pk)[0]
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("supervisor", "QI lead of A", "QI lead of B")
    ]


def test_a_coach_with_teams_cannot_be_marked_as_no_longer_coaching(lead_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(f"/coaching/coaches/{profile.pk}/edit/", {"hours_per_week": "4.0"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "is_active": ["Coach of A still coaches Project A: end that assignment first."]
    }
    assert CoachProfile.objects.get(coach=coach).is_active is True


def test_a_coach_without_teams_is_marked_as_no_longer_coaching(lead_client, former_coach):
    profile = CoachProfile.objects.get(coach=former_coach)

    lead_client.post(f"/coaching/coaches/{profile.pk}/edit/", {"hours_per_week": "4.0"})

    assert CoachProfile.objects.get(coach=former_coach).is_active is False


def test_a_supervisor_no_longer_a_qi_lead_stays_until_someone_chooses_another(coach, qi_lead, directorate_a):
    directorate_a.qi_leads.remove(qi_lead)
    profile = CoachProfile.objects.select_related("coach").get(coach=coach)

    coach_profile_update(profile=profile, hours_per_week=Decimal("2.5"), supervisor=qi_lead, is_active=True)

    assert (profile.hours_per_week, profile.supervisor) == (Decimal("2.5"), qi_lead)


def test_the_qi_lead_of_a_coachs_directorate_changes_their_profile(client, directorate_a):
    qi_lead = UserFactory()
    directorate_a.qi_leads.add(qi_lead)
    profile = CoachProfileFactory(coach=UserFactory(organisation_unit=directorate_a))
    client.force_login(qi_lead)

    assert client.get(f"/coaching/coaches/{profile.pk}/edit/").status_code == 200


def test_a_coach_cannot_change_their_own_profile(coach_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    assert coach_client.get(f"/coaching/coaches/{profile.pk}/edit/").status_code == 403


# --- queries ------------------------------------------------------------------------


PEOPLE_PAGE_QUERIES = 6
PERSON_PAGE_QUERIES = 11


def _someone_with_every_role(lead: User, supervisor: User) -> User:
    person = UserFactory(organisation_unit=DirectorateFactory())
    CoachProfileFactory(coach=person, supervisor=supervisor)
    AssignmentFactory(coach=person, assigned_by=lead)
    ProjectFactory(sponsor=person)
    TeamMembershipFactory(person=person)
    EnrolmentFactory(participant=person, status=Enrolment.Status.COMPLETED)
    person.qi_lead_directorates.add(DirectorateFactory())
    return person


def test_people_page_runs_a_fixed_number_of_queries_for_any_number_of_people(lead_client, programme_lead):
    supervisor = UserFactory()
    _someone_with_every_role(programme_lead, supervisor)
    page_queries(lead_client, "/people/")  # the session's first request does one-off work

    assert page_queries(lead_client, "/people/?q=person") == PEOPLE_PAGE_QUERIES
    for _ in range(12):
        _someone_with_every_role(programme_lead, supervisor)
    assert page_queries(lead_client, "/people/?q=person") == PEOPLE_PAGE_QUERIES


def test_person_page_runs_a_fixed_number_of_queries_however_long_their_record(lead_client, programme_lead):
    person = _someone_with_every_role(programme_lead, UserFactory())
    path = f"/people/{person.pk}/"
    page_queries(lead_client, path)

    def more():
        AssignmentFactory(
            coach=person, assigned_by=programme_lead, starts_on=date(2024, 1, 1), ends_on=date(2024, 6, 1)
        )
        ProjectFactory(sponsor=person)
        TeamMembershipFactory(person=person)
        EnrolmentFactory(participant=person)
        CoachProfileFactory(supervisor=person)
        person.qi_lead_directorates.add(DirectorateFactory())

    assert page_queries(lead_client, path) == PERSON_PAGE_QUERIES
    for _ in range(5):
        more()
    assert page_queries(lead_client, path) == PERSON_PAGE_QUERIES


def test_participants_page_runs_a_fixed_number_of_queries_with_make_coach(lead_client):
    cohort = CohortFactory()
    path = f"/cohorts/{cohort.pk}/participants/"

    def grow():
        EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED)
        CoachProfileFactory(
            coach=EnrolmentFactory(cohort=cohort, status=Enrolment.Status.COMPLETED).participant
        )

    grow()
    page_queries(lead_client, path)
    small = page_queries(lead_client, path)
    for _ in range(4):
        grow()
    assert page_queries(lead_client, path) == small


def test_the_people_page_answers_a_qi_lead_client_in_a_fixed_number_of_queries(qi_lead, coach, directorate_a):
    client = Client()
    client.force_login(qi_lead)
    page_queries(client, "/people/")
    small = page_queries(client, "/people/")
    for n in range(5):
        UserFactory(display_name=f"Nurse {n}", organisation_unit=directorate_a)
    assert page_queries(client, "/people/") == small


# --- the whole journey, by links from the lead's start page -------------------------------------


def test_a_new_lead_sets_up_a_directorate_a_programme_and_a_coach_by_following_links(client):
    lead = user_create(email="lead@example.org", display_name="First Lead", email_verified=True)
    programme_lead_add(user=lead)
    client.force_login(lead)
    overview = client.get("/programme/").content.decode()
    for href in [
        "/people/directorates/",
        "/cohorts/programmes/",
        "/cohorts/planner/new/",
        "/people/invitations/",
    ]:
        assert f'href="{href}"' in overview

    directorate_page = client.post("/people/directorates/new/", {"name": "Newham Community Health"})[
        "Location"
    ]
    client.post(directorate_page + "qi-leads/add/", {"person": "lead@example.org"})
    client.post("/cohorts/programmes/new/", {"name": "Improvement Coaching Programme"})
    newham = lead.qi_lead_directorates.get()
    asha = user_create(email="asha@example.org", display_name="Asha Patel", organisation_unit=newham)
    person_page = client.get("/people/?q=asha").content.decode()
    assert f'href="/people/{asha.pk}/"' in person_page
    assert f'href="/people/{asha.pk}/make-coach/"' in client.get(f"/people/{asha.pk}/").content.decode()
    client.post(f"/people/{asha.pk}/make-coach/", {"hours_per_week": "4", "supervisor": "lead@example.org"})

    profile = CoachProfile.objects.get(coach=asha)
    assert (str(newham), profile.supervisor, profile.hours_per_week) == ("Newham Community Health", lead, 4)
