"""One way to send an e-mail: three templates (subject, plain text, HTML), sent after the commit."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render_templated_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), plain-text body and HTML body of templates/emails/<template>_*."""
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def send_templated_email(*, to: list[str] | str, template: str, context: dict) -> None:
    """Render now, send once the current transaction commits (never while it is still open)."""
    recipients = [to] if isinstance(to, str) else list(to)
    context = {"site_url": settings.SITE_URL, **context}
    subject, text, html = render_templated_email(template=template, context=context)

    def send() -> None:
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
        )
        message.attach_alternative(html, "text/html")
        message.send()

    transaction.on_commit(send)
