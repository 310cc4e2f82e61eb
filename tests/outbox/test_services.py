"""The outbox: a row first, claimed before sending, each message delivered at most once."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coachprog.emails import send_templated_email
from coachprog.outbox import services
from coachprog.outbox.models import Message
from coachprog.outbox.tasks import outbox_send, outbox_sweep
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUS = Message.Status


def _queue(key="test:1", to="ana@example.org", template="outbox_test", **extra):
    return services.message_queue(key=key, template=template, context={"name": "Ana"}, to_address=to, **extra)


def test_message_queue_writes_a_row_and_sends_it_after_the_commit(
    fake_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue()
        assert Message.objects.get().status == STATUS.PENDING
        assert fake_smtp == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    message.refresh_from_db()
    assert message.status == STATUS.SENT
    assert message.attempts == 1
    assert [(m.subject, m.to, m.body) for m in fake_smtp] == [
        ("Hello Ana", ["ana@example.org"], "Dear Ana, this is a test.")
    ]
    assert fake_smtp[0].alternatives[0].content == "<p>Dear Ana</p>"


def test_message_queue_in_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    fake_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _queue()
                raise RuntimeError("the caller's work failed")
        except RuntimeError:
            pass

    assert Message.objects.count() == 0
    assert fake_smtp == []


def test_message_queue_with_the_same_key_twice_makes_one_row_and_one_email(
    fake_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(key="sponsor-monthly:2026-10:7")
        second = _queue(key="sponsor-monthly:2026-10:7")

    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(fake_smtp) == 1


def test_message_key_is_unique_in_the_database():
    MessageFactory(key="same")

    with pytest.raises(IntegrityError):
        MessageFactory(key="same")


def test_message_status_must_be_a_known_one():
    with pytest.raises(IntegrityError):
        MessageFactory(status="lost")


def test_send_task_delivered_twice_sends_once(fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue()

    assert outbox_send(message.pk) is True
    assert outbox_send(message.pk) is False  # Celery delivered the task again

    assert len(fake_smtp) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (STATUS.SENT, 1)


def test_send_does_not_touch_a_message_another_worker_has_claimed(fake_smtp):
    message = MessageFactory(status=STATUS.SENDING)

    assert services.message_send(message_id=message.pk) is False

    assert fake_smtp == []
    message.refresh_from_db()
    assert message.status == STATUS.SENDING


def test_refused_recipient_is_recorded_and_the_others_still_go(fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused = _queue(key="a", to="refused@example.org")
        fine = _queue(key="b", to="fine@example.org")

    refused.refresh_from_db()
    fine.refresh_from_db()
    assert refused.status == STATUS.FAILED
    assert refused.last_error == (
        "SMTPRecipientsRefused: {'refused@example.org': (550, b'5.1.1 No such user')}"
    )
    assert fine.status == STATUS.SENT
    assert [m.to for m in fake_smtp] == [["fine@example.org"]]


def test_deferred_recipient_is_retried_after_a_backoff(fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(to="busy@example.org")

    message.refresh_from_db()
    assert message.status == STATUS.PENDING
    assert message.attempts == 1
    assert message.last_error == "SMTPResponseException: (451, b'4.3.2 Try again later')"
    assert message.next_attempt_at - timezone.now() > timedelta(seconds=55)
    # Not due yet: a second delivery of the task does nothing.
    assert services.message_send(message_id=message.pk) is False

    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=5)):
        services.message_send(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (STATUS.PENDING, 2)
    assert message.next_attempt_at - timezone.now() > timedelta(minutes=5)


def test_smtp_server_down_is_retried_then_fails_after_the_last_attempt(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.outbox.backends.DownSmtpBackend"
    message = MessageFactory(status=STATUS.PENDING, sent_at=None)
    moment = timezone.now()

    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        moment += timedelta(hours=2)
        with time_machine.travel(moment):
            services.message_send(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt

    assert message.status == STATUS.FAILED
    assert message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert mailoutbox == []


def test_template_error_is_recorded_on_the_row_and_nothing_is_sent(
    fake_smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(template="outbox_broken")

    assert message.status == STATUS.FAILED
    assert message.last_error.startswith("Template error in “outbox_broken”: ")
    assert fake_smtp == []


def test_recipient_without_an_address_is_recorded_as_failed(fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(to="")

    assert (message.status, message.last_error) == (STATUS.FAILED, "The recipient has no e-mail address.")
    assert fake_smtp == []


def test_broker_down_the_caller_still_succeeds_and_the_sweep_sends_it_later(
    fake_smtp, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()  # the on-commit publish fails: logged, not raised

    assert Message.objects.get(pk=message.pk).status == STATUS.PENDING

    assert "the sweep will send it later" in caplog.text
    assert fake_smtp == []

    broker_down()  # the broker is back
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        outbox_sweep()

    assert Message.objects.get(pk=message.pk).status == STATUS.SENT
    assert [m.subject for m in fake_smtp] == ["Hello Ana"]


def test_sweep_queues_again_a_message_pending_for_a_few_minutes(fake_smtp):
    message = MessageFactory(status=STATUS.PENDING, sent_at=None, next_attempt_at=timezone.now())

    assert outbox_sweep() == {"interrupted": 0, "requeued": 0}  # its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert outbox_sweep() == {"interrupted": 0, "requeued": 1}

    message.refresh_from_db()
    assert message.status == STATUS.SENT
    assert len(fake_smtp) == 1


def test_sweep_marks_a_message_whose_worker_died_mid_send_unknown_and_never_sends_it_again(fake_smtp):
    claimed = timezone.now()
    message = MessageFactory(status=STATUS.SENDING, sent_at=None, claimed_at=claimed, attempts=1)

    with time_machine.travel(claimed + timedelta(minutes=5)):
        assert outbox_sweep()["interrupted"] == 0
    with time_machine.travel(claimed + timedelta(minutes=16)):
        assert outbox_sweep() == {"interrupted": 1, "requeued": 0}
        outbox_sweep()

    message.refresh_from_db()
    assert message.status == STATUS.UNKNOWN
    assert message.last_error == services.INTERRUPTED
    assert "may have been delivered" in message.last_error
    assert fake_smtp == []
    with time_machine.travel(claimed + timedelta(days=2)):
        assert outbox_sweep() == {"interrupted": 0, "requeued": 0}
    assert fake_smtp == []


def test_lead_can_choose_to_send_a_message_whose_delivery_is_unknown(
    fake_smtp, django_capture_on_commit_callbacks
):
    message = MessageFactory(status=STATUS.UNKNOWN, sent_at=None, attempts=1, last_error=services.INTERRUPTED)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(message=message)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (STATUS.SENT, 1, "")
    assert len(fake_smtp) == 1


def test_lead_can_send_a_failed_message_again(fake_smtp, django_capture_on_commit_callbacks):
    message = MessageFactory(status=STATUS.FAILED, sent_at=None, attempts=5, last_error="Refused")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(message=message)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (STATUS.SENT, 1)
    assert len(fake_smtp) == 1


@pytest.mark.parametrize("status", [STATUS.SENT, STATUS.PENDING, STATUS.HELD, STATUS.SKIPPED])
def test_only_a_failed_message_or_one_of_unknown_delivery_can_be_sent_again(status):
    message = MessageFactory(status=status, claimed_at=timezone.now())

    with pytest.raises(ValidationError, match="Only a failed message, or one whose delivery is unknown"):
        services.message_resend(message=message)


def test_send_templated_email_makes_an_outbox_row_for_the_person_with_that_address(
    fake_smtp, django_capture_on_commit_callbacks
):
    person = UserFactory(email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        (message,) = send_templated_email(
            to="ANA@example.org", template="outbox_test", context={"name": "Ana"}
        )

    assert message.recipient == person
    assert message.key.startswith("outbox_test:")
    assert Message.objects.get().status == STATUS.SENT
    assert fake_smtp[0].extra_headers["X-Coachprog-Message"] == message.key


def test_send_templated_email_without_a_key_sends_each_call(fake_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(to="a@example.org", template="outbox_test", context={"name": "A"})
        send_templated_email(to="a@example.org", template="outbox_test", context={"name": "A"})

    assert len(fake_smtp) == 2
