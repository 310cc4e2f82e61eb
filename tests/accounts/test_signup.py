"""Sign-up is for invited people and for e-mail domains a programme lead allows."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from coachprog.accounts.models import AccessPolicy, User
from coachprog.accounts.services import access_policy_update

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-91"


def _sign_up(client, email: str):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_sign_up_is_closed_without_an_invitation_or_allowed_domain(client):
    page = client.get("/accounts/signup/")
    response = _sign_up(client, "stranger@nhs.net")

    assert page.status_code == 200
    assert "Sign-up is by invitation" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()
    assert "Sign-up is by invitation" in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_with_an_allowed_domain_creates_an_account_awaiting_confirmation(
    client, nhs_net_allowed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        response = _sign_up(client, "New.Starter@NHS.net")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    address = EmailAddress.objects.get(email="new.starter@nhs.net")
    assert address.verified is False
    assert [message.to for message in mailoutbox] == [["new.starter@nhs.net"]]


def test_sign_up_with_another_domain_is_refused_with_a_clear_message(client, nhs_net_allowed):
    response = _sign_up(client, "someone@gmail.com")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Sign-up is open only to people invited by a programme lead and to e-mail addresses at nhs.net. "
        "Ask your programme lead for an invitation."
    ]
    assert not User.objects.filter(email="someone@gmail.com").exists()


def test_subdomain_of_an_allowed_domain_is_not_allowed(client, nhs_net_allowed):
    response = _sign_up(client, "someone@evil.nhs.net")

    assert response.context["form"].errors["email"] == [
        "Sign-up is open only to people invited by a programme lead and to e-mail addresses at nhs.net. "
        "Ask your programme lead for an invitation."
    ]
    assert not User.objects.filter(email="someone@evil.nhs.net").exists()


def test_access_policy_update_cleans_the_domain_list(programme_lead):
    policy = access_policy_update(
        by=programme_lead,
        allowed_signup_domains=" @NHS.net, elft.nhs.uk\nnhs.net ",
        require_two_factor_for_leads=True,
    )

    assert policy.allowed_signup_domains == "nhs.net\nelft.nhs.uk"
    assert AccessPolicy.current().domains == ["nhs.net", "elft.nhs.uk"]
    assert AccessPolicy.current().require_two_factor_for_leads is True
    assert policy.updated_by == programme_lead


@pytest.mark.parametrize("bad", ["gmail", "nhs .net", "-nhs.net", "<script>.com", "x@y.com"])
def test_access_policy_update_refuses_what_is_not_a_domain(programme_lead, bad):
    with pytest.raises(ValidationError) as refused:
        access_policy_update(
            by=programme_lead, allowed_signup_domains=bad, require_two_factor_for_leads=False
        )

    assert list(refused.value.message_dict) == ["allowed_signup_domains"]
    assert AccessPolicy.objects.get().allowed_signup_domains == ""  # nothing saved


def test_lead_edits_the_allowed_domains_on_the_access_page(lead_client, programme_lead):
    page = lead_client.get("/people/access/")
    response = lead_client.post(
        "/people/access/",
        {"allowed_signup_domains": "nhs.net\nelft.nhs.uk", "require_two_factor_for_leads": ""},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    policy = AccessPolicy.current()
    assert policy.domains == ["nhs.net", "elft.nhs.uk"]
    assert policy.require_two_factor_for_leads is False
    # The change is kept: who loosened sign-up, and when.
    assert [(h.history_user, h.allowed_signup_domains) for h in policy.history.filter(history_type="~")] == [
        (programme_lead, "nhs.net\nelft.nhs.uk")
    ]


def test_lead_sees_which_domain_is_wrong(lead_client):
    response = lead_client.post("/people/access/", {"allowed_signup_domains": "nhs.net\nnot a domain"})

    assert response.status_code == 400
    assert "“not” is not an e-mail domain such as nhs.net." in response.content.decode()
    assert AccessPolicy.objects.get().allowed_signup_domains == ""  # nothing saved
