"""Attendance: the register, the completion rule, the matrix and its export, and a participant's own view."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from coachprog.accounts.services import programme_lead_add
from cohorts.attendance import AT_RISK, COMPLETE, NOT_YET_ENROLLED, ON_TRACK, attendance_matrix
from cohorts.models import Attendance, Session, SessionMaterial
from cohorts.services.attendance import apologies_send, attendance_record, attendance_record_all_present
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
def lead():
    user = UserFactory(display_name="Lead")
    programme_lead_add(user=user)
    return user


@pytest.fixture
def cohort():
    return CohortFactory()


def session(cohort, day: date, kind=Session.Kind.WORKSHOP, *, title: str = "", **extra) -> Session:
    return SessionFactory(
        cohort=cohort,
        kind=kind,
        starts_at=london(day, time(9)),
        ends_at=london(day, time(17)),
        **({"title": title} if title else {}),
        **extra,
    )


def record(sess, enrolment, status, by=None):
    return AttendanceFactory(
        session=sess, enrolment=enrolment, status=status, recorded_by=by or UserFactory()
    )


def only_row(cohort):
    (row,) = attendance_matrix(cohort).rows
    return row


# --- the completion rule -------------------------------------------------------------------


def test_completion_every_required_session_and_one_induction_is_complete(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    first_induction = session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION)
    second_induction = session(cohort, date(2025, 10, 2), Session.Kind.INDUCTION)
    workshop = session(cohort, date(2025, 10, 8))
    action_learning = session(cohort, date(2025, 10, 15), Session.Kind.ACTION_LEARNING_SET)
    webinar = session(cohort, date(2025, 10, 20), Session.Kind.WEBINAR)
    record(first_induction, enrolment, ABSENT)
    record(second_induction, enrolment, PRESENT)
    record(workshop, enrolment, Attendance.Status.LATE)
    record(action_learning, enrolment, Attendance.Status.LEFT_EARLY)
    record(webinar, enrolment, ABSENT)

    row = only_row(cohort)

    assert (row.completion, row.attended, row.required) == (COMPLETE, 3, 3)


def test_completion_a_missed_workshop_is_at_risk(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION), enrolment, PRESENT)
    record(session(cohort, date(2025, 10, 8)), enrolment, APOLOGIES)
    record(session(cohort, date(2025, 10, 9)), enrolment, PRESENT)

    row = only_row(cohort)

    assert (row.completion, row.at_risk, row.attended, row.required) == (AT_RISK, True, 2, 3)


def test_completion_no_induction_attended_once_all_are_over_is_at_risk(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION), enrolment, ABSENT)
    record(session(cohort, date(2025, 10, 2), Session.Kind.INDUCTION), enrolment, APOLOGIES)
    session(cohort, date(2025, 12, 3))

    assert only_row(cohort).completion == AT_RISK


def test_completion_a_missed_induction_with_another_to_come_is_on_track(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION), enrolment, ABSENT)
    session(cohort, date(2025, 12, 1), Session.Kind.INDUCTION)
    session(cohort, date(2025, 12, 3))

    row = only_row(cohort)

    assert (row.completion, row.attended, row.required) == (ON_TRACK, 0, 2)


def test_completion_leaves_out_cancelled_sessions(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION), enrolment, PRESENT)
    record(session(cohort, date(2025, 10, 8)), enrolment, PRESENT)
    session(cohort, date(2025, 10, 9), status=Session.Status.CANCELLED)

    matrix = attendance_matrix(cohort)

    assert (len(matrix.sessions), matrix.rows[0].completion) == (2, COMPLETE)


def test_matrix_sessions_before_enrolment_are_not_yet_enrolled_never_absent(cohort):
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 10, 10))
    session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION)
    session(cohort, date(2025, 10, 8))
    record(session(cohort, date(2025, 10, 15)), enrolment, PRESENT)

    row = only_row(cohort)

    assert [cell.label for cell in row.cells] == ["Not yet enrolled", "Not yet enrolled", "Present"]
    assert (row.cells[0].state, row.completion, row.attended, row.required) == (
        NOT_YET_ENROLLED,
        COMPLETE,
        1,
        1,
    )


def test_matrix_flags_two_consecutive_absences(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    first, second = session(cohort, date(2025, 10, 8)), session(cohort, date(2025, 10, 9))
    record(first, enrolment, ABSENT)
    record(second, enrolment, ABSENT)

    (alert,) = attendance_matrix(cohort).alerts

    assert (alert.enrolment, alert.consecutive_absences) == (enrolment, [first, second])


def test_matrix_apologies_between_absences_raise_no_alert(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 8)), enrolment, ABSENT)
    record(session(cohort, date(2025, 10, 9)), enrolment, APOLOGIES)
    record(session(cohort, date(2025, 10, 15)), enrolment, ABSENT)

    assert attendance_matrix(cohort).alerts == []


# --- services ------------------------------------------------------------------------------


def test_attendance_record_refuses_a_session_before_the_participant_enrolled(cohort, lead):
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 10, 10))

    with pytest.raises(ValidationError) as refused:
        attendance_record(
            session=session(cohort, date(2025, 10, 8)), enrolment=enrolment, status=ABSENT, recorded_by=lead
        )

    assert refused.value.messages == ["That participant had not yet enrolled when this session was held."]


def test_attendance_record_all_present_keeps_existing_records_and_skips_the_not_yet_enrolled(cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    apologised = EnrolmentFactory(cohort=cohort)
    record(workshop, apologised, APOLOGIES, by=apologised.participant)
    unrecorded = EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 10, 20))

    marked = attendance_record_all_present(session=workshop, recorded_by=lead)

    assert marked == 1
    assert set(Attendance.objects.values_list("enrolment", "status", "recorded_by")) == {
        (apologised.pk, APOLOGIES, apologised.participant_id),
        (unrecorded.pk, PRESENT, lead.pk),
    }


def test_apologies_send_records_the_participants_own_apologies_for_a_future_session(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    workshop = session(cohort, date(2025, 12, 3))

    apologies_send(session=workshop, participant=enrolment.participant, note="On leave")

    assert list(Attendance.objects.values_list("session", "enrolment", "status", "recorded_by", "note")) == [
        (workshop.pk, enrolment.pk, APOLOGIES, enrolment.participant_id, "On leave")
    ]


def test_apologies_send_refuses_a_past_session(cohort):
    enrolment = EnrolmentFactory(cohort=cohort)

    with pytest.raises(ValidationError) as refused:
        apologies_send(session=session(cohort, date(2025, 10, 8)), participant=enrolment.participant)

    assert refused.value.messages == ["You can only send apologies for a session that has not started yet."]
    assert Attendance.objects.count() == 0


def test_apologies_send_refuses_a_cohort_the_person_is_not_enrolled_in(cohort):
    participant = EnrolmentFactory().participant

    with pytest.raises(ValidationError) as refused:
        apologies_send(session=session(cohort, date(2025, 12, 3)), participant=participant)

    assert refused.value.messages == ["You are not enrolled in this session's cohort."]


# --- the register ----------------------------------------------------------------------------


def record_url(sess, enrolment) -> str:
    return reverse("cohorts:register_record", args=[sess.cohort_id, sess.pk, enrolment.pk])


def test_register_htmx_click_saves_and_returns_the_row(client, cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(lead)

    response = client.post(
        record_url(workshop, enrolment), {"status": "late"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["cohorts/attendance/_register_row.html"]
    assert response.content.decode().strip().startswith(f'<tr id="register-row-{enrolment.pk}">')
    assert list(Attendance.objects.values_list("enrolment", "status", "recorded_by")) == [
        (enrolment.pk, "late", lead.pk)
    ]


def test_register_htmx_refusal_shows_the_reason_in_the_row(client, cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 10, 10))
    client.force_login(lead)

    response = client.post(
        record_url(workshop, enrolment), {"status": "absent"}, headers={"HX-Request": "true"}
    )

    assert response.context["error"] == "That participant had not yet enrolled when this session was held."
    assert (
        '<div class="text-danger small mt-1" role="alert">'
        "That participant had not yet enrolled when this session was held.</div>"
    ) in response.content.decode()
    assert Attendance.objects.count() == 0


def test_register_plain_post_redirects_back_to_the_register(client, cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(lead)

    response = client.post(record_url(workshop, enrolment), {"status": "absent"})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("cohorts:register", args=[cohort.pk, workshop.pk]),
    )
    assert Attendance.objects.get().status == ABSENT


def test_register_all_present_marks_the_rest_present(client, cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    EnrolmentFactory.create_batch(2, cohort=cohort)
    client.force_login(lead)

    response = client.post(reverse("cohorts:register_all_present", args=[cohort.pk, workshop.pk]))

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("status", flat=True)) == [PRESENT, PRESENT]


def test_register_shows_who_sent_apologies_and_when(client, cohort, lead):
    workshop = session(cohort, date(2025, 12, 3))
    enrolment = EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="Ada Lovelace"))
    apologies_send(session=workshop, participant=enrolment.participant)
    client.force_login(lead)

    response = client.get(reverse("cohorts:register", args=[cohort.pk, workshop.pk]))

    assert response.context["enrolments"][0].record.recorded_by == enrolment.participant
    assert "by Ada Lovelace, 1 Nov 2025 12:00" in response.content.decode()


def test_register_a_participant_cannot_record_attendance(client, cohort):
    workshop = session(cohort, date(2025, 10, 8))
    me, other = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    client.force_login(me.participant)

    responses = [
        client.get(reverse("cohorts:register", args=[cohort.pk, workshop.pk])).status_code,
        client.post(record_url(workshop, other), {"status": "absent"}).status_code,
        client.post(reverse("cohorts:register_all_present", args=[cohort.pk, workshop.pk])).status_code,
    ]

    assert responses == [403, 403, 403]
    assert Attendance.objects.count() == 0


def test_register_an_outsider_gets_404(client, cohort):
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(UserFactory())

    response = client.post(record_url(workshop, enrolment), {"status": "absent"})

    assert response.status_code == 404


def test_register_a_facilitator_takes_the_register_for_their_session(client, cohort):
    workshop = session(cohort, date(2025, 10, 8))
    facilitator = UserFactory()
    workshop.facilitators.add(facilitator)
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(facilitator)

    page = client.get(reverse("cohorts:register", args=[cohort.pk, workshop.pk]))
    saved = client.post(record_url(workshop, enrolment), {"status": "present"})

    assert (page.status_code, saved.status_code) == (200, 302)
    assert list(Attendance.objects.values_list("status", "recorded_by")) == [(PRESENT, facilitator.pk)]


def test_register_a_facilitator_cannot_see_the_matrix(client, cohort):
    workshop = session(cohort, date(2025, 10, 8))
    facilitator = UserFactory()
    workshop.facilitators.add(facilitator)
    client.force_login(facilitator)

    response = client.get(reverse("cohorts:attendance_matrix", args=[cohort.pk]))

    assert response.status_code == 403


# --- the matrix and its export ---------------------------------------------------------------


def test_matrix_page_lists_alerts_and_apologies(client, cohort, lead):
    enrolment = EnrolmentFactory(cohort=cohort, participant=UserFactory(display_name="Ada Lovelace"))
    record(session(cohort, date(2025, 10, 8), title="Workshop Day 1"), enrolment, ABSENT)
    record(session(cohort, date(2025, 10, 9), title="Workshop Day 2"), enrolment, ABSENT)
    apologies_send(
        session=session(cohort, date(2025, 12, 3), title="Workshop Day 3"), participant=enrolment.participant
    )
    client.force_login(lead)

    body = client.get(reverse("cohorts:attendance_matrix", args=[cohort.pk])).content.decode()

    assert "Ada Lovelace: absent from Workshop Day 1 (8 Oct 2025), Workshop Day 2 (9 Oct 2025)" in body
    assert "Ada Lovelace for Workshop Day 3 (3 Dec 2025), sent 1 Nov 2025 12:00" in body


def test_matrix_export_csv_has_each_sessions_date_start_end_and_duration(client, cohort, lead):
    participant = UserFactory(display_name="Ada Lovelace", email="ada@example.org")
    enrolment = EnrolmentFactory(cohort=cohort, participant=participant)
    workshop = session(cohort, date(2025, 10, 8), title="Workshop Day 1")
    SessionFactory(
        cohort=cohort,
        kind=Session.Kind.ACTION_LEARNING_SET,
        title="Action learning set 1",
        starts_at=london(date(2025, 11, 12), time(14)),
        ends_at=london(date(2025, 11, 12), time(16, 30)),
        venue_name="",
        online_url="https://example.org/join",
    )
    record(workshop, enrolment, PRESENT)
    client.force_login(lead)

    response = client.get(reverse("cohorts:attendance_export", args=[cohort.pk, "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"] == f'attachment; filename="cohort-{cohort.number}-attendance.csv"'
    assert rows == [
        ["Participant", "E-mail", "Session", "Kind", "Date", "Start", "End", "Duration (hours)"]
        + ["Attendance", "Completion"],
        [
            "Ada Lovelace",
            "ada@example.org",
            "Workshop Day 1",
            "Workshop day",
            "2025-10-08",
            "09:00",
            "17:00",
            "8",
        ]
        + ["Present", "On track"],
        ["Ada Lovelace", "ada@example.org", "Action learning set 1", "Action learning set", "2025-11-12"]
        + ["14:00", "16:30", "2.5", "Upcoming", "On track"],
    ]


def test_matrix_export_xlsx_loads(client, cohort, lead):
    participant = UserFactory(display_name="Ada Lovelace", email="ada@example.org")
    EnrolmentFactory(cohort=cohort, participant=participant)
    session(cohort, date(2025, 10, 8), title="Workshop Day 1")
    client.force_login(lead)

    response = client.get(reverse("cohorts:attendance_export", args=[cohort.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content))["Attendance"]
    assert [cell.value for cell in sheet[2]] == [
        "Ada Lovelace",
        "ada@example.org",
        "Workshop Day 1",
        "Workshop day",
        datetime(2025, 10, 8),
        "09:00",
        "17:00",
        8,
        "Not recorded",
        "On track",
    ]


def test_matrix_export_unknown_format_is_404(client, cohort, lead):
    client.force_login(lead)

    assert client.get(reverse("cohorts:attendance_export", args=[cohort.pk, "pdf"])).status_code == 404


# --- the participant's own view --------------------------------------------------------------


def test_my_attendance_shows_the_schedule_with_my_attendance(client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    record(session(cohort, date(2025, 10, 8)), enrolment, PRESENT)
    session(cohort, date(2025, 12, 3))
    client.force_login(enrolment.participant)

    response = client.get(reverse("cohorts:my_attendance", args=[cohort.pk]))

    assert [(row["cell"].label, row["can_apologise"]) for row in response.context["rows"]] == [
        ("Present", False),
        ("Upcoming", True),
    ]


def test_my_attendance_is_404_for_someone_not_enrolled(client, cohort, lead):
    client.force_login(lead)

    assert client.get(reverse("cohorts:my_attendance", args=[cohort.pk])).status_code == 404


def test_apologies_view_records_apologies_for_a_future_session(client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    workshop = session(cohort, date(2025, 12, 3))
    client.force_login(enrolment.participant)

    response = client.post(reverse("cohorts:apologies", args=[cohort.pk, workshop.pk]), {"note": "On leave"})

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("cohorts:my_attendance", args=[cohort.pk]),
    )
    assert list(Attendance.objects.values_list("status", "recorded_by", "note")) == [
        (APOLOGIES, enrolment.participant_id, "On leave")
    ]


def test_apologies_view_refuses_a_past_session(client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    workshop = session(cohort, date(2025, 10, 8))
    client.force_login(enrolment.participant)

    response = client.post(reverse("cohorts:apologies", args=[cohort.pk, workshop.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "You can only send apologies for a session that has not started yet."
    ]
    assert Attendance.objects.count() == 0


def test_apologies_view_is_404_for_another_cohorts_session(client, cohort):
    enrolment = EnrolmentFactory(cohort=cohort)
    elsewhere = session(CohortFactory(), date(2025, 12, 3))
    client.force_login(enrolment.participant)

    response = client.post(reverse("cohorts:apologies", args=[elsewhere.cohort_id, elsewhere.pk]))

    assert response.status_code == 404
    assert Attendance.objects.count() == 0


# --- query counts ----------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def _grow(cohort, n: int, lead) -> None:
    """Add n participants and n sessions, with a mix of recorded statuses."""
    statuses = [PRESENT, ABSENT, APOLOGIES, None]
    sessions = [session(cohort, date(2025, 10, 1 + i % 28)) for i in range(n)]
    for i in range(n):
        enrolment = EnrolmentFactory(cohort=cohort)
        for j, sess in enumerate(sessions):
            if status := statuses[(i + j) % 4]:
                record(sess, enrolment, status, by=lead if j % 2 else enrolment.participant)


def test_register_queries_do_not_grow_with_participants(client, cohort, lead):
    workshop = session(cohort, date(2025, 10, 8))
    client.force_login(lead)
    path = reverse("cohorts:register", args=[cohort.pk, workshop.pk])

    _grow(cohort, 3, lead)
    small = _queries(client, path)
    _grow(cohort, 9, lead)

    assert _queries(client, path) == small


def test_matrix_queries_do_not_grow_with_participants_and_sessions(client, cohort, lead):
    client.force_login(lead)
    path = reverse("cohorts:attendance_matrix", args=[cohort.pk])

    _grow(cohort, 3, lead)
    small = _queries(client, path)
    _grow(cohort, 9, lead)

    assert _queries(client, path) == small


def test_my_attendance_queries_do_not_grow_with_sessions(client, cohort, lead):
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(enrolment.participant)
    path = reverse("cohorts:my_attendance", args=[cohort.pk])

    def grow(n: int) -> None:
        for i in range(n):
            sess = session(cohort, date(2025, 10, 1 + i))
            SessionMaterial.objects.create(
                session=sess, title="Slides", url="https://example.org/s", added_by=lead
            )
            record(sess, enrolment, PRESENT)

    grow(3)
    small = _queries(client, path)
    grow(9)

    assert _queries(client, path) == small


def test_my_attendance_lists_each_sessions_materials(client, cohort, lead):
    enrolment = EnrolmentFactory(cohort=cohort)
    sess = session(cohort, date(2025, 12, 3))
    slides = SessionMaterial.objects.create(
        session=sess, title="Slides", url="https://example.org/slides", added_by=lead
    )
    client.force_login(enrolment.participant)

    response = client.get(reverse("cohorts:my_attendance", args=[cohort.pk]))

    # Materials open through the permission-checked view, which sends the participant on to the link.
    link = reverse("cohorts:material", args=[cohort.pk, sess.pk, slides.pk])
    assert f'<a href="{link}" rel="noopener noreferrer">' in response.content.decode()
    assert client.get(link)["Location"] == "https://example.org/slides"
