"""A cohort's subscribable calendar (issue 12, item 9): a secret, revocable link its leads share,
which Outlook and Google fetch without signing in, holding the sessions and nothing about anyone."""

from datetime import date, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from cohorts.models import CohortCalendarToken, Session
from cohorts.services import calendar_token_issue, cohort_calendar_token_issue, cohort_calendar_token_revoke
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def cohort():
    return CohortFactory(number=10)


@pytest.fixture
def lead(cohort):
    user = UserFactory(display_name="Lena Lead")
    cohort.leads.add(user)
    return user


def feed_path(token: str) -> str:
    return f"/cohorts/calendar/cohort/{token}.ics"


# --- the service ---------------------------------------------------------------------------------


def test_cohort_calendar_token_issue_gives_a_43_character_token_named_with_who_and_when(cohort, lead):
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead)

    assert (len(token.token), token.cohort, token.created_by, token.created_at) == (43, cohort, lead, NOW)


def test_cohort_calendar_token_issue_again_replaces_the_token(cohort, lead):
    old = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token

    new = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token

    assert (new != old, list(CohortCalendarToken.objects.values_list("token", flat=True))) == (True, [new])


def test_cohort_calendar_token_revoke_deletes_only_that_cohorts_token(cohort, lead):
    other = cohort_calendar_token_issue(cohort=CohortFactory(), issued_by=lead)
    cohort_calendar_token_issue(cohort=cohort, issued_by=lead)

    revoked = cohort_calendar_token_revoke(cohort=cohort)
    again = cohort_calendar_token_revoke(cohort=cohort)

    assert (revoked, again, list(CohortCalendarToken.objects.all())) == (True, False, [other])


# --- the public feed -----------------------------------------------------------------------------


def test_cohort_feed_link_answers_without_login_with_the_cohorts_sessions(client, cohort, lead):
    session = SessionFactory(cohort=cohort, title="Workshop Day 1")
    SessionFactory(title="Another cohort's session")
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token

    response = client.get(feed_path(token))

    calendar = Calendar.from_ical(response.content)
    assert (
        response.status_code,
        response["Content-Type"],
        response["Content-Disposition"],
        response["Cache-Control"],
        response["X-Robots-Tag"],
        response["Referrer-Policy"],
    ) == (
        200,
        "text/calendar; charset=utf-8",
        'inline; filename="cohort-10.ics"',
        "private, max-age=0",
        "noindex",
        "no-referrer",
    )
    assert str(calendar["X-WR-CALNAME"]) == f"{cohort.programme}: Cohort 10"
    assert [(str(e["UID"]), str(e["SUMMARY"])) for e in calendar.walk("VEVENT")] == [
        (f"{session.uid}@coachprog", "Workshop Day 1 (Cohort 10)")
    ]


def test_cohort_feed_link_holds_the_sessions_and_nothing_about_the_participants(client, cohort, lead):
    session = SessionFactory(cohort=cohort, notes="Lead's planning note: room is small")
    cancelled = SessionFactory(cohort=cohort, title="Webinar", status=Session.Status.CANCELLED)
    participant = UserFactory(display_name="Priya Participant", email="priya@example.org")
    enrolment = EnrolmentFactory(cohort=cohort, participant=participant)
    AttendanceFactory(session=session, enrolment=enrolment, note="Left early for a clinic")
    session.facilitators.add(UserFactory(display_name="Fay Facilitator"))
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token

    response = Client().get(feed_path(token))

    content = response.content.replace(b"\r\n ", b"").decode()
    for private in ["Priya", "priya@example.org", "Left early", "planning note", "Fay", "Lena"]:
        assert private not in content, private
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert statuses == {f"{session.uid}@coachprog": "CONFIRMED", f"{cancelled.uid}@coachprog": "CANCELLED"}


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "short", "A" * 44, "A" * 42 + "!"],
    ids=["unknown", "too short", "too long", "bad character"],
)
def test_cohort_feed_link_is_404_for_a_wrong_token(client, cohort, lead, token):
    cohort_calendar_token_issue(cohort=cohort, issued_by=lead)

    assert client.get(feed_path(token)).status_code == 404


def test_cohort_feed_link_is_404_once_replaced_or_switched_off(client, cohort, lead):
    old = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token
    new = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token
    replaced = (client.get(feed_path(old)).status_code, client.get(feed_path(new)).status_code)
    cohort_calendar_token_revoke(cohort=cohort)

    assert (replaced, client.get(feed_path(new)).status_code) == ((404, 200), 404)


def test_a_personal_token_does_not_open_a_cohort_feed(client, cohort):
    personal = calendar_token_issue(person=EnrolmentFactory(cohort=cohort).participant).token

    assert client.get(feed_path(personal)).status_code == 404


def test_cohort_feed_link_runs_the_same_queries_for_2_and_10_sessions(client, cohort, lead):
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(feed_path(token)).status_code == 200
        return len(captured)

    SessionFactory.create_batch(2, cohort=cohort)
    for_2 = queries()
    SessionFactory.create_batch(8, cohort=cohort)

    assert (for_2, queries()) == (2, 2)  # the token with its cohort, and the sessions


# --- the lead's buttons on the cohort page -----------------------------------------------------------


def test_cohort_page_offers_its_leads_a_calendar_link(client, cohort, lead):
    client.force_login(lead)

    content = client.get(f"/cohorts/{cohort.pk}/").content.decode()

    assert f'action="/cohorts/{cohort.pk}/calendar/link/"' in content
    assert "Create a calendar link</button>" in content


def test_lead_creates_the_link_and_the_cohort_page_shows_its_address(client, cohort, lead):
    client.force_login(lead)

    response = client.post(f"/cohorts/{cohort.pk}/calendar/link/", follow=True)

    token = CohortCalendarToken.objects.get(cohort=cohort).token
    assert response.redirect_chain == [(f"/cohorts/{cohort.pk}/#cohort-calendar-link", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The calendar link for Cohort 10 is ready. Share it with its participants."
    ]
    assert f'value="http://testserver/cohorts/calendar/cohort/{token}.ics"' in response.content.decode()
    assert "Created 1 Sep 2025, 10:00 by Lena Lead." in response.content.decode()
    client.logout()
    assert client.get(feed_path(token)).status_code == 200


def test_lead_replaces_the_link_and_the_old_one_stops_working(client, cohort, lead):
    old = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token
    client.force_login(lead)

    response = client.post(f"/cohorts/{cohort.pk}/calendar/link/", follow=True)

    new = CohortCalendarToken.objects.get(cohort=cohort).token
    assert [str(m) for m in response.context["messages"]] == [
        "The calendar link for Cohort 10 has been replaced. The old link no longer works: "
        "share the new one with the people who subscribed."
    ]
    assert (new != old, client.get(feed_path(old)).status_code) == (True, 404)


def test_lead_switches_off_the_link(client, cohort, lead):
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token
    client.force_login(lead)

    response = client.post(f"/cohorts/{cohort.pk}/calendar/link/revoke/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The calendar link for Cohort 10 is switched off. Calendars subscribed to it stop updating."
    ]
    assert (CohortCalendarToken.objects.exists(), client.get(feed_path(token)).status_code) == (False, 404)
    assert "Create a calendar link</button>" in response.content.decode()


@pytest.mark.parametrize("path", ["calendar/link/", "calendar/link/revoke/"])
def test_only_the_cohorts_leads_change_its_link(client, cohort, lead, path):
    token = cohort_calendar_token_issue(cohort=cohort, issued_by=lead).token
    participant = EnrolmentFactory(cohort=cohort).participant

    client.force_login(participant)
    as_participant = client.post(f"/cohorts/{cohort.pk}/{path}").status_code
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    client.force_login(UserFactory())
    as_outsider = client.post(f"/cohorts/{cohort.pk}/{path}").status_code
    client.force_login(lead)
    by_get = client.get(f"/cohorts/{cohort.pk}/{path}").status_code

    assert (as_participant, as_outsider, by_get) == (403, 404, 405)
    assert CohortCalendarToken.objects.get(cohort=cohort).token == token
    assert ("cohort-calendar-link" in page, token in page) == (False, False)
