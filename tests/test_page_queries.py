"""Every list and dashboard page runs the same number of queries at two data sizes.

Each test renders a page once with a little data and once after adding more
of everything the page shows; the query count must not grow.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from coachprog.accounts.services import programme_lead_add
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    DataPointFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    PDSACycleFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.page_queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client):
    user = UserFactory()
    programme_lead_add(user=user)
    client.force_login(user)
    return user


def _coached_team(coach, *, supervisor=None):
    """A project coached by `coach`, with meetings, next steps, an update, data and cycles."""
    today = timezone.localdate()
    project = ProjectFactory()
    AssignmentFactory(coach=coach, project=project, starts_on=today - timedelta(days=90))
    TeamMembershipFactory(project=project)
    meeting = MeetingLogFactory(coach=coach, project=project, met_on=today - timedelta(days=3))
    NextStepFactory(meeting=meeting)
    MonthlyUpdateFactory(project=project, author=coach, month=today.replace(day=1))
    SupervisionLogFactory(coach=coach, supervisor=supervisor, held_on=today - timedelta(days=10))
    return project


def test_programme_overview_queries_do_not_grow(client, lead):
    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach)
        _coached_team(coach)
        cohort = CohortFactory()
        SessionFactory(cohort=cohort)
        EnrolmentFactory(cohort=cohort)

    assert_queries_do_not_grow(client, "/programme/", grow)


def test_coach_home_queries_do_not_grow(client):
    coach = UserFactory()
    CoachProfileFactory(coach=coach)
    client.force_login(coach)
    cohort = CohortFactory(starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=90))

    def grow():
        _coached_team(coach)
        session = SessionFactory(cohort=cohort)
        session.facilitators.add(coach)

    assert_queries_do_not_grow(client, "/coaching/", grow)


def test_qi_lead_home_queries_do_not_grow(client):
    qi_lead = UserFactory()
    client.force_login(qi_lead)

    def grow():
        coach = UserFactory()
        CoachProfileFactory(coach=coach, supervisor=qi_lead)
        project = _coached_team(coach, supervisor=qi_lead)
        project.directorate.qi_leads.add(qi_lead)

    assert_queries_do_not_grow(client, "/coaching/supervisees/", grow)


def test_sponsor_home_queries_do_not_grow(client):
    sponsor = UserFactory()
    client.force_login(sponsor)

    def grow():
        project = ProjectFactory(sponsor=sponsor)
        MonthlyUpdateFactory(project=project, ready=True)

    assert_queries_do_not_grow(client, "/sponsor/", grow)


def test_project_list_queries_do_not_grow(client, lead):
    assert_queries_do_not_grow(client, "/projects/", lambda: ProjectFactory())


def test_project_page_queries_do_not_grow(client, lead):
    coach = UserFactory()
    CoachProfileFactory(coach=coach)
    project = ProjectFactory()
    AssignmentFactory(coach=coach, project=project)

    def grow():
        measure = MeasureFactory(project=project)
        DataPointFactory.create_batch(3, measure=measure)
        PDSACycleFactory(project=project)
        TeamMembershipFactory(project=project)
        MeetingLogFactory(coach=coach, project=project)
        MonthlyUpdateFactory(project=project, author=coach, ready=True)

    assert_queries_do_not_grow(client, f"/projects/{project.pk}/", grow)


def test_measure_page_queries_do_not_grow(client, lead):
    measure = MeasureFactory()
    path = f"/projects/{measure.project_id}/measures/{measure.pk}/"

    assert_queries_do_not_grow(client, path, lambda: DataPointFactory(measure=measure))


def test_cohort_list_queries_do_not_grow(client, lead):
    assert_queries_do_not_grow(client, "/cohorts/", lambda: EnrolmentFactory(cohort=CohortFactory()))


def test_cohort_page_queries_do_not_grow(client, lead):
    cohort = CohortFactory()

    def grow():
        SessionFactory(cohort=cohort)
        EnrolmentFactory(cohort=cohort)

    assert_queries_do_not_grow(client, f"/cohorts/{cohort.pk}/", grow)


def test_cohort_page_for_a_participant_queries_do_not_grow(client):
    cohort = CohortFactory()
    mine = EnrolmentFactory(cohort=cohort)
    client.force_login(mine.participant)

    def grow():
        AttendanceFactory(session=SessionFactory(cohort=cohort), enrolment=mine)

    assert_queries_do_not_grow(client, f"/cohorts/{cohort.pk}/", grow)


def test_session_register_queries_do_not_grow(client, lead):
    session = SessionFactory()

    def grow():
        AttendanceFactory(session=session)

    assert_queries_do_not_grow(client, f"/cohorts/{session.cohort_id}/sessions/{session.pk}/", grow)
