"""Downloads of meeting logs, monthly updates and supervision dates: each person gets what their pages
show them, no more, at a fixed number of queries."""

import csv
import io
from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coaching.models import MeetingFocus, SupervisionLog
from coachprog.exports import XLSX_TYPE
from tests.factories import (
    MeetingLogFactory,
    MonthlyUpdateFactory,
    SupervisionLogFactory,
    london,
)
from tests.page_queries import assert_queries_do_not_grow

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(london(date(2025, 11, 3), time(12)), tick=False),
]


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _as(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def meeting(coach, project_a, team_member, sponsor):
    """The coach's meeting with project A's team: the team member and the sponsor came."""
    log = MeetingLogFactory(
        coach=coach,
        project=project_a,
        met_on=date(2025, 10, 6),
        duration_minutes=45,
        mode="online",
        progress_score=Decimal("2.0"),
        notes="Team unsure about the huddle",
    )
    log.attendees.add(team_member, sponsor)
    log.focuses.add(*MeetingFocus.objects.filter(slug__in=["pdsa-planning", "data-review"]))
    return log


# --- meeting logs ------------------------------------------------------------------------------


HEADERS = [
    "Date",
    "Project",
    "Coach",
    "Progress score",
    "Duration (minutes)",
    "Mode",
    "Who attended",
    "Worked on",
    "Notes",
]


def test_meeting_export_gives_the_coach_their_notes_and_everything_else(client, coach, meeting):
    rows = _rows(_as(client, coach).get(reverse("coaching:meeting_export", args=["csv"])))

    assert rows == [
        HEADERS,
        [
            "2025-10-06",
            "Project A",
            "Coach of A",
            "2.0",
            "45",
            "Online",
            "Member of A, Sponsor of A",
            "PDSA planning, Data review",
            "Team unsure about the huddle",
        ],
    ]


def test_meeting_export_gives_the_supervising_qi_lead_the_notes(client, qi_lead, meeting):
    rows = _rows(_as(client, qi_lead).get(reverse("coaching:meeting_export", args=["csv"])))

    assert rows[1][-1] == "Team unsure about the huddle"


def test_project_meeting_export_gives_the_team_who_came_but_never_the_notes(client, team_member, meeting):
    url = reverse("coaching:project_meeting_export", args=[meeting.project_id, "csv"])

    rows = _rows(_as(client, team_member).get(url))

    assert rows[1] == [
        "2025-10-06",
        "Project A",
        "Coach of A",
        "2.0",
        "45",
        "Online",
        "Member of A, Sponsor of A",
        "PDSA planning, Data review",
        "",
    ]


def test_project_meeting_export_gives_the_sponsor_dates_and_scores_only(client, sponsor, meeting):
    url = reverse("coaching:project_meeting_export", args=[meeting.project_id, "csv"])

    rows = _rows(_as(client, sponsor).get(url))

    assert rows[1] == ["2025-10-06", "Project A", "Coach of A", "2.0", "", "", "", "", ""]


def test_project_meeting_export_is_not_found_for_someone_outside_the_project(client, other_coach, meeting):
    url = reverse("coaching:project_meeting_export", args=[meeting.project_id, "csv"])

    assert _as(client, other_coach).get(url).status_code == 404


def test_meeting_export_holds_no_other_teams_meetings(client, other_coach, meeting):
    rows = _rows(_as(client, other_coach).get(reverse("coaching:meeting_export", args=["csv"])))

    assert rows == [HEADERS]


def test_meeting_export_is_for_coaches_and_leads(client, sponsor, meeting):
    assert _as(client, sponsor).get(reverse("coaching:meeting_export", args=["csv"])).status_code == 403


def test_meeting_export_neutralises_spreadsheet_formulas(client, coach, meeting):
    meeting.notes = '=HYPERLINK("https://evil.example","Click")'
    meeting.save()

    rows = _rows(_as(client, coach).get(reverse("coaching:meeting_export", args=["csv"])))

    assert rows[1][-1] == '\'=HYPERLINK("https://evil.example","Click")'


def test_meeting_export_as_excel_holds_the_same_rows(client, coach, meeting):
    response = _as(client, coach).get(reverse("coaching:meeting_export", args=["xlsx"]))

    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="meeting-logs.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Meetings"
    assert [cell.value for cell in sheet[2]][1:] == [
        "Project A",
        "Coach of A",
        2.0,
        45,
        "Online",
        "Member of A, Sponsor of A",
        "PDSA planning, Data review",
        "Team unsure about the huddle",
    ]


def test_meeting_export_in_an_unknown_format_is_not_found(client, coach):
    assert _as(client, coach).get(reverse("coaching:meeting_export", args=["pdf"])).status_code == 404


def test_meeting_export_queries_do_not_grow(client, programme_lead, coach, project_a, team_member):
    def grow():
        log = MeetingLogFactory(coach=coach, project=project_a)
        log.attendees.add(team_member)

    assert_queries_do_not_grow(
        _as(client, programme_lead), reverse("coaching:meeting_export", args=["csv"]), grow
    )


def test_project_meeting_export_queries_do_not_grow(client, team_member, coach, project_a):
    url = reverse("coaching:project_meeting_export", args=[project_a.pk, "xlsx"])

    assert_queries_do_not_grow(
        _as(client, team_member), url, lambda: MeetingLogFactory(coach=coach, project=project_a)
    )


def test_project_page_links_the_teams_meeting_download(client, sponsor, meeting):
    page = _as(client, sponsor).get(meeting.project.get_absolute_url()).content.decode()

    assert reverse("coaching:project_meeting_export", args=[meeting.project_id, "csv"]) in page
    assert reverse("coaching:project_meeting_export", args=[meeting.project_id, "xlsx"]) in page


# --- monthly updates ------------------------------------------------------------------------------


@pytest.fixture
def updates(coach, project_a):
    """September's ready update and October's draft, both by the coach."""
    ready = MonthlyUpdateFactory(
        project=project_a,
        author=coach,
        month=date(2025, 9, 1),
        ready=True,
        sponsor_ask="A room",
        signal_count=2,
    )
    draft = MonthlyUpdateFactory(
        project=project_a, author=coach, month=date(2025, 10, 1), narrative="Half-written"
    )
    return ready, draft


UPDATE_HEADERS = [
    "Project",
    "Month",
    "Version",
    "Status",
    "RAG status",
    "Progress score",
    "Narrative",
    "What the team needs from the sponsor",
    "Run-chart signals in the month",
    "Author",
    "Ready",
    "Acknowledged by the sponsor",
]
READY_ROW = [
    "Project A",
    "Sep 2025",
    "1",
    "Ready",
    "Green",
    "",
    "The team met three times; data collection is reliable.",
    "A room",
    "2",
    "Coach of A",
    "2025-10-11 09:00",
    "",
]
DRAFT_ROW = ["Project A", "Oct 2025", "1", "Draft", "", "", "Half-written", "", "", "Coach of A", "", ""]


def test_monthly_update_export_gives_the_sponsor_ready_updates_only(client, sponsor, updates):
    rows = _rows(_as(client, sponsor).get(reverse("coaching:monthly_update_export", args=["csv"])))

    assert rows == [UPDATE_HEADERS, READY_ROW]


def test_monthly_update_export_gives_the_coach_their_draft_too(client, coach, updates):
    rows = _rows(_as(client, coach).get(reverse("coaching:monthly_update_export", args=["csv"])))

    assert rows == [UPDATE_HEADERS, DRAFT_ROW, READY_ROW]


def test_monthly_update_export_gives_programme_leads_drafts(client, programme_lead, updates):
    rows = _rows(_as(client, programme_lead).get(reverse("coaching:monthly_update_export", args=["csv"])))

    assert rows == [UPDATE_HEADERS, DRAFT_ROW, READY_ROW]


def test_monthly_update_export_holds_no_draft_for_the_qi_lead_or_the_team(
    client, qi_lead, team_member, updates
):
    for person in (qi_lead, team_member):
        rows = _rows(_as(client, person).get(reverse("coaching:monthly_update_export", args=["csv"])))
        assert rows == [UPDATE_HEADERS, READY_ROW]


def test_monthly_update_export_holds_nothing_of_other_projects(client, other_coach, updates):
    rows = _rows(_as(client, other_coach).get(reverse("coaching:monthly_update_export", args=["csv"])))

    assert rows == [UPDATE_HEADERS]


def test_monthly_update_export_queries_do_not_grow(client, programme_lead, coach, project_a):
    url = reverse("coaching:monthly_update_export", args=["csv"])

    assert_queries_do_not_grow(
        _as(client, programme_lead),
        url,
        lambda: MonthlyUpdateFactory(project=project_a, author=coach, ready=True),
    )


def test_sponsor_home_links_the_monthly_update_download(client, sponsor, updates):
    page = _as(client, sponsor).get(reverse("coaching:sponsor_home")).content.decode()

    assert reverse("coaching:monthly_update_export", args=["xlsx"]) in page


# --- supervision ---------------------------------------------------------------------------------


def test_supervision_export_holds_dates_kinds_and_people_never_words(client, coach, qi_lead, other_coach):
    SupervisionLogFactory(coach=coach, supervisor=qi_lead, reflection="Secret doubt", reflection_shared=True)
    SupervisionLogFactory(
        coach=coach, supervisor=None, held_on=date(2025, 3, 4), kind=SupervisionLog.Kind.TRUST_WIDE
    )
    SupervisionLogFactory(coach=other_coach)

    response = _as(client, qi_lead).get(reverse("coaching:supervision_export", args=["csv"]))

    assert _rows(response) == [
        ["Date", "Kind", "Coach", "Supervisor"],
        ["2025-03-04", "Trust-wide support session", "Coach of A", ""],
        ["2025-02-10", "1:1", "Coach of A", "QI lead of A"],
    ]
    assert b"Secret doubt" not in response.content
    assert b"Handling a stuck team" not in response.content


def test_supervision_export_gives_a_coach_only_their_own(client, coach, other_coach):
    SupervisionLogFactory(coach=coach)

    rows = _rows(_as(client, other_coach).get(reverse("coaching:supervision_export", args=["csv"])))

    assert rows == [["Date", "Kind", "Coach", "Supervisor"]]


def test_supervision_export_queries_do_not_grow(client, programme_lead, coach, qi_lead):
    url = reverse("coaching:supervision_export", args=["xlsx"])

    assert_queries_do_not_grow(
        _as(client, programme_lead), url, lambda: SupervisionLogFactory(coach=coach, supervisor=qi_lead)
    )


def test_supervision_list_links_the_download(client, coach):
    SupervisionLogFactory(coach=coach)

    page = _as(client, coach).get(reverse("coaching:supervision_list")).content.decode()

    assert reverse("coaching:supervision_export", args=["csv"]) in page


def test_coach_home_links_the_coaching_downloads(client, coach):
    page = _as(client, coach).get(reverse("coaching:coach_home")).content.decode()

    for name in ("coaching:meeting_export", "coaching:monthly_update_export", "coaching:supervision_export"):
        assert reverse(name, args=["csv"]) in page
