"""Running a cohort after it is planned: its details and completion rule, teaching materials,
withdrawals that free a place for the wait-list, and the e-mails that tell the lead what needs attention.
"""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from cohorts.attendance import AT_RISK, COMPLETE, ON_TRACK, CompletionRule, attendance_matrix
from cohorts.models import Application, Attendance, Cohort, Enrolment, Session, SessionMaterial
from cohorts.services.attendance import apologies_send, attendance_record
from cohorts.services.materials import session_material_add
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 11, 1), time(12))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

PRESENT, ABSENT = Attendance.Status.PRESENT, Attendance.Status.ABSENT


def session(cohort, day: date, kind=Session.Kind.WORKSHOP, **extra) -> Session:
    return SessionFactory(
        cohort=cohort, kind=kind, starts_at=london(day, time(9)), ends_at=london(day, time(17)), **extra
    )


def details_post(cohort: Cohort, **overrides) -> dict:
    data = {
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "status": cohort.status,
        "applications_close_on": "",
        "completion_inductions": 1,
        "completion_all_workshops": "on",
        "completion_all_action_learning_sets": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def waitlisted(cohort: Cohort, name: str, decided: date) -> Application:
    return ApplicationFactory(
        cohort=cohort,
        applicant=UserFactory(display_name=name),
        status=Application.Status.WAITLISTED,
        decided_at=london(decided, time(9)),
    )


# --- the cohort's details and completion rule ------------------------------------------------------


def test_lead_changes_the_completion_rule_and_the_matrix_follows_it(lead_client):
    cohort = CohortFactory()
    induction = session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION)
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 9, 1))
    AttendanceFactory(session=induction, enrolment=enrolment, status=PRESENT)
    AttendanceFactory(session=workshop, enrolment=enrolment, status=ABSENT)
    assert attendance_matrix(cohort).rows[0].completion == AT_RISK

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]),
        details_post(cohort, completion_all_workshops=None),
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert CompletionRule.for_cohort(cohort) == CompletionRule(
        inductions=1, all_workshops=False, all_action_learning_sets=True
    )
    row = attendance_matrix(cohort).rows[0]
    assert (row.completion, row.attended, row.required) == (COMPLETE, 1, 1)
    page = lead_client.get(reverse("cohorts:attendance_matrix", args=[cohort.pk])).content.decode()
    assert "To complete, attend every action learning set and at least 1 induction." in page


@pytest.mark.parametrize(
    ("rule", "attended_inductions", "expected"),
    [
        (CompletionRule(inductions=2), 1, AT_RISK),  # one induction left in the past: 2 are out of reach
        (CompletionRule(inductions=1), 1, COMPLETE),
        (CompletionRule(inductions=0), 0, COMPLETE),
    ],
)
def test_the_number_of_inductions_the_rule_asks_for(rule, attended_inductions, expected):
    cohort = CohortFactory(
        completion_inductions=rule.inductions,
        completion_all_workshops=rule.all_workshops,
        completion_all_action_learning_sets=rule.all_action_learning_sets,
    )
    inductions = [session(cohort, date(2025, 10, d), Session.Kind.INDUCTION) for d in (1, 2)]
    workshop = session(cohort, date(2025, 10, 8))
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 9, 1))
    for i, induction in enumerate(inductions):
        status = PRESENT if i < attended_inductions else ABSENT
        AttendanceFactory(session=induction, enrolment=enrolment, status=status)
    AttendanceFactory(session=workshop, enrolment=enrolment, status=PRESENT)

    assert attendance_matrix(cohort).rows[0].completion == expected


def test_an_induction_still_to_come_keeps_a_participant_on_track():
    cohort = CohortFactory(completion_inductions=2)
    first = session(cohort, date(2025, 10, 1), Session.Kind.INDUCTION)
    session(cohort, date(2025, 12, 1), Session.Kind.INDUCTION)
    enrolment = EnrolmentFactory(cohort=cohort, enrolled_on=date(2025, 9, 1))
    AttendanceFactory(session=first, enrolment=enrolment, status=PRESENT)

    assert attendance_matrix(cohort).rows[0].completion == ON_TRACK


def test_raising_the_capacity_enrols_the_longest_waiting_applicants(
    lead_client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(capacity=1, status=Cohort.Status.OPEN)
    EnrolmentFactory(cohort=cohort)
    later = waitlisted(cohort, "Later", date(2025, 9, 20))
    first = waitlisted(cohort, "First", date(2025, 9, 10))

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(
            reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, capacity=2)
        )

    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.status, later.status) == (Application.Status.ACCEPTED, Application.Status.WAITLISTED)
    assert Enrolment.objects.filter(cohort=cohort, participant=first.applicant).exists()
    assert [m.to for m in mailoutbox] == [[first.applicant.email]]


def test_capacity_cannot_drop_below_the_participants_already_enrolled(lead_client):
    cohort = CohortFactory(capacity=3)
    EnrolmentFactory.create_batch(2, cohort=cohort)

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, capacity=1)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "2 participants are enrolled, so the capacity cannot be lower than 2. Withdraw participants first."
    ]
    cohort.refresh_from_db()
    assert cohort.capacity == 3


def test_cancelling_a_cohort_cancels_its_sessions_for_every_calendar(lead_client):
    cohort = CohortFactory(status=Cohort.Status.OPEN)
    days = [session(cohort, date(2025, 12, d)) for d in (3, 10)]

    lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, status="cancelled")
    )

    assert [(s.status, s.sequence) for s in Session.objects.filter(pk__in=[d.pk for d in days])] == [
        ("cancelled", 1),
        ("cancelled", 1),
    ]
    # And the database keeps them cancelled: a cancelled cohort takes no scheduled session.
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=days[0].pk).update(status="scheduled")


def test_details_form_names_the_date_rule(lead_client):
    cohort = CohortFactory()

    response = lead_client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, ends_on="2025-01-01")
    )

    assert response.context["form"].errors["ends_on"] == [
        "The cohort must end on or after the day it starts."
    ]


def test_only_people_who_run_the_cohort_can_change_its_details(client):
    cohort = CohortFactory()
    participant = EnrolmentFactory(cohort=cohort).participant
    client.force_login(participant)

    response = client.post(
        reverse("cohorts:planner_details", args=[cohort.pk]), details_post(cohort, capacity=99)
    )

    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.capacity == 24


# --- teaching materials ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_lead_uploads_slides_and_a_participant_downloads_them(lead_client, client, media):
    cohort = CohortFactory()
    day = session(cohort, date(2025, 12, 3))
    slides = SimpleUploadedFile("day-1-slides.pdf", b"%PDF-1.7 slides", content_type="application/pdf")

    response = lead_client.post(
        reverse("cohorts:planner_material_add", args=[cohort.pk, day.pk]),
        {"title": "Day 1 slides", "file": slides, "url": ""},
    )

    assert response.status_code == 302
    material = SessionMaterial.objects.get(session=day)
    planner = lead_client.get(reverse("cohorts:planner", args=[cohort.pk])).content.decode()
    link = reverse("cohorts:material", args=[cohort.pk, day.pk, material.pk])
    assert f'<a href="{link}">Day 1 slides</a>' in planner

    client.force_login(EnrolmentFactory(cohort=cohort).participant)
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.7 slides"


def test_materials_of_another_cohort_are_not_found(client, media):
    cohort = CohortFactory()
    day = session(cohort, date(2025, 12, 3))
    material = session_material_add(
        session=day, title="Slides", url="https://example.org/s", added_by=UserFactory()
    )
    client.force_login(EnrolmentFactory().participant)  # enrolled in some other cohort

    response = client.get(reverse("cohorts:material", args=[cohort.pk, day.pk, material.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"url": ""}, "file", "Upload a file or give a link."),
        (
            {"url": "https://example.org/x", "with_file": True},
            "url",
            "Give a file or a link, not both: add them as two materials.",
        ),
        ({"url": "not a link"}, "url", "Enter a valid URL."),
        ({"filename": "run.html"}, "file", "File extension “html” is not allowed."),
    ],
)
def test_a_material_needs_exactly_one_allowed_file_or_link(lead_client, media, post, field, message):
    cohort = CohortFactory()
    day = session(cohort, date(2025, 12, 3))
    data = {"title": "Slides", "url": post.get("url", "")}
    if post.get("with_file") or post.get("filename"):
        data["file"] = SimpleUploadedFile(post.get("filename", "slides.pdf"), b"content")

    response = lead_client.post(reverse("cohorts:planner_material_add", args=[cohort.pk, day.pk]), data)

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not SessionMaterial.objects.exists()


def test_a_file_over_the_size_limit_is_refused(lead_client, media, monkeypatch):
    monkeypatch.setattr("cohorts.forms.planner.MATERIAL_MAX_BYTES", 10)
    cohort = CohortFactory()
    day = session(cohort, date(2025, 12, 3))

    response = lead_client.post(
        reverse("cohorts:planner_material_add", args=[cohort.pk, day.pk]),
        {"title": "Big", "file": SimpleUploadedFile("big.pdf", b"x" * 11), "url": ""},
    )

    assert response.context["form"].errors["file"] == [
        "This file is 11\xa0bytes; files can be up to 10\xa0bytes."
    ]
    assert not SessionMaterial.objects.exists()


def test_database_refuses_a_material_with_both_a_file_and_a_link():
    day = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionMaterial.objects.create(
            session=day,
            title="Both",
            file="materials/x.pdf",
            url="https://example.org",
            added_by=UserFactory(),
        )


def test_lead_removes_a_material_and_its_file(lead_client, media):
    cohort = CohortFactory()
    day = session(cohort, date(2025, 12, 3))
    material = session_material_add(
        session=day,
        title="Notes",
        file=SimpleUploadedFile("notes.txt", b"notes"),
        added_by=UserFactory(),
    )
    stored = media / material.file.name
    assert stored.exists()

    lead_client.post(reverse("cohorts:planner_material_remove", args=[cohort.pk, material.pk]))

    assert not SessionMaterial.objects.exists()
    assert not stored.exists()


# --- withdrawing a participant frees a place for the wait-list -----------------------------------------


def test_lead_withdraws_a_participant_and_the_wait_list_moves_up(
    lead_client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(capacity=1, status=Cohort.Status.OPEN)
    leaving = EnrolmentFactory(cohort=cohort)
    waiting = waitlisted(cohort, "Bea Waiting", date(2025, 9, 10))

    page = lead_client.get(reverse("cohorts:participants", args=[cohort.pk])).content.decode()
    assert "1 of 1 place taken · 1 on the wait-list" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("cohorts:participant_withdraw", args=[cohort.pk, leaving.pk]), follow=True
        )

    leaving.refresh_from_db()
    assert leaving.status == Enrolment.Status.WITHDRAWN
    assert Enrolment.objects.get(cohort=cohort, participant=waiting.applicant).status == "enrolled"
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        f"{leaving.participant} withdrawn from {cohort}.",
        "Bea Waiting moved up from the wait-list and is now enrolled.",
    ]
    assert [m.to for m in mailoutbox] == [[waiting.applicant.email]]


def test_withdrawing_someone_already_withdrawn_is_refused_with_the_reason(lead_client):
    cohort = CohortFactory()
    gone = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)

    response = lead_client.post(
        reverse("cohorts:participant_withdraw", args=[cohort.pk, gone.pk]), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"{gone.participant} is not enrolled in {cohort}."
    ]


def test_participants_page_is_for_the_people_who_run_the_cohort(client):
    cohort = CohortFactory()
    enrolment = EnrolmentFactory(cohort=cohort)
    client.force_login(enrolment.participant)

    assert client.get(reverse("cohorts:participants", args=[cohort.pk])).status_code == 403
    assert (
        client.post(reverse("cohorts:participant_withdraw", args=[cohort.pk, enrolment.pk])).status_code
        == 403
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


# --- the lead hears about apologies and repeated absences ---------------------------------------------


@pytest.fixture
def cohort_with_lead():
    lead = UserFactory(display_name="Rosa Lead", email="rosa@example.org")
    cohort = CohortFactory()
    cohort.leads.add(lead)
    return cohort


def test_apologies_reach_the_cohorts_lead(cohort_with_lead, mailoutbox, django_capture_on_commit_callbacks):
    future = session(cohort_with_lead, date(2025, 12, 3), title="Workshop Day 3")
    enrolment = EnrolmentFactory(cohort=cohort_with_lead, participant=UserFactory(display_name="Sam Carer"))

    with django_capture_on_commit_callbacks(execute=True):
        apologies_send(session=future, participant=enrolment.participant, note="On call that day")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["rosa@example.org"]
    assert message.subject == f"Apologies from Sam Carer for Workshop Day 3 ({cohort_with_lead})"
    assert "Their message: On call that day" in message.body
    assert reverse("cohorts:attendance_matrix", args=[cohort_with_lead.pk]) in message.body


def test_a_second_absence_in_a_row_alerts_the_lead_once(
    cohort_with_lead, mailoutbox, django_capture_on_commit_callbacks
):
    first = session(cohort_with_lead, date(2025, 10, 1), title="Workshop Day 1")
    second = session(cohort_with_lead, date(2025, 10, 8), title="Workshop Day 2")
    enrolment = EnrolmentFactory(
        cohort=cohort_with_lead, participant=UserFactory(display_name="Kim"), enrolled_on=date(2025, 9, 1)
    )
    by = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(session=first, enrolment=enrolment, status=ABSENT, recorded_by=by)
    assert mailoutbox == []  # one absence is not a pattern

    with django_capture_on_commit_callbacks(execute=True):
        attendance_record(session=second, enrolment=enrolment, status=ABSENT, recorded_by=by)
        # Saving the same status again (a double click) does not send a second alert.
        attendance_record(session=second, enrolment=enrolment, status=ABSENT, recorded_by=by)

    assert [m.subject for m in mailoutbox] == [f"Kim has missed two sessions in a row ({cohort_with_lead})"]
    assert "Workshop Day 1" in mailoutbox[0].body
    assert "Workshop Day 2" in mailoutbox[0].body


def test_absences_separated_by_attendance_alert_nobody(
    cohort_with_lead, mailoutbox, django_capture_on_commit_callbacks
):
    days = [session(cohort_with_lead, date(2025, 10, d)) for d in (1, 8, 15)]
    enrolment = EnrolmentFactory(cohort=cohort_with_lead, enrolled_on=date(2025, 9, 1))
    by = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        for day, status in zip(days, [ABSENT, PRESENT, ABSENT], strict=True):
            attendance_record(session=day, enrolment=enrolment, status=status, recorded_by=by)

    assert mailoutbox == []


def test_apologies_with_no_lead_to_tell_still_record(mailoutbox):
    cohort = CohortFactory()
    cohort.programme.leads.clear()
    future = session(cohort, date(2025, 12, 3))
    enrolment = EnrolmentFactory(cohort=cohort)

    attendance = apologies_send(session=future, participant=enrolment.participant)

    assert attendance.status == Attendance.Status.APOLOGIES
    assert mailoutbox == []


def test_a_material_service_refuses_nothing_to_attach():
    with pytest.raises(ValidationError) as refused:
        session_material_add(session=SessionFactory(), title="Empty", added_by=UserFactory())
    assert refused.value.message_dict == {"file": ["Upload a file or give a link (one, not both)."]}
