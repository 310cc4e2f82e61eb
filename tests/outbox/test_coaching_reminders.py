"""The monthly sponsor e-mail, the coaches' reminder on the 25th and the weekly nudges."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.reminders import (
    coach_nudges_queue,
    coach_update_reminders_queue,
    first_working_day,
    sponsor_monthly_run,
)
from coaching.tasks import sponsor_monthly_updates
from coachprog.outbox.models import Message
from projects.models import Project
from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
RUN_DAY = date(2026, 11, 2)  # 1 Nov 2026 is a Sunday


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 6, date(2026, 6, 1)),  # a Monday
        (2026, 11, date(2026, 11, 2)),  # the 1st is a Sunday
        (2026, 1, date(2026, 1, 2)),  # New Year's Day
        (2027, 5, date(2027, 5, 4)),  # Saturday, then the early May bank holiday
        (2028, 1, date(2028, 1, 4)),  # Saturday, then New Year's Day observed on Monday
    ],
)
def test_first_working_day_skips_weekends_and_england_bank_holidays(year, month, expected):
    assert first_working_day(year, month) == expected


def _ready(project, **extra):
    defaults = {
        "month": OCTOBER,
        "ready": True,
        "narrative": "Dr Patel was off sick, so the team struggled.",
        "progress_score": Decimal("2.5"),
    }
    return MonthlyUpdateFactory(project=project, **{**defaults, **extra})


@pytest.fixture
def sponsor_with_two_projects():
    sponsor = UserFactory(display_name="Sam Sponsor", email="sam@example.org")
    falls = ProjectFactory(title="Fewer falls", sponsor=sponsor)
    waits = ProjectFactory(title="Shorter waits", sponsor=sponsor)
    _ready(falls, rag="amber", sponsor_ask="Release two nurses for the huddle.")
    _ready(waits, version=1)
    _ready(waits, version=2, rag="red")
    ProjectFactory(title="No update yet", sponsor=sponsor)
    return sponsor


def test_each_sponsor_gets_one_email_listing_last_months_ready_updates(
    sponsor_with_two_projects, mailoutbox, django_capture_on_commit_callbacks
):
    other = ProjectFactory(title="Other sponsor's project", sponsor=UserFactory(email="olu@example.org"))
    _ready(other)
    MonthlyUpdateFactory(project=ProjectFactory(title="Draft only"), month=OCTOBER)  # not ready: not sent
    _ready(ProjectFactory(title="September", sponsor=sponsor_with_two_projects), month=date(2026, 9, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert sponsor_monthly_run(today=RUN_DAY) == 2

    by_address = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_address) == ["olu@example.org", "sam@example.org"]
    email = by_address["sam@example.org"]
    assert email.subject == "Monthly updates for October 2026: 2 projects"
    assert "* Fewer falls" in email.body
    assert "RAG: Amber · progress score 2.5 · the team has an ask for you" in email.body
    assert "* Shorter waits" in email.body
    assert "RAG: Red" in email.body
    # September's update is not October's: that project is listed as waiting.
    assert "* September" not in email.body
    assert "No update is ready yet for: No update yet, September." in email.body
    waits_v2 = Project.objects.get(title="Shorter waits").monthly_updates.get(version=2)
    assert f"http://127.0.0.1:8000{waits_v2.get_absolute_url()}" in email.body
    assert waits_v2.get_absolute_url() in email.alternatives[0].content
    assert "All your projects: http://127.0.0.1:8000/sponsor/" in email.body
    # Sponsors cannot switch the update off: the link moves it to the digest.
    assert (
        "To have monthly sponsor updates in your weekly digest instead: http://127.0.0.1:8000/" in email.body
    )
    # The narrative and the ask stay in the app.
    assert "Dr Patel" not in email.body + email.alternatives[0].content
    assert "Release two nurses" not in email.body + email.alternatives[0].content


def test_monthly_run_waits_for_the_first_working_day(sponsor_with_two_projects):
    assert sponsor_monthly_run(today=date(2026, 11, 1)) == 0
    assert sponsor_monthly_run(today=date(2026, 11, 3)) == 0
    assert Message.objects.count() == 0


def test_duplicate_beat_tick_sends_one_email_per_sponsor(
    sponsor_with_two_projects, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sponsor_monthly_updates(today=RUN_DAY.isoformat())
        sponsor_monthly_updates(today=RUN_DAY.isoformat())

    assert [m.to for m in mailoutbox] == [["sam@example.org"]]
    assert Message.objects.get().key == f"sponsor-monthly:2026-10:{sponsor_with_two_projects.pk}"


def _monthly_run_queries(sponsors: int, month: date) -> int:
    for _ in range(sponsors):
        sponsor = UserFactory()
        for _ in range(2):
            _ready(ProjectFactory(sponsor=sponsor), month=month)
        ProjectFactory(sponsor=sponsor)  # no update yet
    run_day = first_working_day(month.year + month.month // 12, month.month % 12 + 1)
    with CaptureQueriesContext(connection) as captured:
        assert sponsor_monthly_run(today=run_day) == sponsors
    return len(captured)


def test_monthly_run_queries_grow_by_a_fixed_number_per_sponsor():
    two = _monthly_run_queries(2, date(2026, 3, 1))
    three = _monthly_run_queries(3, date(2026, 4, 1))
    five = _monthly_run_queries(5, date(2026, 5, 1))

    per_sponsor = three - two
    assert five - three == 2 * per_sponsor
    assert per_sponsor <= 8


@pytest.fixture
def coach_and_lead():
    lead = UserFactory(display_name="QI lead", email="lead@example.org")
    coach = UserFactory(display_name="Coach", email="coach@example.org")
    CoachProfileFactory(coach=coach, supervisor=lead)
    return coach, lead


def test_coach_is_reminded_on_the_25th_of_updates_not_ready(
    coach_and_lead, mailoutbox, django_capture_on_commit_callbacks
):
    coach, _ = coach_and_lead
    pending = AssignmentFactory(coach=coach, project=ProjectFactory(title="Pending")).project
    done = AssignmentFactory(coach=coach, project=ProjectFactory(title="Done")).project
    _ready(done, month=date(2026, 11, 1))
    MonthlyUpdateFactory(project=pending, month=date(2026, 11, 1))  # a draft is not ready
    relaxed = UserFactory(email="relaxed@example.org")
    _ready(AssignmentFactory(coach=relaxed).project, month=date(2026, 11, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert coach_update_reminders_queue(today=date(2026, 11, 25)) == 1
        assert coach_update_reminders_queue(today=date(2026, 11, 25)) == 0

    (email,) = mailoutbox
    assert email.to == ["coach@example.org"]
    assert email.subject == "Reminder: your monthly update for November 2026"
    assert "* Pending: " in email.body
    assert "Done" not in email.body


def test_weekly_nudge_lists_quiet_teams_and_escalates_to_the_qi_lead_after_35_days(
    coach_and_lead, mailoutbox, django_capture_on_commit_callbacks
):
    coach, lead = coach_and_lead
    monday = date(2026, 11, 23)
    for title, days in [("Quiet", 22), ("Silent", 40), ("Busy", 7)]:
        project = AssignmentFactory(coach=coach, project=ProjectFactory(title=title)).project
        MeetingLogFactory(coach=coach, project=project, met_on=monday - timedelta(days=days))

    with django_capture_on_commit_callbacks(execute=True):
        assert coach_nudges_queue(today=monday) == 2
        assert coach_nudges_queue(today=monday + timedelta(days=3)) == 0  # same ISO week

    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address["coach@example.org"].subject == "2 teams not met for 21+ days"
    assert "* Quiet: 22 days" in by_address["coach@example.org"].body
    assert "* Silent: 40 days" in by_address["coach@example.org"].body
    assert "Busy" not in by_address["coach@example.org"].body
    assert by_address["lead@example.org"].subject == "1 team not met for 21+ days"
    assert "* Silent, coached by Coach: 40 days" in by_address["lead@example.org"].body
    assert "Quiet" not in by_address["lead@example.org"].body


def test_a_qi_lead_who_also_coaches_gets_one_nudge_a_week(
    coach_and_lead, mailoutbox, django_capture_on_commit_callbacks
):
    coach, lead = coach_and_lead
    monday = date(2026, 11, 23)
    AssignmentFactory(
        coach=coach, project=ProjectFactory(title="Supervisee's team"), starts_on=date(2026, 9, 1)
    )
    AssignmentFactory(coach=lead, project=ProjectFactory(title="Lead's own team"), starts_on=date(2026, 9, 1))

    with django_capture_on_commit_callbacks(execute=True):
        coach_nudges_queue(today=monday)
        coach_nudges_queue(today=monday + timedelta(days=7))  # next week: a new nudge

    lead_emails = [m for m in mailoutbox if m.to == ["lead@example.org"]]
    assert len(lead_emails) == 2
    assert "* Lead's own team: 83 days" in lead_emails[0].body
    assert "* Supervisee's team, coached by Coach: 83 days" in lead_emails[0].body
    assert Message.objects.filter(key=f"coach-nudge:2026-W48:{lead.pk}").count() == 1
