"""Shared fixtures: fast password hashing, and the people of the permission matrix.

The people are placed around two projects in different directorates: project
A (the one the roles relate to) and project B (someone else's).
"""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from coachprog.accounts.services import programme_lead_add
from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    DirectorateFactory,
    ProjectFactory,
    TeamMembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directorate_a():
    return DirectorateFactory(name="Directorate A")


@pytest.fixture
def sponsor():
    return UserFactory(display_name="Sponsor of A")


@pytest.fixture
def other_sponsor():
    return UserFactory(display_name="Sponsor of B")


@pytest.fixture
def project_a(directorate_a, sponsor):
    return ProjectFactory(title="Project A", directorate=directorate_a, sponsor=sponsor)


@pytest.fixture
def project_b(other_sponsor):
    return ProjectFactory(
        title="Project B", directorate=DirectorateFactory(name="Directorate B"), sponsor=other_sponsor
    )


@pytest.fixture
def programme_lead():
    user = UserFactory(display_name="Programme lead")
    programme_lead_add(user=user)
    return user


@pytest.fixture
def qi_lead(directorate_a):
    """A QI lead of directorate A, who supervises `coach`."""
    user = UserFactory(display_name="QI lead of A")
    directorate_a.qi_leads.add(user)
    return user


@pytest.fixture
def coach(project_a, qi_lead):
    """Coaches project A now (an open assignment), supervised by the QI lead."""
    user = UserFactory(display_name="Coach of A")
    CoachProfileFactory(coach=user, supervisor=qi_lead)
    AssignmentFactory(coach=user, project=project_a)
    return user


@pytest.fixture
def other_coach(project_b):
    """Coaches project B only."""
    user = UserFactory(display_name="Coach of B")
    CoachProfileFactory(coach=user)
    AssignmentFactory(coach=user, project=project_b)
    return user


@pytest.fixture
def former_coach(project_a):
    """Coached project A until the end of 2024."""
    user = UserFactory(display_name="Former coach of A")
    CoachProfileFactory(coach=user)
    AssignmentFactory(
        coach=user,
        project=project_a,
        starts_on=date(2024, 6, 3),
        ends_on=date(2024, 12, 20),
        end_reason="Moved to another trust",
    )
    return user


@pytest.fixture
def team_member(project_a):
    return TeamMembershipFactory(project=project_a, person=UserFactory(display_name="Member of A")).person


@pytest.fixture
def unrelated_user():
    return UserFactory(display_name="Unrelated")


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def inactive_user(project_a):
    """A programme lead on project A's team whose account is switched off: they get nothing."""
    user = UserFactory(display_name="Inactive", is_active=False)
    programme_lead_add(user=user)
    TeamMembershipFactory(project=project_a, person=user)
    return user


@pytest.fixture
def lead_client(client, programme_lead):
    """A test client signed in as a programme lead."""
    client.force_login(programme_lead)
    return client


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process():
    """Tasks run in the test process even when REDIS_URL is set (as in CI), so e-mail queued by a
    test is sent by that test and never lands on a shared Redis queue."""
    from coachprog.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
