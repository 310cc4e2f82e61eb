"""Cohort pages: the cohorts a user may see, a cohort's schedule, one session, and calendar feeds."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST, require_safe

from coachprog.permissions import Access
from cohorts.calendars import cohort_calendar_sessions, personal_calendar_sessions, sessions_calendar
from cohorts.models import Attendance, CalendarToken, Enrolment, Session
from cohorts.permissions import get_cohort_for_user, get_session_for_user, visible_cohorts
from cohorts.services import calendar_token_issue, calendar_token_revoke

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
CALENDAR_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def cohort_list(request: HttpRequest) -> HttpResponse:
    cohorts = (
        visible_cohorts(request.user)
        .select_related("programme")
        .annotate(
            enrolled=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED), distinct=True
            )
        )
        .order_by("-starts_on")
    )
    return render(request, "cohorts/cohort_list.html", {"cohorts": cohorts})


def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, access = get_cohort_for_user(request.user, pk)
    sessions = Session.objects.filter(cohort=cohort).prefetch_related("topics").order_by("starts_at")
    enrolments = None
    my_attendance = {}
    if access >= Access.WRITE:
        enrolments = (
            Enrolment.objects.filter(cohort=cohort)
            .select_related("participant__organisation_unit")
            .order_by("participant__display_name")
        )
    else:
        mine = Enrolment.objects.filter(cohort=cohort, participant=request.user).first()
        if mine:
            my_attendance = {a.session_id: a for a in Attendance.objects.filter(enrolment=mine)}
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": [(s, my_attendance.get(s.pk)) for s in sessions],
            "enrolments": enrolments,
            "can_manage": access >= Access.WRITE,
            "topics": cohort.topics.all(),
            "contact_days": sum(
                1 for s in sessions if s.kind == Session.Kind.WORKSHOP and s.status == "scheduled"
            ),
        },
    )


def session_detail(request: HttpRequest, cohort_pk: int, pk: int) -> HttpResponse:
    session, access = get_session_for_user(request.user, cohort_pk, pk)
    register = None
    if access >= Access.WRITE:
        register = (
            Enrolment.objects.filter(cohort=session.cohort)
            .select_related("participant")
            .prefetch_related(
                Prefetch(
                    "attendance", queryset=Attendance.objects.filter(session=session), to_attr="at_session"
                )
            )
            .order_by("participant__display_name")
        )
    return render(
        request,
        "cohorts/session_detail.html",
        {
            "session": session,
            "cohort": session.cohort,
            "facilitators": session.facilitators.all(),
            "topics": session.topics.all(),
            "materials": session.materials.all(),
            "register": register,
            "can_manage": access >= Access.WRITE,
        },
    )


# --- calendar feeds ----------------------------------------------------------------------


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
