"""A person's data: a programme lead exports it on request, and erases a person who has left
without breaking any project's or cohort's history."""

import json
from datetime import date, time

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse

from coaching.models import SupervisionLog
from coachprog.privacy import erasure_blockers, person_data_export, person_erase
from cohorts.models import Application, Attendance, CalendarToken, Cohort, Enrolment
from cohorts.services import calendar_token_issue
from projects.models import Project
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    MeetingLogFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 11, 1), time(12)), tick=False),
]


@pytest.fixture
def leaver():
    """A coach who trained in a finished cohort, logged a meeting and wrote a private reflection."""
    person = UserFactory(display_name="Dana Leaver", email="dana@example.org")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    cohort = CohortFactory(status=Cohort.Status.COMPLETED)
    application = ApplicationFactory(
        cohort=cohort,
        applicant=person,
        status=Application.Status.ACCEPTED,
        line_manager_email="boss@example.org",
    )
    enrolment = EnrolmentFactory(cohort=cohort, participant=person, application=application)
    AttendanceFactory(session=SessionFactory(cohort=cohort), enrolment=enrolment, note="Train delayed")
    MeetingLogFactory(coach=person, notes="Team chose to test a huddle")
    SupervisionLogFactory(coach=person, reflection="I rushed the team", themes="Pace")
    calendar_token_issue(person=person)
    return person


def test_export_holds_the_persons_rows_from_every_app(leaver):
    data = person_data_export(leaver)

    assert data["person"]["email"] == "dana@example.org"
    records = data["records"]
    assert {"cohorts.Application", "cohorts.Enrolment", "cohorts.Attendance", "coaching.MeetingLog"} <= set(
        records
    )
    assert records["cohorts.Attendance"][0]["note"] == "Train delayed"
    assert records["coaching.SupervisionLog"][0]["reflection"] == "I rushed the team"  # theirs to see
    json.dumps(data, default=str)  # ready to download


def test_export_holds_nothing_of_anyone_else(leaver):
    other = UserFactory()
    MeetingLogFactory(coach=other, notes="Someone else's notes")

    records = person_data_export(leaver)["records"]

    assert all(row.get("notes") != "Someone else's notes" for row in records["coaching.MeetingLog"])


def test_erasing_replaces_the_identity_and_keeps_the_history(leaver):
    lead = UserFactory()
    enrolment = Enrolment.objects.get(participant=leaver)

    person_erase(person=leaver, erased_by=lead)

    leaver.refresh_from_db()
    assert (leaver.display_name, leaver.email, leaver.is_active) == (
        f"Former member {leaver.pk}",
        f"erased-{leaver.pk}@erased.invalid",
        False,
    )
    assert not leaver.has_usable_password()
    assert not EmailAddress.objects.filter(user=leaver).exists()
    assert not CalendarToken.objects.filter(person=leaver).exists()
    application = Application.objects.get(applicant=leaver)
    assert (application.line_manager_email, application.role_title) == ("erased@erased.invalid", "(erased)")
    assert not Application.history.filter(
        applicant_id=leaver.pk, line_manager_email="boss@example.org"
    ).exists()
    assert Attendance.objects.get(enrolment=enrolment).note == ""
    assert SupervisionLog.objects.get(coach=leaver).reflection == ""
    # The records that make up history stay: the cohort's numbers and the team's meetings.
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert leaver.meeting_logs.get().notes == "Team chose to test a huddle"


def test_an_erased_person_cannot_sign_in(client, leaver):
    leaver.set_password("a-long-enough-password-1")
    leaver.save()
    person_erase(person=leaver, erased_by=UserFactory())

    assert not client.login(email="dana@example.org", password="a-long-enough-password-1")


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda p: EnrolmentFactory(participant=p, cohort=CohortFactory(number=12, status="running")),
            "is enrolled in Cohort 12: withdraw them from it first.",
        ),
        (
            lambda p: CohortFactory(number=13, status="open").leads.add(p),
            "leads Cohort 13: make someone else",
        ),
        (lambda p: AssignmentFactory(coach=p, project=ProjectFactory(title="Falls")), "coaches Falls: end"),
        (
            lambda p: ProjectFactory(title="Flow", sponsor=p),
            "sponsors Flow: give the project another sponsor",
        ),
    ],
)
def test_erasure_waits_until_the_person_hands_over_what_they_hold(setup, reason):
    person = UserFactory(display_name="Holder")
    setup(person)

    assert any(reason in blocker for blocker in erasure_blockers(person))
    with pytest.raises(ValidationError):
        person_erase(person=person, erased_by=UserFactory())
    person.refresh_from_db()
    assert person.display_name == "Holder"


def test_a_closed_project_does_not_stop_its_sponsor_being_erased():
    sponsor = UserFactory()
    ProjectFactory(sponsor=sponsor, status=Project.Status.CLOSED)

    assert erasure_blockers(sponsor) == []


def test_nobody_erases_themselves():
    lead = UserFactory()
    with pytest.raises(ValidationError, match="cannot erase your own account"):
        person_erase(person=lead, erased_by=lead)


# --- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["person_list", "person_export", "person_erase"])
def test_only_programme_leads_reach_the_privacy_pages(client, leaver, name):
    client.force_login(UserFactory())
    args = [] if name == "person_list" else [leaver.pk]

    assert client.get(reverse(name, args=args)).status_code == 403
    assert (
        client.post(reverse("person_erase", args=[leaver.pk]), {"confirm_email": leaver.email}).status_code
        == 403
    )
    leaver.refresh_from_db()
    assert leaver.is_active


def test_lead_finds_a_person_and_downloads_their_data(lead_client, leaver):
    found = lead_client.get(reverse("person_list"), {"q": "dana@"})
    assert list(found.context["page"].object_list) == [leaver]

    response = lead_client.get(reverse("person_export", args=[leaver.pk]))

    assert response["Content-Disposition"].startswith(f'attachment; filename="coachprog-person-{leaver.pk}-')
    assert json.loads(response.content)["person"]["display_name"] == "Dana Leaver"


def test_lead_must_type_the_email_to_erase(lead_client, leaver):
    url = reverse("person_erase", args=[leaver.pk])

    refused = lead_client.post(url, {"confirm_email": "someone@example.org"})
    assert refused.status_code == 400
    leaver.refresh_from_db()
    assert leaver.is_active

    done = lead_client.post(url, {"confirm_email": "DANA@example.org"}, follow=True)
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert [str(m) for m in done.context["messages"]] == [
        f"Dana Leaver has been erased. Their records now show “Former member {leaver.pk}”."
    ]


def test_erase_page_lists_what_must_be_handed_over(lead_client):
    sponsor = UserFactory(display_name="Sam Sponsor")
    ProjectFactory(title="Flow", sponsor=sponsor)

    page = lead_client.get(reverse("person_erase", args=[sponsor.pk])).content.decode()

    assert "Sam Sponsor sponsors Flow: give the project another sponsor first." in page
    assert 'name="confirm_email"' not in page
