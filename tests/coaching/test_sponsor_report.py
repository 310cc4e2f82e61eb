"""The sponsor's home and report page: the month at a glance, the report in a minute, a reply to the coach."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coaching.models import MonthlyUpdate, UpdateComment
from coaching.services import (
    monthly_update_acknowledge,
    monthly_update_draft,
    monthly_update_edit,
    monthly_update_mark_ready,
    update_comment_add,
)
from tests.factories import (
    DataPointFactory,
    MeasureFactory,
    MeetingLogFactory,
    MonthlyUpdateFactory,
    PDSACycleFactory,
    ProjectFactory,
    london,
)

TODAY = date(2025, 4, 10)
NOW = london(TODAY, time(9))
MARCH = date(2025, 3, 1)
PRIVATE = "Private notes for coaches and leads."  # every MeetingLogFactory meeting's notes

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ready(project, coach, **words) -> MonthlyUpdate:
    update = monthly_update_draft(project=project, month=MARCH, author=coach)
    monthly_update_edit(
        update=update,
        narrative=words.get("narrative", "Two meetings; the checklist is in use on both wards."),
        sponsor_ask=words.get("sponsor_ask", "Release a pharmacist on Tuesday mornings."),
        rag=words.get("rag", "amber"),
    )
    return monthly_update_mark_ready(update=update)


@pytest.fixture
def report(project_a, coach):
    """Project A's March: two meetings, a PDSA cycle, a measure with data, and the ready update."""
    MeetingLogFactory(coach=coach, project=project_a, met_on=date(2025, 3, 3), progress_score=Decimal("2.0"))
    MeetingLogFactory(coach=coach, project=project_a, met_on=date(2025, 3, 17), progress_score=Decimal("2.5"))
    PDSACycleFactory(project=project_a, number=1, title="Discharge checklist", starts_on=date(2025, 3, 5))
    measure = MeasureFactory(project=project_a, name="Days to discharge summary")
    for week in range(12):
        DataPointFactory(
            measure=measure, period=date(2025, 1, 6) + timedelta(weeks=week), value=40 + week % 3
        )
    return _ready(project_a, coach)


def test_the_sponsor_home_shows_each_projects_month_at_a_glance(sponsor, coach, project_a, report):
    page = _client(sponsor).get("/sponsor/").content.decode()

    latest = f'<a href="/coaching/updates/{report.pk}/">March 2025</a>'
    assert f'{latest} <span class="badge text-bg-warning">Amber</span>' in page
    assert '<span class="badge text-bg-info">New</span>' in page  # not acknowledged yet
    assert "2.0 → 2.5" in page  # the score trend from the meetings
    assert "0 in March" in page  # run-chart signals in the reported month
    assert "Not started" in page  # April's update has not been started


def test_the_report_shows_words_facts_chart_timeline_and_meeting_dates(sponsor, report):
    page = _client(sponsor).get(report.get_absolute_url()).content.decode()

    assert "Two meetings; the checklist is in use on both wards." in page
    assert "Release a pharmacist on Tuesday mornings." in page
    assert "<svg" in page
    assert "Days to discharge summary: run chart" in page
    assert "PDSA 1 ‘Discharge checklist’" in page
    assert "The coach met the team on 3 Mar, 17 Mar (2 meetings in three months)." in page
    assert "I have read this" in page


def test_private_meeting_notes_never_reach_the_sponsor_page(sponsor, report):
    page = _client(sponsor).get(report.get_absolute_url()).content.decode()

    assert PRIVATE not in page


def test_the_sponsor_acknowledges_the_update(sponsor, report):
    response = _client(sponsor).post(f"/coaching/updates/{report.pk}/acknowledge/")

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.acknowledged_at, report.acknowledged_by) == (NOW, sponsor)
    assert "I have read this" not in _client(sponsor).get(report.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("role", "status"), [("coach", 403), ("team_member", 403), ("other_sponsor", 404)])
def test_only_the_projects_sponsor_acknowledges(request, report, role, status):
    response = _client(request.getfixturevalue(role)).post(f"/coaching/updates/{report.pk}/acknowledge/")

    report.refresh_from_db()
    assert (response.status_code, report.acknowledged_at) == (status, None)


@pytest.mark.parametrize("month", [date(1, 1, 1), date(1, 2, 1)])
def test_a_report_for_a_month_in_year_1_still_opens(sponsor, coach, project_a, month):
    # Kept from before the month form took only 1900 to 2100: the meeting dates looked back past year 1.
    update = MonthlyUpdateFactory(project=project_a, author=coach, month=month, ready=True)

    response = _client(sponsor).get(update.get_absolute_url())

    assert response.status_code == 200


def test_a_draft_cannot_be_acknowledged(sponsor, project_a):
    draft = MonthlyUpdateFactory(project=project_a)

    with pytest.raises(ValidationError) as refused:
        monthly_update_acknowledge(update=draft, sponsor=sponsor)

    assert refused.value.messages == ["Only a ready update can be acknowledged."]


def test_the_sponsors_comment_reaches_the_coach_by_email(
    sponsor, coach, report, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(sponsor).post(
            f"/coaching/updates/{report.pk}/comments/", {"body": "Done: pharmacy will release someone."}
        )

    comment = UpdateComment.objects.get()
    assert (comment.update, comment.author, comment.body) == (
        report,
        sponsor,
        "Done: pharmacy will release someone.",
    )
    assert response["Location"] == f"/coaching/updates/{report.pk}/#comment-{comment.pk}"
    [email] = mailoutbox
    assert email.to == [coach.email]
    assert email.subject == "Sponsor of A commented on the March 2025 update for Project A"
    assert "Done: pharmacy will release someone." in email.body
    assert f"{settings.SITE_URL}/coaching/updates/{report.pk}/#comment-{comment.pk}" in email.body
    assert PRIVATE not in email.body
    assert PRIVATE not in email.alternatives[0][0]


def test_a_comment_is_shown_to_the_coach_sponsor_and_leads_but_not_the_team(
    sponsor, coach, qi_lead, programme_lead, team_member, report
):
    update_comment_add(update=report, author=sponsor, body="Pharmacy agreed.")

    for person in (sponsor, coach, qi_lead, programme_lead):
        assert "Pharmacy agreed." in _client(person).get(report.get_absolute_url()).content.decode(), person
    assert "Pharmacy agreed." not in _client(team_member).get(report.get_absolute_url()).content.decode()


def test_an_empty_comment_is_refused_with_a_reason(sponsor, report):
    with pytest.raises(ValidationError) as refused:
        update_comment_add(update=report, author=sponsor, body="   ")

    assert refused.value.message_dict == {"body": ["Write your comment before sending it."]}
    assert not UpdateComment.objects.exists()


def test_the_team_cannot_comment(team_member, report):
    response = _client(team_member).post(f"/coaching/updates/{report.pk}/comments/", {"body": "Hello"})

    assert response.status_code == 403
    assert not UpdateComment.objects.exists()


# --- Query counts at two data sizes (see tests/test_page_queries.py) --------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def _same_queries_after_growth(client, path: str, grow) -> None:
    grow()
    _queries(client, path)  # a warm-up for the session
    small = _queries(client, path)
    for _ in range(4):
        grow()
    assert _queries(client, path) == small


def test_sponsor_home_queries_do_not_grow_with_projects_updates_and_meetings(sponsor, coach):
    client = _client(sponsor)

    def grow():
        project = ProjectFactory(sponsor=sponsor)
        MeetingLogFactory(coach=coach, project=project, met_on=date(2025, 3, 3))
        MonthlyUpdateFactory(project=project, ready=True, month=MARCH)
        MonthlyUpdateFactory(project=project, month=date(2025, 4, 1))

    _same_queries_after_growth(client, "/sponsor/", grow)


def test_report_page_queries_do_not_grow_with_the_months_records(sponsor, coach, project_a, report):
    """The measures are fixed (four queries each for a chart); everything else grows."""
    client = _client(sponsor)
    measure = project_a.measures.get()
    weeks = iter(range(12, 200))

    def grow():
        MeetingLogFactory(coach=coach, project=project_a, met_on=date(2025, 3, 20))
        PDSACycleFactory(
            project=project_a,
            starts_on=date(2025, 3, 10),
            completed_on=date(2025, 3, 24),
            status="completed",
            act_decision="adopt",
            study_results="Learned.",
        )
        DataPointFactory(measure=measure, period=date(2025, 1, 6) + timedelta(weeks=next(weeks)))
        update_comment_add(update=report, author=sponsor, body="Thank you.")

    _same_queries_after_growth(client, report.get_absolute_url(), grow)


def test_draft_page_queries_do_not_grow_with_the_months_records(coach, project_a):
    client = _client(coach)
    measure = MeasureFactory(project=project_a)
    draft = monthly_update_draft(project=project_a, month=MARCH, author=coach)
    weeks = iter(range(200))

    def grow():
        meeting = MeetingLogFactory(coach=coach, project=project_a, met_on=date(2025, 3, 20))
        meeting.next_steps.create(description="Ask pharmacy", owner="Coach")
        PDSACycleFactory(project=project_a, starts_on=date(2025, 3, 10))
        DataPointFactory(measure=measure, period=date(2025, 1, 6) + timedelta(weeks=next(weeks)))

    _same_queries_after_growth(client, f"/coaching/updates/{draft.pk}/edit/", grow)
