"""allauth's hooks: who may sign up, and invitations that pre-verify the invited address.

Sign-up is open to a person who followed an invitation link (the invitation's id
is in their session) or whose e-mail address is at a domain on the access policy's
allow-list (the adapter's is_open_for_signup and the sign-up form's e-mail check).
Everyone else sees the "sign-up is closed" page or a form error; nothing here depends on
whether an account exists, so sign-up cannot be used to find accounts.

allauth's own e-mails (address verification, password reset, security notices) go through
the outbox like every other message (`send_mail`): a row first, sent straight away, never
held for a digest or switched off by a person's choices.
"""

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from coachprog.accounts.models import AccessPolicy, Invitation, User
from coachprog.accounts.services import invitation_accept
from coachprog.outbox.models import Kind
from coachprog.outbox.services import message_queue

INVITATION_SESSION_KEY = "coachprog_invitation"

DOMAIN_NOT_ALLOWED = (
    "Sign-up is open only to people invited by a programme lead and to e-mail addresses at {domains}. "
    "Ask your programme lead for an invitation."
)
INVITATION_ONLY = (
    "Sign-up is by invitation only. Use the address your invitation was sent to, "
    "or ask your programme lead for an invitation."
)


def session_invitation(request: HttpRequest | None) -> Invitation | None:
    """The open invitation whose link this browser followed, if any."""
    if request is None or not hasattr(request, "session"):
        return None
    pk = request.session.get(INVITATION_SESSION_KEY)
    if pk is None:
        return None
    return Invitation.objects.pending().filter(pk=pk).first()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(AccessPolicy.current().domains) or session_invitation(request) is not None

    def post_login(self, request: HttpRequest, user, **kwargs):
        # Once sign-up has finished (the pre-verified address is saved), the invitation is used up.
        invitation = session_invitation(request)
        if kwargs.get("signup") and invitation is not None and invitation.email.lower() == user.email.lower():
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(INVITATION_SESSION_KEY, None)
        return super().post_login(request, user, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's e-mail in the outbox, rendered by allauth's templates, one row per e-mail."""
        request = allauth_context.request
        mail = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (body for body, mimetype in getattr(mail, "alternatives", []) if mimetype == "text/html"), ""
        )
        user = context.get("user")
        recipient = user if isinstance(user, User) else User.objects.filter(email__iexact=email).first()
        message_queue(
            # Every request is its own message: a second reset link must be sent too.
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            rendered=(mail.subject, mail.body, html),
            kind=Kind.ACCOUNT,
            recipient=recipient,
            to_address=email,
        )


def signup_email_refusal(request: HttpRequest | None, email: str) -> str | None:
    """Why this address may not sign up, or None when it may."""
    policy = AccessPolicy.current()
    if policy.allows_domain_of(email):
        return None
    invitation = session_invitation(request)
    if invitation is not None and invitation.email.lower() == email.strip().lower():
        return None
    if policy.domains:
        return DOMAIN_NOT_ALLOWED.format(domains=", ".join(policy.domains))
    return INVITATION_ONLY


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, refusing addresses the access policy does not let in."""

    def clean_email(self) -> str:
        email = super().clean_email()
        # allauth does not hand its sign-up form the request; its middleware keeps it in a context variable.
        refusal = signup_email_refusal(allauth_context.request, email)
        if refusal:
            raise forms.ValidationError(refusal)
        return email
