"""allauth's hooks: who may sign up, and invitations that pre-verify the invited address.

Sign-up is open to a person who followed an invitation link (the invitation's id
is in their session) or whose e-mail address is at a domain on the access policy's
allow-list (the adapter's is_open_for_signup and the sign-up form's e-mail check).
Everyone else sees the "sign-up is closed" page or a form error; nothing here depends on
whether an account exists, so sign-up cannot be used to find accounts.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.http import HttpRequest

from coachprog.accounts.models import AccessPolicy, Invitation
from coachprog.accounts.services import invitation_accept

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
        refusal = signup_email_refusal(context.request, email)
        if refusal:
            raise forms.ValidationError(refusal)
        return email
