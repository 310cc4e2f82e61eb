"""Calendars: iCalendar feeds (one per cohort, downloaded by its people or subscribed to through
a secret link its leads share; a private revocable one per person) and the in-app month and list
views of upcoming sessions."""

import calendar
import re
from datetime import date, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST, require_safe

from coachprog.permissions import Access
from cohorts.calendars import cohort_calendar_sessions, personal_calendar_sessions, sessions_calendar
from cohorts.models import CalendarToken, CohortCalendarToken, Session
from cohorts.permissions import get_cohort_for_user, visible_cohorts
from cohorts.planning import local_date, london
from cohorts.services import (
    calendar_token_issue,
    calendar_token_revoke,
    cohort_calendar_token_issue,
    cohort_calendar_token_revoke,
)

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
SESSIONS_PER_PAGE = 25


def _my_sessions(user):
    return (
        Session.objects.filter(cohort__in=visible_cohorts(user))
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )


def _month_from(value: str, today: date) -> date:
    """The first day of the month asked for as YYYY-MM, or of this month when it is missing or odd."""
    if match := MONTH_PATTERN.fullmatch(value or ""):
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


@require_safe
def upcoming_sessions(request: HttpRequest) -> HttpResponse:
    """The sessions of the user's cohorts from today on, as a list (paged) or a month (?view=month)."""
    today = timezone.localdate()
    if request.GET.get("view") == "month":
        first = _month_from(request.GET.get("month", ""), today)
        weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month)
        start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
        sessions = _my_sessions(request.user).filter(
            starts_at__gte=london(start, time()), starts_at__lt=london(end, time())
        )
        by_day: dict[date, list[Session]] = {}
        for session in sessions:
            by_day.setdefault(local_date(session.starts_at), []).append(session)
        previous_month = (first - timedelta(days=1)).replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        return render(
            request,
            "cohorts/sessions_month.html",
            {
                "month": first,
                "today": today,
                "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
                "in_month": [(day, by_day[day]) for day in sorted(by_day) if day.month == first.month],
                "previous_month": previous_month,
                "next_month": next_month,
            },
        )
    sessions = _my_sessions(request.user).filter(starts_at__gte=london(today, time()))
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cohorts/sessions_list.html", {"page": page, "today": today})


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


def _subscribed_response(calendar, filename: str) -> HttpResponse:
    """A feed fetched with a secret link: never cached on the way, indexed or passed on as a referrer."""
    response = _calendar_response(calendar, filename)
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_safe
def cohort_calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A cohort's feed for calendar apps, which subscribe without a session: the token is the only key.

    It holds what the cohort's schedule shows everyone in it (each session's time, place and joining
    link), never anything about a participant.
    """
    if not CALENDAR_TOKEN_PATTERN.fullmatch(token):
        raise Http404("No such calendar.")
    found = CohortCalendarToken.objects.select_related("cohort__programme").filter(token=token).first()
    # Compare again exactly: a case-insensitive database collation would match a near-miss token.
    if found is None or not constant_time_compare(found.token, token):
        raise Http404("No such calendar.")
    cohort = found.cohort
    calendar = sessions_calendar(
        cohort_calendar_sessions(cohort),
        name=f"{cohort.programme}: {cohort}",
        absolute_url=request.build_absolute_uri,
    )
    return _subscribed_response(calendar, f"cohort-{cohort.number}.ics")


def cohort_calendar_feed_url(request: HttpRequest, token: CohortCalendarToken | None) -> str:
    return (
        request.build_absolute_uri(reverse("cohorts:cohort_calendar_feed", args=[token.token]))
        if token
        else ""
    )


@require_POST
def cohort_calendar_link_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead creates the cohort's subscription link, or replaces it (the old one stops working)."""
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    replacing = CohortCalendarToken.objects.filter(cohort=cohort).exists()
    cohort_calendar_token_issue(cohort=cohort, issued_by=request.user)
    if replacing:
        messages.success(
            request,
            f"The calendar link for {cohort} has been replaced. The old link no longer works: "
            "share the new one with the people who subscribed.",
        )
    else:
        messages.success(request, f"The calendar link for {cohort} is ready. Share it with its participants.")
    return redirect(reverse("cohorts:detail", args=[cohort.pk]) + "#cohort-calendar-link")


@require_POST
def cohort_calendar_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, _ = get_cohort_for_user(request.user, pk, need=Access.WRITE)
    if cohort_calendar_token_revoke(cohort=cohort):
        messages.success(
            request,
            f"The calendar link for {cohort} is switched off. Calendars subscribed to it stop updating.",
        )
    else:
        messages.info(request, f"{cohort} has no calendar link to switch off.")
    return redirect(reverse("cohorts:detail", args=[cohort.pk]) + "#cohort-calendar-link")


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


@require_safe
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
