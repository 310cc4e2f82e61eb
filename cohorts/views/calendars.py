"""iCalendar feeds: one per cohort, and a private, revocable one per person."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST, require_safe

from cohorts.calendars import cohort_calendar_sessions, personal_calendar_sessions, sessions_calendar
from cohorts.models import CalendarToken
from cohorts.permissions import get_cohort_for_user
from cohorts.services import calendar_token_issue, calendar_token_revoke

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def _calendar_response(calendar, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def cohort_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk)
    calendar = sessions_calendar(
        cohort_calendar_sessions(cohort),
        name=f"{cohort.programme}: {cohort}",
        absolute_url=request.build_absolute_uri,
    )
    return _calendar_response(calendar, f"cohort-{cohort.number}.ics")


@login_not_required
@require_safe
def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed, fetched by calendar apps without a session: the token is the only key."""
    if not CALENDAR_TOKEN_PATTERN.fullmatch(token):
        raise Http404("No such calendar.")
    found = CalendarToken.objects.select_related("person").filter(token=token).first()
    # Compare again exactly: a case-insensitive database collation would match a near-miss token.
    if found is None or not constant_time_compare(found.token, token) or not found.person.is_active:
        raise Http404("No such calendar.")
    calendar = sessions_calendar(
        personal_calendar_sessions(found.person),
        name=f"coachprog: {found.person}",
        absolute_url=request.build_absolute_uri,
    )
    response = _calendar_response(calendar, "coachprog.ics")
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex"
    return response


def calendar_link(request: HttpRequest) -> HttpResponse:
    token = CalendarToken.objects.filter(person=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("cohorts:personal_calendar", args=[token.token])) if token else ""
    )
    return render(request, "cohorts/calendar_link.html", {"token": token, "feed_url": feed_url})


@require_POST
def calendar_link_issue(request: HttpRequest) -> HttpResponse:
    replacing = CalendarToken.objects.filter(person=request.user).exists()
    calendar_token_issue(person=request.user)
    if replacing:
        messages.success(request, "Your calendar link has been replaced. The old link no longer works.")
    else:
        messages.success(request, "Your calendar link is ready. Copy it into your calendar app.")
    return redirect("cohorts:calendar_link")


@require_POST
def calendar_link_revoke(request: HttpRequest) -> HttpResponse:
    calendar_token_revoke(person=request.user)
    messages.success(request, "Your calendar link is switched off. Calendars subscribed to it stop updating.")
    return redirect("cohorts:calendar_link")
