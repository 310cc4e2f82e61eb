"""The cohort planner: creating and editing a schedule, copying it to new dates, and its checks."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from coaching.demo.cohorts import COHORT_10_SCHEDULE
from cohorts.models import Cohort, CurriculumTopic, Session, SessionMaterial
from cohorts.planning import contact_days, copy_plan, local_date, plan_warnings
from cohorts.services.planner import session_topics_set
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
    london,
)
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def cohort_10() -> Cohort:
    """Cohort 10 with the demo's real schedule (ELFT's public dates)."""
    cohort = CohortFactory(number=10, starts_on=date(2024, 9, 10), ends_on=date(2025, 3, 31))
    topics = {t.number: t for t in CurriculumTopic.objects.all()}
    cohort.topics.set(topics.values())
    for kind, title, day, start, end, venue, numbers in COHORT_10_SCHEDULE:
        session = SessionFactory(
            cohort=cohort,
            kind=kind,
            title=title,
            starts_at=london(day, start),
            ends_at=london(day, end),
            venue_name=venue[0] if venue else "",
            venue_address=venue[1] if venue else "",
            online_url="" if venue else "https://meet.example.org/cohort-10",
        )
        session_topics_set(session=session, topics=[topics[n] for n in numbers])
    return cohort


def session_post(**overrides) -> dict:
    data = {
        "kind": Session.Kind.WORKSHOP,
        "title": "Workshop Day 7",
        "day": "2025-11-04",
        "start": "09:00",
        "end": "17:00",
        "venue_name": "NCVO, London",
        "venue_address": "",
        "online_url": "",
    }
    data.update(overrides)
    return data


# --- item 1: the planner ---------------------------------------------------------------------


def test_planner_create_makes_the_cohort_and_redirects_to_its_planner(lead_client, programme_lead):
    programme = ProgrammeFactory()
    topic = CurriculumTopic.objects.get(number=1)

    response = lead_client.post(
        reverse("cohorts:planner_create"),
        {
            "programme": programme.pk,
            "number": 12,
            "name": "Autumn 2026",
            "starts_on": "2026-09-01",
            "ends_on": "2027-03-31",
            "capacity": 20,
            "leads": [programme_lead.pk],
            "topics": [topic.pk],
        },
    )

    cohort = Cohort.objects.get(programme=programme, number=12)
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:planner", args=[cohort.pk])
    assert (cohort.name, cohort.starts_on, cohort.ends_on, cohort.capacity) == (
        "Autumn 2026",
        date(2026, 9, 1),
        date(2027, 3, 31),
        20,
    )
    assert list(cohort.leads.all()) == [programme_lead]
    assert list(cohort.topics.all()) == [topic]


def test_planner_create_names_the_field_when_the_cohort_ends_before_it_starts(lead_client):
    programme = ProgrammeFactory()

    response = lead_client.post(
        reverse("cohorts:planner_create"),
        {
            "programme": programme.pk,
            "number": 1,
            "starts_on": "2026-09-01",
            "ends_on": "2026-08-01",
            "capacity": 20,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ends_on": ["The cohort must end on or after the day it starts."]
    }
    assert not Cohort.objects.filter(programme=programme).exists()


def test_session_add_without_javascript_redirects_back_to_the_planner(lead_client):
    cohort = CohortFactory()
    facilitator = UserFactory()
    topic = CurriculumTopic.objects.get(number=2)

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]),
        session_post(facilitators=[facilitator.pk], topics=[topic.pk]),
    )

    session = Session.objects.get(cohort=cohort)
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:planner", args=[cohort.pk]) + f"#session-{session.pk}"
    assert (session.title, session.starts_at, session.ends_at) == (
        "Workshop Day 7",
        london(date(2025, 11, 4), time(9)),
        london(date(2025, 11, 4), time(17)),
    )
    assert list(session.facilitators.all()) == [facilitator]
    assert list(session.topics.all()) == [topic]


def test_session_add_with_htmx_returns_the_plan_partial(lead_client):
    cohort = CohortFactory()

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]), session_post(), **HX
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "cohorts/planner/_plan_update.html",
        "cohorts/planner/_plan.html",
    ]
    assert "<html" not in response.content.decode()
    assert [s.title for s in response.context["sessions"]] == ["Workshop Day 7"]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"end": "08:00"}, {"end": ["The end time must be after the start time."]}),
        ({"venue_name": ""}, {"venue_name": ["Give a venue or an online joining link."]}),
    ],
)
def test_session_add_names_the_field_and_the_rule(lead_client, overrides, errors):
    cohort = CohortFactory()

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]), session_post(**overrides), **HX
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#session-add"
    assert response.context["form"].errors == errors
    assert not Session.objects.filter(cohort=cohort).exists()


def test_session_add_refuses_a_cancelled_cohort(lead_client):
    cohort = CohortFactory(status=Cohort.Status.CANCELLED)

    response = lead_client.post(reverse("cohorts:planner_session_add", args=[cohort.pk]), session_post())

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["This cohort is cancelled, so its sessions cannot be planned."]
    }
    assert not Session.objects.filter(cohort=cohort).exists()


def test_session_edit_moves_the_session_and_raises_its_sequence(lead_client):
    session = SessionFactory()
    url = reverse("cohorts:planner_session_edit", args=[session.cohort_id, session.pk])

    response = lead_client.post(
        url, session_post(title=session.title, day="2025-10-08", start="10:00", end="16:00")
    )

    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("cohorts:planner", args=[session.cohort_id]) + f"#session-{session.pk}"
    )
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.sequence) == (
        london(date(2025, 10, 8), time(10)),
        london(date(2025, 10, 8), time(16)),
        1,
    )


def test_session_edit_with_htmx_returns_the_form_partial(lead_client):
    session = SessionFactory()
    url = reverse("cohorts:planner_session_edit", args=[session.cohort_id, session.pk])

    response = lead_client.get(url, **HX)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "cohorts/planner/_session_form.html"
    assert response.context["form"].initial["day"] == date(2025, 10, 1)


def test_session_cancel_without_javascript_redirects(lead_client):
    session = SessionFactory()

    response = lead_client.post(
        reverse("cohorts:planner_session_cancel", args=[session.cohort_id, session.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:planner", args=[session.cohort_id])
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_session_cancel_with_htmx_returns_the_plan_partial(lead_client):
    session = SessionFactory()

    response = lead_client.post(
        reverse("cohorts:planner_session_cancel", args=[session.cohort_id, session.pk]), **HX
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "cohorts/planner/_plan_update.html",
        "cohorts/planner/_plan.html",
    ]
    assert (
        '<div id="planner-status" hx-swap-oob="innerHTML"><div class="alert alert-success py-2">'
        f"“{session.title}” cancelled.</div></div>"
    ) in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


# --- permissions -------------------------------------------------------------------------------


def planner_urls(session: Session) -> list[str]:
    return [
        reverse("cohorts:planner", args=[session.cohort_id]),
        reverse("cohorts:planner_session_add", args=[session.cohort_id]),
        reverse("cohorts:planner_session_edit", args=[session.cohort_id, session.pk]),
        reverse("cohorts:planner_session_cancel", args=[session.cohort_id, session.pk]),
        reverse("cohorts:copy", args=[session.cohort_id]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_planner_views_are_not_found_for_an_unrelated_coach(client, coach, method):
    session = SessionFactory()
    client.force_login(coach)

    statuses = [getattr(client, method)(url).status_code for url in planner_urls(session)]

    # The planner page is read-only and cancelling POST-only: the wrong method is refused first.
    assert statuses == [405 if method == "post" else 404, 404, 404, 405 if method == "get" else 404, 404]


@pytest.mark.parametrize("method", ["get", "post"])
def test_planner_views_are_forbidden_to_a_participant(client, method):
    session = SessionFactory()
    participant = EnrolmentFactory(cohort=session.cohort).participant
    client.force_login(participant)

    statuses = [getattr(client, method)(url).status_code for url in planner_urls(session)]

    # Cancelling is POST-only, and the planner page GET-only: the wrong method is refused first.
    assert statuses == [405 if method == "post" else 403, 403, 403, 405 if method == "get" else 403, 403]
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_planner_views_send_anonymous_people_to_log_in(client):
    session = SessionFactory()

    locations = [client.get(url)["Location"] for url in planner_urls(session)]

    assert locations == [f"/accounts/login/?next={url}" for url in planner_urls(session)]


def test_planner_create_is_forbidden_to_everyone_but_programme_leads(client, coach):
    client.force_login(coach)

    assert client.get(reverse("cohorts:planner_create")).status_code == 403


def test_cohort_lead_who_is_not_a_programme_lead_may_plan_their_cohort(client):
    lead = UserFactory()
    cohort = CohortFactory()
    cohort.leads.add(lead)
    client.force_login(lead)

    assert client.get(reverse("cohorts:planner", args=[cohort.pk])).status_code == 200


# --- item 2: copying a cohort --------------------------------------------------------------


def test_copy_one_year_on_keeps_weekdays_and_flags_nothing():
    # "One year on": the first session on or after 10 Sep 2025, its first anniversary. The shift
    # is a whole number of weeks, so 53 weeks: Tuesday 10 Sep 2024 becomes Tuesday 16 Sep 2025.
    source = cohort_10()
    sessions = list(source.sessions.order_by("starts_at"))

    shift, plan = copy_plan(sessions, new_start=date(2025, 9, 10))

    assert shift == timedelta(weeks=53)
    assert [c.day for c in plan] == [local_date(s.starts_at) + timedelta(weeks=53) for s in sessions]
    assert [c.day.weekday() for c in plan] == [local_date(s.starts_at).weekday() for s in sessions]
    assert [(c.source.title, c.flag) for c in plan if c.flag] == []


def test_copy_to_a_spring_cohort_flags_easter_monday():
    # From Tuesday 10 Feb 2026 (74 weeks on), Monday 4 Nov 2024 lands on Easter Monday 2026.
    source = cohort_10()
    sessions = list(source.sessions.order_by("starts_at"))

    shift, plan = copy_plan(sessions, new_start=date(2026, 2, 10))

    assert shift == timedelta(weeks=74)
    assert [(c.source.title, c.day, c.flag) for c in plan if c.flag] == [
        ("Virtual Action Learning Set 1", date(2026, 4, 6), "Easter Monday"),
    ]


def test_copy_to_christmas_flags_christmas_and_boxing_day():
    # Tuesday 1 Oct 2024 moved 273 weeks to Tuesday 25 Dec 2029: both workshop days are holidays.
    source = cohort_10()
    sessions = list(source.sessions.filter(title__in=["Workshop Day 1", "Workshop Day 2"]))

    _, plan = copy_plan(sessions, new_start=date(2029, 12, 25))

    assert [(c.source.title, c.day, c.flag) for c in plan] == [
        ("Workshop Day 1", date(2029, 12, 25), "Christmas Day"),
        ("Workshop Day 2", date(2029, 12, 26), "Boxing Day"),
    ]


def test_copy_preview_lists_each_session_with_its_new_date_and_flag(lead_client):
    source = cohort_10()

    response = lead_client.post(
        reverse("cohorts:copy", args=[source.pk]), {"number": 11, "name": "", "new_start": "2026-02-10"}
    )

    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan) == 13
    assert [c.flag for c in plan if c.flag] == ["Easter Monday"]
    content = response.content.decode()
    assert '<strong class="cp-flag">Easter Monday</strong>' in content
    assert not Cohort.objects.filter(number=11).exists()


def test_copy_confirm_saves_the_adjusted_dates_in_one_go(lead_client, programme_lead):
    source = cohort_10()
    sessions = list(source.sessions.order_by("starts_at"))
    shift = timedelta(weeks=74)
    data = {"number": 11, "name": "Spring 2026", "new_start": "2026-02-10", "confirm": ""}
    for s in sessions:
        data[f"session_{s.pk}"] = (local_date(s.starts_at) + shift).isoformat()
    moved = next(s for s in sessions if s.title == "Virtual Action Learning Set 1")
    data[f"session_{moved.pk}"] = "2026-04-07"  # the lead moves it off Easter Monday

    response = lead_client.post(reverse("cohorts:copy", args=[source.pk]), data)

    copy = Cohort.objects.get(programme=source.programme, number=11)
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:planner", args=[copy.pk])
    assert (copy.name, copy.starts_on, copy.ends_on) == (
        "Spring 2026",
        date(2024, 9, 10) + shift,
        date(2025, 3, 31) + shift,
    )
    assert list(copy.leads.all()) == [programme_lead]
    copied = {s.title: s for s in copy.sessions.prefetch_related("topics")}
    assert len(copied) == 13
    assert copied["Virtual Action Learning Set 1"].starts_at == london(date(2026, 4, 7), time(10))
    # Workshop Day 5 crosses into British Summer Time: still 9am local.
    assert copied["Workshop Day 5"].starts_at == london(date(2026, 8, 18), time(9))
    assert [t.number for t in copied["Workshop Day 1"].topics.all()] == [1, 2]


# --- item 3: clash and coverage checks ----------------------------------------------------------


def test_plan_warnings_report_overlaps_outside_dates_double_bookings_and_uncovered_topics():
    cohort = CohortFactory(number=21)
    cohort.topics.set(CurriculumTopic.objects.filter(number__in=[1, 2]))
    day1 = SessionFactory(cohort=cohort, title="Day 1")
    session_topics_set(session=day1, topics=CurriculumTopic.objects.filter(number=1))
    SessionFactory(
        cohort=cohort,
        title="Overlapping webinar",
        kind=Session.Kind.WEBINAR,
        starts_at=london(date(2025, 10, 1), time(12)),
        ends_at=london(date(2025, 10, 1), time(13)),
    )
    SessionFactory(
        cohort=cohort,
        title="Too late",
        starts_at=london(date(2026, 4, 2), time(9)),
        ends_at=london(date(2026, 4, 2), time(17)),
    )
    SessionFactory(cohort=cohort, title="Cancelled clash", status=Session.Status.CANCELLED)
    other = CohortFactory(number=22)
    SessionFactory(cohort=other, title="Other day")
    person = UserFactory(display_name="Asha Patel")
    EnrolmentFactory(cohort=cohort, participant=person)
    other_enrolment = EnrolmentFactory(cohort=other, participant=person)
    sessions = list(cohort.sessions.prefetch_related("topics"))

    warnings = plan_warnings(
        cohort=cohort,
        sessions=sessions,
        topics=list(cohort.topics.all()),
        other_enrolments=[other_enrolment],
        other_sessions=list(other.sessions.select_related("cohort")),
    )

    topic2 = CurriculumTopic.objects.get(number=2)
    assert warnings == [
        "“Day 1” (1 Oct 2025, 09:00) overlaps “Overlapping webinar” (1 Oct 2025, 12:00).",
        "“Too late” (2 Apr 2026, 09:00) is outside the cohort's dates.",
        "Asha Patel is double-booked: “Day 1” (1 Oct 2025, 09:00) overlaps “Other day” in Cohort 22.",
        (
            "Asha Patel is double-booked: “Overlapping webinar” (1 Oct 2025, 12:00) "
            "overlaps “Other day” in Cohort 22."
        ),
        f"No session covers curriculum topic {topic2}.",
    ]


def test_contact_days_counts_distinct_workshop_dates_of_the_demo_cohort():
    source = cohort_10()

    assert contact_days(list(source.sessions.all())) == 6


def test_planner_page_shows_the_warnings_and_contact_days(lead_client):
    source = cohort_10()
    SessionFactory(
        cohort=source,
        title="Clashing webinar",
        kind=Session.Kind.WEBINAR,
        starts_at=london(date(2024, 10, 1), time(12)),
        ends_at=london(date(2024, 10, 1), time(13)),
    )

    response = lead_client.get(reverse("cohorts:planner", args=[source.pk]))

    assert response.status_code == 200
    assert response.context["contact_days"] == 6
    assert response.context["warnings"] == [
        "“Workshop Day 1” (1 Oct 2024, 09:00) overlaps “Clashing webinar” (1 Oct 2024, 12:00).",
    ]
    assert "overlaps “Clashing webinar”" in response.content.decode()


# The planner's pages run these queries whatever the number of sessions, participants and people.
PLANNER_QUERIES = {"cohorts:planner": 12, "cohorts:planner_details": 7, "cohorts:planner_create": 5}


def _planner_url(name: str, cohort: Cohort) -> str:
    return reverse(name) if name == "cohorts:planner_create" else reverse(name, args=[cohort.pk])


@pytest.mark.parametrize("name", list(PLANNER_QUERIES))
def test_planner_pages_run_a_fixed_number_of_queries_at_two_sizes(lead_client, name):
    cohort = CohortFactory()
    cohort.topics.set(CurriculumTopic.objects.all())
    other = CohortFactory()
    SessionFactory(cohort=other)
    days = iter(range(100))

    def grow():
        day = date(2025, 10, 1) + timedelta(days=next(days))
        session = SessionFactory(cohort=cohort, starts_at=london(day, time(9)), ends_at=london(day, time(17)))
        session.facilitators.add(UserFactory())
        session_topics_set(session=session, topics=CurriculumTopic.objects.filter(number=1))
        SessionMaterial.objects.create(
            session=session, title=f"Slides {day}", url="https://example.org/s", added_by=UserFactory()
        )
        enrolment = EnrolmentFactory(cohort=cohort)
        EnrolmentFactory(cohort=other, participant=enrolment.participant)
        cohort.leads.add(UserFactory())
        UserFactory.create_batch(5)  # people who could be chosen, and are listed nowhere

    url = _planner_url(name, cohort)
    grow()
    page_queries(lead_client, url)  # a warm-up: the session's first write is not the page's
    small = page_queries(lead_client, url)
    for _ in range(9):
        grow()

    assert (small, page_queries(lead_client, url)) == (PLANNER_QUERIES[name], PLANNER_QUERIES[name])


@pytest.mark.parametrize("name", [*PLANNER_QUERIES, "cohorts:planner_session_add"])
def test_planner_pages_list_only_the_people_chosen(lead_client, programme_lead, name):
    cohort = CohortFactory()
    chosen = UserFactory(display_name="Chosen Lead")
    cohort.leads.add(chosen)
    others = UserFactory.create_batch(30)

    html = lead_client.get(_planner_url(name, cohort)).content.decode()

    assert [person.email for person in others if person.email in html] == []
    assert (chosen.email in html) == (name == "cohorts:planner_details")


def _details_post(cohort: Cohort, **overrides) -> dict:
    data = {
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "status": cohort.status,
        "completion_inductions": cohort.completion_inductions,
    }
    data.update(overrides)
    return data


def test_planner_details_keeps_the_ticked_leads_and_adds_the_typed_ones(lead_client):
    cohort = CohortFactory()
    kept, removed = UserFactory(display_name="Kept Lead"), UserFactory(display_name="Removed Lead")
    cohort.leads.add(kept, removed)
    by_address = UserFactory(email="asha.patel@example.org")
    by_name = UserFactory(display_name="Tomasz Nowak")

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]),
        _details_post(cohort, leads=[kept.pk], leads_add="ASHA.PATEL@example.org, nowak"),
    )

    assert response.status_code == 302
    assert set(cohort.leads.all()) == {kept, by_address, by_name}


def test_planner_details_names_several_matches_and_keeps_what_was_typed(lead_client):
    cohort = CohortFactory()
    kept = UserFactory(display_name="Kept Lead")
    cohort.leads.add(kept)
    UserFactory(display_name="Sam Ahmed", email="sam.ahmed@example.org")
    UserFactory(display_name="Sam Brown", email="sam.brown@example.org")

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]),
        _details_post(cohort, leads=[kept.pk], leads_add="Sam"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "leads": [
            "Several people match “Sam”: Sam Ahmed (sam.ahmed@example.org); "
            "Sam Brown (sam.brown@example.org). Type the e-mail address of the one you mean."
        ]
    }
    html = response.content.decode()
    assert f'name="leads" value="{kept.pk}" id="id_leads_{kept.pk}" checked' in html
    assert 'name="leads_add" value="Sam"' in html
    assert list(cohort.leads.all()) == [kept]


def test_session_add_finds_a_facilitator_typed_without_javascript(lead_client):
    cohort = CohortFactory()
    facilitator = UserFactory(display_name="Fay Facilitator")
    UserFactory(display_name="Fay Gone", is_active=False)

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]), session_post(facilitators_add="fay")
    )

    assert response.status_code == 302
    assert list(Session.objects.get(cohort=cohort).facilitators.all()) == [facilitator]


def test_planner_create_takes_leads_typed_by_address(lead_client):
    programme = ProgrammeFactory()
    lead = UserFactory(email="new.lead@example.org")

    lead_client.post(
        reverse("cohorts:planner_create"),
        {
            "programme": programme.pk,
            "number": 3,
            "starts_on": "2026-09-01",
            "ends_on": "2027-03-31",
            "capacity": 20,
            "leads_add": "new.lead@example.org",
        },
    )

    assert list(Cohort.objects.get(programme=programme, number=3).leads.all()) == [lead]


# --- the people picker's type-ahead --------------------------------------------------------------


def test_people_search_offers_at_most_ten_matches_leaving_out_those_ticked(lead_client):
    ticked = UserFactory(display_name="Nurse Aaron")
    nurses = [UserFactory(display_name=f"Nurse {n:02}") for n in range(12)]
    UserFactory(display_name="Nurse Closed", is_active=False)

    response = lead_client.get(
        reverse("cohorts:planner_people"),
        {"name": "facilitators", "facilitators_add": "nurse", "facilitators": [ticked.pk]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert [person.display_name for person in nurses if f"Add {person.display_name} " in html] == [
        f"Nurse {n:02}" for n in range(10)
    ]
    assert ("Nurse Aaron" in html, "Nurse Closed" in html) == (False, False)
    assert f"/cohorts/planner/people/?name=facilitators&amp;pick={nurses[0].pk}" in html


def test_people_search_answers_nothing_for_one_letter(lead_client):
    UserFactory(display_name="Ann Other")

    response = lead_client.get(reverse("cohorts:planner_people"), {"name": "leads", "leads_add": "a"})

    assert response.content.decode().strip() == ""


def test_picking_a_person_answers_the_picker_with_them_ticked(lead_client):
    ticked, picked = UserFactory(display_name="Already Ticked"), UserFactory(display_name="Just Picked")

    response = lead_client.get(
        reverse("cohorts:planner_people"),
        {"name": "leads", "leads": [ticked.pk], "pick": picked.pk, "leads_add": "jus"},
    )

    html = response.content.decode()
    assert html.count('type="checkbox" name="leads"') == 2
    assert (f'value="{ticked.pk}"' in html, f'value="{picked.pk}"' in html) == (True, True)
    assert 'name="leads_add" value=""' in html  # the typed text is cleared, so a send does not add it again
    assert " autofocus" in html


def test_people_search_is_for_those_who_choose_leads_and_facilitators(client, coach):
    cohort_lead = UserFactory()
    CohortFactory().leads.add(cohort_lead)
    url = reverse("cohorts:planner_people")
    query = {"name": "leads", "leads_add": "example.org"}

    client.force_login(coach)
    refused = client.get(url, query).status_code
    client.force_login(cohort_lead)
    allowed = client.get(url, query).status_code
    unknown = client.get(url, {"name": "applicant", "applicant_add": "example.org"}).status_code

    assert (refused, allowed, unknown) == (403, 200, 400)


def test_copy_page_asks_for_the_new_start_date_first(lead_client):
    source = CohortFactory()

    response = lead_client.get(reverse("cohorts:copy", args=[source.pk]))

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["number", "name", "new_start"]
    assert response.context["plan"] == []


def test_planner_create_sends_anonymous_people_to_log_in(client):
    response = client.get(reverse("cohorts:planner_create"))

    assert response["Location"] == "/accounts/login/?next=/cohorts/planner/new/"
