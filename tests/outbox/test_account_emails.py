"""allauth's own e-mails (address verification, password reset) go through the outbox like every
other message: a row first, sent at once, never digested or switched off, and their links are
read by nobody but the recipient's inbox."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from coachprog.accounts.services import access_policy_update
from coachprog.outbox.models import REMINDER_KINDS, Choice, Message, Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"http://testserver/accounts/password/reset/key/[\w-]+/")


@pytest.fixture
def asha():
    person = UserFactory(email="asha@nhs.net", display_name="Asha Patel")
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    return person


def _reset(client, email: str, on_commit):
    with on_commit(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302
    return response


def test_password_reset_email_is_an_outbox_row_sent_at_once(
    client, asha, fake_smtp, django_capture_on_commit_callbacks
):
    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.kind, message.status, message.recipient, message.to_address, message.subject) == (
        Message.Kind.ACCOUNT,
        Message.Status.SENT,
        asha,
        "asha@nhs.net",
        "[coachprog] Password Reset Email",
    )
    assert message.key.startswith("account:password_reset_key:")
    assert [(m.to, m.subject) for m in fake_smtp] == [(["asha@nhs.net"], "[coachprog] Password Reset Email")]
    assert RESET_LINK.search(fake_smtp[0].body)
    assert fake_smtp[0].extra_headers["X-Coachprog-Message"] == message.key


def test_each_password_reset_is_its_own_message(client, asha, fake_smtp, django_capture_on_commit_callbacks):
    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)
    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)

    assert Message.objects.filter(status=Message.Status.SENT).count() == 2
    assert len(fake_smtp) == 2


def test_account_emails_ignore_digest_and_off_choices(
    client, asha, fake_smtp, django_capture_on_commit_callbacks
):
    for kind in REMINDER_KINDS:
        Preference.objects.create(user=asha, kind=kind, choice=Choice.DIGEST)

    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)

    assert Message.objects.get().status == Message.Status.SENT
    assert len(fake_smtp) == 1


def test_a_reset_for_an_unknown_address_goes_through_the_outbox_without_a_recipient(
    client, fake_smtp, django_capture_on_commit_callbacks
):
    _reset(client, "nobody@nhs.net", django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.kind, message.recipient, message.to_address, message.status) == (
        Message.Kind.ACCOUNT,
        None,
        "nobody@nhs.net",
        Message.Status.SENT,
    )
    assert message.key.startswith("account:unknown_account:")


def test_sign_up_verification_email_goes_through_the_outbox(
    client, programme_lead, fake_smtp, django_capture_on_commit_callbacks
):
    access_policy_update(
        by=programme_lead, allowed_signup_domains="nhs.net", require_two_factor_for_leads=False
    )
    password = "a-long-and-unusual-passphrase-91"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"), {"email": "new@nhs.net", "password1": password, "password2": password}
        )

    message = Message.objects.get(to_address="new@nhs.net")
    assert (message.kind, message.status, message.recipient.email, message.subject) == (
        Message.Kind.ACCOUNT,
        Message.Status.SENT,
        "new@nhs.net",
        "[coachprog] Please Confirm Your Email Address",
    )
    assert message.key.startswith("account:email_confirmation_signup:")
    assert "http://testserver/accounts/confirm-email/" in fake_smtp[0].body


def test_the_reset_link_is_not_on_the_recipients_notifications_page(
    client, asha, fake_smtp, django_capture_on_commit_callbacks
):
    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(fake_smtp[0].body).group()
    message = Message.objects.get()
    client.force_login(asha)

    listing = client.get(reverse("outbox:notifications")).content.decode()
    page = client.get(message.get_absolute_url()).content.decode()

    assert "Password Reset Email" in listing
    assert link not in page
    assert "shown only in your inbox" in page


def test_the_reset_link_is_not_on_the_outbox_page_or_in_the_admin(
    client, asha, programme_lead, fake_smtp, django_capture_on_commit_callbacks
):
    _reset(client, "asha@nhs.net", django_capture_on_commit_callbacks)
    link = RESET_LINK.search(fake_smtp[0].body).group()
    key = link.rstrip("/").rsplit("/", 1)[-1]
    message = Message.objects.get()
    programme_lead.is_staff = programme_lead.is_superuser = True
    programme_lead.save()
    client.force_login(programme_lead)

    pages = [
        reverse("outbox:status"),
        reverse("admin:outbox_message_changelist"),
        reverse("admin:outbox_message_changelist") + "?q=reset",
        reverse("admin:outbox_message_change", args=[message.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert key not in response.content.decode(), url
