"""Sign-in, sign-up and password reset answer the same for known and unknown e-mail addresses."""

import pytest

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-91"


def test_sign_in_with_a_wrong_password_answers_like_an_unknown_address(client, verified_user):
    known = client.post("/accounts/login/", {"login": "known@nhs.net", "password": "wrong-password"})
    unknown = client.post("/accounts/login/", {"login": "nobody@nhs.net", "password": "wrong-password"})

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert known.context["form"].errors == {
        "__all__": ["The email address and/or password you specified are not correct."]
    }


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, verified_user, mailoutbox, django_capture_on_commit_callbacks
):
    # The e-mails go through the outbox, which sends each once its row is committed.
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password/reset/", {"email": "known@nhs.net"})
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@nhs.net"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    # Each address gets a message; only the owner of the known one can reset anything.
    assert sorted(message.to[0] for message in mailoutbox) == ["known@nhs.net", "nobody@nhs.net"]


def test_sign_up_with_a_taken_address_answers_like_a_new_one(client, verified_user, nhs_net_allowed):
    taken = client.post(
        "/accounts/signup/", {"email": "known@nhs.net", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    client.logout()
    new = client.post(
        "/accounts/signup/", {"email": "new@nhs.net", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"] == "/accounts/confirm-email/"


def test_repeated_failed_sign_ins_are_rate_limited_even_with_the_right_password(client, verified_user):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "known@nhs.net", "password": "wrong-password"})

    response = client.post("/accounts/login/", {"login": "known@nhs.net", "password": "coachprog-test"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Too many failed login attempts. Try again later."]
    }
    assert "_auth_user_id" not in client.session
