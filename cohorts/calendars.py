"""iCalendar (RFC 5545) feeds of sessions that calendar apps subscribe to.

A session keeps one UID for life; `session_update` raises its SEQUENCE on every
change a calendar shows, so apps replace the old event instead of adding a new one.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from coachprog.accounts.models import User
from cohorts.models import Cohort, Enrolment, Session

PRODID = "-//coachprog//coachprog//EN"
TIMEZONE = "Europe/London"
# Subscribed calendars poll; ask for a refresh every hour (Apple and Outlook honour one of these).
REFRESH_INTERVAL = timedelta(hours=1)
# Enrolments whose sessions still belong in a participant's calendar.
CALENDAR_ENROLMENT_STATUSES = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def session_uid(session: Session) -> str:
    return f"{session.uid}@coachprog"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _location(session: Session) -> str:
    if not session.venue_name:
        return "Online"
    address = ", ".join(line.strip() for line in session.venue_address.splitlines() if line.strip())
    return f"{session.venue_name}, {address}" if address else session.venue_name


def _description(session: Session, page_url: str) -> str:
    lines = [f"{session.get_kind_display()} for {session.cohort}."]
    if session.status == Session.Status.CANCELLED:
        lines.append("This session is cancelled.")
    if session.online_url:
        lines.append(f"Join online: {session.online_url}")
    if page_url:
        lines.append(f"Details: {page_url}")
    return "\n".join(lines)


def session_event(
    session: Session, *, stamp: datetime, absolute_url: Callable[[str], str] | None = None
) -> Event:
    """One VEVENT; the session must come with its cohort (select_related) to keep the query count fixed."""
    page_url = absolute_url(session.get_absolute_url()) if absolute_url else ""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", f"{session.title} ({session.cohort})")
    event.add("location", _location(session))
    event.add("description", _description(session, page_url))
    if session.online_url:
        event.add("url", session.online_url)
    elif page_url:
        event.add("url", page_url)
    cancelled = session.status == Session.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Cancelled sessions no longer block the attendee's time.
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def sessions_calendar(
    sessions: Iterable[Session], *, name: str, absolute_url: Callable[[str], str] | None = None
) -> Calendar:
    """A whole feed: the calendar's own properties and one VEVENT per session."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    stamp = timezone.now().astimezone(UTC)
    for session in sessions:
        calendar.add_component(session_event(session, stamp=stamp, absolute_url=absolute_url))
    return calendar


def cohort_calendar_sessions(cohort: Cohort) -> QuerySet[Session]:
    return Session.objects.filter(cohort=cohort).select_related("cohort").order_by("starts_at", "pk")


def personal_calendar_sessions(person: User) -> QuerySet[Session]:
    """Every session of the cohorts the person is (or was, to the end) enrolled in or facilitates in."""
    enrolled = Enrolment.objects.filter(participant=person, status__in=CALENDAR_ENROLMENT_STATUSES)
    facilitated = Session.objects.filter(facilitators=person)
    return (
        Session.objects.filter(
            Q(cohort_id__in=enrolled.values("cohort_id")) | Q(cohort_id__in=facilitated.values("cohort_id"))
        )
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )
