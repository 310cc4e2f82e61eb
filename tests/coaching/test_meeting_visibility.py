"""Who sees what of a meeting log: the coach and leads everything; the team and the team's other
coaches what happened but not the private notes; the sponsor only the date and progress score."""

from decimal import Decimal

import pytest

from tests.factories import AssignmentFactory, MeetingLogFactory, NextStepFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = "Private notes: the ward manager is sceptical."
STEP = "Collect two weeks of baseline data"


@pytest.fixture
def meeting(coach, project_a, team_member):
    meeting = MeetingLogFactory(
        coach=coach, project=project_a, notes=NOTES, progress_score=Decimal("2.5"), duration_minutes=55
    )
    meeting.attendees.add(team_member)
    NextStepFactory(meeting=meeting, description=STEP)
    return meeting


def _page(client, user, meeting) -> str:
    client.force_login(user)
    response = client.get(f"/coaching/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["coach", "programme_lead", "qi_lead"])
def test_the_coach_and_leads_see_everything_and_the_edit_history(request, client, role, meeting):
    page = _page(client, request.getfixturevalue(role), meeting)

    assert NOTES in page
    assert STEP in page
    assert "55 minutes" in page
    assert "Edit history" in page


def test_the_team_sees_what_happened_but_not_the_private_notes(client, team_member, meeting):
    page = _page(client, team_member, meeting)

    assert STEP in page
    assert "55 minutes" in page
    assert NOTES not in page
    assert "Edit history" not in page


def test_a_second_coach_of_the_team_sees_what_happened_but_not_the_notes(client, project_a, meeting):
    second = UserFactory()
    AssignmentFactory(coach=second, project=project_a, role="second")

    page = _page(client, second, meeting)

    assert STEP in page
    assert NOTES not in page


def test_the_sponsor_sees_only_the_date_and_progress_score(client, sponsor, meeting):
    page = _page(client, sponsor, meeting)

    assert f"Team meeting on {meeting.met_on:%-d %b %Y}" in page
    assert "2.5" in page
    assert NOTES not in page
    assert STEP not in page
    assert "55 minutes" not in page
    assert "Member of A" not in page


def test_the_project_page_shows_the_sponsor_meeting_dates_and_scores(client, sponsor, project_a, meeting):
    client.force_login(sponsor)

    page = client.get(f"/projects/{project_a.pk}/").content.decode()

    assert f"/coaching/meetings/{meeting.pk}/" in page
    assert NOTES not in page
    assert STEP not in page


@pytest.mark.parametrize("role", ["other_coach", "unrelated_user"])
def test_outsiders_get_not_found(request, client, role, meeting):
    client.force_login(request.getfixturevalue(role))

    assert client.get(f"/coaching/meetings/{meeting.pk}/").status_code == 404
