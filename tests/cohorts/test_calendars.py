"""Calendar feeds: the per-cohort and private per-person iCalendar feeds, and the services behind them."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from coachprog.accounts.services import programme_lead_add
from cohorts.models import CalendarToken, Enrolment, Session
from cohorts.services import calendar_token_issue, calendar_token_revoke, session_cancel, session_update
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, UserFactory, london

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def lead(client):
    user = UserFactory()
    programme_lead_add(user=user)
    client.force_login(user)
    return user


def cohort_feed(client, cohort) -> Calendar:
    response = client.get(f"/cohorts/{cohort.pk}/calendar.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def personal_feed(client, token: str) -> Calendar:
    response = client.get(f"/cohorts/calendar/{token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def event_facts(event) -> tuple:
    return (
        str(event["UID"]),
        int(event["SEQUENCE"]),
        str(event["STATUS"]),
        event["DTSTART"].dt,
        event["DTEND"].dt,
    )


# --- the per-cohort feed ---------------------------------------------------------------------


def test_cohort_feed_is_an_inline_calendar_file(client, lead):
    cohort = CohortFactory(number=10)

    response = client.get(f"/cohorts/{cohort.pk}/calendar.ics")

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "text/calendar; charset=utf-8",
        'inline; filename="cohort-10.ics"',
    )


def test_cohort_feed_parses_with_the_calendar_properties(client, lead):
    cohort = CohortFactory(number=10, name="Autumn 2025")
    cohort.programme.name = "Improvement Coaching Programme"
    cohort.programme.save()

    calendar = cohort_feed(client, cohort)

    assert {
        name: str(calendar[name])
        for name in ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE")
    } == {
        "PRODID": "-//coachprog//coachprog//EN",
        "VERSION": "2.0",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALNAME": "Improvement Coaching Programme: Cohort 10 (Autumn 2025)",
        "X-WR-TIMEZONE": "Europe/London",
    }


def test_cohort_feed_has_one_event_per_session_with_its_uid_and_utc_times(client, lead):
    cohort = CohortFactory(starts_on=date(2025, 10, 1))
    summer = SessionFactory(
        cohort=cohort,
        starts_at=london(date(2025, 10, 1), time(9)),
        ends_at=london(date(2025, 10, 1), time(17)),
    )
    winter = SessionFactory(
        cohort=cohort,
        starts_at=london(date(2025, 12, 3), time(9, 30)),
        ends_at=london(date(2025, 12, 3), time(16, 30)),
    )
    SessionFactory()  # another cohort's

    calendar = cohort_feed(client, cohort)

    assert [event_facts(event) for event in calendar.walk("VEVENT")] == [
        (
            f"{summer.uid}@coachprog",
            0,
            "CONFIRMED",
            datetime(2025, 10, 1, 8, 0, tzinfo=UTC),  # British Summer Time
            datetime(2025, 10, 1, 16, 0, tzinfo=UTC),
        ),
        (
            f"{winter.uid}@coachprog",
            0,
            "CONFIRMED",
            datetime(2025, 12, 3, 9, 30, tzinfo=UTC),  # Greenwich Mean Time
            datetime(2025, 12, 3, 16, 30, tzinfo=UTC),
        ),
    ]


def test_cohort_feed_event_names_the_session_cohort_and_venue(client, lead):
    cohort = CohortFactory(number=10, name="")
    session = SessionFactory(
        cohort=cohort,
        title="Workshop Day 1",
        venue_name="NCVO, London",
        venue_address="Society Building\n8 All Saints Street\nLondon N1 9RL",
    )

    (event,) = cohort_feed(client, cohort).walk("VEVENT")

    assert (str(event["SUMMARY"]), str(event["LOCATION"]), str(event["URL"]), event["DTSTAMP"].dt) == (
        "Workshop Day 1 (Cohort 10)",
        "NCVO, London, Society Building, 8 All Saints Street, London N1 9RL",
        f"http://testserver/cohorts/{cohort.pk}/sessions/{session.pk}/",
        datetime(2025, 9, 1, 9, 0, tzinfo=UTC),
    )


def test_cohort_feed_online_session_is_online_with_the_joining_link(client, lead):
    cohort = CohortFactory(number=10, name="")
    session = SessionFactory(
        cohort=cohort,
        kind=Session.Kind.ACTION_LEARNING_SET,
        title="Action learning set 1",
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/als-1",
    )

    (event,) = cohort_feed(client, cohort).walk("VEVENT")

    assert (str(event["LOCATION"]), str(event["URL"]), str(event["DESCRIPTION"])) == (
        "Online",
        "https://meet.example.org/als-1",
        "Action learning set for Cohort 10.\n"
        "Join online: https://meet.example.org/als-1\n"
        f"Details: http://testserver/cohorts/{cohort.pk}/sessions/{session.pk}/",
    )


def test_cohort_feed_is_404_for_someone_who_cannot_see_the_cohort(client):
    cohort = CohortFactory()
    client.force_login(UserFactory())

    response = client.get(f"/cohorts/{cohort.pk}/calendar.ics")

    assert response.status_code == 404


def test_cohort_feed_sends_anonymous_visitors_to_log_in(client):
    cohort = CohortFactory()

    response = client.get(f"/cohorts/{cohort.pk}/calendar.ics")

    assert (response.status_code, response["Location"]) == (
        302,
        f"/accounts/login/?next=/cohorts/{cohort.pk}/calendar.ics",
    )


def test_cohort_feed_is_open_to_a_participant_of_the_cohort(client):
    enrolment = EnrolmentFactory()
    SessionFactory(cohort=enrolment.cohort)
    client.force_login(enrolment.participant)

    calendar = cohort_feed(client, enrolment.cohort)

    assert len(calendar.walk("VEVENT")) == 1


# --- edits and cancellations round-trip ----------------------------------------------------


def test_session_update_of_the_time_keeps_the_uid_and_raises_the_sequence_in_the_feed(client, lead):
    session = SessionFactory()
    (before,) = cohort_feed(client, session.cohort).walk("VEVENT")

    session_update(
        session=session,
        starts_at=london(date(2025, 10, 1), time(10)),
        ends_at=london(date(2025, 10, 1), time(16)),
    )
    (after,) = cohort_feed(client, session.cohort).walk("VEVENT")

    assert (event_facts(before), event_facts(after)) == (
        (
            f"{session.uid}@coachprog",
            0,
            "CONFIRMED",
            datetime(2025, 10, 1, 8, 0, tzinfo=UTC),
            datetime(2025, 10, 1, 16, 0, tzinfo=UTC),
        ),
        (
            f"{session.uid}@coachprog",
            1,
            "CONFIRMED",
            datetime(2025, 10, 1, 9, 0, tzinfo=UTC),
            datetime(2025, 10, 1, 15, 0, tzinfo=UTC),
        ),
    )


def test_session_cancel_keeps_the_uid_raises_the_sequence_and_is_cancelled_in_the_feed(client, lead):
    session = SessionFactory()
    session_update(session=session, title="Workshop Day 1 (moved)")

    session_cancel(session=session)
    (event,) = cohort_feed(client, session.cohort).walk("VEVENT")

    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"]), str(event["TRANSP"])) == (
        f"{session.uid}@coachprog",
        2,
        "CANCELLED",
        "TRANSPARENT",
    )


def test_session_update_saves_the_change_and_raises_the_sequence_by_one():
    session = SessionFactory(venue_name="NCVO, London")

    session_update(session=session, venue_name="Friends House, London")

    session.refresh_from_db()
    assert (session.venue_name, session.sequence, session.status) == (
        "Friends House, London",
        1,
        Session.Status.SCHEDULED,
    )


def test_session_update_with_nothing_changed_keeps_the_sequence():
    session = SessionFactory(title="Workshop Day 1")

    session_update(session=session, title="Workshop Day 1", starts_at=session.starts_at)

    session.refresh_from_db()
    assert session.sequence == 0


def test_session_update_of_notes_only_keeps_the_sequence():
    session = SessionFactory()

    session_update(session=session, notes="Bring the driver diagrams.")

    session.refresh_from_db()
    assert (session.notes, session.sequence) == ("Bring the driver diagrams.", 0)


def test_session_update_refuses_a_field_it_does_not_change():
    session = SessionFactory()

    with pytest.raises(ValidationError) as refused:
        session_update(session=session, sequence=7)

    assert refused.value.messages == ["These session fields cannot be changed here: sequence."]


def test_session_update_refuses_an_end_before_the_start():
    session = SessionFactory()

    with pytest.raises(ValidationError):
        session_update(session=session, ends_at=london(date(2025, 10, 1), time(8)))

    session.refresh_from_db()
    assert (session.ends_at, session.sequence) == (london(date(2025, 10, 1), time(17)), 0)


def test_session_cancel_sets_the_status_and_raises_the_sequence():
    session = SessionFactory()

    session_cancel(session=session)

    session.refresh_from_db()
    assert (session.status, session.sequence) == (Session.Status.CANCELLED, 1)


def test_session_cancel_refuses_a_session_already_cancelled():
    session = SessionFactory()
    session_cancel(session=session)

    with pytest.raises(ValidationError) as refused:
        session_cancel(session=session)

    session.refresh_from_db()
    assert (refused.value.messages, session.sequence) == (["This session is already cancelled."], 1)


# --- tokens -----------------------------------------------------------------------------------


def test_calendar_token_issue_gives_a_43_character_token():
    person = UserFactory()

    token = calendar_token_issue(person=person)

    assert (len(token.token), token.person, token.created_at) == (43, person, NOW)


def test_calendar_token_issue_again_replaces_the_token():
    person = UserFactory()
    old = calendar_token_issue(person=person).token

    new = calendar_token_issue(person=person).token

    assert (
        new != old,
        list(CalendarToken.objects.filter(person=person).values_list("token", flat=True)),
    ) == (
        True,
        [new],
    )


def test_calendar_token_revoke_deletes_the_token():
    person = UserFactory()
    calendar_token_issue(person=person)

    calendar_token_revoke(person=person)

    assert CalendarToken.objects.filter(person=person).exists() is False


# --- the personal feed ---------------------------------------------------------------------------


def test_personal_feed_answers_without_login_with_the_token(client):
    enrolment = EnrolmentFactory()
    session = SessionFactory(cohort=enrolment.cohort)
    token = calendar_token_issue(person=enrolment.participant).token

    response = client.get(f"/cohorts/calendar/{token}.ics")

    calendar = Calendar.from_ical(response.content)
    assert (
        response.status_code,
        response["Content-Type"],
        response["Content-Disposition"],
        [str(event["UID"]) for event in calendar.walk("VEVENT")],
    ) == (
        200,
        "text/calendar; charset=utf-8",
        'inline; filename="coachprog.ics"',
        [f"{session.uid}@coachprog"],
    )


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "short", "A" * 44, "A" * 42 + "!"],
    ids=["unknown", "too short", "too long", "bad character"],
)
def test_personal_feed_is_404_for_a_wrong_token(client, token):
    calendar_token_issue(person=EnrolmentFactory().participant)

    response = client.get(f"/cohorts/calendar/{token}.ics")

    assert response.status_code == 404


def test_personal_feed_is_404_for_a_replaced_token(client):
    person = EnrolmentFactory().participant
    old = calendar_token_issue(person=person).token
    new = calendar_token_issue(person=person).token

    statuses = (
        client.get(f"/cohorts/calendar/{old}.ics").status_code,
        client.get(f"/cohorts/calendar/{new}.ics").status_code,
    )

    assert statuses == (404, 200)


def test_personal_feed_is_404_for_a_revoked_token(client):
    person = EnrolmentFactory().participant
    token = calendar_token_issue(person=person).token
    calendar_token_revoke(person=person)

    response = client.get(f"/cohorts/calendar/{token}.ics")

    assert response.status_code == 404


def test_personal_feed_is_404_for_a_switched_off_account(client):
    person = EnrolmentFactory().participant
    token = calendar_token_issue(person=person).token
    person.is_active = False
    person.save()

    response = client.get(f"/cohorts/calendar/{token}.ics")

    assert response.status_code == 404


def test_personal_feed_lists_only_the_persons_own_cohorts(client):
    person = UserFactory()
    enrolled = SessionFactory(title="Enrolled")
    EnrolmentFactory(cohort=enrolled.cohort, participant=person)
    completed = SessionFactory(title="Completed")
    EnrolmentFactory(cohort=completed.cohort, participant=person, status=Enrolment.Status.COMPLETED)
    withdrawn = SessionFactory(title="Withdrawn")
    EnrolmentFactory(cohort=withdrawn.cohort, participant=person, status=Enrolment.Status.WITHDRAWN)
    facilitated = SessionFactory(title="Facilitated")
    facilitated.facilitators.add(person)
    same_cohort_as_facilitated = SessionFactory(cohort=facilitated.cohort, title="Same cohort as facilitated")
    SessionFactory(title="Someone else's")
    EnrolmentFactory(cohort=SessionFactory(title="Someone else's enrolment").cohort)
    token = calendar_token_issue(person=person).token

    calendar = personal_feed(client, token)

    assert sorted(str(event["UID"]) for event in calendar.walk("VEVENT")) == sorted(
        f"{session.uid}@coachprog"
        for session in (enrolled, completed, facilitated, same_cohort_as_facilitated)
    )


def test_personal_feed_shows_a_cancelled_session_as_cancelled(client):
    enrolment = EnrolmentFactory()
    session = SessionFactory(cohort=enrolment.cohort)
    token = calendar_token_issue(person=enrolment.participant).token

    session_cancel(session=session)
    (event,) = personal_feed(client, token).walk("VEVENT")

    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        f"{session.uid}@coachprog",
        1,
        "CANCELLED",
    )


def test_personal_feed_runs_the_same_queries_for_2_and_10_sessions(client):
    enrolment = EnrolmentFactory()
    other = EnrolmentFactory(participant=enrolment.participant)
    token = calendar_token_issue(person=enrolment.participant).token
    path = f"/cohorts/calendar/{token}.ics"

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        return len(Calendar.from_ical(response.content).walk("VEVENT")), len(captured)

    SessionFactory(cohort=enrolment.cohort)
    SessionFactory(cohort=other.cohort)
    events_for_2, queries_for_2 = queries()
    for _ in range(4):
        SessionFactory(cohort=enrolment.cohort)
        SessionFactory(cohort=other.cohort)
    events_for_10, queries_for_10 = queries()

    assert (events_for_2, events_for_10, queries_for_10) == (2, 10, queries_for_2)


def test_cohort_feed_runs_the_same_queries_for_2_and_10_sessions(client, lead):
    cohort = CohortFactory()
    path = f"/cohorts/{cohort.pk}/calendar.ics"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured)

    SessionFactory.create_batch(2, cohort=cohort)
    queries_for_2 = queries()
    SessionFactory.create_batch(8, cohort=cohort)

    assert queries() == queries_for_2


# --- the "My calendar link" page --------------------------------------------------------------


def test_calendar_link_page_offers_to_create_a_link(client):
    client.force_login(UserFactory())

    response = client.get("/cohorts/calendar/")

    assert (response.status_code, response.context["token"], response.context["feed_url"]) == (200, None, "")
    assert b"Create my calendar link" in response.content


def test_calendar_link_page_shows_the_absolute_subscription_url(client):
    person = UserFactory()
    token = calendar_token_issue(person=person).token
    client.force_login(person)

    response = client.get("/cohorts/calendar/")

    assert response.context["feed_url"] == f"http://testserver/cohorts/calendar/{token}.ics"
    assert f'value="http://testserver/cohorts/calendar/{token}.ics"'.encode() in response.content


def test_calendar_link_create_makes_a_working_link(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post("/cohorts/calendar/new/")

    token = CalendarToken.objects.get(person=person).token
    client.logout()
    assert (
        response.status_code,
        response["Location"],
        client.get(f"/cohorts/calendar/{token}.ics").status_code,
    ) == (
        302,
        "/cohorts/calendar/",
        200,
    )


def test_calendar_link_replace_switches_off_the_old_link(client):
    person = UserFactory()
    old = calendar_token_issue(person=person).token
    client.force_login(person)

    client.post("/cohorts/calendar/new/")

    new = CalendarToken.objects.get(person=person).token
    assert (new != old, client.get(f"/cohorts/calendar/{old}.ics").status_code) == (True, 404)


def test_calendar_link_revoke_switches_off_the_link(client):
    person = UserFactory()
    token = calendar_token_issue(person=person).token
    client.force_login(person)

    response = client.post("/cohorts/calendar/revoke/")

    assert (
        response.status_code,
        response["Location"],
        CalendarToken.objects.filter(person=person).exists(),
        client.get(f"/cohorts/calendar/{token}.ics").status_code,
    ) == (302, "/cohorts/calendar/", False, 404)


def test_calendar_link_revoke_leaves_other_peoples_links_alone(client):
    someone_else = calendar_token_issue(person=UserFactory())
    client.force_login(UserFactory())

    client.post("/cohorts/calendar/revoke/")

    assert CalendarToken.objects.get(pk=someone_else.pk).token == someone_else.token


@pytest.mark.parametrize("path", ["/cohorts/calendar/new/", "/cohorts/calendar/revoke/"])
def test_calendar_link_changes_need_post(client, path):
    person = UserFactory()
    token = calendar_token_issue(person=person).token
    client.force_login(person)

    response = client.get(path)

    assert (response.status_code, CalendarToken.objects.get(person=person).token) == (405, token)


@pytest.mark.parametrize("path", ["/cohorts/calendar/new/", "/cohorts/calendar/revoke/"])
def test_calendar_link_changes_need_a_csrf_token(path):
    person = UserFactory()
    token = calendar_token_issue(person=person).token
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(path)

    assert (response.status_code, CalendarToken.objects.get(person=person).token) == (403, token)


def test_cohort_page_links_to_the_cohort_feed_and_the_calendar_link_page(client, lead):
    cohort = CohortFactory()

    response = client.get(f"/cohorts/{cohort.pk}/")

    assert (
        f'href="/cohorts/{cohort.pk}/calendar.ics"'.encode() in response.content,
        b'href="/cohorts/calendar/"' in response.content,
    ) == (True, True)
