"""What every request costs before its view runs, and sessions that still expire after inactivity.

A signed-in page pays for its session, its user and one query about that user (roles and
two-factor state, coachprog.accounts.flags); the session is written again only when its expiry
is due to move (coachprog.sessions). The timings are in docs/performance.md ("Per-request cost").
"""

from datetime import datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from coaching.roles import Role, roles_for
from coachprog.accounts.flags import user_flags
from coachprog.accounts.services import access_policy_update
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    CoachProfileFactory,
    EnrolmentFactory,
    ProjectFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def person():
    """Someone with most roles at once: coach, sponsor, team member and participant."""
    user = UserFactory()
    CoachProfileFactory(coach=user)
    AssignmentFactory(coach=user, project=ProjectFactory())
    ProjectFactory(sponsor=user)
    TeamMembershipFactory(person=user)
    EnrolmentFactory(participant=user)
    return user


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_healthz_runs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/welcome/", "/accounts/password/change/"])
def test_signed_in_page_runs_three_queries_before_its_view(signed_in, path, django_assert_num_queries):
    # The session, the user, and one query for the navigation's roles and the two-factor check.
    with django_assert_num_queries(3):
        response = signed_in.get(path)

    assert response.status_code == 200


def test_programme_lead_page_needs_no_more_queries_for_the_two_factor_check(
    client, programme_lead, django_assert_num_queries
):
    access_policy_update(by=programme_lead, allowed_signup_domains="", require_two_factor_for_leads=True)
    client.force_login(programme_lead)

    with django_assert_num_queries(3):
        response = client.get("/accounts/password/change/")

    assert response.status_code == 200
    assert 'href="/programme/"' in response.content.decode()


def test_roles_come_from_the_one_query_about_the_user(person, django_assert_num_queries):
    with django_assert_num_queries(1):
        flags = user_flags(person)
        roles = roles_for(person)

    assert roles == [Role.COACH, Role.SPONSOR, Role.TEAM_MEMBER, Role.PARTICIPANT]
    assert flags["two_factor_required"] is False
    assert flags["has_authenticator_app"] is False
    assert person.is_programme_lead is False


def test_session_is_not_written_again_while_its_expiry_need_not_move(signed_in, time_machine):
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.SESSION_REFRESH_AFTER - 5), tick=False)
    expires = _session_row(signed_in).expire_date

    response = signed_in.get("/welcome/")

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert _session_row(signed_in).expire_date == expires


def test_session_is_written_again_once_its_expiry_is_due_to_move(signed_in, time_machine):
    later = timezone.now() + timedelta(seconds=settings.SESSION_REFRESH_AFTER + 1)
    time_machine.move_to(later, tick=False)

    response = signed_in.get("/welcome/")

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert _session_row(signed_in).expire_date == later + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_session_ends_after_the_cookie_age_without_a_request(client, person, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(person)
    client.get("/welcome/")

    time_machine.move_to(START + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1), tick=False)
    response = client.get("/welcome/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_of_someone_at_work_outlives_the_cookie_age(client, person, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(person)
    step = settings.SESSION_COOKIE_AGE // 3

    # A request every third of the age, for twice the age: each one moves the expiry.
    for n in range(7):
        time_machine.move_to(START + timedelta(seconds=n * step), tick=False)
        response = client.get("/welcome/")
        assert response.status_code == 200, n


def test_signing_in_and_out_writes_the_session_and_leaves_none_behind(client, person):
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    client.get("/accounts/login/")
    assert not Session.objects.exists()  # a visitor who has not signed in has no session row

    signed_in = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert Session.objects.count() == 1
    assert client.get("/welcome/").status_code == 200

    signed_out = client.post("/accounts/logout/")
    assert signed_out.status_code == 302
    assert not Session.objects.exists()
    assert client.get("/welcome/").status_code == 302
