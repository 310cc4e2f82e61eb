"""The register takes no guesses, and an absence streak alerts the lead once (issue 12, item 5).

Seen on the demo data: the register could be taken for a session weeks ahead, a future
"absent" sent the lead a false "missed two sessions in a row" e-mail, and one participant's
absences sent the lead five copies of the alert.
"""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coachprog.outbox.models import Message
from cohorts.models import Attendance, Session
from cohorts.services.attendance import attendance_record, attendance_record_all_present
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 11, 1), time(12))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

PRESENT, ABSENT, APOLOGIES = Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.APOLOGIES


@pytest.fixture
def cohort():
    cohort = CohortFactory(number=10, starts_on=date(2025, 9, 1))
    cohort.leads.add(UserFactory(display_name="Rosa Lead", email="rosa@example.org"))
    return cohort


@pytest.fixture
def kim(cohort):
    return EnrolmentFactory(
        cohort=cohort, participant=UserFactory(display_name="Kim"), enrolled_on=date(2025, 9, 1)
    )


def workshop(cohort, day: date, title: str = "") -> Session:
    return SessionFactory(
        cohort=cohort,
        title=title or f"Workshop {day:%-d %b}",
        starts_at=london(day, time(9)),
        ends_at=london(day, time(17)),
    )


def alerts() -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(key__startswith="attendance_consecutive_absences:")
        .order_by("pk")
        .values_list("to_address", "subject")
    )


# --- no marks before a session starts, except apologies -----------------------------------------


@pytest.mark.parametrize("status", [PRESENT, ABSENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY])
def test_register_refuses_a_mark_for_a_session_that_has_not_started(cohort, kim, status):
    ahead = workshop(cohort, date(2025, 11, 26), "Workshop Day 4")

    with pytest.raises(ValidationError) as refused:
        attendance_record(session=ahead, enrolment=kim, status=status, recorded_by=UserFactory())

    assert refused.value.messages == [
        "“Workshop Day 4” has not started yet: its register opens at 09:00 on 26 Nov 2025. "
        "Until then, only apologies can be recorded."
    ]
    assert Attendance.objects.count() == 0


def test_register_refuses_a_mark_an_hour_before_the_session_and_takes_it_once_started(
    cohort, kim, time_machine
):
    today = workshop(cohort, date(2025, 11, 3), "Workshop Day 3")
    lead = UserFactory()
    time_machine.move_to(london(date(2025, 11, 3), time(8)), tick=False)
    with pytest.raises(ValidationError):
        attendance_record(session=today, enrolment=kim, status=PRESENT, recorded_by=lead)

    time_machine.move_to(london(date(2025, 11, 3), time(9)), tick=False)
    attendance_record(session=today, enrolment=kim, status=PRESENT, recorded_by=lead)

    assert list(Attendance.objects.values_list("status", flat=True)) == [PRESENT]


def test_a_lead_records_apologies_given_in_advance(cohort, kim):
    ahead = workshop(cohort, date(2025, 11, 26))
    lead = UserFactory()

    attendance_record(
        session=ahead, enrolment=kim, status=APOLOGIES, recorded_by=lead, note="Told me by phone"
    )

    assert list(Attendance.objects.values_list("status", "recorded_by", "note")) == [
        (APOLOGIES, lead.pk, "Told me by phone")
    ]


def test_everyone_present_is_refused_before_the_session_starts(cohort, kim):
    ahead = workshop(cohort, date(2025, 11, 26), "Workshop Day 4")

    with pytest.raises(ValidationError) as refused:
        attendance_record_all_present(session=ahead, recorded_by=UserFactory())

    assert refused.value.messages[0].startswith("“Workshop Day 4” has not started yet")
    assert Attendance.objects.count() == 0


def test_register_page_for_a_future_session_offers_only_apologies(lead_client, cohort, kim):
    ahead = workshop(cohort, date(2025, 11, 26), "Workshop Day 4")

    response = lead_client.get(reverse("cohorts:register", args=[cohort.pk, ahead.pk]))

    assert response.context["statuses"] == [("apologies", "Apologies")]
    page = response.content.decode()
    assert (
        '<p class="alert alert-info" id="register-not-open">“Workshop Day 4” has not started yet: '
        "its register opens at 09:00 on 26 Nov 2025. Until then, only apologies can be recorded."
    ) in page
    assert "Mark everyone else present" not in page


def test_register_view_shows_the_refusal_for_a_future_mark(lead_client, cohort, kim):
    ahead = workshop(cohort, date(2025, 11, 26), "Workshop Day 4")

    response = lead_client.post(
        reverse("cohorts:register_record", args=[cohort.pk, ahead.pk, kim.pk]),
        {"status": "absent"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "“Workshop Day 4” has not started yet: its register opens at 09:00 on 26 Nov 2025. "
        "Until then, only apologies can be recorded."
    ]
    assert Attendance.objects.count() == 0


def test_a_future_absence_cannot_alert_the_lead(cohort, kim):
    # Seen on the demo: "absent" for two sessions weeks ahead sent a false "missed two in a row".
    lead = UserFactory()
    for day in (date(2025, 11, 26), date(2025, 12, 3)):
        with pytest.raises(ValidationError):
            attendance_record(session=workshop(cohort, day), enrolment=kim, status=ABSENT, recorded_by=lead)

    assert alerts() == []


# --- one alert per absence streak ------------------------------------------------------------------


def test_a_streak_of_six_absences_alerts_the_lead_once(cohort, kim):
    # Seen on the demo: six absences in a row sent the lead five copies of one alert.
    days = [
        workshop(cohort, date(2025, 9, 1) + timedelta(weeks=i), f"Workshop Day {i + 1}") for i in range(6)
    ]
    lead = UserFactory()

    for day in days:
        attendance_record(session=day, enrolment=kim, status=ABSENT, recorded_by=lead)

    assert alerts() == [("rosa@example.org", f"Kim has missed two sessions in a row ({cohort})")]
    (message,) = Message.objects.filter(key__startswith="attendance_consecutive_absences:")
    assert "Workshop Day 1" in message.text
    assert "Workshop Day 2" in message.text
    assert "Workshop Day 3" not in message.text


def test_a_streak_recorded_again_after_a_correction_sends_no_second_copy(cohort, kim):
    first, second = workshop(cohort, date(2025, 10, 1)), workshop(cohort, date(2025, 10, 8))
    lead = UserFactory()
    attendance_record(session=first, enrolment=kim, status=ABSENT, recorded_by=lead)
    attendance_record(session=second, enrolment=kim, status=ABSENT, recorded_by=lead)

    attendance_record(session=second, enrolment=kim, status=PRESENT, recorded_by=lead)  # a slip
    attendance_record(session=second, enrolment=kim, status=ABSENT, recorded_by=lead)  # and back

    assert len(alerts()) == 1


def test_absences_recorded_out_of_order_alert_once(cohort, kim):
    days = [workshop(cohort, date(2025, 10, d)) for d in (1, 8, 15)]
    lead = UserFactory()

    for day in (days[2], days[1], days[0]):  # registers taken late, newest first
        attendance_record(session=day, enrolment=kim, status=ABSENT, recorded_by=lead)

    assert len(alerts()) == 1


def test_two_single_absences_joined_by_a_third_make_one_alert_of_three(cohort, kim):
    days = [workshop(cohort, date(2025, 10, d), f"Workshop Day {n}") for n, d in ((1, 1), (2, 8), (3, 15))]
    AttendanceFactory(session=days[0], enrolment=kim, status=ABSENT)
    AttendanceFactory(session=days[2], enrolment=kim, status=ABSENT)

    attendance_record(session=days[1], enrolment=kim, status=ABSENT, recorded_by=UserFactory())

    assert alerts() == [("rosa@example.org", f"Kim has missed 3 sessions in a row ({cohort})")]


def test_a_new_streak_after_attending_again_alerts_again(cohort, kim):
    days = [workshop(cohort, date(2025, 9, 1) + timedelta(weeks=i)) for i in range(5)]
    lead = UserFactory()

    for day, status in zip(days, [ABSENT, ABSENT, PRESENT, ABSENT, ABSENT], strict=True):
        attendance_record(session=day, enrolment=kim, status=status, recorded_by=lead)

    assert len(alerts()) == 2
