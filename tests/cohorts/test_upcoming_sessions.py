"""The in-app calendar: a person's upcoming sessions as a list, and a month at a glance."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Session
from cohorts.services import session_cancel
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, london

NOW = london(date(2025, 11, 12), time(12))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def session(cohort, day: date, title: str) -> Session:
    return SessionFactory(
        cohort=cohort, title=title, starts_at=london(day, time(9)), ends_at=london(day, time(17))
    )


@pytest.fixture
def participant():
    return EnrolmentFactory(cohort=CohortFactory(number=10)).participant


def test_list_shows_my_cohorts_sessions_from_today_grouped_by_month(client, participant):
    mine = participant.enrolments.get().cohort
    session(mine, date(2025, 11, 5), "Last week")
    session(mine, date(2025, 11, 12), "Today")
    session(mine, date(2025, 12, 3), "Next month")
    session(CohortFactory(number=99), date(2025, 11, 20), "Someone else's cohort")
    client.force_login(participant)

    response = client.get(reverse("cohorts:sessions"))

    assert [s.title for s in response.context["page"]] == ["Today", "Next month"]
    content = response.content.decode()
    assert '<h2 id="month-1" class="h5">November 2025</h2>' in content
    assert '<h2 id="month-2" class="h5">December 2025</h2>' in content


def test_cancelled_sessions_stay_in_the_list_marked_as_cancelled(client, participant):
    cancelled = session(participant.enrolments.get().cohort, date(2025, 11, 19), "Workshop Day 3")
    session_cancel(session=cancelled)
    client.force_login(participant)

    content = client.get(reverse("cohorts:sessions")).content.decode()

    assert "<del>Workshop Day 3</del>" in content
    assert '<span class="badge text-bg-danger">Cancelled</span>' in content


def test_month_view_places_each_session_on_its_day(client, participant):
    mine = participant.enrolments.get().cohort
    session(mine, date(2025, 12, 3), "Workshop Day 3")
    session(mine, date(2026, 1, 7), "Next year")
    client.force_login(participant)

    response = client.get(reverse("cohorts:sessions"), {"view": "month", "month": "2025-12"})

    assert response.context["month"] == date(2025, 12, 1)
    days = {day: [s.title for s in sessions] for week in response.context["weeks"] for day, sessions in week}
    assert days[date(2025, 12, 3)] == ["Workshop Day 3"]
    assert days[date(2025, 12, 1)] == []  # the grid starts on Monday 1 December
    assert min(days) == date(2025, 12, 1)
    assert max(days) == date(2026, 1, 4)
    assert response.context["previous_month"] == date(2025, 11, 1)
    assert response.context["next_month"] == date(2026, 1, 1)


@pytest.mark.parametrize("asked", ["", "2025-13", "soon", "1900-01"])
def test_month_view_falls_back_to_this_month_for_a_missing_or_odd_month(client, participant, asked):
    client.force_login(participant)

    response = client.get(reverse("cohorts:sessions"), {"view": "month", "month": asked})

    assert response.status_code == 200
    assert response.context["month"] == date(2025, 11, 1)


def test_nothing_coming_up_says_so(client, participant):
    client.force_login(participant)

    assert "No upcoming sessions." in client.get(reverse("cohorts:sessions")).content.decode()


def _queries(client, participant, sessions: int, view: dict) -> int:
    cohort = participant.enrolments.get().cohort
    start = date(2025, 11, 13) + timedelta(days=Session.objects.count())
    for n in range(sessions):
        session(cohort, start + timedelta(days=n), f"Session {n}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cohorts:sessions"), view).status_code == 200
    return len(queries)


@pytest.mark.parametrize("view", [{}, {"view": "month"}])
def test_sessions_pages_run_a_fixed_number_of_queries(client, participant, view):
    client.force_login(participant)

    small = _queries(client, participant, 2, view)

    assert _queries(client, participant, 12, view) == small
