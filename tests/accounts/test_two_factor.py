"""Optional two-factor authentication (TOTP, recovery codes), which the site can require of leads."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from coachprog.accounts.models import AccessPolicy
from coachprog.accounts.services import access_policy_update
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def two_factor_required(programme_lead):
    return access_policy_update(
        by=programme_lead, allowed_signup_domains="", require_two_factor_for_leads=True
    )


@pytest.fixture
def lead_with_address(programme_lead):
    EmailAddress.objects.create(user=programme_lead, email=programme_lead.email, primary=True, verified=True)
    return programme_lead


def test_lead_without_two_factor_is_sent_to_set_it_up_when_required(lead_client, two_factor_required):
    response = lead_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("path", ["/cohorts/", "/projects/", "/people/invitations/", "/admin/"])
def test_every_page_waits_for_the_lead_to_set_up_two_factor(lead_client, two_factor_required, path):
    response = lead_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_lead_without_two_factor_uses_the_site_when_it_is_optional(lead_client):
    response = lead_client.get("/people/invitations/")

    assert response.status_code == 200


def test_lead_with_an_authenticator_app_uses_the_site_when_required(
    lead_client, programme_lead, two_factor_required
):
    TOTP.activate(programme_lead, generate_totp_secret())

    response = lead_client.get("/people/invitations/")

    assert response.status_code == 200


def test_people_who_are_not_leads_are_never_asked_for_two_factor(client, coach, two_factor_required):
    client.force_login(coach)

    response = client.get("/projects/")

    assert response.status_code == 200


def test_lead_signs_in_sets_up_an_authenticator_app_and_carries_on(
    client, lead_with_address, two_factor_required
):
    client.post("/accounts/login/", {"login": lead_with_address.email, "password": PASSWORD})
    sent_to_setup = client.get("/people/invitations/")
    # allauth asks for the password again before changing how someone signs in.
    asked_again = client.get(sent_to_setup["Location"])
    client.post(asked_again["Location"], {"password": PASSWORD})
    setup_page = client.get(sent_to_setup["Location"])
    secret = client.session[SECRET_SESSION_KEY]

    activated = client.post("/accounts/2fa/totp/activate/", {"code": _current_code(secret)})
    afterwards = client.get("/people/invitations/")

    assert sent_to_setup["Location"] == "/accounts/2fa/totp/activate/"
    assert asked_again["Location"].startswith("/accounts/reauthenticate/")
    assert setup_page.status_code == 200
    # allauth's page inside our layout; the QR code is a data: image, which the CSP allows.
    assert "cp-manage-card" in setup_page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in setup_page.content.decode()
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=lead_with_address, type=Authenticator.Type.TOTP).exists()
    assert afterwards.status_code == 200


def test_sign_in_with_an_authenticator_app_asks_for_a_code(client, lead_with_address):
    secret = generate_totp_secret()
    TOTP.activate(lead_with_address, secret)

    password_step = client.post("/accounts/login/", {"login": lead_with_address.email, "password": PASSWORD})
    before_code = client.get("/people/invitations/")
    code_step = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})

    assert password_step["Location"] == "/accounts/2fa/authenticate/"
    assert before_code.status_code == 302
    assert before_code["Location"].startswith("/accounts/login/")
    assert code_step.status_code == 302
    assert client.get("/people/invitations/").status_code == 200


def test_two_factor_page_is_themed_and_offers_recovery_codes(client, lead_with_address):
    client.force_login(lead_with_address)

    response = client.get("/accounts/2fa/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "cp-manage-card" in body
    assert "/accounts/2fa/totp/activate/" in body
    assert "Recovery Codes" in body or "recovery codes" in body.lower()


@pytest.mark.no_saved_policy
def test_a_new_site_requires_two_factor_of_its_programme_leads(lead_client):
    assert AccessPolicy.current().require_two_factor_for_leads is True

    response = lead_client.get("/people/invitations/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.no_saved_policy
@pytest.mark.parametrize("path", ["/admin/", "/projects/"])
def test_a_new_site_requires_two_factor_of_anyone_who_can_open_the_admin(client, path):
    administrator = UserFactory(is_staff=True)
    client.force_login(administrator)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.no_saved_policy
def test_a_new_site_asks_nobody_else_for_two_factor(client, coach):
    client.force_login(coach)

    assert client.get("/projects/").status_code == 200


def test_administrator_without_two_factor_is_stopped_at_the_admin_when_required(client, two_factor_required):
    administrator = UserFactory(is_staff=True)
    client.force_login(administrator)

    response = client.get("/admin/")

    assert response["Location"] == "/accounts/2fa/totp/activate/"
