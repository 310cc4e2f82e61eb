"""Assigning coaches to teams, ending assignments with a reason, and each coach's load and capacity."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coaching.models import Assignment, CoachProfile
from tests.factories import CoachProfileFactory, MeetingLogFactory, UserFactory

pytestmark = pytest.mark.django_db


def _coaches_url(project) -> str:
    return f"/coaching/teams/{project.pk}/coaches/"


@pytest.fixture
def spare_coach():
    user = UserFactory(display_name="Dr Amina Yusuf")
    CoachProfileFactory(coach=user)
    return user


def test_a_programme_lead_assigns_a_second_coach_with_a_start_date(
    lead_client, programme_lead, project_a, coach, spare_coach
):
    response = lead_client.post(
        _coaches_url(project_a), {"coach": spare_coach.email, "role": "second", "starts_on": "2026-01-05"}
    )

    assert response.status_code == 302
    assignment = Assignment.objects.get(coach=spare_coach)
    assert (assignment.project, assignment.role, assignment.starts_on, assignment.assigned_by) == (
        project_a,
        "second",
        date(2026, 1, 5),
        programme_lead,
    )


def test_the_coach_is_typed_by_name_and_no_coach_is_listed_to_choose_from(
    lead_client, project_a, spare_coach
):
    others = [CoachProfileFactory().coach for _ in range(3)]

    page = lead_client.get(_coaches_url(project_a)).content.decode()
    response = lead_client.post(
        _coaches_url(project_a), {"coach": "amina yusuf", "role": "second", "starts_on": "2026-01-05"}
    )

    assert [coach.display_name for coach in [spare_coach, *others] if coach.display_name in page] == []
    assert response.status_code == 302
    assert Assignment.objects.get(coach=spare_coach).role == "second"


def test_a_qi_lead_assigns_coaches_in_their_own_directorate(qi_lead_client, project_a, spare_coach, coach):
    Assignment.objects.filter(coach=coach).update(ends_on=timezone.localdate(), end_reason="Moved on")

    response = qi_lead_client.post(
        _coaches_url(project_a), {"coach": spare_coach.email, "role": "lead", "starts_on": "2026-02-02"}
    )

    assert response.status_code == 302
    assert Assignment.objects.filter(coach=spare_coach, project=project_a, role="lead").count() == 1


def test_a_qi_lead_cannot_assign_coaches_in_another_directorate(qi_lead_client, project_b, spare_coach):
    response = qi_lead_client.post(
        _coaches_url(project_b), {"coach": spare_coach.email, "role": "second", "starts_on": "2026-02-02"}
    )

    assert response.status_code == 404
    assert not Assignment.objects.filter(coach=spare_coach).exists()


@pytest.mark.parametrize("role", ["coach", "sponsor", "team_member"])
def test_people_who_see_the_team_read_its_coaches_but_cannot_assign(
    request, client, role, project_a, spare_coach
):
    client.force_login(request.getfixturevalue(role))

    page = client.get(_coaches_url(project_a))
    refused = client.post(
        _coaches_url(project_a), {"coach": spare_coach.email, "role": "second", "starts_on": "2026-02-02"}
    )

    assert page.status_code == 200
    assert page.context["can_assign"] is False
    assert refused.status_code == 403
    assert not Assignment.objects.filter(coach=spare_coach).exists()


def test_a_second_lead_coach_is_refused_with_the_reason(lead_client, project_a, coach, spare_coach):
    response = lead_client.post(
        _coaches_url(project_a), {"coach": spare_coach.email, "role": "lead", "starts_on": "2026-02-02"}
    )

    assert response.status_code == 200
    assert response.context["start_form"].errors["role"] == [
        f"{project_a} already has a lead coach ({coach}); end that assignment first."
    ]


def test_ending_an_assignment_keeps_it_as_history_with_the_reason(lead_client, project_a, coach):
    assignment = Assignment.objects.get(coach=coach)

    response = lead_client.post(
        f"/coaching/assignments/{assignment.pk}/end/",
        {"ends_on": "2026-03-31", "end_reason": "Parental leave"},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.end_reason) == (date(2026, 3, 31), "Parental leave")
    assert assignment.history.count() == 2
    page = lead_client.get(_coaches_url(project_a)).content.decode()
    assert "Parental leave" in page


def test_ending_an_assignment_needs_a_reason(lead_client, coach):
    assignment = Assignment.objects.get(coach=coach)

    lead_client.post(
        f"/coaching/assignments/{assignment.pk}/end/", {"ends_on": "2026-03-31", "end_reason": ""}
    )

    assignment.refresh_from_db()
    assert assignment.ends_on is None


def test_a_coach_cannot_end_their_own_assignment(coach_client, coach):
    assignment = Assignment.objects.get(coach=coach)

    response = coach_client.post(
        f"/coaching/assignments/{assignment.pk}/end/", {"ends_on": "2026-03-31", "end_reason": "Bored"}
    )

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.ends_on is None


# --- load and capacity ------------------------------------------------------------------------


def test_coach_load_shows_hours_against_capacity_over_4_and_12_weeks(lead_client, coach, project_a):
    CoachProfile.objects.filter(coach=coach).update(hours_per_week=Decimal("2.5"))
    today = timezone.localdate()
    MeetingLogFactory(coach=coach, project=project_a, met_on=today - timedelta(days=3), duration_minutes=90)
    MeetingLogFactory(coach=coach, project=project_a, met_on=today - timedelta(weeks=6), duration_minutes=60)
    MeetingLogFactory(coach=coach, project=project_a, met_on=today - timedelta(weeks=20), duration_minutes=60)

    response = lead_client.get("/coaching/coaches/")

    profile = next(p for p in response.context["profiles"] if p.coach == coach)
    assert (profile.hours_4, profile.capacity_4, profile.load_4) == (1.5, 10.0, 15)
    assert (profile.hours_12, profile.capacity_12, profile.load_12) == (2.5, 30.0, 8)
    assert [a.project for a in profile.teams] == [project_a]


def test_a_programme_lead_changes_a_coachs_capacity(lead_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(f"/coaching/coaches/{profile.pk}/capacity/", {"hours_per_week": "3.5"})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.hours_per_week == Decimal("3.5")


@pytest.mark.parametrize("hours", ["0", "41"])
def test_capacity_outside_the_range_is_refused(lead_client, coach, hours):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(
        f"/coaching/coaches/{profile.pk}/capacity/", {"hours_per_week": hours}, follow=True
    )

    assert "Capacity is more than 0 and at most 40 hours a week." in response.content.decode()
    profile.refresh_from_db()
    assert profile.hours_per_week == Decimal("4.0")


def test_a_coach_cannot_change_their_own_capacity(coach_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    assert (
        coach_client.post(f"/coaching/coaches/{profile.pk}/capacity/", {"hours_per_week": "1"}).status_code
        == 403
    )
    profile.refresh_from_db()
    assert profile.hours_per_week == Decimal("4.0")


def test_a_qi_lead_sees_the_load_of_their_supervisees_only(qi_lead_client, coach, other_coach):
    profiles = qi_lead_client.get("/coaching/coaches/").context["profiles"]

    assert [p.coach for p in profiles] == [coach]


@pytest.mark.parametrize("role", ["coach", "sponsor", "team_member"])
def test_coach_load_is_for_leads(request, client, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/coaching/coaches/").status_code == 403


def test_an_assignment_for_a_coach_without_a_profile_is_refused(lead_client, project_b):
    newcomer = UserFactory()

    response = lead_client.post(
        _coaches_url(project_b), {"coach": newcomer.email, "role": "second", "starts_on": "2026-02-02"}
    )

    assert response.status_code == 200
    assert "coach" in response.context["start_form"].errors
    assert not Assignment.objects.filter(coach=newcomer).exists()


def test_capacity_changed_with_htmx_returns_the_coachs_row(lead_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(
        f"/coaching/coaches/{profile.pk}/capacity/", {"hours_per_week": "6"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "coaching/_coach_load_row.html"
    row = response.content.decode()
    assert "6.0 <a" in row  # the new hours, shown with the link to change them again
    assert "<form" not in row
    profile.refresh_from_db()
    assert profile.hours_per_week == Decimal("6.0")


def test_a_refused_capacity_with_htmx_shows_the_reason_in_the_row(lead_client, coach):
    profile = CoachProfile.objects.get(coach=coach)

    response = lead_client.post(
        f"/coaching/coaches/{profile.pk}/capacity/", {"hours_per_week": "50"}, headers={"HX-Request": "true"}
    )

    assert "Capacity is more than 0 and at most 40 hours a week." in response.content.decode()
    profile.refresh_from_db()
    assert profile.hours_per_week == Decimal("4.0")
