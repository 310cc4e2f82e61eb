"""A project's life in the app, without the admin: started by a coach, QI lead or programme lead,
its details and team changed by the people allowed, closed with an outcome into a read-only
archive, and reopened by a programme lead with a reason."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from coaching.models import Assignment
from coachprog.history import versions
from projects.models import ProgressScoreChange, Project, TeamMembership
from projects.services import (
    project_close,
    project_reopen,
    project_start,
    project_update,
    team_member_add,
    team_member_remove,
)
from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    DirectorateFactory,
    MeasureFactory,
    ProjectFactory,
    TeamMembershipFactory,
    UserFactory,
    london,
)
from tests.page_queries import page_queries

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 10, 1), time(12)), tick=False),
]

TODAY = date(2025, 10, 1)
# Queries for one page of the project list, and for a project's team page, at any size.
QUERIES = 10
TEAM_QUERIES = 8


def _details(directorate, sponsor, **changes) -> dict:
    details = {
        "title": "Fewer falls on Ward 3",
        "directorate": directorate,
        "aim_what": "Reduce falls among inpatients on Ward 3",
        "aim_how_much": "by 30%",
        "aim_by_when": date(2027, 3, 31),
        "sponsor": sponsor,
        "started_on": date(2025, 9, 1),
        "status": Project.Status.ACTIVE,
    }
    return details | changes


def _form(directorate, sponsor_user, **changes) -> dict:
    """The start page's POST: the details, the sponsor typed as an address, and three team rows."""
    data = {
        "title": "Fewer falls on Ward 3",
        "directorate": str(directorate.pk),
        "aim_what": "Reduce falls among inpatients on Ward 3",
        "aim_how_much": "by 30%",
        "aim_by_when": "2027-03-31",
        "sponsor": sponsor_user.email,
        "started_on": "2025-09-01",
        "status": "active",
        "team-TOTAL_FORMS": "3",
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "20",
    }
    for n in range(3):
        data |= {f"team-{n}-person": "", f"team-{n}-role": "member"}
    return data | changes


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Starting a project ----------------------------------------------------------------------


def test_a_coach_starts_a_project_in_the_app_and_becomes_its_lead_coach(client, sponsor):
    coach = UserFactory(display_name="Asha Patel")
    CoachProfileFactory(coach=coach)
    newham = DirectorateFactory(name="Newham")
    nurse = UserFactory(display_name="Grace Okafor", email="grace.okafor@example.org")
    carer = UserFactory(display_name="Sam Carer")
    client.force_login(coach)

    page = client.get("/projects/new/")
    response = client.post(
        "/projects/new/",
        _form(
            newham,
            sponsor,
            **{
                "team-0-person": "GRACE.okafor@example.org",
                "team-0-role": "lead",
                "team-1-person": "Sam Carer",
                "team-1-role": "service_user",
            },
        ),
        follow=True,
    )

    project = Project.objects.get(title="Fewer falls on Ward 3")
    assert page.status_code == 200
    assert response.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    assert _messages(response) == [
        "Fewer falls on Ward 3 has started. Next, add the measures that will show the aim."
    ]
    assert (project.directorate, project.sponsor, project.status, project.aim_statement) == (
        newham,
        sponsor,
        Project.Status.ACTIVE,
        "Reduce falls among inpatients on Ward 3 by 30% by 31 Mar 2027.",
    )
    assert [(m.person, m.role, m.joined_on) for m in project.memberships.order_by("role")] == [
        (nurse, "lead", date(2025, 9, 1)),
        (carer, "service_user", date(2025, 9, 1)),
    ]
    assert [
        (a.coach, a.role, a.starts_on, a.assigned_by) for a in Assignment.objects.filter(project=project)
    ] == [(coach, "lead", date(2025, 9, 1), coach)]
    assert list(ProgressScoreChange.objects.filter(project=project).values_list("reason", "changed_by")) == [
        ("Project created", coach.pk)
    ]
    assert versions(Project, project.pk)[0].who == coach


def test_a_project_starting_later_is_coached_from_today(coach, directorate_a, sponsor):
    project = project_start(
        started_by=coach, **_details(directorate_a, sponsor, started_on=date(2025, 11, 3))
    )

    assert Assignment.objects.get(project=project).starts_on == TODAY


def test_a_qi_lead_starts_projects_only_in_their_own_directorates(qi_lead, directorate_a, sponsor):
    elsewhere = DirectorateFactory(name="Tower Hamlets")

    with pytest.raises(ValidationError) as refused:
        project_start(started_by=qi_lead, **_details(elsewhere, sponsor))
    project = project_start(started_by=qi_lead, **_details(directorate_a, sponsor))

    assert refused.value.message_dict == {"directorate": ["You cannot start projects in Tower Hamlets."]}
    assert project.directorate == directorate_a
    assert not Assignment.objects.filter(project=project).exists()  # QI leads assign coaches afterwards


def test_a_programme_lead_starts_a_project_anywhere_without_becoming_its_coach(programme_lead, sponsor):
    CoachProfileFactory(coach=programme_lead)

    project = project_start(started_by=programme_lead, **_details(DirectorateFactory(), sponsor))

    assert not Assignment.objects.filter(project=project).exists()


@pytest.mark.parametrize("who", ["sponsor", "team_member", "unrelated_user"])
def test_people_who_neither_coach_nor_lead_cannot_start_projects(client, request, who):
    person = request.getfixturevalue(who)
    client.force_login(person)

    response = client.get("/projects/new/")

    assert response.status_code == 403
    assert "Coaches, QI leads (in their own directorates) and programme leads start projects." in (
        response.content.decode()
    )
    assert "Start a project" not in client.get("/projects/").content.decode()


def test_a_coach_who_has_stood_down_cannot_start_a_project(client, sponsor):
    coach = UserFactory()
    CoachProfileFactory(coach=coach, is_active=False)
    client.force_login(coach)

    assert client.get("/projects/new/").status_code == 403


def test_the_start_page_explains_every_broken_rule_on_its_field(client, coach, directorate_a, sponsor):
    ProjectFactory(title="Fewer falls on Ward 3", directorate=directorate_a)
    client.force_login(coach)

    response = client.post(
        "/projects/new/",
        _form(
            directorate_a,
            sponsor,
            title="fewer FALLS on ward 3",
            aim_how_much="a lot",
            aim_by_when="2025-08-01",
            sponsor="nobody@example.org",
            **{"team-0-person": "Nobody Known"},
        ),
    )

    form, team = response.context["form"], response.context["team"]
    assert response.status_code == 200
    assert form.errors == {
        "title": [
            "Directorate A already has a project called “fewer FALLS on ward 3”; choose another title."
        ],
        "aim_how_much": ["Say how much as a number: “by 30%”, “to 90%” or “from 42 to 28 days”."],
        "aim_by_when": ["The aim's date must be after the start date (1 Sep 2025)."],
        "sponsor": [
            "No one who can sign in has the address “nobody@example.org”: check it, or ask a programme lead "
            "to invite them."
        ],
    }
    assert team.errors[0] == {
        "person": [
            "No one who can sign in matches “Nobody Known”: type their e-mail address or part of their name."
        ]
    }
    assert Project.objects.filter(title__iexact="fewer falls on ward 3").count() == 1


def test_the_person_picker_names_several_matches_so_the_right_one_can_be_typed(client, coach, directorate_a):
    UserFactory(display_name="Amina Yusuf", email="amina.yusuf@example.org")
    UserFactory(display_name="Amina Bello", email="amina.bello@example.org")
    UserFactory(display_name="Switched Off Amina", email="amina.off@example.org", is_active=False)
    client.force_login(coach)

    response = client.post("/projects/new/", _form(directorate_a, coach, sponsor="amina"))
    exact = client.post("/projects/new/", _form(directorate_a, coach, sponsor="amina yusuf"), follow=True)

    assert response.context["form"].errors["sponsor"] == [
        "Several people match “amina”: Amina Bello (amina.bello@example.org); Amina Yusuf "
        "(amina.yusuf@example.org). Type the e-mail address of the one you mean."
    ]
    assert exact.context["project"].sponsor.email == "amina.yusuf@example.org"


def test_a_person_joins_a_new_team_once(coach, directorate_a, sponsor, team_member):
    with pytest.raises(ValidationError) as refused:
        project_start(
            started_by=coach,
            team=[(team_member, TeamMembership.Role.LEAD), (team_member, TeamMembership.Role.MEMBER)],
            **_details(directorate_a, sponsor),
        )

    assert refused.value.message_dict == {
        "team": ["Each person joins the team once; remove the repeated row."]
    }
    assert not Project.objects.filter(title="Fewer falls on Ward 3").exists()


# --- Changing the details ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coach", 200),
        ("qi_lead", 200),
        ("programme_lead", 200),
        ("team_member", 403),
        ("sponsor", 403),
        ("former_coach", 403),
        ("other_coach", 404),
    ],
)
def test_the_projects_coaches_qi_leads_and_programme_leads_edit_its_details(
    client, request, project_a, who, status
):
    client.force_login(request.getfixturevalue(who))

    assert client.get(f"/projects/{project_a.pk}/edit/").status_code == status


def test_editing_a_project_keeps_who_changed_what_in_its_history(client, qi_lead, project_a):
    client.force_login(qi_lead)
    new_sponsor = UserFactory(display_name="Dr New Sponsor", email="new.sponsor@example.org")

    response = client.post(
        f"/projects/{project_a.pk}/edit/",
        {
            "title": "Project A, renamed",
            "directorate": str(project_a.directorate_id),
            "aim_what": project_a.aim_what,
            "aim_how_much": "to 20 days",
            "aim_by_when": "2026-06-30",
            "sponsor": "new.sponsor@example.org",
            "started_on": "2025-01-06",
            "status": "on_hold",
        },
        follow=True,
    )

    project_a.refresh_from_db()
    latest = versions(Project, project_a.pk)[0]
    assert _messages(response) == ["The details of Project A, renamed are saved."]
    assert (project_a.title, project_a.sponsor, project_a.status) == (
        "Project A, renamed",
        new_sponsor,
        "on_hold",
    )
    assert latest.who == qi_lead
    assert sorted(change.field for change in latest.changes) == [
        "aim: how much",
        "sponsor",
        "status",
        "title",
    ]


def test_a_qi_lead_cannot_move_a_project_out_of_their_directorates(qi_lead, project_a):
    with pytest.raises(ValidationError) as refused:
        project_update(project=project_a, changed_by=qi_lead, directorate=DirectorateFactory(name="Hackney"))

    assert refused.value.message_dict == {"directorate": ["You cannot move projects into Hackney."]}


# --- The team ------------------------------------------------------------------------------------


def test_team_members_are_added_and_removed_on_the_projects_page(client, coach, project_a):
    nurse = UserFactory(display_name="Grace Okafor", email="grace@example.org")
    client.force_login(coach)

    page = client.get(f"/projects/{project_a.pk}/")
    added = client.post(f"/projects/{project_a.pk}/team/", {"person": "Grace", "role": "lead"}, follow=True)
    membership = TeamMembership.objects.get(project=project_a, person=nurse)
    again = client.post(f"/projects/{project_a.pk}/team/", {"person": "grace@example.org", "role": "member"})
    removed = client.post(f"/projects/{project_a.pk}/team/{membership.pk}/remove/", follow=True)

    assert f'action="/projects/{project_a.pk}/team/"' in page.content.decode()
    assert _messages(added) == ["Grace Okafor joined the team of Project A as project lead."]
    assert (membership.role, membership.joined_on) == ("lead", TODAY)
    assert again.context["form"].errors == {"person": ["Grace Okafor is already on the team of Project A."]}
    assert _messages(removed) == ["Grace Okafor is no longer on the team of Project A."]
    assert not TeamMembership.objects.filter(project=project_a, person=nurse).exists()
    kept = TeamMembership.history.filter(person=nurse).order_by("history_id")
    assert [(h.history_type, h.history_user, h.history_change_reason) for h in kept] == [
        ("+", coach, None),
        ("-", coach, "Removed from the team"),
    ]


def test_the_team_and_sponsor_cannot_change_the_team(client, team_member, sponsor, project_a):
    membership = TeamMembership.objects.get(project=project_a, person=team_member)
    for person in (team_member, sponsor):
        client.force_login(person)
        assert client.post(f"/projects/{project_a.pk}/team/", {"person": sponsor.email}).status_code == 403
        assert client.post(f"/projects/{project_a.pk}/team/{membership.pk}/remove/").status_code == 403
    assert TeamMembership.objects.filter(project=project_a).count() == 1


# --- Closing and reopening -----------------------------------------------------------------------


def test_closing_a_project_keeps_its_outcome_and_ends_its_coaching(client, coach, project_a):
    client.force_login(coach)

    page = client.get(f"/projects/{project_a.pk}/close/")
    response = client.post(
        f"/projects/{project_a.pk}/close/",
        {
            "status": "completed",
            "outcome_summary": "  Waits fell from 42 to 26 days; the clinic kept the triage.  ",
        },
        follow=True,
    )

    project_a.refresh_from_db()
    assignment = Assignment.objects.get(project=project_a, coach=coach)
    closing = versions(Project, project_a.pk)[0]
    assert page.status_code == 200
    assert _messages(response) == [
        "Project A is completed: it stays listed as a read-only archive, and its coaching has ended."
    ]
    assert (project_a.status, project_a.closed_on, project_a.outcome_summary) == (
        "completed",
        TODAY,
        "Waits fell from 42 to 26 days; the clinic kept the triage.",
    )
    assert (assignment.ends_on, assignment.end_reason) == (TODAY, "The project was completed.")
    assert closing.who == coach
    assert (
        Project.history.filter(id=project_a.pk).order_by("-history_id").first().history_change_reason
        == "Completed"
    )
    assert "Completed on 1 Oct 2025: a read-only archive" in response.content.decode()


def test_closing_needs_an_outcome_summary_and_a_way_it_ends(client, coach, project_a):
    client.force_login(coach)

    response = client.post(f"/projects/{project_a.pk}/close/", {"status": "active", "outcome_summary": " "})

    assert response.context["form"].errors == {
        "status": ["Select a valid choice. active is not one of the available choices."],
        "outcome_summary": ["This field is required."],
    }
    with pytest.raises(ValidationError) as refused:
        project_close(project=project_a, status="active", outcome_summary="", closed_by=coach)
    assert refused.value.message_dict == {
        "status": ["Choose completed (it ran its course) or closed (it stopped early)."],
        "outcome_summary": ["Say what the project achieved and learned, for whoever reads it later."],
    }


def test_an_archived_project_refuses_every_write_saying_why(client, coach, programme_lead, project_a):
    measure = MeasureFactory(project=project_a)
    project_close(
        project=project_a, status="closed", outcome_summary="Stopped: the ward closed.", closed_by=coach
    )
    reason = "Project A was closed on 1 Oct 2025 and is a read-only archive: nothing in it can change."
    p, m = project_a.pk, measure.pk
    writes = [
        f"/projects/{p}/edit/",
        f"/projects/{p}/close/",
        f"/projects/{p}/team/",
        f"/projects/{p}/progress-score/",
        f"/projects/{p}/measures/new/",
        f"/projects/{p}/measures/{m}/edit/",
        f"/projects/{p}/measures/{m}/data/add/",
        f"/projects/{p}/measures/{m}/data/import/",
        f"/projects/{p}/measures/{m}/notes/",
        f"/projects/{p}/measures/{m}/phases/",
        f"/projects/{p}/measures/{m}/baseline/",
        f"/projects/{p}/driver-diagram/nodes/",
        f"/projects/{p}/pdsa/new/",
        f"/coaching/teams/{p}/meetings/new/",
        f"/coaching/teams/{p}/updates/new/",
        f"/coaching/teams/{p}/coaches/",
    ]

    answers = {}
    for person in (coach, programme_lead):
        client.force_login(person)
        for url in writes:
            response = client.post(url, {})
            answers[(person.display_name, url)] = (response.status_code, reason in response.content.decode())

    assert set(answers.values()) == {(403, True)}
    client.force_login(programme_lead)
    page = client.get(f"/projects/{p}/").content.decode()
    assert "Edit the details" not in page
    assert "Add a measure" not in page
    assert "Reopen the project" in page
    with pytest.raises(ValidationError, match="read-only archive"):
        team_member_add(project=project_a, person=UserFactory())


def test_a_programme_lead_reopens_a_closed_project_with_a_reason(client, coach, programme_lead, project_a):
    project_close(project=project_a, status="completed", outcome_summary="Reached the aim.", closed_by=coach)
    client.force_login(coach)
    refused = client.post(f"/projects/{project_a.pk}/reopen/", {"reason": "More to do"})
    client.force_login(programme_lead)

    no_reason = client.post(f"/projects/{project_a.pk}/reopen/", {"reason": ""}, follow=True)
    response = client.post(
        f"/projects/{project_a.pk}/reopen/", {"reason": "Improvement not sustained over winter"}, follow=True
    )

    project_a.refresh_from_db()
    reopening = Project.history.filter(id=project_a.pk).order_by("-history_id").first()
    assert refused.status_code == 403
    assert "Only a programme lead can reopen a project." in refused.content.decode()
    assert _messages(no_reason) == ["Why reopen it: This field is required."]
    assert _messages(response) == ["Project A is active again. Assign its coaches on the Coaches page."]
    assert (project_a.status, project_a.closed_on, project_a.reopen_reason, project_a.outcome_summary) == (
        "active",
        None,
        "Improvement not sustained over winter",
        "Reached the aim.",
    )
    assert (reopening.history_user, reopening.history_change_reason) == (programme_lead, "Reopened")
    with pytest.raises(ValidationError, match="is active, not closed"):
        project_reopen(project=project_a, reason="Again", reopened_by=programme_lead)


def test_removing_a_team_member_from_an_archive_is_refused(coach, team_member, project_a):
    project_close(project=project_a, status="completed", outcome_summary="Done.", closed_by=coach)

    with pytest.raises(ValidationError, match="read-only archive"):
        team_member_remove(membership=project_a.memberships.get(person=team_member), removed_by=coach)


def test_the_coaching_of_a_closed_project_ends_on_the_day_it_closed(coach, project_a):
    later = AssignmentFactory(
        project=project_a, coach=UserFactory(), role="second", starts_on=TODAY + timedelta(days=7)
    )
    CoachProfileFactory(coach=later.coach)

    project_close(project=project_a, status="closed", outcome_summary="Stopped.", closed_by=coach)

    assert sorted(Assignment.objects.filter(project=project_a).values_list("ends_on", flat=True)) == [
        TODAY,
        TODAY + timedelta(days=7),  # a coach due to start later: ended on their first day
    ]


# --- Finding projects --------------------------------------------------------------------------


def _titles(response) -> list[str]:
    return [p.title for p in response.context["page"].object_list]


def test_the_project_list_shows_live_projects_and_the_archive_on_request(lead_client):
    ProjectFactory(title="Active one")
    ProjectFactory(title="Paused one", status="on_hold")
    ProjectFactory(title="Finished one", status="completed")
    ProjectFactory(title="Stopped one", status="closed")

    assert _titles(lead_client.get("/projects/")) == ["Active one", "Paused one"]
    assert _titles(lead_client.get("/projects/?status=archived")) == ["Finished one", "Stopped one"]
    assert _titles(lead_client.get("/projects/?status=closed")) == ["Stopped one"]
    assert _titles(lead_client.get("/projects/?status=all")) == [
        "Active one",
        "Finished one",
        "Paused one",
        "Stopped one",
    ]
    assert "Live (active or on hold)" in lead_client.get("/projects/").content.decode()


def test_the_project_list_searches_titles_and_aims_with_the_filters(lead_client):
    ProjectFactory(title="Fewer falls on Ward 3", aim_what="Reduce falls among inpatients")
    ProjectFactory(title="Ward 3 discharge", aim_what="Discharge summaries sent within a day")
    ProjectFactory(title="Falls clinic", aim_what="Shorter waits", status="completed")
    ProjectFactory(title="Memory clinic", aim_what="Reduce the wait for a FALLS assessment", status="on_hold")

    assert _titles(lead_client.get("/projects/?q=falls")) == ["Fewer falls on Ward 3", "Memory clinic"]
    assert _titles(lead_client.get("/projects/?q=ward+3+falls")) == ["Fewer falls on Ward 3"]
    assert _titles(lead_client.get("/projects/?q=falls&status=all")) == [
        "Falls clinic",
        "Fewer falls on Ward 3",
        "Memory clinic",
    ]
    assert _titles(lead_client.get("/projects/?q=falls&status=on_hold")) == ["Memory clinic"]
    empty = lead_client.get("/projects/?q=dentistry").content.decode()
    assert "No projects match your search." in empty
    assert lead_client.get("/projects/?q=" + "x" * 5000).status_code == 200


def test_the_project_list_search_keeps_its_words_across_pages(lead_client):
    for n in range(27):
        ProjectFactory(title=f"Falls project {n:02}")
    ProjectFactory(title="Something else")

    first = lead_client.get("/projects/?q=falls")
    second = lead_client.get("/projects/?q=falls&page=2")

    assert first.context["page"].paginator.count == 27
    assert _titles(second) == ["Falls project 25", "Falls project 26"]
    assert 'href="?q=falls&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize(("who", "url"), [("coach", "/coaching/"), ("qi_lead", "/coaching/supervisees/")])
def test_start_a_project_is_on_the_list_and_the_coach_and_qi_lead_home_pages(client, request, who, url):
    client.force_login(request.getfixturevalue(who))

    for page in (url, "/projects/"):
        assert 'href="/projects/new/"' in client.get(page).content.decode(), page


# --- Query counts ------------------------------------------------------------------------------


def test_the_project_list_search_runs_a_fixed_number_of_queries(lead_client):
    def grow(n: int) -> None:
        for _ in range(n):
            project = ProjectFactory(aim_what="Reduce falls on the ward")
            TeamMembershipFactory(project=project)
            AssignmentFactory(project=project)
        ProjectFactory(aim_what="Reduce falls", status="completed")

    grow(1)
    page_queries(lead_client, "/projects/?q=falls")  # a warm-up: the session's first request does more
    small = page_queries(lead_client, "/projects/?q=falls")
    grow(5)
    large = page_queries(lead_client, "/projects/?q=falls&status=all")

    assert (small, large) == (QUERIES, QUERIES)


def test_the_team_page_runs_a_fixed_number_of_queries(client, coach, project_a):
    client.force_login(coach)
    path = f"/projects/{project_a.pk}/team/"
    TeamMembershipFactory(project=project_a)
    page_queries(client, path)

    small = page_queries(client, path)
    TeamMembershipFactory.create_batch(5, project=project_a)
    large = page_queries(client, path)

    assert (small, large) == (TEAM_QUERIES, TEAM_QUERIES)


def test_a_project_whose_sponsor_has_left_can_still_be_edited(client, coach, project_a, sponsor):
    sponsor.is_active = False
    sponsor.save()
    client.force_login(coach)

    response = client.post(
        f"/projects/{project_a.pk}/edit/",
        {
            "title": "Project A",
            "directorate": str(project_a.directorate_id),
            "aim_what": "A clearer aim",
            "aim_how_much": project_a.aim_how_much,
            "aim_by_when": "2026-06-30",
            "sponsor": sponsor.email,
            "started_on": "2025-01-06",
            "status": "active",
        },
    )
    changed_sponsor = client.post(
        f"/projects/{project_a.pk}/edit/",
        {
            "title": "Project A",
            "directorate": str(project_a.directorate_id),
            "aim_what": "A clearer aim",
            "aim_how_much": project_a.aim_how_much,
            "aim_by_when": "2026-06-30",
            "sponsor": UserFactory(is_active=False, email="gone@example.org").email,
            "started_on": "2025-01-06",
            "status": "active",
        },
    )

    project_a.refresh_from_db()
    assert response.status_code == 302
    assert project_a.aim_what == "A clearer aim"
    assert changed_sponsor.context["form"].errors == {
        "sponsor": [
            "No one who can sign in has the address “gone@example.org”: check it, or ask a programme lead "
            "to invite them."
        ]
    }
