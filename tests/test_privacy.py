"""A person's data: a programme lead exports it on request, and erases a person who has left
without breaking any project's or cohort's history."""

import json
from datetime import date, time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from coaching.models import MonthlyUpdate, SupervisionLog
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
    MonthlyUpdateFactory,
    ProjectFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)
from tests.page_queries import assert_queries_do_not_grow

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
    # Their own apologies: a note someone else wrote on the register is not theirs to read.
    AttendanceFactory(
        session=SessionFactory(cohort=cohort), enrolment=enrolment, note="Train delayed", recorded_by=person
    )
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


# --- exports follow the pages' rules ------------------------------------------------------------


def _download(client, url) -> tuple[dict, str]:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.content), response.content.decode()


def test_lead_export_of_a_qi_lead_holds_none_of_their_supervisees_private_reflections(
    lead_client, qi_lead, coach
):
    """Issue 11: the QI lead's export held six unshared reflections of the coach they supervise."""
    for week in range(6):
        SupervisionLogFactory(
            coach=coach,
            supervisor=qi_lead,
            held_on=date(2025, 2, 3) + timedelta(weeks=week),
            themes=f"Theme {week}",
            reflection=f"Unshared reflection {week}",
            supervisor_note=f"Supervisor's note {week}",
        )

    data, body = _download(lead_client, reverse("person_export", args=[qi_lead.pk]))

    logs = data["records"]["coaching.SupervisionLog"]
    assert "Unshared reflection" not in body
    assert ["reflection" in log for log in logs] == [False] * 6
    # What the QI lead reads on the supervision pages stays: the themes and their own notes.
    assert sorted(log["themes"] for log in logs) == [f"Theme {week}" for week in range(6)]
    assert sorted(log["supervisor_note"] for log in logs) == [
        f"Supervisor's note {week}" for week in range(6)
    ]
    assert [n for n in data["left_out"] if n["records"] == "coaching.SupervisionLog"] == [
        {
            "records": "coaching.SupervisionLog",
            "fields": ["reflection"],
            "rows": 6,
            "why": "A private reflection is the coach's alone, unless they share it with their supervisor.",
            "in_their_own_download": False,
        }
    ]


def test_lead_export_of_a_team_member_holds_none_of_the_coachs_meeting_notes(
    lead_client, coach, team_member, project_a
):
    """Issue 11: a team member's export held the notes of the meetings they came to."""
    meeting = MeetingLogFactory(coach=coach, project=project_a, notes="The lead nurse is sceptical")
    meeting.attendees.add(team_member)
    member_client = Client()
    member_client.force_login(team_member)

    exports = [
        (lead_client, reverse("person_export", args=[team_member.pk])),  # a subject access request
        (member_client, "/privacy/my-data/export/"),  # the member's own download
    ]

    for downloader, url in exports:
        data, body = _download(downloader, url)
        assert "The lead nurse is sceptical" not in body
        [row] = data["records"]["coaching.MeetingLog"]
        assert "notes" not in row
        assert (row["id"], row["attendees"], row["duration_minutes"]) == (meeting.pk, [team_member.pk], 60)
        assert [n["fields"] for n in data["left_out"] if n["records"] == "coaching.MeetingLog"] == [["notes"]]


def test_lead_export_of_a_coach_leaves_out_their_reflection_and_says_where_they_get_it(lead_client, coach):
    SupervisionLogFactory(coach=coach, reflection="I rescue the team when they go quiet.")

    data, body = _download(lead_client, reverse("person_export", args=[coach.pk]))

    assert "I rescue the team" not in body
    assert [n for n in data["left_out"] if n["fields"] == ["reflection"]] == [
        {
            "records": "coaching.SupervisionLog",
            "fields": ["reflection"],
            "rows": 1,
            "why": "A private reflection is the coach's alone, unless they share it with their supervisor.",
            "in_their_own_download": True,
        }
    ]
    assert data["about_left_out"].endswith(
        "The person downloads their own complete copy, with what only they may read, from "
        "“My data” when signed in to coachprog (/privacy/my-data/)."
    )
    assert data["exported_by"]["display_name"] == "Programme lead"


def test_a_person_downloads_their_complete_copy_from_my_data(client, coach, project_a):
    SupervisionLogFactory(coach=coach, reflection="I rescue the team when they go quiet.")
    MeetingLogFactory(coach=coach, project=project_a, notes="Team chose to test a huddle")
    client.force_login(coach)

    page = client.get(reverse("my_data")).content.decode()
    response = client.get(reverse("my_data_export"))

    assert f'href="{reverse("my_data_export")}"' in page
    assert response["Content-Disposition"] == 'attachment; filename="coachprog-my-data-2025-11-01.json"'
    assert "no-store" in response["Cache-Control"].split(", ")
    data = json.loads(response.content)
    assert [log["reflection"] for log in data["records"]["coaching.SupervisionLog"]] == [
        "I rescue the team when they go quiet."
    ]
    assert [m["notes"] for m in data["records"]["coaching.MeetingLog"]] == ["Team chose to test a huddle"]
    assert data["left_out"] == []


def test_everyone_finds_my_data_in_their_account_menu(client, unrelated_user):
    client.force_login(unrelated_user)

    page = client.get(reverse("cohorts:list")).content.decode()

    assert f'<a class="dropdown-item" href="{reverse("my_data")}">My data</a>' in page


def test_my_data_page_queries_do_not_grow(client, coach, project_a):
    client.force_login(coach)

    def grow():
        SupervisionLogFactory(coach=coach)
        MeetingLogFactory(coach=coach, project=project_a)

    assert_queries_do_not_grow(client, reverse("my_data"), grow)


def test_a_departed_persons_export_still_holds_what_they_could_read(lead_client, coach, sponsor, project_a):
    update = MonthlyUpdateFactory(project=project_a, author=coach, ready=True, narrative="Flow is better")
    MonthlyUpdate.objects.filter(pk=update.pk).update(
        acknowledged_by=sponsor, acknowledged_at=update.ready_at
    )
    sponsor.is_active = False
    sponsor.save()

    data, _ = _download(lead_client, reverse("person_export", args=[sponsor.pk]))

    assert [u["narrative"] for u in data["records"]["coaching.MonthlyUpdate"]] == ["Flow is better"]


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
