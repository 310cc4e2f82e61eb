"""The coach drafts the monthly update beside the month's facts, marks it ready, and later versions it.

March 2025 is the month reported on; "today" is 10 May 2025.
"""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from coaching.models import MonthlyUpdate
from coaching.reports import month_facts
from coaching.services import monthly_update_draft, monthly_update_edit, monthly_update_mark_ready
from projects.models import PDSACycle
from projects.services import progress_score_change
from tests.factories import (
    DataPointFactory,
    MeasureFactory,
    MeetingLogFactory,
    NextStepFactory,
    PDSACycleFactory,
    london,
)

TODAY = date(2025, 5, 10)
MARCH = date(2025, 3, 1)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(london(TODAY, time(9)), tick=False)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def march_records(project_a, coach):
    """A month of project A's records, with some from February and April that must be left out."""
    for met_on in (date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 17), date(2025, 4, 2)):
        MeetingLogFactory(coach=coach, project=project_a, met_on=met_on)
    old_step = NextStepFactory(meeting=project_a.meeting_logs.get(met_on=date(2025, 2, 24)), done_on=None)
    NextStepFactory(
        meeting=project_a.meeting_logs.get(met_on=date(2025, 3, 3)), done_on=date(2025, 3, 17)
    )  # done in March: not open at the month's end
    later_step = NextStepFactory(meeting=project_a.meeting_logs.get(met_on=date(2025, 4, 2)))
    started = PDSACycleFactory(
        project=project_a, number=1, title="Discharge checklist", status="doing", starts_on=date(2025, 3, 5)
    )
    completed = PDSACycleFactory(
        project=project_a,
        number=2,
        title="Pharmacist at the huddle",
        status=PDSACycle.Status.COMPLETED,
        starts_on=date(2025, 2, 3),
        completed_on=date(2025, 3, 20),
        study_results="Summaries went out a day sooner when the pharmacist came.",
        act_decision=PDSACycle.Decision.ADOPT,
        act_next_step="Test on the second ward.",
    )
    PDSACycleFactory(project=project_a, number=3, title="Not started yet")
    measure = MeasureFactory(project=project_a, name="Days to discharge summary")
    # Ten weeks around the median, then eight weeks low from 3 March: an unusually long run.
    values = [40, 44] * 5 + [30] * 8
    for week, value in enumerate(values):
        DataPointFactory(measure=measure, period=date(2024, 12, 23) + timedelta(weeks=week), value=value)
    progress_score_change(
        project=project_a,
        score=Decimal("2.0"),
        changed_by=coach,
        changed_at=london(date(2025, 2, 10), time(12)),
    )
    progress_score_change(
        project=project_a,
        score=Decimal("2.5"),
        changed_by=coach,
        changed_at=london(date(2025, 3, 17), time(12)),
    )
    progress_score_change(
        project=project_a,
        score=Decimal("3.0"),
        changed_by=coach,
        changed_at=london(date(2025, 4, 2), time(12)),
    )
    return {
        "started": started,
        "completed": completed,
        "measure": measure,
        "open": [old_step],
        "later": later_step,
    }


def test_month_facts_gather_the_months_meetings_cycles_data_signals_score_and_open_steps(
    project_a, march_records
):
    facts = month_facts(project_a, MARCH)

    assert facts.meeting_dates == [date(2025, 3, 3), date(2025, 3, 17)]
    assert facts.cycles_started == [march_records["started"]]
    assert facts.cycles_completed == [march_records["completed"]]
    assert (facts.score_at_start, facts.score_at_end, facts.score_change) == (
        Decimal("2.0"),
        Decimal("2.5"),
        Decimal("0.5"),
    )
    assert facts.open_next_steps == march_records["open"]
    [measure] = facts.measures
    assert (measure.measure, measure.new_points) == (march_records["measure"], 5)  # 3, 10, 17, 24, 31 March
    assert [reading.signal.rule for reading in measure.signals] == ["long_run"]
    assert "8 points in a row below the median from 3 Mar to 21 Apr 2025" in measure.signals[0].text


def test_month_facts_leave_out_a_signal_that_had_not_begun(project_a, march_records):
    facts = month_facts(project_a, date(2025, 2, 1))

    assert facts.measures[0].signals == []
    assert facts.meeting_dates == [date(2025, 2, 24)]
    assert facts.cycles_started == [march_records["completed"]]
    assert (facts.score_at_start, facts.score_at_end) == (Decimal("0.5"), Decimal("2.0"))


def test_the_coach_writes_this_months_update_from_the_coach_home(coach, project_a):
    client = _client(coach)

    home = client.get("/coaching/")
    response = client.post(f"/coaching/teams/{project_a.pk}/updates/new/")

    assert "Write this month's update" in home.content.decode()
    update = MonthlyUpdate.objects.get(project=project_a)
    assert (update.month, update.version, update.status, update.author) == (
        date(2025, 5, 1),
        1,
        "draft",
        coach,
    )
    assert response["Location"] == f"/coaching/updates/{update.pk}/edit/"


def test_the_draft_page_shows_the_months_facts_beside_the_form(coach, project_a, march_records):
    update = monthly_update_draft(project=project_a, month=MARCH, author=coach)

    page = _client(coach).get(f"/coaching/updates/{update.pk}/edit/").content.decode()

    assert "3 Mar, 17 Mar" in page
    assert "PDSA 2 ‘Pharmacist at the huddle’" in page
    assert "Learned: Summaries went out a day sooner when the pharmacist came." in page
    assert "Days to discharge summary: 5 new points" in page
    assert march_records["open"][0].description in page
    assert march_records["later"].description not in page  # agreed in April
    assert 'name="narrative"' in page


def test_mark_ready_saves_the_words_and_locks_the_update(coach, project_a, march_records):
    update = monthly_update_draft(project=project_a, month=MARCH, author=coach)

    response = _client(coach).post(
        f"/coaching/updates/{update.pk}/edit/",
        {
            "narrative": "Two meetings; the checklist is in use.",
            "sponsor_ask": "A pharmacist",
            "rag": "amber",
            "action": "ready",
        },
    )

    update.refresh_from_db()
    assert response["Location"] == f"/coaching/updates/{update.pk}/"
    assert (update.status, update.narrative, update.sponsor_ask, update.rag, update.signal_count) == (
        "ready",
        "Two meetings; the checklist is in use.",
        "A pharmacist",
        "amber",
        1,
    )
    # Locked: the edit page refuses it.
    again = _client(coach).post(
        f"/coaching/updates/{update.pk}/edit/", {"narrative": "Changed", "rag": "red"}
    )
    update.refresh_from_db()
    assert again.status_code == 403
    assert (update.narrative, update.rag) == ("Two meetings; the checklist is in use.", "amber")


def test_mark_ready_without_a_rag_status_explains_and_keeps_the_draft(coach, project_a):
    update = monthly_update_draft(project=project_a, month=MARCH, author=coach)

    response = _client(coach).post(
        f"/coaching/updates/{update.pk}/edit/", {"narrative": "Two meetings.", "rag": "", "action": "ready"}
    )

    update.refresh_from_db()
    assert response.status_code == 200
    assert "Choose a RAG status before marking the update ready." in response.content.decode()
    assert (update.status, update.narrative) == ("draft", "")  # nothing half-saved


def test_a_change_after_ready_makes_version_2_and_the_sponsor_keeps_reading_version_1(
    coach, sponsor, project_a
):
    first = monthly_update_draft(project=project_a, month=MARCH, author=coach)
    monthly_update_edit(update=first, narrative="First words.", sponsor_ask="", rag="green")
    monthly_update_mark_ready(update=first)

    _client(coach).post(f"/coaching/teams/{project_a.pk}/updates/new/", {"month": "2025-03"})
    second = MonthlyUpdate.objects.get(project=project_a, version=2)
    sponsor_page_while_drafting = _client(sponsor).get("/sponsor/").content.decode()
    monthly_update_edit(update=second, narrative="Corrected words.", sponsor_ask="", rag="amber")
    monthly_update_mark_ready(update=second)

    first.refresh_from_db()
    assert (second.status, second.version) == ("ready", 2)
    assert (first.status, first.narrative, first.rag) == ("ready", "First words.", "green")  # kept as sent
    assert f"/coaching/updates/{first.pk}/" in sponsor_page_while_drafting
    assert f"/coaching/updates/{second.pk}/" in _client(sponsor).get("/sponsor/").content.decode()
    old_page = _client(sponsor).get(f"/coaching/updates/{first.pk}/").content.decode()
    assert (
        f'A newer version of this update was sent: <a href="/coaching/updates/{second.pk}/">version 2</a>'
        in old_page
    )


def test_a_new_version_starts_from_the_words_of_the_ready_one(coach, project_a):
    first = monthly_update_draft(project=project_a, month=MARCH, author=coach)
    monthly_update_edit(update=first, narrative="First words.", sponsor_ask="An ask.", rag="green")
    monthly_update_mark_ready(update=first)

    second = monthly_update_draft(project=project_a, month=MARCH, author=coach)

    assert (second.version, second.status, second.narrative, second.sponsor_ask, second.rag) == (
        2,
        "draft",
        "First words.",
        "An ask.",
        "green",
    )


def test_an_update_for_a_month_to_come_is_refused(coach, project_a):
    with pytest.raises(ValidationError) as refused:
        monthly_update_draft(project=project_a, month=date(2025, 6, 1), author=coach)

    assert refused.value.message_dict == {
        "month": ["June 2025 has not started yet, so there is nothing to report."]
    }


def test_a_former_coach_cannot_write_the_update(former_coach, project_a):
    with pytest.raises(ValidationError) as refused:
        monthly_update_draft(project=project_a, month=MARCH, author=former_coach)

    assert refused.value.message_dict == {
        "author": ["Only Project A's current coaches can write its monthly update."]
    }
    assert not MonthlyUpdate.objects.exists()


def test_a_programme_lead_reads_the_draft_but_does_not_write_it(programme_lead, coach, project_a):
    draft = monthly_update_draft(project=project_a, month=MARCH, author=coach)

    with pytest.raises(ValidationError) as refused:
        monthly_update_draft(project=project_a, month=MARCH, author=programme_lead)

    assert refused.value.message_dict == {
        "author": ["Only Project A's current coaches can write its monthly update."]
    }
    lead = _client(programme_lead)
    assert lead.get(draft.get_absolute_url()).status_code == 200
    assert lead.get(f"/coaching/updates/{draft.pk}/edit/").status_code == 403


def test_writing_for_a_future_month_from_the_page_says_why(coach, project_a):
    client = _client(coach)

    response = client.post(f"/coaching/teams/{project_a.pk}/updates/new/", {"month": "2025-07"}, follow=True)

    assert "July 2025 has not started yet, so there is nothing to report." in response.content.decode()
    assert not MonthlyUpdate.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coach", 302),
        ("programme_lead", 403),
        ("other_coach", 404),
        ("sponsor", 403),
        ("team_member", 403),
        ("qi_lead", 403),
        ("unrelated_user", 404),
    ],
)
def test_only_the_teams_coach_and_leads_open_a_draft(request, project_a, coach, role, status):
    response = _client(request.getfixturevalue(role)).post(f"/coaching/teams/{project_a.pk}/updates/new/")

    assert response.status_code == status
    assert MonthlyUpdate.objects.exists() == (status == 302)


def test_the_project_panel_offers_the_update_to_its_coach_only(coach, team_member, project_a):
    button = "Write this month's update"

    assert button in _client(coach).get(project_a.get_absolute_url()).content.decode()
    assert button not in _client(team_member).get(project_a.get_absolute_url()).content.decode()
