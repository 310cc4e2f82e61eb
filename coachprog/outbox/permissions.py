"""Who may see which outbox messages: your own notifications; the whole outbox is for programme leads."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from coachprog.outbox.models import Message
from coachprog.permissions import is_programme_lead

# What a recipient sees on their notifications page; queued or failed mail is the leads' business.
NOTIFICATION_STATUSES = (Message.Status.SENT, Message.Status.HELD, Message.Status.DIGESTED)


def visible_notifications(user) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user, recipient__is_active=True, status__in=NOTIFICATION_STATUSES)


def get_notification_for_user(user, pk: int) -> Message:
    """One of the person's own notifications; 404 for anybody else's."""
    return get_object_or_404(visible_notifications(user), pk=pk)


def require_programme_lead(user) -> None:
    """The outbox status page and its actions are for programme leads: 403 for anyone else."""
    if not is_programme_lead(user):
        raise PermissionDenied("The outbox is for programme leads.")


def get_message_for_lead(user, pk: int) -> Message:
    require_programme_lead(user)
    return get_object_or_404(Message, pk=pk)
