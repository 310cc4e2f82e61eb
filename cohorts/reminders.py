"""Session reminders (7 days and 1 day before) and change notices, queued as outbox rows.

Reminders are found by a periodic scan (`session_reminders_queue`, every 15 minutes),
never scheduled weeks ahead as Celery countdowns. Each row's key names the window, the
session's UID and SEQUENCE and the person, so a repeated scan adds nothing, and a changed
session (new SEQUENCE) gets a fresh reminder with its new details.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from coachprog.accounts.models import User
from coachprog.outbox.models import Kind, Message
from coachprog.outbox.services import message_queue
from cohorts.calendars import sessions_calendar
from cohorts.models import Cohort, Enrolment, Session

# Window name → how long before the start it opens. A session enters the 7-day window when
# it is 7 days away and leaves it when the 1-day window opens.
WINDOWS = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)))


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def session_ics(session: Session) -> dict:
    """The session as an .ics attachment (its UID and SEQUENCE, so calendars update one event)."""
    calendar = sessions_calendar([session], name=str(session), absolute_url=_absolute)
    return {
        "filename": "session.ics",
        "content_type": "text/calendar; charset=utf-8",
        "content": calendar.to_ical().decode(),
    }


def _sessions_with_people():
    return Session.objects.select_related("cohort", "cohort__programme").prefetch_related(
        Prefetch("facilitators", queryset=User.objects.filter(is_active=True)),
        Prefetch(
            "cohort__enrolments",
            queryset=Enrolment.objects.filter(
                status=Enrolment.Status.ENROLLED, participant__is_active=True
            ).select_related("participant"),
            to_attr="current_enrolments",
        ),
    )


def session_recipients(session: Session) -> list[User]:
    """Enrolled participants and facilitators, once each; the session comes from `_sessions_with_people`."""
    people = {e.participant.pk: e.participant for e in session.cohort.current_enrolments}
    people.update({person.pk: person for person in session.facilitators.all()})
    return sorted(people.values(), key=lambda person: person.pk)


def _context(session: Session) -> dict:
    return {
        "session": session,
        "cohort": session.cohort,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "session_url": _absolute(session.get_absolute_url()),
        "address_line": ", ".join(
            line.strip() for line in session.venue_address.splitlines() if line.strip()
        ),
    }


def reminder_key(window: str, session: Session, person: User) -> str:
    return f"session-reminder:{window}:{session.uid}:{session.sequence}:{person.pk}"


def change_key(session: Session, person: User) -> str:
    return f"session-change:{session.uid}:{session.sequence}:{person.pk}"


def due_reminders(now: datetime) -> list[tuple[str, Session]]:
    """(window, session) for every scheduled, future session inside a reminder window now."""
    due = []
    upcoming = (
        _sessions_with_people()
        .filter(status=Session.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + WINDOWS[0][1])
        .exclude(cohort__status=Cohort.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    for session in upcoming:
        window = "1d" if session.starts_at <= now + WINDOWS[1][1] else "7d"
        due.append((window, session))
    return due


def session_reminders_queue(*, now: datetime | None = None) -> int:
    """Queue each due reminder once; returns how many new outbox rows were written."""
    now = now or timezone.now()
    wanted = [
        (reminder_key(window, session, person), window, session, person)
        for window, session in due_reminders(now)
        for person in session_recipients(session)
    ]
    # One query tells which are already queued, so a scan that finds nothing new stays cheap.
    existing = set(Message.objects.filter(key__in=[w[0] for w in wanted]).values_list("key", flat=True))
    written = 0
    attachments: dict[int, list[dict]] = {}
    for key, window, session, person in wanted:
        if key in existing:
            continue
        if session.pk not in attachments:
            attachments[session.pk] = [session_ics(session)]
        message_queue(
            key=key,
            template="session_reminder",
            context={**_context(session), "window": window},
            kind=Kind.SESSION_REMINDER,
            recipient=person,
            attachments=attachments[session.pk],
        )
        written += 1
    return written


def session_change_notify(*, session: Session) -> int:
    """Tell everyone on a future session that it changed or was cancelled (once per SEQUENCE)."""
    if session.starts_at <= timezone.now():
        return 0
    session = _sessions_with_people().get(pk=session.pk)
    attachment = [session_ics(session)]
    people = session_recipients(session)
    for person in people:
        message_queue(
            key=change_key(session, person),
            template="session_change",
            context={**_context(session), "cancelled": session.status == Session.Status.CANCELLED},
            kind=Kind.SESSION_CHANGE,
            recipient=person,
            attachments=attachment,
        )
    return len(people)
