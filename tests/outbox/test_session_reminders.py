"""Session reminders 7 days and 1 day before, and change notices, each with an .ics attachment."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from coachprog.outbox.models import Message
from cohorts.models import Enrolment, Session
from cohorts.reminders import session_reminders_queue
from cohorts.services.schedule import session_cancel, session_update
from cohorts.tasks import session_reminders
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=LONDON)  # a week before, less 2.5 hours


@pytest.fixture
def session():
    """A workshop day on Monday 9 March 2026 with two participants, one withdrawn, and a facilitator."""
    cohort = CohortFactory()
    session = SessionFactory(
        cohort=cohort,
        title="Workshop Day 1",
        starts_at=datetime(2026, 3, 9, 9, 30, tzinfo=LONDON),
        ends_at=datetime(2026, 3, 9, 16, 30, tzinfo=LONDON),
        venue_name="Trust HQ",
        venue_address="1 Mile End Road\nLondon E1 4AA",
    )
    for email in ["amir@example.org", "bea@example.org"]:
        EnrolmentFactory(cohort=cohort, participant=UserFactory(email=email))
    EnrolmentFactory(
        cohort=cohort, participant=UserFactory(email="gone@example.org"), status=Enrolment.Status.WITHDRAWN
    )
    session.facilitators.add(UserFactory(email="fran@example.org"))
    return session


def _event(email):
    (attachment,) = email.attachments
    filename, content, mimetype = attachment
    assert (filename, mimetype) == ("session.ics", "text/calendar; charset=utf-8")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    return event


def test_seven_day_reminder_reaches_participants_and_facilitators_with_a_calendar_file(
    session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        written = session_reminders_queue(now=NOW + timedelta(hours=2))

    assert written == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["amir@example.org", "bea@example.org", "fran@example.org"]
    email = mailoutbox[0]
    assert email.subject == "Coming up: Workshop Day 1, 9 Mar at 09:30"
    assert "When: Monday 9 Mar 2026, 09:30 to 16:30 (UK time)" in email.body
    assert "Where: Trust HQ, 1 Mile End Road, London E1 4AA" in email.body
    event = _event(email)
    assert str(event["uid"]) == f"{session.uid}@coachprog"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == datetime(2026, 3, 9, 9, 30, tzinfo=LONDON)
    assert str(event["status"]) == "CONFIRMED"


def test_one_day_reminder_for_an_online_session_gives_the_joining_link(
    session, mailoutbox, django_capture_on_commit_callbacks
):
    session_update(
        session=session, venue_name="", venue_address="", online_url="https://meet.example.org/ws1"
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_reminders_queue(now=datetime(2026, 3, 8, 10, 0, tzinfo=LONDON))

    assert {m.subject for m in mailoutbox} == {"Tomorrow: Workshop Day 1, 9 Mar at 09:30"}
    assert "Join online: https://meet.example.org/ws1" in mailoutbox[0].body
    assert "Where:" not in mailoutbox[0].body


def test_scanning_again_sends_nothing_new(session, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session_reminders_queue(now=NOW)
        assert session_reminders_queue(now=NOW + timedelta(minutes=15)) == 0

    assert len(mailoutbox) == 3


def test_reminder_windows_open_seven_days_and_one_day_before(session):
    assert session_reminders_queue(now=session.starts_at - timedelta(days=7, minutes=1)) == 0
    assert session_reminders_queue(now=session.starts_at - timedelta(days=6)) == 3
    assert session_reminders_queue(now=session.starts_at - timedelta(hours=23)) == 3
    assert session_reminders_queue(now=session.starts_at + timedelta(minutes=1)) == 0

    keys = sorted(Message.objects.values_list("key", flat=True))
    assert [key.split(":")[1] for key in keys] == ["1d"] * 3 + ["7d"] * 3


def test_cancelled_session_gets_no_reminder(session):
    session.status = Session.Status.CANCELLED
    session.save()

    assert session_reminders_queue(now=NOW) == 0


def test_periodic_task_uses_the_clock(session, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW), django_capture_on_commit_callbacks(execute=True):
        assert session_reminders() == 3


def test_changed_session_sends_a_notice_once_per_change(
    session, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW), django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, starts_at=session.starts_at + timedelta(hours=1))
        session_update(session=session, notes="Bring the driver diagram")  # not shown in a calendar

    assert len(mailoutbox) == 3
    email = mailoutbox[0]
    assert email.subject == "Changed: Workshop Day 1, 9 Mar"
    assert "When: Monday 9 Mar 2026, 10:30 to 16:30 (UK time)" in email.body
    assert _event(email)["sequence"] == 1
    assert Message.objects.filter(key__startswith=f"session-change:{session.uid}:1:").count() == 3


def test_cancelled_session_sends_a_cancellation_with_a_cancelled_event(
    session, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW), django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session)

    assert {m.subject for m in mailoutbox} == {"Cancelled: Workshop Day 1, 9 Mar"}
    assert str(_event(mailoutbox[0])["status"]) == "CANCELLED"


def test_changing_a_past_session_tells_nobody(session, mailoutbox, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(session.ends_at + timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        session_update(session=session, title="Workshop Day 1 (as held)")

    assert mailoutbox == []
