"""The Django admin signs people in through allauth, so rate limits and two-factor apply there too."""

import pytest
from allauth.account.models import EmailAddress

from coachprog.accounts.services import programme_lead_add
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_lead():
    user = UserFactory(email="admin.lead@nhs.net")
    programme_lead_add(user=user, admin_access=True)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_admin_login_page_sends_people_to_the_allauth_sign_in(client):
    to_admin_login = client.get("/admin/")
    to_sign_in = client.get(to_admin_login["Location"])

    assert to_admin_login["Location"] == "/admin/login/?next=/admin/"
    assert to_sign_in.status_code == 302
    assert to_sign_in["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_posting_a_password_to_the_admin_login_signs_nobody_in(client, staff_lead):
    response = client.post("/admin/login/?next=/admin/", {"username": staff_lead.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_signed_in_through_allauth_reach_the_admin(client, staff_lead):
    signed_in = client.post(
        "/accounts/login/?next=/admin/", {"login": staff_lead.email, "password": PASSWORD}
    )

    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_signed_in_people_without_admin_access_are_refused_the_admin_login(client, coach):
    client.force_login(coach)

    response = client.get("/admin/login/")

    assert response.status_code == 403
