"""The coach's start page: my teams, how long since each met, open next steps, the score trend,
this month's sponsor update, upcoming cohort sessions and my hours against capacity."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coaching.models import CoachProfile
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    EnrolmentFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    ProjectFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def _team(response, project):
    return next(a for a in response.context["teams"] if a.project_id == project.pk)


@pytest.mark.parametrize(
    ("days_ago", "colour"),
    [(21, "success"), (22, "warning"), (35, "warning"), (36, "danger")],
)
def test_days_since_the_last_meeting_turn_amber_after_21_and_red_after_35(
    coach_client, coach, project_a, days_ago, colour
):
    MeetingLogFactory(coach=coach, project=project_a, met_on=timezone.localdate() - timedelta(days=days_ago))

    team = _team(coach_client.get("/coaching/"), project_a)

    assert (team.days_since_meeting, team.cadence_colour) == (days_ago, colour)


def test_the_thresholds_come_from_settings(coach_client, coach, project_a, settings):
    settings.COACHING_MEETING_AMBER_DAYS = 7
    settings.COACHING_MEETING_RED_DAYS = 14
    MeetingLogFactory(coach=coach, project=project_a, met_on=timezone.localdate() - timedelta(days=10))

    assert _team(coach_client.get("/coaching/"), project_a).cadence_colour == "warning"


def test_a_team_never_met_says_so(coach_client, project_a):
    response = coach_client.get("/coaching/")

    assert _team(response, project_a).days_since_meeting is None
    assert "Not met yet" in response.content.decode()


def test_each_team_shows_its_open_next_steps_score_trend_and_update(coach_client, coach, project_a):
    today = timezone.localdate()
    scores = [("1.0", 40), ("1.5", 20), ("2.5", 5)]
    for score, days in scores:
        meeting = MeetingLogFactory(
            coach=coach, project=project_a, met_on=today - timedelta(days=days), progress_score=Decimal(score)
        )
    NextStepFactory(meeting=meeting)
    NextStepFactory(meeting=meeting)
    NextStepFactory(meeting=meeting, done_on=today)
    MonthlyUpdateFactory(project=project_a, author=coach, month=today.replace(day=1), ready=True)

    response = coach_client.get("/coaching/")

    team = _team(response, project_a)
    assert team.summary.open_next_steps == 2
    assert [m.progress_score for m in team.score_trend] == [Decimal("1.0"), Decimal("1.5"), Decimal("2.5")]
    assert team.trend == "up"
    assert team.summary.update_ready is True
    assert "1.0 → 1.5 → 2.5" in response.content.decode()


def test_there_is_one_tap_from_each_team_to_its_meeting_form(coach_client, project_a):
    page = coach_client.get("/coaching/").content.decode()

    assert f'href="/coaching/teams/{project_a.pk}/meetings/new/"' in page


def test_past_assignments_are_listed_but_offer_no_meeting_form(client, former_coach, project_a):
    client.force_login(former_coach)

    response = client.get("/coaching/")

    assert response.context["teams"] == []
    assert [a.project for a in response.context["past_assignments"]] == [project_a]
    assert f"/coaching/teams/{project_a.pk}/meetings/new/" not in response.content.decode()


def test_hours_this_month_are_shown_against_capacity(coach_client, coach, project_a):
    CoachProfile.objects.filter(coach=coach).update(hours_per_week=Decimal("3.5"))
    today = timezone.localdate()
    MeetingLogFactory(coach=coach, project=project_a, met_on=today, duration_minutes=90)
    MeetingLogFactory(coach=coach, project=project_a, met_on=today.replace(day=1) - timedelta(days=1))
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    days_in_month = (next_month - today.replace(day=1)).days

    response = coach_client.get("/coaching/")

    assert response.context["hours_this_month"] == 1.5
    assert response.context["capacity_this_month"] == round(3.5 * days_in_month / 7, 1)


def test_upcoming_cohort_sessions_are_listed(coach_client, coach):
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today, ends_on=today + timedelta(days=120))
    EnrolmentFactory(cohort=cohort, participant=coach)
    soon = timezone.make_aware(datetime.combine(today + timedelta(days=10), time(9)))
    session = SessionFactory(
        cohort=cohort, title="Workshop Days 3 & 4", starts_at=soon, ends_at=soon + timedelta(hours=8)
    )

    response = coach_client.get("/coaching/")

    assert list(response.context["upcoming_sessions"]) == [session]
    assert "Workshop Days 3 &amp; 4" in response.content.decode()


def test_another_coachs_teams_are_not_on_my_page(coach_client, other_coach, project_b):
    AssignmentFactory(coach=other_coach, project=ProjectFactory())

    assert project_b.pk not in [a.project_id for a in coach_client.get("/coaching/").context["teams"]]
