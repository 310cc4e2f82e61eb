"""Applications and enrolment: the form, the manager's link, the lead's table, capacity, the wait-list."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Application, Cohort, Enrolment, Session
from cohorts.services.applications import (
    application_decide,
    application_manager_token,
    application_submit,
    enrolment_withdraw,
)
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    DirectorateFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 9, 1), time(10))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def cohort():
    return CohortFactory(number=11, status=Cohort.Status.OPEN, capacity=2)


@pytest.fixture
def applicant():
    return UserFactory(display_name="Asha Patel", email="asha@example.org")


def form_data(directorate, **overrides) -> dict:
    data = {
        "directorate": directorate.pk,
        "role_title": "Charge nurse",
        "prerequisites_completed": ["Pocket QI"],
        "line_manager_name": "Morgan Lee",
        "line_manager_email": "morgan@example.org",
        "availability_confirmed": "on",
    }
    return {**data, **overrides}


def manager_url(application: Application) -> str:
    return reverse("cohorts:application_manager_respond", args=[application_manager_token(application)])


# --- the application form ----------------------------------------------------------------


def test_apply_lists_the_dates_to_attend_and_the_programmes_prerequisites(client, cohort, applicant):
    cohort.programme.prerequisite_courses = ["Pocket QI", "Measurement for Improvement"]
    cohort.programme.save()
    SessionFactory(cohort=cohort, title="Workshop Day 1")
    SessionFactory(cohort=cohort, title="Webinar 1", kind=Session.Kind.WEBINAR)
    client.force_login(applicant)

    response = client.get(reverse("cohorts:apply", args=[cohort.pk]))

    assert response.status_code == 200
    assert [s.title for s in response.context["sessions"]] == ["Workshop Day 1"]
    assert response.context["form"].fields["prerequisites_completed"].choices == [
        ("Pocket QI", "Pocket QI"),
        ("Measurement for Improvement", "Measurement for Improvement"),
    ]
    assert "Workshop Day 1, Wed 1 Oct 2025, 09:00–17:00" in response.content.decode()


def test_apply_records_the_application_and_emails_the_line_manager(
    client, cohort, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    directorate = DirectorateFactory(name="Community Health Newham")
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cohorts:apply", args=[cohort.pk]), form_data(directorate))

    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:my_applications")
    application = Application.objects.get()
    assert (
        application.applicant,
        application.status,
        application.directorate,
        application.prerequisites_completed,
        application.submitted_at,
    ) == (applicant, Application.Status.SUBMITTED, directorate, ["Pocket QI"], NOW)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["morgan@example.org"]
    assert message.subject == f"Please approve Asha Patel's application to {cohort.programme}, Cohort 11"
    assert f"{settings.SITE_URL}{manager_url(application)}\n" in message.body
    assert "The link works until 15 Sep 2025." in message.body
    assert manager_url(application) in message.alternatives[0].content


def test_apply_requires_the_ppl_of_a_service_user_or_carer(client, cohort, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("cohorts:apply", args=[cohort.pk]),
        form_data(DirectorateFactory(), is_service_user_or_carer="on", people_participation_lead=""),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "people_participation_lead": [
            "Please name your People Participation Lead: service users and carers apply with their support."
        ]
    }
    assert Application.objects.count() == 0


def test_apply_requires_confirmed_availability(client, cohort, applicant):
    client.force_login(applicant)
    data = form_data(DirectorateFactory())
    del data["availability_confirmed"]

    response = client.post(reverse("cohorts:apply", args=[cohort.pk]), data)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "availability_confirmed": ["Please confirm you can attend the induction and every workshop date."]
    }
    assert Application.objects.count() == 0


def test_apply_refuses_a_closed_cohort_with_the_reason(client, applicant):
    cohort = CohortFactory(number=12, status=Cohort.Status.OPEN, applications_close_on=date(2025, 8, 31))
    client.force_login(applicant)

    response = client.post(reverse("cohorts:apply", args=[cohort.pk]), form_data(DirectorateFactory()))

    assert response.status_code == 400
    assert response.context["refusal"] == "Applications for Cohort 12 closed on 31 Aug 2025."
    assert "Applications for Cohort 12 closed on 31 Aug 2025." in response.content.decode()
    assert Application.objects.count() == 0


def test_application_submit_refuses_a_cohort_not_open():
    cohort = CohortFactory(number=13, status=Cohort.Status.PLANNING)

    with pytest.raises(ValidationError) as refused:
        application_submit(
            cohort=cohort,
            applicant=UserFactory(),
            directorate=DirectorateFactory(),
            role_title="Charge nurse",
            line_manager_name="Morgan Lee",
            line_manager_email="morgan@example.org",
            availability_confirmed=True,
        )

    assert refused.value.messages == ["Cohort 13 is not open for applications."]


def test_my_applications_lists_only_the_applicants_own(client, applicant):
    mine = ApplicationFactory(applicant=applicant, status=Application.Status.WAITLISTED)
    ApplicationFactory()
    client.force_login(applicant)

    response = client.get(reverse("cohorts:my_applications"))

    assert response.status_code == 200
    assert [application for application, _ in response.context["rows"]] == [mine]
    assert "Wait-listed" in response.content.decode()


# --- the line manager's link -------------------------------------------------------------


def test_manager_link_shows_the_choice_without_signing_in(client, cohort):
    application = ApplicationFactory(cohort=cohort)

    response = client.get(manager_url(application))

    assert response.status_code == 200
    assert response.context["awaiting"] is True
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


@pytest.mark.parametrize(
    ("decision", "status"),
    [("approve", Application.Status.MANAGER_APPROVED), ("decline", Application.Status.MANAGER_DECLINED)],
)
def test_manager_link_records_the_answer(client, cohort, decision, status):
    application = ApplicationFactory(cohort=cohort)
    url = manager_url(application)

    response = client.post(url, {"decision": decision})

    assert response.status_code == 302
    assert response["Location"] == url
    application.refresh_from_db()
    assert (application.status, application.manager_responded_at) == (status, NOW)


def test_manager_link_answers_only_once(client, cohort):
    application = ApplicationFactory(cohort=cohort, status=Application.Status.MANAGER_APPROVED)

    response = client.post(manager_url(application), {"decision": "decline"})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This application is approved by line manager; it no longer needs a line manager's answer."
    ]
    application.refresh_from_db()
    assert application.status == Application.Status.MANAGER_APPROVED


def test_manager_link_expires_after_14_days_and_changes_nothing(client, cohort):
    application = ApplicationFactory(cohort=cohort)
    url = manager_url(application)

    with time_machine.travel(NOW + timedelta(days=14, seconds=1), tick=False):
        response = client.post(url, {"decision": "approve"})

    assert response.status_code == 410
    assert response.context["expired"] is True
    assert "This link has expired" in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.manager_responded_at) == (Application.Status.SUBMITTED, None)


def test_manager_link_still_works_on_the_14th_day(client, cohort):
    application = ApplicationFactory(cohort=cohort)
    url = manager_url(application)

    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        response = client.post(url, {"decision": "approve"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.MANAGER_APPROVED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # changed signature
        lambda token: "x" + token,  # changed payload
        lambda token: "not-a-token",
    ],
)
def test_manager_link_tampered_shows_a_clear_page_and_changes_nothing(client, cohort, tamper):
    application = ApplicationFactory(cohort=cohort)
    token = tamper(application_manager_token(application))

    response = client.post(
        reverse("cohorts:application_manager_respond", args=[token]), {"decision": "approve"}
    )

    assert response.status_code == 400
    assert response.context["expired"] is False
    assert "This link does not work" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_manager_link_for_another_purpose_is_refused(client, cohort):
    application = ApplicationFactory(cohort=cohort)
    token = signing.dumps({"application": application.pk}, salt="another.purpose", compress=True)

    response = client.post(
        reverse("cohorts:application_manager_respond", args=[token]), {"decision": "approve"}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


# --- the lead's table ------------------------------------------------------------------


@pytest.fixture
def lead(cohort):
    user = UserFactory(display_name="Cohort lead")
    cohort.leads.add(user)
    return user


def test_application_table_filters_by_status(client, cohort, lead):
    waiting = ApplicationFactory(cohort=cohort, status=Application.Status.WAITLISTED)
    ApplicationFactory(cohort=cohort)
    client.force_login(lead)

    response = client.get(reverse("cohorts:applications", args=[cohort.pk]), {"status": "waitlisted"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [waiting]
    assert response.context["total"] == 2
    counts = {value: count for value, _, count in response.context["filters"]}
    assert (counts["submitted"], counts["waitlisted"], counts["accepted"]) == (1, 1, 0)


def test_application_table_refuses_an_applicant_and_hides_from_outsiders(client, cohort):
    applicant = ApplicationFactory(cohort=cohort).applicant
    url = reverse("cohorts:applications", args=[cohort.pk])

    client.force_login(applicant)
    as_applicant = client.get(url)
    client.force_login(UserFactory())
    as_outsider = client.get(url)
    refused_post = client.post(url, {"applications": [1], "decision": "accepted"})

    assert (as_applicant.status_code, as_outsider.status_code, refused_post.status_code) == (403, 404, 404)


def test_bulk_decisions_report_each_result_and_name_who_did_not_fit(
    client, cohort, lead, mailoutbox, django_capture_on_commit_callbacks
):
    approved = Application.Status.MANAGER_APPROVED
    first = ApplicationFactory(cohort=cohort, applicant=UserFactory(display_name="Ann"), status=approved)
    second = ApplicationFactory(cohort=cohort, applicant=UserFactory(display_name="Ben"), status=approved)
    third = ApplicationFactory(cohort=cohort, applicant=UserFactory(display_name="Cat"), status=approved)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cohorts:applications", args=[cohort.pk]),
            {"applications": [first.pk, second.pk, third.pk], "decision": "accepted"},
            follow=True,
        )

    assert [str(m) for m in response.context["messages"]] == [
        "Ann: accepted.",
        "Ben: accepted.",
        "Cat: not accepted. Cohort 11 is full (2 places); wait-list the applicant instead.",
    ]
    assert sorted(Enrolment.objects.values_list("participant__display_name", flat=True)) == ["Ann", "Ben"]
    third.refresh_from_db()
    assert third.status == Application.Status.MANAGER_APPROVED
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([first.applicant.email], f"You have a place on {cohort.programme}, Cohort 11"),
        ([second.applicant.email], f"You have a place on {cohort.programme}, Cohort 11"),
    ]


@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("waitlisted", Application.Status.WAITLISTED, "You are on the waiting list for {}, Cohort 11"),
        ("declined", Application.Status.DECLINED, "Your application to {}, Cohort 11"),
    ],
)
def test_bulk_wait_list_and_decline_tell_the_applicants(
    client, cohort, lead, mailoutbox, django_capture_on_commit_callbacks, decision, status, subject
):
    applications = ApplicationFactory.create_batch(2, cohort=cohort)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cohorts:applications", args=[cohort.pk]),
            {"applications": [a.pk for a in applications], "decision": decision},
        )

    assert response.status_code == 302
    assert list(Application.objects.values_list("status", flat=True)) == [status, status]
    assert Enrolment.objects.count() == 0
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([a.applicant.email], subject.format(cohort.programme)) for a in applications
    ]


def test_bulk_decision_without_a_tick_says_so(client, cohort, lead):
    ApplicationFactory(cohort=cohort)
    client.force_login(lead)

    response = client.post(reverse("cohorts:applications", args=[cohort.pk]), {"decision": "accepted"})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Please tick at least one application."]
    assert Enrolment.objects.count() == 0


# Session, user, the user's roles, cohort, status counts, places taken, table.
QUERIES_FOR_TABLE = 9  # with the paginator's count


@pytest.mark.parametrize("size", [3, 15])
def test_application_table_queries_do_not_grow_with_applications(client, cohort, lead, size):
    for _ in range(size):
        ApplicationFactory(cohort=cohort, status=Application.Status.ACCEPTED, decided_by=lead, decided_at=NOW)
    client.force_login(lead)
    url = reverse("cohorts:applications", args=[cohort.pk])
    client.get(url)  # warm the session

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == size
    assert len(queries) == QUERIES_FOR_TABLE


# --- capacity and the wait-list ----------------------------------------------------------


def test_capacity_is_enforced_on_accept(cohort, lead):
    EnrolmentFactory.create_batch(2, cohort=cohort)
    application = ApplicationFactory(cohort=cohort)

    with pytest.raises(ValidationError) as refused:
        application_decide(application=application, decision=Application.Status.ACCEPTED, decided_by=lead)

    assert refused.value.messages == ["Cohort 11 is full (2 places); wait-list the applicant instead."]
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_withdrawal_promotes_the_longest_waiting_applicant(
    cohort, lead, mailoutbox, django_capture_on_commit_callbacks
):
    leaving = EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort)
    later = ApplicationFactory(cohort=cohort, status=Application.Status.WAITLISTED, decided_at=NOW)
    earlier = ApplicationFactory(
        cohort=cohort, status=Application.Status.WAITLISTED, decided_at=NOW - timedelta(days=3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        promoted = enrolment_withdraw(enrolment=leaving, withdrawn_by=lead)

    assert promoted == earlier
    earlier.refresh_from_db()
    later.refresh_from_db()
    leaving.refresh_from_db()
    assert (leaving.status, earlier.status, later.status) == (
        Enrolment.Status.WITHDRAWN,
        Application.Status.ACCEPTED,
        Application.Status.WAITLISTED,
    )
    assert Enrolment.objects.get(application=earlier).enrolled_on == date(2025, 9, 1)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([earlier.applicant.email], f"You have a place on {cohort.programme}, Cohort 11")
    ]


def test_withdrawal_with_nobody_waiting_promotes_nobody(cohort, lead):
    leaving = EnrolmentFactory(cohort=cohort)

    promoted = enrolment_withdraw(enrolment=leaving, withdrawn_by=lead)

    assert promoted is None
    assert list(cohort.enrolments.values_list("status", flat=True)) == [Enrolment.Status.WITHDRAWN]


def test_withdrawal_refuses_someone_not_enrolled(cohort, lead):
    gone = EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WITHDRAWN)

    with pytest.raises(ValidationError) as refused:
        enrolment_withdraw(enrolment=gone, withdrawn_by=lead)

    assert refused.value.messages == [f"{gone.participant} is not enrolled in Cohort 11."]


# --- which cohorts are advertised, and to whom -------------------------------------------------------


@pytest.mark.parametrize("status", [Cohort.Status.PLANNING, Cohort.Status.COMPLETED, Cohort.Status.CANCELLED])
def test_a_cohort_not_open_is_not_shown_to_staff_who_might_apply(client, applicant, status):
    cohort = CohortFactory(status=status)
    client.force_login(applicant)

    assert client.get(reverse("cohorts:apply", args=[cohort.pk])).status_code == 404


def test_a_lead_can_preview_the_application_form_of_a_cohort_in_planning(lead_client):
    cohort = CohortFactory(status=Cohort.Status.PLANNING)

    response = lead_client.get(reverse("cohorts:apply", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["refusal"] == f"{cohort} is not open for applications."


def test_an_applicant_still_sees_their_cohort_after_applications_close(client):
    application = ApplicationFactory(cohort=CohortFactory(status=Cohort.Status.RUNNING))
    client.force_login(application.applicant)

    response = client.get(reverse("cohorts:apply", args=[application.cohort_id]))

    assert response.status_code == 200
    assert response.context["existing"] == application


def test_open_cohorts_are_advertised_to_staff_until_they_apply(client, cohort, applicant):
    CohortFactory(number=12, status=Cohort.Status.PLANNING)
    client.force_login(applicant)

    listed = client.get(reverse("cohorts:list")).context["advertised"]
    assert list(listed) == [cohort]

    ApplicationFactory(cohort=cohort, applicant=applicant)
    assert list(client.get(reverse("cohorts:list")).context["advertised"]) == []


def test_a_long_application_table_is_paged_keeping_the_status_filter(client, cohort, lead):
    ApplicationFactory.create_batch(52, cohort=cohort)
    client.force_login(lead)

    first = client.get(reverse("cohorts:applications", args=[cohort.pk]), {"status": "submitted"})
    second = client.get(reverse("cohorts:applications", args=[cohort.pk]), {"status": "submitted", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 2
    assert "?status=submitted&amp;page=2" in first.content.decode()
