"""A programme lead invites someone by e-mail: the link expires, can be revoked, pre-verifies the address."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.utils import timezone

from coachprog.accounts.models import Invitation, User
from coachprog.accounts.services import invitation_revoke, invitation_send, invitation_url

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-91"


def _link_path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_invitation_send_emails_a_link_valid_for_14_days(
    programme_lead, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://coachprog.example.nhs.uk"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(email="New.Coach@NHS.net", invited_by=programme_lead)

    assert invitation.email == "new.coach@nhs.net"
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.coach@nhs.net"]
    assert message.subject == "You are invited to coachprog"
    link = re.search(r"https://coachprog\.example\.nhs\.uk/people/invitations/accept/\S+/", message.body)
    assert link is not None
    assert link.group(0) in message.alternatives[0][0]


def test_invitation_send_to_someone_with_an_account_is_refused(programme_lead, verified_user):
    with pytest.raises(ValidationError) as refused:
        invitation_send(email="KNOWN@nhs.net", invited_by=programme_lead)

    assert refused.value.message_dict == {
        "email": ["Someone with this e-mail address already has an account."]
    }
    assert not Invitation.objects.exists()


def test_invitation_send_again_replaces_the_open_invitation(programme_lead, client):
    first = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    second = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)

    first.refresh_from_db()
    assert first.status == "revoked"
    assert second.status == "pending"
    assert client.get(_link_path(invitation_url(first))).status_code == 404
    assert client.get(_link_path(invitation_url(second))).status_code == 302


def test_invited_person_signs_up_with_a_prefilled_verified_address(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)

    followed = client.get(_link_path(invitation_url(invitation)))
    form_page = client.get(followed["Location"])
    signed_up = client.post(
        "/accounts/signup/",
        {"email": "new.coach@nhs.net", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert followed["Location"] == "/accounts/signup/"
    assert form_page.context["form"].fields["email"].initial == "new.coach@nhs.net"
    user = User.objects.get(email="new.coach@nhs.net")
    # The invitation reached the inbox, so no confirmation e-mail is needed: straight in.
    assert EmailAddress.objects.get(user=user).verified is True
    assert signed_up.status_code == 302
    assert signed_up["Location"] == "/"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == user


def test_invitation_does_not_open_sign_up_for_another_address(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    client.get(_link_path(invitation_url(invitation)))

    response = client.post(
        "/accounts/signup/",
        {"email": "someone.else@gmail.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Sign-up is by invitation only. Use the address your invitation was sent to, "
        "or ask your programme lead for an invitation."
    ]
    assert not User.objects.filter(email="someone.else@gmail.com").exists()


def test_expired_invitation_link_does_not_work(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)

    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = client.get(_link_path(invitation_url(invitation)))
        signup = client.get("/accounts/signup/")

    assert response.status_code == 404
    assert "This invitation does not work" in response.content.decode()
    assert "Sign-up is by invitation" in signup.content.decode()
    assert "password1" not in signup.content.decode()


def test_revoked_invitation_link_does_not_work(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    invitation_revoke(invitation=invitation)

    response = client.get(_link_path(invitation_url(invitation)))

    assert response.status_code == 404


def test_tampered_invitation_link_does_not_work(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    path = _link_path(invitation_url(invitation))

    response = client.get(path[:-3] + "xx/")

    assert response.status_code == 404
    assert "coachprog_invitation" not in client.session


def test_accepted_invitation_cannot_be_revoked(programme_lead, client):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    client.get(_link_path(invitation_url(invitation)))
    client.post(
        "/accounts/signup/",
        {"email": "new.coach@nhs.net", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    invitation.refresh_from_db()

    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation)


def test_lead_invites_someone_from_the_invitations_page(
    lead_client, programme_lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post("/people/invitations/new/", {"email": "new.coach@nhs.net"})
    page = lead_client.get("/people/invitations/")

    assert response.status_code == 302
    assert response["Location"] == "/people/invitations/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.invited_by) == ("new.coach@nhs.net", programme_lead)
    assert [m.to for m in mailoutbox] == [["new.coach@nhs.net"]]
    assert "new.coach@nhs.net" in page.content.decode()
    assert f'action="/people/invitations/{invitation.pk}/revoke/"' in page.content.decode()


def test_lead_sees_why_an_invitation_was_refused(lead_client, verified_user):
    response = lead_client.post("/people/invitations/new/", {"email": "known@nhs.net"})

    assert response.status_code == 400
    assert "Someone with this e-mail address already has an account." in response.content.decode()


def test_lead_revokes_an_invitation(lead_client, programme_lead):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)

    response = lead_client.post(f"/people/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_revoking_needs_a_post(lead_client, programme_lead):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)

    response = lead_client.get(f"/people/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/people/invitations/"),
        ("post", "/people/invitations/new/"),
        ("post", "/people/invitations/{pk}/revoke/"),
        ("get", "/people/access/"),
        ("post", "/people/access/"),
    ],
)
def test_invitation_and_access_pages_are_for_programme_leads_only(
    client, coach, programme_lead, method, path
):
    invitation = invitation_send(email="new.coach@nhs.net", invited_by=programme_lead)
    client.force_login(coach)

    response = getattr(client, method)(
        path.format(pk=invitation.pk), {"email": "x@nhs.net", "allowed_signup_domains": "gmail.com"}
    )

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert Invitation.objects.count() == 1
