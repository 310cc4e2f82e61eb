"""The one place that makes programme leads and administrators set up two-factor authentication.

The access policy requires it by default (a saved policy may switch it off). It applies to
programme leads and to everyone who can open the Django admin (staff and superusers), who
between them can read and change everything.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from coachprog.accounts.models import AccessPolicy, User

# Pages a lead without two-factor may still reach: allauth's own pages (to set it up, or to
# sign out), the health check and static files.
EXEMPT_PREFIXES = ("/accounts/", "/healthz", "/static/", "/media/")


def needs_two_factor_setup(user) -> bool:
    """True for a programme lead or administrator without an authenticator app while the access
    policy requires one (it does until a saved policy says otherwise).

    One query answers all three questions, and it records whether the person is a programme
    lead on the user object (User.is_programme_lead's per-request cache), so the views'
    own permission checks do not ask again.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    policies = AccessPolicy.objects.filter(pk=AccessPolicy.SINGLETON_PK)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            in_leads_group=Exists(
                User.groups.through.objects.filter(
                    user_id=OuterRef("pk"), group__name=settings.PROGRAMME_LEADS_GROUP
                )
            ),
            # No saved policy means the default, which requires it.
            required=Exists(policies.filter(require_two_factor_for_leads=True)) | ~Exists(policies),
            has_app=Exists(
                Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
        )
        .values("in_leads_group", "required", "has_app")
        .first()
    )
    if row is None:
        return False
    is_lead = user.is_active and (user.is_superuser or row["in_leads_group"])
    user._is_programme_lead = is_lead
    return (is_lead or user.is_staff) and row["required"] and not row["has_app"]


class LeadTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(EXEMPT_PREFIXES) and needs_two_factor_setup(request.user):
            messages.info(
                request,
                "Programme leads and administrators must use two-factor authentication. "
                "Set up an authenticator app to carry on.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
