"""The e-mail outbox: every message is a row first, sent later by a Celery task.

Shared infrastructure: this app imports no domain app. Producers (cohorts,
coaching) render a message and call `message_queue`; the row's unique `key`
says who it is for and why, so a second attempt to queue the same message
(a duplicate beat tick, a task delivered twice) finds the row and adds nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Kind(models.TextChoices):
    """What a message is about; reminder kinds are the ones a person can choose how to receive."""

    GENERAL = "general", "Account and application e-mail"
    # allauth's own e-mails (address verification, password reset): sent at once, never digested or
    # switched off, and their text (which holds a sign-in link) is shown to nobody in the app.
    ACCOUNT = "account", "Sign-in and password e-mail"
    SESSION_REMINDER = "session_reminder", "Session reminders"
    SESSION_CHANGE = "session_change", "Session changes and cancellations"
    SPONSOR_UPDATE = "sponsor_update", "Monthly sponsor updates"
    COACH_REMINDER = "coach_reminder", "Monthly update reminders (for coaches)"
    COACH_NUDGE = "coach_nudge", "Team meeting nudges"
    DIGEST = "digest", "Weekly digest"


# The kinds a person chooses how to receive; every e-mail of these kinds carries an unsubscribe link.
REMINDER_KINDS = (
    Kind.SESSION_REMINDER,
    Kind.SESSION_CHANGE,
    Kind.SPONSOR_UPDATE,
    Kind.COACH_REMINDER,
    Kind.COACH_NUDGE,
)


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The worker died while the SMTP server had the message: it may have been delivered, so it
    # is never sent again automatically; a programme lead may choose to.
    UNKNOWN = "unknown", "Delivery unknown"
    HELD = "held", "Held for the weekly digest"
    DIGESTED = "digested", "Sent in a weekly digest"
    SKIPPED = "skipped", "Not sent (switched off by the recipient)"


class Message(models.Model):
    """One e-mail to one recipient, rendered when it was queued."""

    Kind = Kind
    Status = Status

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Who the message is for and why, e.g. sponsor-monthly:2026-10:42. Never sent twice.",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.GENERAL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        help_text="Empty for people without an account, such as a line manager.",
    )
    to_address = models.EmailField("to", blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField("plain-text body")
    html = models.TextField("HTML body", blank=True)
    # [{"filename": …, "content_type": …, "content": …}]; text attachments only (.ics).
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(help_text="A pending message is not sent before this time.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested_messages",
        help_text="The weekly digest that carried this held message.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="outbox_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="outbox_kind_valid"),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="outbox_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address or 'no address'}"

    def get_absolute_url(self) -> str:
        return reverse("outbox:notification", args=[self.pk])


class Choice(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away"
    DIGEST = "digest", "In a weekly digest"
    NONE = "none", "Never"


class Preference(models.Model):
    """How a person wants one kind of reminder; with no row, they get it straight away."""

    Choice = Choice

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=[(k.value, k.label) for k in REMINDER_KINDS])
    choice = models.CharField(max_length=20, choices=Choice.choices, default=Choice.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind"),
            models.CheckConstraint(condition=Q(choice__in=Choice.values), name="preference_choice_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in REMINDER_KINDS]), name="preference_kind_valid"
            ),
            # Sponsors can move the monthly update to a digest, never switch it off.
            models.CheckConstraint(
                condition=~(Q(kind=Kind.SPONSOR_UPDATE) & Q(choice=Choice.NONE)),
                name="preference_sponsor_update_not_off",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.get_choice_display().lower()}"
