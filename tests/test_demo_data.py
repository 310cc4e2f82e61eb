"""The demo_data command: safe to re-run, and a demo that shows what the issue asks for.

Building the demo takes seconds, so this module builds it once (`demo`), on a
fixed day, and rolls it back when the module is done; each test runs in its
own savepoint on top of it.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from coaching.demo.common import DEMO_ACCOUNTS, DEMO_PASSWORD
from coaching.models import Assignment, MeetingLog, MonthlyUpdate, SupervisionLog
from coachprog.accounts.models import User
from coachprog.outbox.models import Message
from cohorts.attendance import attendance_matrix
from cohorts.models import Application, Attendance, Cohort, Session
from projects.models import Measure, PDSACycle, Project, TeamMembership
from projects.permissions import visible_projects

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DEMO_DAY = datetime(2025, 6, 18, 10, 0, tzinfo=LONDON)  # a Wednesday
DEMO_EMAILS = [email for email, _, _ in DEMO_ACCOUNTS]
APP_LABELS = {"accounts", "cohorts", "projects", "coaching", "account"}
# Models the demo must fill; the rest (say, session materials) may stay empty.
MAIN_MODELS = [
    "accounts.Directorate",
    "accounts.User",
    "account.EmailAddress",
    "cohorts.Programme",
    "cohorts.CurriculumTopic",
    "cohorts.Cohort",
    "cohorts.Session",
    "cohorts.Application",
    "cohorts.Enrolment",
    "cohorts.Attendance",
    "projects.Project",
    "projects.TeamMembership",
    "projects.ProgressScoreChange",
    "projects.DriverNode",
    "projects.Measure",
    "projects.DataPoint",
    "projects.PDSACycle",
    "coaching.CoachProfile",
    "coaching.Assignment",
    "coaching.MeetingFocus",
    "coaching.MeetingLog",
    "coaching.NextStep",
    "coaching.SupervisionLog",
    "coaching.MonthlyUpdate",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run `demo_data` once on DEMO_DAY, keep the clock there, and undo it all after the module."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with (
        django_db_blocker.unblock(),
        fast_hashing,
        time_machine.travel(DEMO_DAY, tick=False),
        transaction.atomic(),
    ):
        call_command("demo_data", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APP_LABELS
    }


def user(email: str) -> User:
    return User.objects.get(email=email)


# --- re-running -------------------------------------------------------------------------


def test_demo_data_second_run_changes_no_row_counts(demo):
    after_first_run = row_counts()

    call_command("demo_data", stdout=StringIO())

    assert row_counts() == after_first_run


def test_demo_data_fills_every_main_model(demo):
    counts = row_counts()

    assert [label for label in MAIN_MODELS if counts[label] == 0] == []


def test_demo_data_second_run_resets_the_demo_passwords(demo):
    lead = user("lead@example.org")
    lead.set_password("changed-by-a-visitor")
    lead.save()

    call_command("demo_data", stdout=StringIO())

    assert user("lead@example.org").check_password(DEMO_PASSWORD) is True


# --- the demo accounts -----------------------------------------------------------------


def test_demo_accounts_have_verified_primary_email_addresses(demo):
    addresses = list(
        EmailAddress.objects.filter(user__email__in=DEMO_EMAILS)
        .order_by("email")
        .values_list("email", "primary", "verified")
    )

    assert addresses == [(email, True, True) for email in sorted(DEMO_EMAILS)]


def test_demo_accounts_sign_in_with_the_demo_password(demo):
    signs_in = {email: user(email).check_password(DEMO_PASSWORD) for email in DEMO_EMAILS}

    assert signs_in == dict.fromkeys(DEMO_EMAILS, True)


def test_demo_coaches_share_no_project_past_or_present(demo):
    coached = {
        email: set(Assignment.objects.filter(coach__email=email).values_list("project__title", flat=True))
        for email in ("coach@example.org", "coach2@example.org")
    }

    assert coached == {
        "coach@example.org": {"Timely discharge summaries", "Shorter waits for the memory clinic"},
        "coach2@example.org": {
            "Fewer restrictive interventions on Ruby Ward",
            "Physical health checks for people on depot medication",
        },
    }


def test_demo_sponsors_share_no_project(demo):
    seen_by = {
        email: set(visible_projects(user(email)).values_list("title", flat=True))
        for email in ("sponsor@example.org", "sponsor2@example.org")
    }

    assert seen_by == {
        "sponsor@example.org": {"Timely discharge summaries", "Fewer restrictive interventions on Ruby Ward"},
        "sponsor2@example.org": {
            "Shorter waits for the memory clinic",
            "Physical health checks for people on depot medication",
        },
    }


def test_demo_member_is_on_one_team_sponsored_by_the_first_sponsor(demo):
    memberships = list(
        TeamMembership.objects.filter(person__email="member@example.org").values_list(
            "project__title", "project__sponsor__email"
        )
    )

    assert memberships == [("Timely discharge summaries", "sponsor@example.org")]


# --- cohorts ----------------------------------------------------------------------------


def test_demo_cohort_10_has_inductions_workshops_and_action_learning_sets(demo):
    kinds = Counter(Session.objects.filter(cohort__number=10).values_list("kind", flat=True))

    assert kinds == {"induction": 2, "workshop": 6, "action_learning_set": 3, "webinar": 2}


def test_demo_cohort_10_workshops_come_in_three_two_day_blocks(demo):
    workshops = Session.objects.filter(cohort__number=10, kind=Session.Kind.WORKSHOP).order_by("starts_at")
    days = [timezone.localtime(s.starts_at).date() for s in workshops]

    blocks = [(days[i], days[i + 1]) for i in range(0, len(days), 2)]

    assert blocks == [
        (date(2024, 10, 1), date(2024, 10, 2)),
        (date(2025, 1, 21), date(2025, 1, 22)),
        (date(2025, 3, 18), date(2025, 3, 19)),
    ]
    assert {
        (timezone.localtime(s.starts_at).time(), timezone.localtime(s.ends_at).time()) for s in workshops
    } == {(time(9), time(17))}


def test_demo_cohort_10_registers_mix_attendance_statuses(demo):
    statuses = set(Attendance.objects.filter(session__cohort__number=10).values_list("status", flat=True))

    assert len(statuses) >= 3
    assert statuses == set(Attendance.Status.values)


def test_demo_cohort_10_completion_was_recorded_from_its_rule(demo):
    cohort = Cohort.objects.get(number=10)
    rows = attendance_matrix(cohort).rows

    # Every stored outcome is the one the matrix computes; the demo coaches completed.
    assert {row.enrolment.participant.email: row.enrolment.status for row in rows} == {
        row.enrolment.participant.email: row.completion for row in rows
    }
    assert Counter(row.completion for row in rows) == {"completed": 10, "not_completed": 2}
    assert {row.completion for row in rows if row.enrolment.participant.email.startswith("coach")} == {
        "completed"
    }
    # The participant who drifted away was absent six times in a row: the lead heard once.
    assert Message.objects.filter(key__startswith="attendance_consecutive_absences:").count() == 1


def test_demo_applications_are_accepted_waitlisted_and_pending(demo):
    statuses = Counter(Application.objects.values_list("cohort__number", "status"))

    assert statuses == {
        (10, "accepted"): 12,
        (11, "accepted"): 3,
        (11, "waitlisted"): 1,
        (11, "submitted"): 1,
    }


def test_demo_cohort_11_is_open_and_starts_after_today(demo):
    cohort = Cohort.objects.get(number=11)

    assert cohort.status == Cohort.Status.OPEN
    assert DEMO_DAY.date() < cohort.applications_close_on < cohort.starts_on


# --- projects and coaching ----------------------------------------------------------------


def test_demo_projects_span_two_directorates(demo):
    directorates = set(Project.objects.values_list("directorate__name", flat=True))

    assert directorates == {"Newham Community Health", "Tower Hamlets Mental Health"}


def test_demo_coaches_each_have_two_current_teams(demo):
    teams = Counter(Assignment.objects.current().values_list("coach__email", flat=True))

    assert teams == {"coach@example.org": 2, "coach2@example.org": 2}


def test_demo_measures_each_have_twenty_or_more_data_points(demo):
    points = dict(Measure.objects.annotate(n=Count("data_points")).values_list("name", "n"))

    assert len(points) == 5
    assert {name: n for name, n in points.items() if n < 20} == {}


def test_demo_has_pdsa_cycles_meetings_supervision_and_monthly_updates(demo):
    counts = {
        "PDSA cycles": PDSACycle.objects.count(),
        "meeting logs": MeetingLog.objects.count(),
        "supervision logs": SupervisionLog.objects.count(),
        "ready monthly updates": MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.READY).count(),
        "draft monthly updates": MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.DRAFT).count(),
    }

    assert counts == {
        "PDSA cycles": 6,
        "meeting logs": 34,
        "supervision logs": 10,
        "ready monthly updates": 12,
        "draft monthly updates": 2,
    }


def test_demo_meetings_all_lie_within_the_last_six_months(demo):
    met_on = MeetingLog.objects.order_by("met_on").values_list("met_on", flat=True)

    assert DEMO_DAY.date() - timedelta(weeks=26) <= met_on.first() <= met_on.last() <= DEMO_DAY.date()


def test_demo_monthly_update_drafts_carry_the_projects_current_progress_score(demo):
    drafts = MonthlyUpdate.objects.filter(status=MonthlyUpdate.Status.DRAFT).select_related("project")

    assert {d.project.title: d.progress_score for d in drafts} == {
        d.project.title: d.project.progress_score for d in drafts
    }
