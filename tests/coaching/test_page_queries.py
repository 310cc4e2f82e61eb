"""Coaching pages run the same number of queries at two data sizes (see tests/test_page_queries.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    CohortFactory,
    EnrolmentFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.page_queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def _team_with_history(coach, *, directorate=None):
    """A team coached by `coach` with several meetings (scores), next steps, an update and supervision."""
    today = timezone.localdate()
    project = ProjectFactory(**({"directorate": directorate} if directorate else {}))
    AssignmentFactory(coach=coach, project=project, starts_on=today - timedelta(days=200))
    TeamMembershipFactory(project=project)
    for days in (3, 40, 90):
        meeting = MeetingLogFactory(coach=coach, project=project, met_on=today - timedelta(days=days))
        NextStepFactory(meeting=meeting)
    MonthlyUpdateFactory(project=project, author=coach, month=today.replace(day=1))
    SupervisionLogFactory(coach=coach, held_on=today - timedelta(days=10))
    return project


def test_coach_home_queries_do_not_grow_with_teams_logs_and_sessions(client):
    coach = UserFactory()
    CoachProfileFactory(coach=coach)
    client.force_login(coach)
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today, ends_on=today + timedelta(days=90))
    EnrolmentFactory(cohort=cohort, participant=coach)

    def grow():
        _team_with_history(coach)
        SessionFactory(cohort=cohort)

    assert_queries_do_not_grow(client, "/coaching/", grow)


@pytest.mark.parametrize("path", ["/coaching/overview/", "/coaching/overview/?cohort=1"])
def test_lead_overview_queries_do_not_grow(lead_client, path):
    cohort = CohortFactory(pk=1)

    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach)
        EnrolmentFactory(cohort=cohort, participant=coach)
        _team_with_history(coach)
        ProjectFactory()  # a team without a coach

    assert_queries_do_not_grow(lead_client, path, grow)


def test_qi_lead_overview_queries_do_not_grow(client, qi_lead, directorate_a):
    client.force_login(qi_lead)

    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach, supervisor=qi_lead)
        _team_with_history(coach, directorate=directorate_a)

    assert_queries_do_not_grow(client, "/coaching/overview/", grow)


def test_coach_load_queries_do_not_grow(lead_client):
    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach)
        _team_with_history(coach)
        _team_with_history(coach)

    assert_queries_do_not_grow(lead_client, "/coaching/coaches/", grow)


def test_supervision_list_queries_do_not_grow(client, qi_lead):
    client.force_login(qi_lead)

    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach, supervisor=qi_lead)
        SupervisionLogFactory(coach=coach, supervisor=qi_lead)

    assert_queries_do_not_grow(client, "/coaching/supervision/", grow)


def test_meeting_form_queries_do_not_grow_with_the_team_and_its_next_steps(coach_client, coach, project_a):
    def grow():
        TeamMembershipFactory(project=project_a)
        NextStepFactory(meeting=MeetingLogFactory(coach=coach, project=project_a))

    assert_queries_do_not_grow(coach_client, f"/coaching/teams/{project_a.pk}/meetings/new/", grow)


def test_programme_health_queries_do_not_grow_with_coaches_and_logs(lead_client):
    cohort = CohortFactory()

    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach)
        EnrolmentFactory(cohort=cohort, participant=coach, status="completed")
        _team_with_history(coach)

    assert_queries_do_not_grow(lead_client, "/programme/health/", grow)
