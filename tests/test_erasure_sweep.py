"""Erasing a person leaves their name and address nowhere the app wrote them (issue 12, item 8).

The sweep plants a distinctive name and address everywhere they can appear (their own rows,
e-mail to them, e-mail about them, history rows, the admin's log, an invitation, someone
else's application naming them as line manager, a next step they own), erases the person,
then reads every column of every table (history tables included) and every download. The
name survives in one place only, listed below with the reason.
"""

import io
import zipfile
from datetime import date, time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as LoginSession
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.services import update_comment_add
from coachprog.accounts.models import Invitation, User
from coachprog.accounts.services import programme_lead_add
from coachprog.exports import XLSX_TYPE
from coachprog.outbox.models import Message
from coachprog.privacy import person_erase
from cohorts.models import Application, Cohort
from cohorts.services.applications import application_submit
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AttendanceFactory,
    CoachProfileFactory,
    CohortFactory,
    DataPointFactory,
    DirectorateFactory,
    EnrolmentFactory,
    MeasureFactory,
    MeetingLogFactory,
    MessageFactory,
    MonthlyUpdateFactory,
    NextStepFactory,
    PDSACycleFactory,
    SessionFactory,
    SupervisionLogFactory,
    UserFactory,
    london,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 11, 3), time(12)), tick=False),
]

NAME = "Zebedee O'Quillfeather"
ADDRESS = "zebedee.oquillfeather@example.org"
HOME_ADDRESS = "zq.home@example.net"
# What the sweep looks for, lower-cased: each part of the name and each address's distinctive part.
TRACES = ("zebedee", "quillfeather", "zq.home")
# The one place the name legitimately stays: a colleague's own words in their meeting notes (and
# that note's kept versions, and the downloads of meeting logs that show notes). Erasure replaces a
# person's identity; it does not rewrite what other people wrote about the work.
OTHERS_WORDS = "Zebedee O'Quillfeather handed the team over"
ERASED = "Not sent: the recipient's data was erased."
REMAINS = {("coaching_meetinglog", "notes"), ("coaching_historicalmeetinglog", "notes")}


@pytest.fixture
def lead():
    person = UserFactory(display_name="Programme lead")
    programme_lead_add(user=person)
    return person


@pytest.fixture
def zebedee(lead):
    """A former coach and participant, with a second sign-in address, who used the app for a year."""
    person = UserFactory(display_name=NAME, email=ADDRESS)
    EmailAddress.objects.create(user=person, email=ADDRESS, primary=True, verified=True)
    EmailAddress.objects.create(user=person, email=HOME_ADDRESS, verified=True)
    return person


@pytest.fixture
def world(zebedee, lead):
    """Every place the app writes someone's name or address, for Zebedee."""
    now = timezone.now()
    # Cohorts: trained in a finished cohort, and named as line manager by someone applying to an open one.
    finished = CohortFactory(status=Cohort.Status.COMPLETED)
    application = ApplicationFactory(cohort=finished, applicant=zebedee, status=Application.Status.ACCEPTED)
    enrolment = EnrolmentFactory(cohort=finished, participant=zebedee, application=application)
    AttendanceFactory(
        session=SessionFactory(cohort=finished), enrolment=enrolment, note="Delayed", recorded_by=zebedee
    )
    open_cohort = CohortFactory(status=Cohort.Status.OPEN)
    open_cohort.leads.add(lead)
    SessionFactory(cohort=open_cohort)
    application_submit(
        cohort=open_cohort,
        applicant=UserFactory(display_name="Applicant"),
        directorate=DirectorateFactory(),
        role_title="Nurse",
        line_manager_name=NAME,
        line_manager_email=ADDRESS.upper(),
        availability_confirmed=True,
    )
    # Coaching: coached a project until last month; the new coach's meeting notes mention them, and a
    # next step is theirs by name; a supervision log; a comment on the new coach's update.
    coach = UserFactory(display_name="New coach")
    CoachProfileFactory(coach=coach)
    CoachProfileFactory(coach=zebedee, is_active=False)
    project = AssignmentFactory(
        coach=zebedee, starts_on=date(2025, 1, 6), ends_on=date(2025, 9, 30), end_reason="Left the trust"
    ).project
    AssignmentFactory(coach=coach, project=project, starts_on=date(2025, 10, 1))
    MeetingLogFactory(coach=zebedee, project=project, met_on=date(2025, 9, 1), notes="Huddle planned")
    theirs = MeetingLogFactory(coach=coach, project=project, met_on=date(2025, 10, 6), notes=OTHERS_WORDS)
    NextStepFactory(meeting=theirs, description="Send the handover notes", owner=NAME.upper())
    SupervisionLogFactory(coach=zebedee, supervisor=lead, reflection="Leaving is hard")
    update = MonthlyUpdateFactory(project=project, author=coach, month=date(2025, 10, 1), ready=True)
    update_comment_add(update=update, author=zebedee, body="Good luck with the next cycle")
    measure = MeasureFactory(project=project)
    DataPointFactory.create_batch(3, measure=measure, recorded_by=zebedee)
    PDSACycleFactory(project=project)
    # E-mail to them (one still waiting), and one to the lead about them, with an .ics folding the name.
    ics = (
        "BEGIN:VCALENDAR\r\nDESCRIPTION:Ask Zebedee O'Quill\r\n feather for the room key\r\nEND:VCALENDAR\r\n"
    )
    MessageFactory(
        recipient=zebedee,
        subject=f"{NAME}, your session tomorrow",
        text=f"Dear {NAME}, see you at 9am. Write to {HOME_ADDRESS} to change.",
        html="<p>Dear Zebedee O&#x27;Quillfeather</p>",
        headers={"Reply-To": ADDRESS},
        attachments=[{"filename": "session.ics", "content_type": "text/calendar", "content": ics}],
    )
    MessageFactory(recipient=zebedee, status=Message.Status.PENDING, subject="Reminder", text=f"Hi {NAME}")
    MessageFactory(
        recipient=lead,
        subject=f"{NAME} has missed two sessions in a row",
        text=f"{NAME} ({ADDRESS}) missed Workshop Day 1 and 2.",
        html="<p>Zebedee O&#x27;Quillfeather missed two sessions</p>",
        attachments=[{"filename": "session.ics", "content_type": "text/calendar", "content": ics}],
    )
    # Accounts: the invitation they accepted, an admin edit of their record, a signed-in browser.
    Invitation.objects.create(
        email=ADDRESS,
        invited_by=lead,
        expires_at=now + timedelta(days=7),
        accepted_at=now,
        accepted_by=zebedee,
    )
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(zebedee.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message="[]",
    )
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(project),
        object_id=str(project.pk),
        object_repr=f"{NAME} → {project}",
        action_flag=CHANGE,
        change_message="[]",
    )
    Client().force_login(zebedee)
    return {"project": project, "measure": measure, "cohorts": [finished, open_cohort]}


def _traces(value) -> bool:
    if value is None:
        return False
    text = value.decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else str(value)
    # iCalendar folds long lines; JSON keeps the fold escaped.
    text = text.replace("\r\n ", "").replace("\\r\\n ", "").lower()
    return any(trace in text for trace in TRACES)


def _columns_with_traces() -> set[tuple[str, str]]:
    """(table, column) for every value anywhere in the database that holds the name or an address."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                found |= {
                    (table, column) for column, value in zip(columns, row, strict=True) if _traces(value)
                }
    return found


def test_the_sweep_reads_every_models_table_history_included():
    tables = set(connection.introspection.table_names())
    models = apps.get_models(include_auto_created=True)

    assert {model._meta.db_table for model in models} <= tables
    assert "coaching_historicalmeetinglog" in tables


def test_before_erasure_the_name_and_addresses_are_everywhere(world):
    found = {table for table, _ in _columns_with_traces()}

    assert {
        "accounts_user",
        "account_emailaddress",
        "accounts_invitation",
        "outbox_message",
        "cohorts_application",
        "cohorts_historicalapplication",
        "coaching_nextstep",
        "coaching_historicalnextstep",
        "django_admin_log",
    } <= found


def test_after_erasure_the_name_stays_only_in_words_others_typed(world, zebedee, lead):
    person_erase(person=zebedee, erased_by=lead)

    assert _columns_with_traces() == REMAINS


def test_erasure_blanks_the_messages_sent_to_the_person(world, zebedee, lead):
    person_erase(person=zebedee, erased_by=lead)

    rows = Message.objects.filter(recipient=zebedee).order_by("pk")
    cohort = world["cohorts"][1]
    assert [
        (m.to_address, m.subject, m.text, m.html, m.headers, m.attachments, m.status, m.last_error)
        for m in rows
    ] == [
        # The line manager's request, still waiting to go: it never will.
        (
            "",
            f"Please approve Applicant's application to {cohort.programme}, {cohort}",
            "",
            "",
            {},
            [],
            Message.Status.FAILED,
            ERASED,
        ),
        ("", f"Former member {zebedee.pk}, your session tomorrow", "", "", {}, [], Message.Status.SENT, ""),
        ("", "Reminder", "", "", {}, [], Message.Status.FAILED, ERASED),
    ]


def test_erasure_takes_the_name_out_of_messages_about_the_person(world, zebedee, lead):
    person_erase(person=zebedee, erased_by=lead)

    alert = Message.objects.get(recipient=lead)
    placeholder = f"Former member {zebedee.pk}"
    assert (alert.subject, alert.text, alert.html) == (
        f"{placeholder} has missed two sessions in a row",
        f"{placeholder} (erased-{zebedee.pk}@erased.invalid) missed Workshop Day 1 and 2.",
        f"<p>{placeholder} missed two sessions</p>",
    )
    assert alert.attachments[0]["content"] == (
        f"BEGIN:VCALENDAR\r\nDESCRIPTION:Ask {placeholder} for the room key\r\nEND:VCALENDAR\r\n"
    )
    comment_mail = Message.objects.get(key__startswith="update-comment:")
    assert (
        comment_mail.subject == f"{placeholder} commented on the October 2025 update for {world['project']}"
    )


def test_erasure_leaves_a_name_that_is_only_part_of_a_word(zebedee, lead):
    MessageFactory(recipient=lead, subject="Zebedees and Quillfeathers: a reading list", text="")

    person_erase(person=zebedee, erased_by=lead)

    assert Message.objects.get(recipient=lead).subject == "Zebedees and Quillfeathers: a reading list"


def test_the_outbox_page_shows_a_lead_no_trace_of_an_erased_person(client, world, zebedee, lead):
    person_erase(person=zebedee, erased_by=lead)
    client.force_login(lead)

    page = client.get(reverse("outbox:status")).content.decode()

    assert not _traces(page)
    assert f"Former member {zebedee.pk}" in page


def test_erasure_signs_the_person_out_everywhere(world, zebedee, lead):
    person_erase(person=zebedee, erased_by=lead)

    assert [
        s for s in LoginSession.objects.all() if s.get_decoded().get("_auth_user_id") == str(zebedee.pk)
    ] == []


def _text(response) -> str:
    content = response.content
    if response["Content-Type"] == XLSX_TYPE:
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            content = b"".join(workbook.read(name) for name in workbook.namelist())
    return content.decode("utf-8", "replace")


def test_after_erasure_no_download_holds_the_name_but_meeting_notes_others_wrote(
    client, world, zebedee, lead
):
    person_erase(person=zebedee, erased_by=lead)
    client.force_login(lead)
    project, measure = world["project"], world["measure"]
    urls = [reverse("person_export", args=[zebedee.pk]), reverse("my_data_export")]
    for fmt in ("csv", "xlsx"):
        urls += [
            reverse("projects:export", args=[fmt]),
            reverse("projects:data_export", args=[project.pk, measure.pk, fmt]),
            reverse("projects:pdsa_export", args=[project.pk, fmt]),
            reverse("coaching:overview_export", args=[fmt]),
            reverse("coaching:health_export", args=[fmt]),
            reverse("coaching:monthly_update_export", args=[fmt]),
            reverse("coaching:supervision_export", args=[fmt]),
            reverse("coaching:meeting_export", args=[fmt]),
            reverse("coaching:project_meeting_export", args=[project.pk, fmt]),
        ]
        urls += [reverse("cohorts:attendance_export", args=[cohort.pk, fmt]) for cohort in world["cohorts"]]
    urls += [reverse("cohorts:cohort_calendar", args=[cohort.pk]) for cohort in world["cohorts"]]

    holding = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if _traces(_text(response)):
            holding.append(url)

    meeting_downloads = {
        reverse(name, args=args)
        for fmt in ("csv", "xlsx")
        for name, args in (
            ("coaching:meeting_export", [fmt]),
            ("coaching:project_meeting_export", [project.pk, fmt]),
        )
    }
    assert set(holding) == meeting_downloads
    # And there it is the colleague's sentence, nothing the app wrote.
    meetings = _text(client.get(reverse("coaching:meeting_export", args=["csv"])))
    assert meetings.lower().count("quillfeather") == 1
    assert OTHERS_WORDS in meetings


def test_erasure_keeps_the_counts(world, zebedee, lead):
    before = Message.objects.count(), Application.objects.count(), world["measure"].data_points.count()

    person_erase(person=zebedee, erased_by=lead)

    assert (
        Message.objects.count(),
        Application.objects.count(),
        world["measure"].data_points.count(),
    ) == before
