"""Writes for the outbox: queue a message, send one, sweep, digests and preferences.

Delivery rules, in one place:
- `message_queue` writes the row in the caller's transaction and queues the send task
  once that transaction commits. If the broker is down the caller still succeeds: the row
  waits, and the sweep queues it when the broker is back.
- `message_send` claims the row with a conditional UPDATE (pending → sending, only if
  exactly one row changed) before it talks to SMTP, with no transaction open. A task
  delivered twice finds nothing to claim.
- A transient SMTP error puts the row back to pending with a later `next_attempt_at`
  (backoff); a permanent one (refused recipient, no address, template error) marks it
  failed with the reason. Either way the other messages go on.
- A row left in `sending` (the worker died mid-send) is marked `unknown`, never re-sent: we
  cannot know whether SMTP accepted it, and the rule is that nobody gets a message twice
  unless a programme lead, told that it may have been delivered, chooses to send it again.
"""

import logging
import smtplib
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from coachprog.outbox.models import REMINDER_KINDS, Choice, Kind, Message, Preference, Status
from coachprog.outbox.rendering import render_templated_email
from coachprog.redaction import Redaction

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "coachprog.outbox.unsubscribe"
# An unsubscribe link works for a year: long enough for any e-mail someone still acts on,
# short enough that a leaked old message does not change a person's choices for ever.
UNSUBSCRIBE_MAX_AGE = timedelta(days=365)
# Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A countdown must stay well inside Redis's visibility timeout (an hour), or Redis would
# hand the task to a second worker; longer waits are left to the sweep.
MAX_COUNTDOWN = timedelta(minutes=15)
INTERRUPTED = (
    "The worker stopped while sending this message, so it may have been delivered. "
    "It is not sent again automatically, so that nobody gets it twice."
)
# What a programme lead may send again: failed messages, and (knowing the recipient may then
# have it twice) messages whose delivery is unknown.
RESENDABLE = (Status.FAILED, Status.UNKNOWN)


def _setting(name: str, default: timedelta) -> timedelta:
    value = getattr(settings, name, default)
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def requeue_after() -> timedelta:
    """How long a pending message waits for its own task before the sweep queues it again."""
    return _setting("OUTBOX_REQUEUE_AFTER", timedelta(minutes=3))


def stuck_after() -> timedelta:
    """How long a message may stay `sending` before we are sure its worker has died (then `unknown`)."""
    return _setting("OUTBOX_STUCK_AFTER", timedelta(minutes=15))


# --- preferences and unsubscribe links ------------------------------------------------


def preference_for(*, user, kind: str) -> str:
    """The person's choice for a kind of reminder: straight away unless they chose otherwise."""
    if kind not in REMINDER_KINDS or user is None:
        return Choice.IMMEDIATE
    choice = Preference.objects.filter(user=user, kind=kind).values_list("choice", flat=True).first()
    return choice or Choice.IMMEDIATE


def preference_set(*, user, kind: str, choice: str) -> Preference:
    """Record how the person wants this kind of reminder; the sponsor update cannot be switched off."""
    if kind not in REMINDER_KINDS:
        raise ValidationError({"kind": f"“{kind}” is not a kind of reminder you can choose."})
    if choice not in Choice.values:
        raise ValidationError({"choice": f"“{choice}” is not a choice."})
    if kind == Kind.SPONSOR_UPDATE and choice == Choice.NONE:
        raise ValidationError(
            {"choice": "Sponsors always receive the monthly update; you can move it to the weekly digest."}
        )
    preference, _ = Preference.objects.update_or_create(user=user, kind=kind, defaults={"choice": choice})
    return preference


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed, timestamped token naming a person and a kind of reminder (valid for UNSUBSCRIBE_MAX_AGE)."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """The person and kind a token names; raises signing.SignatureExpired when it is over a year old,
    and signing.BadSignature when it was tampered with."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not (isinstance(value, list) and len(value) == 2 and value[1] in REMINDER_KINDS):
        raise signing.BadSignature("Not an unsubscribe token.")
    return int(value[0]), value[1]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("outbox:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return settings.SITE_URL + path


def unsubscribe_choice(kind: str) -> str:
    """What unsubscribing means: off, except for the sponsor update, which moves to the digest."""
    return Choice.DIGEST if kind == Kind.SPONSOR_UPDATE else Choice.NONE


def unsubscribe(*, user, kind: str) -> Preference:
    """Act on a one-click unsubscribe link."""
    return preference_set(user=user, kind=kind, choice=unsubscribe_choice(kind))


# --- queueing -------------------------------------------------------------------------


def _enqueue(message_id: int, countdown: float | None = None) -> None:
    """Hand the message to a worker; if the broker is unreachable, log it and let the sweep retry."""
    from coachprog.outbox.tasks import outbox_send  # tasks import this module

    try:
        outbox_send.apply_async(args=[message_id], countdown=countdown)
    except Exception:  # noqa: BLE001 - a down broker must never fail the caller's request
        logger.warning("Could not queue outbox message %s; the sweep will send it later.", message_id)


def message_queue(
    *,
    key: str,
    template: str = "",
    context: dict | None = None,
    kind: str = Kind.GENERAL,
    recipient=None,
    to_address: str | None = None,
    attachments: list[dict] | None = None,
    rendered: tuple[str, str, str] | None = None,
) -> Message:
    """Write the message once per key (a second call returns the first row) and send it after commit.

    It is rendered from `template` with `context`, or comes `rendered` as (subject, text, HTML) by
    someone else's templates (allauth's own e-mails).
    """
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    address = (to_address if to_address is not None else getattr(recipient, "email", "")) or ""
    choice = preference_for(user=recipient, kind=kind)
    status = {Choice.DIGEST: Status.HELD, Choice.NONE: Status.SKIPPED}.get(choice, Status.PENDING)
    headers: dict[str, str] = {}
    context = {"site_url": settings.SITE_URL, "recipient": recipient, **(context or {})}
    context["preferences_url"] = settings.SITE_URL + reverse("outbox:preferences")
    if recipient is not None and kind in REMINDER_KINDS:
        link = unsubscribe_url(user_id=recipient.pk, kind=kind)
        context["unsubscribe_url"] = link
        context["unsubscribe_label"] = Kind(kind).label.lower()
        context["unsubscribe_to_digest"] = unsubscribe_choice(kind) == Choice.DIGEST
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    last_error = ""
    try:
        subject, text, html = rendered or render_templated_email(template=template, context=context)
    except Exception as error:  # noqa: BLE001 - a template bug fails this message, not the others
        subject, text, html = f"({template} could not be rendered)", "", ""
        status, last_error = Status.FAILED, f"Template error in “{template}”: {error}"
    if not address and status in {Status.PENDING, Status.HELD}:
        status, last_error = Status.FAILED, "The recipient has no e-mail address."
    now = timezone.now()
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "to_address": address,
            "subject": subject[:300],
            "text": text,
            "html": html,
            "attachments": attachments or [],
            "headers": headers,
            "status": status,
            "last_error": last_error,
            "next_attempt_at": now,
        },
    )
    if created and message.status == Status.PENDING:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


# --- sending --------------------------------------------------------------------------


def _permanent(error: Exception) -> bool:
    """A refusal (5xx) will not change on retry; timeouts, disconnections and 4xx might."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={**message.headers, "X-Coachprog-Message": message.key},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["content_type"])
    return email


def _fail(message_id: int, reason: str) -> None:
    Message.objects.filter(pk=message_id, status=Status.SENDING).update(
        status=Status.FAILED, last_error=reason
    )


def message_send(*, message_id: int) -> bool:
    """Claim a pending, due message and send it; True only if this call delivered it to SMTP."""
    now = timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False  # sent, being sent, failed, or not yet due: another delivery of this task
    message = Message.objects.get(pk=message_id)
    if not message.to_address:
        _fail(message_id, "The recipient has no e-mail address.")
        return False
    try:
        _email(message).send()
    except (smtplib.SMTPException, OSError) as error:
        reason = f"{type(error).__name__}: {error}"
        if _permanent(error) or message.attempts >= MAX_ATTEMPTS:
            _fail(message_id, reason)
            logger.warning("Outbox message %s failed: %s", message_id, reason)
            return False
        delay = RETRY_DELAYS[message.attempts - 1]
        Message.objects.filter(pk=message_id, status=Status.SENDING).update(
            status=Status.PENDING, next_attempt_at=timezone.now() + delay, last_error=reason
        )
        if delay <= MAX_COUNTDOWN:
            _enqueue(message_id, countdown=delay.total_seconds())
        return False
    Message.objects.filter(pk=message_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Mark as `unknown` messages whose worker died mid-send; queue again pending messages nobody has sent."""
    now = now or timezone.now()
    interrupted = Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - stuck_after()).update(
        status=Status.UNKNOWN, last_error=INTERRUPTED
    )
    if interrupted:
        logger.warning(
            "%s outbox message(s) may or may not have been delivered: see the outbox page.", interrupted
        )
    due = list(
        Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - requeue_after())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    # Restart each one's wait, so a slow queue does not get it queued again every minute.
    Message.objects.filter(pk__in=due, status=Status.PENDING).update(next_attempt_at=now)
    for message_id in due:
        _enqueue(message_id)
    return {"interrupted": interrupted, "requeued": len(due)}


def message_resend(*, message: Message) -> Message:
    """A programme lead sends a failed message, or one whose delivery is unknown, again."""
    if message.status not in RESENDABLE:
        raise ValidationError("Only a failed message, or one whose delivery is unknown, can be sent again.")
    if not message.to_address:
        raise ValidationError("This message has no address to send to.")
    if not message.text:
        raise ValidationError("This message could not be rendered, so there is nothing to send.")
    Message.objects.filter(pk=message.pk, status__in=RESENDABLE).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    message.refresh_from_db()
    return message


# --- the weekly digest ----------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_queue(*, user, today: date) -> Message | None:
    """Gather the person's held messages into one digest for the week; each is carried once."""
    key = f"digest:{iso_week(today)}:{user.pk}"
    with transaction.atomic():
        held = list(
            Message.objects.select_for_update()
            .filter(recipient=user, status=Status.HELD)
            .order_by("created_at", "pk")
        )
        if not held or Message.objects.filter(key=key).exists():
            return None
        digest = message_queue(
            key=key,
            template="outbox_digest",
            context={"messages": held, "week_of": today},
            kind=Kind.DIGEST,
            recipient=user,
        )
        Message.objects.filter(pk__in=[m.pk for m in held]).update(status=Status.DIGESTED, digest=digest)
    return digest


def digests_queue(*, today: date) -> int:
    """A digest for everyone with held messages; safe to run twice in a week."""
    users = get_user_model().objects.filter(outbox_messages__status=Status.HELD).distinct()
    return sum(1 for user in users if digest_queue(user=user, today=today) is not None)


def to_list(value: list[str] | str) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def default_key(template: str) -> str:
    """A unique key for a message with no natural one (sent once, whenever it is queued)."""
    return f"{template}:{uuid.uuid4().hex}"


# --- erasure ------------------------------------------------------------------------------

ERASED = "Not sent: the recipient's data was erased."


@transaction.atomic
def outbox_erase_person(*, person, addresses: list[str], redaction: Redaction) -> int:
    """Blank the messages to an erased person, and take their name and address out of the others.

    A message to them keeps its key, kind, dates and subject (their name replaced), so the
    outbox's counts stay right; its address, text, HTML, headers and attachments go, and one not
    yet sent never will be. A message to someone else that names them reads the placeholder.
    Returns how many messages changed.
    """
    to_them = Q(recipient=person)
    for address in addresses:
        to_them |= Q(to_address__iexact=address)
    theirs = Message.objects.filter(to_them)
    theirs.filter(status__in=(Status.PENDING, Status.HELD)).update(status=Status.FAILED, last_error=ERASED)
    changed = set(theirs.values_list("pk", flat=True))
    theirs.update(to_address="", text="", html="", attachments=[], headers={})
    mentions = Q()
    for term in redaction.terms:
        for name in ("subject", "text", "html", "attachments_text", "headers_text"):
            mentions |= Q(**{f"{name}__icontains": term})
    rows = (
        Message.objects.annotate(
            attachments_text=Cast("attachments", TextField()), headers_text=Cast("headers", TextField())
        )
        .filter(mentions)
        .only("subject", "text", "html", "attachments", "headers")
    )
    for message in rows:
        fields = {
            "subject": redaction.text(message.subject),
            "text": redaction.text(message.text),
            "html": redaction.text(message.html),
            "attachments": redaction.data(message.attachments),
            "headers": redaction.data(message.headers),
        }
        if any(getattr(message, name) != value for name, value in fields.items()):
            Message.objects.filter(pk=message.pk).update(**fields)
            changed.add(message.pk)
    return len(changed)
