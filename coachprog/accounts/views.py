"""Programme leads' pages for invitations and the access policy, and the public invitation link."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coachprog.accounts.adapter import INVITATION_SESSION_KEY
from coachprog.accounts.forms import AccessPolicyForm, InvitationForm
from coachprog.accounts.models import AccessPolicy, Invitation
from coachprog.accounts.services import (
    access_policy_update,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
)
from coachprog.permissions import is_programme_lead


def _require_lead(request: HttpRequest) -> None:
    if not is_programme_lead(request.user):
        raise PermissionDenied("Only programme leads can manage invitations and sign-up.")


def _invitation_page(request: HttpRequest, form: InvitationForm, status: int = 200) -> HttpResponse:
    invitations = Invitation.objects.select_related("invited_by", "accepted_by")[:200]
    return render(
        request,
        "accounts/invitation_list.html",
        {
            "form": form,
            "invitations": invitations,
            "policy": AccessPolicy.current(),
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    return _invitation_page(request, InvitationForm())


@require_POST
def invitation_create(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_send(email=form.cleaned_data["email"], invited_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:invitation_list")
    return _invitation_page(request, form, status=400)


@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_lead(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} no longer works.")
    return redirect("accounts:invitation_list")


@require_http_methods(["GET", "HEAD", "POST"])
def access_policy(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    form = AccessPolicyForm(request.POST or None, instance=AccessPolicy.current())
    if request.method == "POST" and form.is_valid():
        try:
            access_policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Sign-up and two-factor settings saved.")
            return redirect("accounts:access_policy")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/access_policy.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the signed link itself is the key. Pre-fills and pre-verifies the address on sign-up."""
    try:
        invitation = invitation_from_token(token)
    except signing.BadSignature:
        # SignatureExpired is a BadSignature too; the page explains both without saying which.
        context = {"max_age_days": settings.INVITATION_MAX_AGE_DAYS}
        return render(request, "accounts/invitation_invalid.html", context, status=404)
    if request.user.is_authenticated:
        messages.info(request, "You are already signed in, so you do not need the invitation.")
        return redirect("home")
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    # allauth marks a stashed address verified when the person signs up with it: the invitation
    # reached that inbox, so a second confirmation e-mail would prove nothing new.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")
