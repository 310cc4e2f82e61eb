"""Planner checks that always hold (issue 12, item 6).

Seen on the demo data: bank holidays and weekends were flagged only in the copy preview,
so dates edited in the preview, and sessions added later (27 and 28 Dec 2027), passed
the planner's checks with "No clashes"; an empty planner said every topic was covered;
a capacity of 99,999,999,999 was accepted.
"""

from datetime import date, time, timedelta

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import cohorts.forms.applications
import cohorts.forms.attendance
import cohorts.forms.planner
from coaching.reminders import first_working_day
from cohorts.models import Cohort, CurriculumTopic, Session, SessionMaterial
from cohorts.planning import plan_warnings
from cohorts.services.materials import session_material_add, session_material_remove
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


def session(cohort, day: date, title: str, kind=Session.Kind.WORKSHOP) -> Session:
    return SessionFactory(
        cohort=cohort, kind=kind, title=title, starts_at=london(day, time(9)), ends_at=london(day, time(17))
    )


def winter_cohort() -> Cohort:
    return CohortFactory(number=12, starts_on=date(2027, 10, 1), ends_on=date(2028, 3, 31))


def session_post(**overrides) -> dict:
    return {
        "kind": Session.Kind.WORKSHOP,
        "title": "Workshop Day 7",
        "day": "2027-12-27",
        "start": "09:00",
        "end": "17:00",
        "venue_name": "NCVO, London",
        "venue_address": "",
        "online_url": "",
    } | overrides


# --- weekends and bank holidays, at all times ----------------------------------------------------------


def test_plan_warnings_flag_sessions_on_bank_holidays_and_weekends():
    cohort = winter_cohort()
    sessions = [
        session(cohort, date(2027, 12, 27), "Workshop Day 7"),
        session(cohort, date(2027, 12, 28), "Workshop Day 8"),
        session(cohort, date(2028, 1, 15), "Saturday seminar"),
        session(cohort, date(2028, 1, 17), "Monday webinar", Session.Kind.WEBINAR),
    ]

    warnings = plan_warnings(cohort=cohort, sessions=sessions, topics=[])

    assert warnings == [
        "“Workshop Day 7” (27 Dec 2027, 09:00) is on a bank holiday in England and Wales: "
        "Christmas Day (substitute day).",
        "“Workshop Day 8” (28 Dec 2027, 09:00) is on a bank holiday in England and Wales: "
        "Boxing Day (substitute day).",
        "“Saturday seminar” (15 Jan 2028, 09:00) is on a Saturday.",
    ]


def test_planner_page_flags_a_session_added_later_on_a_bank_holiday(lead_client):
    cohort = winter_cohort()
    cohort.topics.set(CurriculumTopic.objects.filter(number=1))
    lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]),
        session_post(topics=[CurriculumTopic.objects.get(number=1).pk]),
    )

    response = lead_client.get(reverse("cohorts:planner", args=[cohort.pk]))

    assert response.context["warnings"] == [
        "“Workshop Day 7” (27 Dec 2027, 09:00) is on a bank holiday in England and Wales: "
        "Christmas Day (substitute day).",
    ]
    assert "No clashes" not in response.content.decode()


def test_a_cancelled_session_on_a_bank_holiday_is_not_flagged():
    cohort = winter_cohort()
    cancelled = session(cohort, date(2027, 12, 27), "Cancelled day")
    cancelled.status = Session.Status.CANCELLED

    assert plan_warnings(cohort=cohort, sessions=[cancelled], topics=[]) == []


@pytest.mark.parametrize(
    ("nation", "day", "expected"),
    [
        ("england-and-wales", date(2027, 3, 29), "a bank holiday in England and Wales: Easter Monday"),
        ("england-and-wales", date(2027, 11, 30), None),
        ("scotland", date(2027, 11, 30), "a bank holiday in Scotland: Saint Andrew's Day"),
        ("scotland", date(2027, 3, 29), None),  # no Easter Monday in Scotland
        ("scotland", date(2027, 8, 2), "a bank holiday in Scotland: Summer Bank Holiday"),
        ("northern-ireland", date(2027, 3, 17), "a bank holiday in Northern Ireland: Saint Patrick's Day"),
        ("northern-ireland", date(2027, 7, 12), "a bank holiday in Northern Ireland: Battle of the Boyne"),
    ],
)
def test_bank_holidays_are_the_organisations_nations(settings, nation, day, expected):
    settings.BANK_HOLIDAYS_NATION = nation
    cohort = CohortFactory(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))

    warnings = plan_warnings(cohort=cohort, sessions=[session(cohort, day, "Day")], topics=[])

    assert warnings == ([f"“Day” ({day.day} {day:%b %Y}, 09:00) is on {expected}."] if expected else [])


@pytest.mark.parametrize(
    ("nation", "expected"), [("england-and-wales", date(2027, 1, 4)), ("scotland", date(2027, 1, 5))]
)
def test_the_first_working_day_of_the_month_follows_the_same_nation(settings, nation, expected):
    # 1 Jan 2027 is a Friday; Scotland's 2 January falls on the Saturday, so Monday 4th is its substitute.
    settings.BANK_HOLIDAYS_NATION = nation

    assert first_working_day(2027, 1) == expected


# --- the copy preview checks the dates as the lead leaves them ----------------------------------------


def _copy_source() -> tuple[Cohort, list[Session]]:
    source = CohortFactory(number=10, starts_on=date(2026, 12, 1), ends_on=date(2027, 3, 31))
    days = [
        session(source, date(2026, 12, 1), "Workshop Day 1"),
        session(source, date(2026, 12, 8), "Workshop Day 2"),
    ]
    return source, days


def test_copy_confirm_refuses_an_edited_date_on_a_bank_holiday_until_it_is_kept(lead_client):
    source, (day1, day2) = _copy_source()
    data = {
        "number": 11,
        "name": "",
        "new_start": "2027-11-30",
        "confirm": "",
        f"session_{day1.pk}": "2027-11-30",
        f"session_{day2.pk}": "2027-12-27",  # moved by the lead onto a bank holiday
    }

    refused = lead_client.post(reverse("cohorts:copy", args=[source.pk]), data)

    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        f"session_{day2.pk}": [
            "27 Dec 2027 is a bank holiday in England and Wales: Christmas Day (substitute day). "
            "Move the session, or tick “Keep sessions on weekends or bank holidays”."
        ]
    }
    # The check column follows the date as typed, not the date first suggested.
    assert [flag for _, _, flag in refused.context["form"].rows()] == ["", "Christmas Day (substitute day)"]
    assert not Cohort.objects.filter(number=11).exists()

    kept = lead_client.post(reverse("cohorts:copy", args=[source.pk]), data | {"keep_flagged_dates": "on"})

    copy = Cohort.objects.get(programme=source.programme, number=11)
    assert kept["Location"] == reverse("cohorts:planner", args=[copy.pk])
    planner = lead_client.get(kept["Location"])
    assert planner.context["warnings"] == [
        "“Workshop Day 2” (27 Dec 2027, 09:00) is on a bank holiday in England and Wales: "
        "Christmas Day (substitute day).",
    ]


def test_copy_confirm_refuses_a_date_the_lead_moved_onto_a_saturday(lead_client):
    source, (day1, day2) = _copy_source()
    data = {
        "number": 11,
        "name": "",
        "new_start": "2027-11-30",
        "confirm": "",
        f"session_{day1.pk}": "2027-12-04",
        f"session_{day2.pk}": "2027-12-07",
    }

    refused = lead_client.post(reverse("cohorts:copy", args=[source.pk]), data)

    assert refused.context["form"].errors[f"session_{day1.pk}"] == [
        "4 Dec 2027 is a Saturday. Move the session, or tick “Keep sessions on weekends or bank holidays”."
    ]
    assert not Cohort.objects.filter(number=11).exists()


# --- copying a cohort copies what it needs -------------------------------------------------------------


def test_copy_copies_materials_completion_rule_and_suggests_the_next_number(lead_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    source, (day1, _) = _copy_source()
    CohortFactory(programme=source.programme, number=14)
    source.completion_inductions = 2
    source.completion_all_action_learning_sets = False
    source.capacity = 18
    source.applications_close_on = date(2026, 11, 20)
    source.save()
    lead = UserFactory()
    session_material_add(
        session=day1, title="Slides", file=SimpleUploadedFile("day-1.pdf", b"%PDF slides"), added_by=lead
    )
    session_material_add(
        session=day1, title="Reading list", url="https://qi.example.org/reading", added_by=lead
    )

    form = lead_client.get(reverse("cohorts:copy", args=[source.pk])).context["form"]
    assert form["number"].value() == 15  # one more than the programme's highest

    response = lead_client.post(
        reverse("cohorts:copy", args=[source.pk]),
        {"number": 15, "name": "", "new_start": "2027-11-30", "confirm": ""}
        | {
            f"session_{s.pk}": (s.starts_at.date() + timedelta(weeks=52)).isoformat()
            for s in source.sessions.all()
        },
        follow=True,
    )

    copy = Cohort.objects.get(programme=source.programme, number=15)
    assert [str(m) for m in response.context["messages"]] == [
        f"{copy} created from {source}, with its sessions, teaching materials and completion rule."
    ]
    assert (
        copy.completion_inductions,
        copy.completion_all_workshops,
        copy.completion_all_action_learning_sets,
        copy.capacity,
        copy.applications_close_on,
    ) == (2, True, False, 18, date(2027, 11, 19))
    copied = SessionMaterial.objects.filter(session__cohort=copy).order_by("title")
    assert [(m.session.title, m.title, m.url, bool(m.file)) for m in copied] == [
        ("Workshop Day 1", "Reading list", "https://qi.example.org/reading", False),
        ("Workshop Day 1", "Slides", "", True),
    ]
    # The file is a copy of its own: removing it from the new cohort leaves last year's in place.
    original = SessionMaterial.objects.get(session=day1, title="Slides")
    new_file = copied.get(title="Slides")
    assert new_file.file.name != original.file.name
    session_material_remove(material=new_file)
    with original.file.open("rb") as handle:
        assert handle.read() == b"%PDF slides"


def test_copy_reports_a_material_whose_file_is_no_longer_stored(lead_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    source, (day1, day2) = _copy_source()
    gone = session_material_add(
        session=day1, title="Old slides", file=SimpleUploadedFile("old.pdf", b"x"), added_by=UserFactory()
    )
    (tmp_path / gone.file.name).unlink()

    response = lead_client.post(
        reverse("cohorts:copy", args=[source.pk]),
        {
            "number": 11,
            "name": "",
            "new_start": "2027-11-30",
            "confirm": "",
            f"session_{day1.pk}": "2027-11-30",
            f"session_{day2.pk}": "2027-12-07",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]][1] == (
        "Not copied, because the file is no longer stored: Old slides (Workshop Day 1). "
        "Add them again on the planner."
    )
    assert not SessionMaterial.objects.filter(session__cohort__number=11).exists()


# --- an empty planner, and adding a session --------------------------------------------------------------


def test_an_empty_planner_says_it_has_no_sessions(lead_client):
    cohort = CohortFactory()  # no topics chosen, no sessions

    page = lead_client.get(reverse("cohorts:planner", args=[cohort.pk])).content.decode()

    assert (
        '<p id="plan-warnings">No sessions planned yet, so there is nothing to check. '
        "Add the first session below: each one is checked for clashes, weekends and bank holidays "
        "(England and Wales) and curriculum coverage.</p>"
    ) in page
    assert "every curriculum topic is covered" not in page


def test_a_planner_without_topics_says_coverage_is_not_checked(lead_client):
    cohort = CohortFactory()
    SessionFactory(cohort=cohort)  # Wednesday 1 Oct 2025

    page = lead_client.get(reverse("cohorts:planner", args=[cohort.pk])).content.decode()

    assert "This cohort has no curriculum topics chosen, so coverage is not checked" in page
    assert "every curriculum topic is covered" not in page


def test_adding_a_session_with_htmx_clears_the_form_confirms_and_shows_it(lead_client):
    cohort = winter_cohort()

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]),
        session_post(day="2027-12-01", title="Workshop Day 9"),
        **HX,
    )

    session = Session.objects.get(cohort=cohort)
    page = response.content.decode()
    assert [s.title for s in response.context["sessions"]] == ["Workshop Day 9"]
    assert f'id="session-{session.pk}"' in page
    assert (
        '<div id="planner-status" hx-swap-oob="innerHTML"><div class="alert alert-success py-2">'
        f"“Workshop Day 9” added: Wed 1 Dec 2027, 09:00. "
        f'<a href="#session-{session.pk}">Show it</a></div></div>'
    ) in page
    fresh = page[page.index('<div id="session-add" hx-swap-oob="outerHTML">') :]
    assert 'name="title"' in fresh
    assert "Workshop Day 9" not in fresh
    assert response.context["fresh_form"].is_bound is False


def test_adding_a_session_without_javascript_confirms_and_shows_it(lead_client):
    cohort = winter_cohort()

    response = lead_client.post(
        reverse("cohorts:planner_session_add", args=[cohort.pk]),
        session_post(day="2027-12-01", title="Workshop Day 9"),
        follow=True,
    )

    session = Session.objects.get(cohort=cohort)
    assert response.redirect_chain == [
        (reverse("cohorts:planner", args=[cohort.pk]) + f"#session-{session.pk}", 302)
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "“Workshop Day 9” added: Wed 1 Dec 2027, 09:00."
    ]
    assert response.context["form"].is_bound is False
    assert [s.title for s in response.context["sessions"]] == ["Workshop Day 9"]


# --- whole numbers that fit their columns ------------------------------------------------------------------


def test_a_capacity_beyond_its_column_is_refused_with_the_rule(lead_client):
    cohort = CohortFactory(capacity=24)

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]),
        {
            "name": "",
            "starts_on": "2025-10-01",
            "ends_on": "2026-03-31",
            "capacity": "99999999999",
            "status": "planning",
            "completion_inductions": "1",
        },
    )

    assert response.context["form"].errors == {
        "capacity": ["Ensure this value is less than or equal to 32767."]
    }
    assert 'max="32767"' in response.content.decode()
    assert "Most participants who can enrol: 1 to 32,767." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.capacity == 24


def test_a_new_cohort_with_a_huge_number_or_capacity_is_refused(lead_client):
    response = lead_client.post(
        reverse("cohorts:planner_create"),
        {
            "programme": ProgrammeFactory().pk,
            "number": "40000",
            "starts_on": "2026-09-01",
            "ends_on": "2027-03-31",
            "capacity": "99999999999",
        },
    )

    assert response.context["form"].errors == {
        "number": ["Ensure this value is less than or equal to 32767."],
        "capacity": ["Ensure this value is less than or equal to 32767."],
    }
    assert not Cohort.objects.filter(number=40000).exists()


def _cohort_form_classes():
    modules = [cohorts.forms.applications, cohorts.forms.attendance, cohorts.forms.planner]
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    ]


def test_every_whole_number_in_the_cohorts_forms_has_bounds_that_fit_a_small_integer():
    unbounded = [
        f"{form.__name__}.{name}: {field.min_value}..{field.max_value}"
        for form in _cohort_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.IntegerField)
        and (
            field.min_value is None
            or field.max_value is None
            or field.min_value < 0
            or field.max_value > 32767
        )
    ]
    assert unbounded == []


# --- the planner page's queries -------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 8])
def test_planner_page_runs_a_fixed_number_of_queries(lead_client, size):
    cohort = CohortFactory()
    cohort.topics.set(CurriculumTopic.objects.all())
    other = CohortFactory()
    SessionFactory(cohort=other)
    for n in range(size):
        day = date(2025, 10, 1) + timedelta(days=n)
        planned = session(cohort, day, f"Day {n}")
        planned.facilitators.add(UserFactory())
        planned.topics.set(CurriculumTopic.objects.filter(number=1))
        SessionMaterial.objects.create(
            session=planned, title=f"Slides {n}", url="https://example.org/s", added_by=UserFactory()
        )
        enrolment = EnrolmentFactory(cohort=cohort)
        EnrolmentFactory(cohort=other, participant=enrolment.participant)
    path = reverse("cohorts:planner", args=[cohort.pk])
    page_queries(lead_client, path)

    assert page_queries(lead_client, path) == 12
