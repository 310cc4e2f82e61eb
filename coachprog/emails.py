"""One way to send an e-mail: three templates (subject, plain text, HTML), through the outbox.

Every e-mail becomes a row in the outbox (coachprog.outbox) in the caller's transaction
and is sent by a Celery task after the commit, so a rolled-back write never sends mail
and a message is never sent twice.
"""

from coachprog.accounts.models import User
from coachprog.outbox.models import Kind, Message
from coachprog.outbox.rendering import render_templated_email
from coachprog.outbox.services import default_key, message_queue, to_list

__all__ = ["render_templated_email", "send_templated_email"]


def send_templated_email(
    *,
    to: list[str] | str | None = None,
    template: str,
    context: dict,
    key: str | None = None,
    kind: str = Kind.GENERAL,
    user=None,
    attachments: list[dict] | None = None,
) -> list[Message]:
    """Queue the e-mail, one outbox row per address; with `user`, to that person's address.

    `key` names the message for de-duplication (a second call with the same key adds
    nothing); without one, each call is a new message.
    """
    addresses = to_list(to) if to is not None else [getattr(user, "email", "")]
    key = key or default_key(template)
    messages = []
    for index, address in enumerate(addresses):
        # Someone with an account sees the e-mail on their notifications page.
        recipient = user or (User.objects.filter(email__iexact=address).first() if address else None)
        messages.append(
            message_queue(
                key=key if len(addresses) == 1 else f"{key}:{index}",
                template=template,
                context=context,
                kind=kind,
                recipient=recipient,
                to_address=address,
                attachments=attachments,
            )
        )
    return messages
