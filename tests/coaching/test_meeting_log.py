"""Logging a team meeting: one form, one request, refusals with the reason on the field, edits kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coaching.models import MeetingLog, NextStep
from coaching.services import meeting_log_create, meeting_log_update
from projects.models import Project
from tests.factories import (
    AssignmentFactory,
    MeetingLogFactory,
    NextStepFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _post_data(**overrides) -> dict:
    """A complete meeting form: today, 45 minutes online, score 2.0, no next steps."""
    data = {
        "met_on": timezone.localdate().isoformat(),
        "duration_minutes": "45",
        "mode": "online",
        "progress_score": "2.0",
        "notes": "Agreed the aim; measurement plan next.",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
    }
    return data | overrides


def _url(project) -> str:
    return f"/coaching/teams/{project.pk}/meetings/new/"


# --- the form ---------------------------------------------------------------------------------


def test_meeting_form_opens_with_today_and_only_this_teams_members(coach_client, project_a, project_b):
    member = TeamMembershipFactory(project=project_a, person=UserFactory(display_name="Asha Patel")).person
    TeamMembershipFactory(project=project_b, person=UserFactory(display_name="Ben Other-Team"))

    response = coach_client.get(_url(project_a))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["met_on"] == timezone.localdate()
    assert list(form.fields["attendees"].queryset) == [member]
    assert "Ben Other-Team" not in response.content.decode()


def test_meeting_form_offers_the_teams_open_next_steps_only(coach_client, coach, project_a, project_b):
    earlier = MeetingLogFactory(
        coach=coach, project=project_a, met_on=timezone.localdate() - timedelta(days=14)
    )
    open_step = NextStepFactory(meeting=earlier, description="Draft the driver diagram")
    NextStepFactory(meeting=earlier, description="Already done", done_on=timezone.localdate())
    NextStepFactory(meeting=MeetingLogFactory(project=project_b), description="Another team's step")

    response = coach_client.get(_url(project_a))

    assert list(response.context["form"].fields["completed_steps"].queryset) == [open_step]
    page = response.content.decode()
    assert "Draft the driver diagram" in page
    assert "Another team&#x27;s step" not in page
    assert "Another team's step" not in page


def test_one_post_logs_the_meeting_its_next_steps_and_ticks_off_old_ones(coach_client, coach, project_a):
    member = TeamMembershipFactory(project=project_a).person
    earlier = MeetingLogFactory(
        coach=coach, project=project_a, met_on=timezone.localdate() - timedelta(days=14)
    )
    old_step = NextStepFactory(meeting=earlier)
    data = _post_data(
        attendees=[str(member.pk)],
        focuses=["aim", "measurement"],
        completed_steps=[str(old_step.pk)],
        **{
            "steps-0-description": "Collect two weeks of baseline data",
            "steps-0-owner": "Asha",
            "steps-0-due_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
            "steps-1-description": "Book the next meeting",
            "steps-1-owner": "Coach",
        },
    )

    response = coach_client.post(_url(project_a), data)

    assert response.status_code == 302
    assert response["Location"] == "/coaching/"
    meeting = MeetingLog.objects.exclude(pk=earlier.pk).get()
    assert (
        meeting.coach,
        meeting.met_on,
        meeting.duration_minutes,
        meeting.mode,
        meeting.progress_score,
    ) == (
        coach,
        timezone.localdate(),
        45,
        "online",
        Decimal("2.0"),
    )
    assert list(meeting.attendees.all()) == [member]
    assert sorted(meeting.focuses.values_list("slug", flat=True)) == ["aim", "measurement"]
    assert list(meeting.next_steps.order_by("pk").values_list("description", "owner")) == [
        ("Collect two weeks of baseline data", "Asha"),
        ("Book the next meeting", "Coach"),
    ]
    old_step.refresh_from_db()
    assert old_step.done_on == timezone.localdate()
    assert Project.objects.get(pk=project_a.pk).progress_score == Decimal("2.0")


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        (
            {"met_on": "tomorrow"},  # worked out when the test runs, which may be after midnight
            "met_on",
            "A meeting cannot be logged for a date in the future.",
        ),
        ({"duration_minutes": "0"}, "duration_minutes", "A meeting lasts between 1 minute and 8 hours."),
        ({"duration_minutes": "481"}, "duration_minutes", "A meeting lasts between 1 minute and 8 hours."),
        (
            {"progress_score": "5.5"},
            "progress_score",
            "Choose a progress score on the IHI scale, from 0.5 to 5.0 in steps of 0.5.",
        ),
        (
            {"progress_score": "2.2"},
            "progress_score",
            "Choose a progress score on the IHI scale, from 0.5 to 5.0 in steps of 0.5.",
        ),
    ],
    ids=["future date", "zero minutes", "over 8 hours", "score above the scale", "score between steps"],
)
def test_bad_input_is_refused_with_the_reason_on_the_field_and_keeps_what_was_typed(
    coach_client, project_a, overrides, field, reason
):
    if overrides.get("met_on") == "tomorrow":
        overrides = {"met_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    response = coach_client.post(_url(project_a), _post_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [reason]
    assert reason in response.content.decode()
    assert "Agreed the aim; measurement plan next." in response.content.decode()  # nothing lost
    assert MeetingLog.objects.count() == 0


def test_a_date_before_the_assignment_started_is_refused_with_the_reason(coach_client, coach, project_a):
    response = coach_client.post(_url(project_a), _post_data(met_on="2024-12-02"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"{coach} was not assigned to {project_a} on 2 Dec 2024."
    ]
    assert MeetingLog.objects.count() == 0


def test_an_attendee_from_another_team_is_refused(coach_client, project_a, project_b):
    outsider = TeamMembershipFactory(project=project_b).person

    response = coach_client.post(_url(project_a), _post_data(attendees=[str(outsider.pk)]))

    assert response.context["form"].errors["attendees"] == [
        "Only members of this team can be ticked as attending."
    ]
    assert MeetingLog.objects.count() == 0


def test_another_teams_next_step_cannot_be_ticked_off(coach_client, project_a, project_b):
    step = NextStepFactory(meeting=MeetingLogFactory(project=project_b))

    response = coach_client.post(_url(project_a), _post_data(completed_steps=[str(step.pk)]))

    assert response.context["form"].errors["completed_steps"] == [
        "Only this team's open next steps can be ticked off."
    ]
    step.refresh_from_db()
    assert step.done_on is None


def test_a_next_step_without_an_owner_is_refused(coach_client, project_a):
    response = coach_client.post(_url(project_a), _post_data(**{"steps-0-description": "Run PDSA 1"}))

    assert response.context["steps"].forms[0].errors == {"owner": ["Say who will do this next step."]}
    assert MeetingLog.objects.count() == 0


def test_a_former_coach_cannot_log_a_meeting_for_the_team(former_coach, project_a, client):
    client.force_login(former_coach)

    assert client.get(_url(project_a)).status_code == 403
    assert client.post(_url(project_a), _post_data()).status_code == 403
    assert MeetingLog.objects.count() == 0


@pytest.mark.parametrize("role", ["other_coach", "unrelated_user"])
def test_a_team_the_coach_cannot_see_is_not_found(request, role, project_a, client):
    client.force_login(request.getfixturevalue(role))

    assert client.post(_url(project_a), _post_data()).status_code == 404
    assert MeetingLog.objects.count() == 0


@pytest.mark.parametrize("role", ["sponsor", "team_member", "qi_lead", "programme_lead"])
def test_only_an_assigned_coach_logs_meetings(request, role, project_a, client):
    client.force_login(request.getfixturevalue(role))

    assert client.post(_url(project_a), _post_data()).status_code == 403
    assert MeetingLog.objects.count() == 0


# --- service rules ----------------------------------------------------------------------------


def test_meeting_log_create_refuses_every_broken_rule_at_once(coach, project_a):
    with pytest.raises(ValidationError) as refused:
        meeting_log_create(
            coach=coach,
            project=project_a,
            met_on=timezone.localdate(),
            duration_minutes=0,
            progress_score=Decimal("7"),
        )

    assert refused.value.message_dict == {
        "duration_minutes": ["A meeting lasts between 1 minute and 8 hours."],
        "progress_score": ["Choose a progress score on the IHI scale, from 0.5 to 5.0 in steps of 0.5."],
    }


def test_meeting_log_create_refuses_a_team_the_coach_is_not_assigned_to(coach, project_b):
    with pytest.raises(ValidationError) as refused:
        meeting_log_create(
            coach=coach,
            project=project_b,
            met_on=timezone.localdate(),
            duration_minutes=30,
            progress_score=Decimal("1.0"),
        )

    assert refused.value.message_dict == {
        "project": [f"{coach} was not assigned to {project_b} on {timezone.localdate():%-d %b %Y}."]
    }


# --- editing ----------------------------------------------------------------------------------


def _edit_url(meeting) -> str:
    return f"/coaching/meetings/{meeting.pk}/edit/"


def test_the_coach_edits_their_log_and_the_history_keeps_the_old_version(coach_client, coach, project_a):
    meeting = meeting_log_create(
        coach=coach,
        project=project_a,
        met_on=timezone.localdate(),
        duration_minutes=60,
        progress_score=Decimal("1.5"),
        notes="First version of the notes.",
    )

    response = coach_client.post(
        _edit_url(meeting), _post_data(duration_minutes="90", notes="Corrected notes.", progress_score="1.5")
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.notes) == (90, "Corrected notes.")
    versions = list(meeting.history.order_by("history_date").values_list("duration_minutes", "notes"))
    assert versions[0] == (60, "First version of the notes.")
    assert versions[-1] == (90, "Corrected notes.")
    page = coach_client.get(f"/coaching/meetings/{meeting.pk}/").content.decode()
    assert "Edit history" in page
    assert "First version of the notes." in page


def test_editing_the_latest_meeting_changes_the_teams_score(coach, project_a):
    meeting = meeting_log_create(
        coach=coach, project=project_a, met_on=timezone.localdate(), duration_minutes=60, progress_score="1.5"
    )

    meeting_log_update(
        meeting=meeting,
        editor=coach,
        met_on=meeting.met_on,
        duration_minutes=60,
        progress_score=Decimal("2.5"),
        mode=meeting.mode,
    )

    assert Project.objects.get(pk=project_a.pk).progress_score == Decimal("2.5")


def test_a_past_assignments_logs_are_read_only(former_coach, project_a, client):
    meeting = MeetingLogFactory(coach=former_coach, project=project_a)
    client.force_login(former_coach)

    assert client.get(f"/coaching/meetings/{meeting.pk}/").status_code == 200
    assert client.get(_edit_url(meeting)).status_code == 403
    with pytest.raises(ValidationError):
        meeting_log_update(
            meeting=meeting,
            editor=former_coach,
            met_on=meeting.met_on,
            duration_minutes=30,
            progress_score=meeting.progress_score,
            mode=meeting.mode,
        )


def test_a_coach_cannot_edit_another_coachs_log(coach, project_a, client):
    second = UserFactory()
    AssignmentFactory(coach=second, project=project_a, role="second")
    meeting = MeetingLogFactory(coach=coach, project=project_a)
    client.force_login(second)

    assert client.post(_edit_url(meeting), _post_data()).status_code == 403
    with pytest.raises(ValidationError):
        meeting_log_update(
            meeting=meeting,
            editor=second,
            met_on=meeting.met_on,
            duration_minutes=30,
            progress_score=meeting.progress_score,
            mode=meeting.mode,
        )
    assert NextStep.objects.count() == 0


def test_a_next_step_row_with_an_owner_but_no_description_is_refused(coach_client, project_a):
    response = coach_client.post(_url(project_a), _post_data(**{"steps-1-owner": "Asha"}))

    assert response.context["steps"].forms[1].errors == {
        "description": ["Say what the next step is, or clear the row."]
    }
    assert MeetingLog.objects.count() == 0
