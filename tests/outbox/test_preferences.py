"""Each person chooses how they get each kind of reminder, and can unsubscribe in one click."""

import json
from datetime import UTC, date, datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from coachprog.outbox import services
from coachprog.outbox.models import Message, Preference
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND, CHOICE, STATUS = Message.Kind, Preference.Choice, Message.Status


def _reminder(person, key="reminder:1", kind=KIND.SESSION_REMINDER):
    return services.message_queue(
        key=key, template="outbox_test", context={"name": person.display_name}, kind=kind, recipient=person
    )


@pytest.fixture
def person():
    return UserFactory(display_name="Ana", email="ana@example.org")


def test_reminder_goes_straight_away_by_default(person, fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _reminder(person)

    assert Message.objects.get(pk=message.pk).status == STATUS.SENT
    assert [m.to for m in fake_smtp] == [["ana@example.org"]]


def test_reminder_switched_off_is_recorded_as_skipped_and_not_sent(
    person, fake_smtp, django_capture_on_commit_callbacks
):
    services.preference_set(user=person, kind=KIND.SESSION_REMINDER, choice=CHOICE.NONE)

    with django_capture_on_commit_callbacks(execute=True):
        message = _reminder(person)

    assert message.status == STATUS.SKIPPED
    assert fake_smtp == []


def test_digest_holds_reminders_until_the_weekly_digest_carries_them_once(
    person, fake_smtp, django_capture_on_commit_callbacks
):
    services.preference_set(user=person, kind=KIND.SESSION_REMINDER, choice=CHOICE.DIGEST)
    services.preference_set(user=person, kind=KIND.COACH_NUDGE, choice=CHOICE.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        first = _reminder(person, key="r:1")
        second = _reminder(person, key="r:2", kind=KIND.COACH_NUDGE)
    assert fake_smtp == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_queue(today=date(2026, 11, 23)) == 1
        assert services.digests_queue(today=date(2026, 11, 23)) == 0  # a second tick

    digest = Message.objects.get(kind=KIND.DIGEST)
    assert digest.key == f"digest:2026-W48:{person.pk}"
    assert digest.status == STATUS.SENT
    assert list(digest.digested_messages.order_by("pk")) == [first, second]
    assert set(Message.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        STATUS.DIGESTED
    }
    assert [m.subject for m in fake_smtp] == ["Your weekly coachprog digest: 2 messages"]
    assert fake_smtp[0].body.count("Dear Ana, this is a test.") == 2


def test_sponsor_update_cannot_be_switched_off(person):
    with pytest.raises(ValidationError) as error:
        services.preference_set(user=person, kind=KIND.SPONSOR_UPDATE, choice=CHOICE.NONE)

    assert error.value.message_dict == {
        "choice": ["Sponsors always receive the monthly update; you can move it to the weekly digest."]
    }


def test_database_refuses_switching_the_sponsor_update_off(person):
    with pytest.raises(IntegrityError):
        Preference.objects.create(user=person, kind=KIND.SPONSOR_UPDATE, choice=CHOICE.NONE)


def test_general_email_is_not_a_choice(person):
    with pytest.raises(ValidationError) as error:
        services.preference_set(user=person, kind=KIND.GENERAL, choice=CHOICE.NONE)

    assert list(error.value.message_dict) == ["kind"]


def test_reminder_carries_list_unsubscribe_headers_and_a_signed_link(
    person, fake_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reminder(person)

    (email,) = fake_smtp
    link = services.unsubscribe_url(user_id=person.pk, kind=KIND.SESSION_REMINDER)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.body.endswith(f"Unsubscribe: {link}")
    assert "List-Unsubscribe" in email.message().as_string()


def test_general_email_has_no_unsubscribe_header(person, fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _reminder(person, kind=KIND.GENERAL)

    assert "List-Unsubscribe" not in fake_smtp[0].extra_headers


def test_unsubscribe_link_shows_a_button_without_changing_anything(client, person):
    token = services.unsubscribe_token(user_id=person.pk, kind=KIND.COACH_NUDGE)

    response = client.get(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 200
    assert "team meeting nudges" in response.content.decode()
    assert Preference.objects.count() == 0


def test_one_click_unsubscribe_works_without_signing_in(client, person):
    token = services.unsubscribe_token(user_id=person.pk, kind=KIND.COACH_NUDGE)

    response = client.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert services.preference_for(user=person, kind=KIND.COACH_NUDGE) == CHOICE.NONE


def test_sponsor_unsubscribing_moves_the_update_to_the_digest(client, person):
    token = services.unsubscribe_token(user_id=person.pk, kind=KIND.SPONSOR_UPDATE)

    client.post(f"/notifications/unsubscribe/{token}/")

    assert services.preference_for(user=person, kind=KIND.SPONSOR_UPDATE) == CHOICE.DIGEST


def test_tampered_unsubscribe_link_is_not_found(client, person):
    token = services.unsubscribe_token(user_id=person.pk, kind=KIND.COACH_NUDGE)
    other = UserFactory()
    # The same signature on a payload naming someone else.
    _, stamp_and_signature = token.split(":", 1)
    payload = signing.b64_encode(
        json.dumps([other.pk, KIND.COACH_NUDGE.value], separators=(",", ":")).encode()
    )
    forged = f"{payload.decode()}:{stamp_and_signature}"
    assert forged != token

    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}x/").status_code == 404
    assert Preference.objects.count() == 0


def test_unsubscribe_link_expires_after_a_year(client, person, time_machine):
    time_machine.move_to(datetime(2025, 1, 6, 9, tzinfo=UTC), tick=False)
    token = services.unsubscribe_token(user_id=person.pk, kind=KIND.COACH_NUDGE)

    time_machine.move_to(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False)  # 364 days on: still works
    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 200
    time_machine.move_to(datetime(2026, 1, 7, 9, tzinfo=UTC), tick=False)  # 366 days on
    response = client.post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 410
    assert "This unsubscribe link has expired" in response.content.decode()
    assert Preference.objects.count() == 0
    with pytest.raises(signing.SignatureExpired):
        services.unsubscribe_token_read(token)


def test_unsubscribe_token_signed_for_another_purpose_is_refused(person):
    token = signing.dumps([person.pk, KIND.COACH_NUDGE.value], salt="something-else")

    with pytest.raises(signing.BadSignature):
        services.unsubscribe_token_read(token)


def test_preferences_page_saves_each_choice(client, person):
    client.force_login(person)
    data = {
        "session_reminder": "digest",
        "session_change": "immediate",
        "sponsor_update": "digest",
        "coach_reminder": "none",
        "coach_nudge": "none",
    }

    response = client.post("/notifications/preferences/", data)

    assert response.status_code == 302
    assert dict(Preference.objects.filter(user=person).values_list("kind", "choice")) == data


def test_preferences_page_offers_no_off_switch_for_the_sponsor_update(client, person):
    client.force_login(person)

    response = client.post("/notifications/preferences/", {"sponsor_update": "none"})

    assert response.status_code == 200
    assert response.context["form"].errors["sponsor_update"] == [
        "Select a valid choice. none is not one of the available choices."
    ]
    assert Preference.objects.count() == 0


def test_notification_rows_never_show_another_persons_message(client, person):
    MessageFactory(recipient=person, subject="Mine")
    MessageFactory(subject="Someone else's")
    client.force_login(person)

    response = client.get("/notifications/")

    assert [m.subject for m in response.context["page"].object_list] == ["Mine"]
