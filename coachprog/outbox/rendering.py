"""Render an e-mail from its three templates (subject, plain text, HTML)."""

from django.template.loader import render_to_string


def render_templated_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """The subject (one line), plain-text body and HTML body of templates/emails/<template>_*."""
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html
