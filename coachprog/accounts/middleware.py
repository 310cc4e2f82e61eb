"""The one place that makes programme leads and administrators set up two-factor authentication.

The access policy requires it by default (a saved policy may switch it off). It applies to
programme leads and to everyone who can open the Django admin (staff and superusers), who
between them can read and change everything.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from coachprog.accounts.flags import user_flags

# Pages a lead without two-factor may still reach: allauth's own pages (to set it up, or to
# sign out), the health check and static files.
EXEMPT_PREFIXES = ("/accounts/", "/healthz", "/static/", "/media/")


def needs_two_factor_setup(user) -> bool:
    """True for a programme lead or administrator without an authenticator app while the access
    policy requires one (it does until a saved policy says otherwise).

    The answer comes from the request's one query about its user (`user_flags`), which the
    navigation's roles share, so asking costs no query of its own.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    flags = user_flags(user)
    return (
        (user.is_programme_lead or user.is_staff)
        and flags["two_factor_required"]
        and not flags["has_authenticator_app"]
    )


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
