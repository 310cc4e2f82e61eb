"""Service rules for assignments, meeting logs and monthly updates."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from coaching.models import Assignment, MeetingLog, MonthlyUpdate
from coaching.services import (
    assignment_end,
    assignment_start,
    coach_profile_set,
    meeting_log_create,
    monthly_update_draft,
    monthly_update_edit,
    monthly_update_mark_ready,
)
from projects.models import ProgressScoreChange
from tests.factories import (
    AssignmentFactory,
    CoachProfileFactory,
    MonthlyUpdateFactory,
    ProjectFactory,
    UserFactory,
    london,
)

TODAY = date(2025, 3, 14)
NOW = london(TODAY, time(15, 30))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def log_meeting(assignment: Assignment, **overrides) -> MeetingLog:
    """A one-hour meeting of the assignment's coach with its team, today, unless overridden."""
    fields = {
        "coach": assignment.coach,
        "project": assignment.project,
        "met_on": TODAY,
        "duration_minutes": 60,
        "progress_score": Decimal("2.0"),
    } | overrides
    return meeting_log_create(**fields)


# --- assignments ---------------------------------------------------------------------------


def test_assignment_start_assigns_a_coach_with_a_profile():
    profile = CoachProfileFactory()
    project = ProjectFactory()
    lead = UserFactory()

    assignment = assignment_start(
        coach=profile.coach, project=project, starts_on=date(2025, 3, 3), assigned_by=lead
    )

    assert list(
        Assignment.objects.values_list("coach", "project", "role", "starts_on", "ends_on", "assigned_by")
    ) == [(profile.coach.pk, project.pk, "lead", date(2025, 3, 3), None, lead.pk)]
    assert assignment.is_open is True


def test_assignment_start_refuses_a_coach_without_a_profile():
    coach = UserFactory(display_name="Tom Okafor")

    with pytest.raises(ValidationError) as refused:
        assignment_start(
            coach=coach, project=ProjectFactory(), starts_on=date(2025, 3, 3), assigned_by=UserFactory()
        )

    assert refused.value.message_dict == {
        "coach": ["Tom Okafor has no coach profile yet; add one before assigning teams."]
    }
    assert Assignment.objects.count() == 0


def test_assignment_end_keeps_the_row_as_history():
    assignment = AssignmentFactory()

    assignment_end(assignment=assignment, ends_on=date(2025, 3, 7), reason="Moved to another trust")

    assert list(Assignment.objects.values_list("pk", "ends_on", "end_reason")) == [
        (assignment.pk, date(2025, 3, 7), "Moved to another trust")
    ]


def test_assignment_end_refuses_a_second_end():
    assignment = AssignmentFactory()
    assignment_end(assignment=assignment, ends_on=date(2025, 3, 7), reason="Moved to another trust")

    with pytest.raises(ValidationError) as refused:
        assignment_end(assignment=assignment, ends_on=date(2025, 3, 10), reason="Ended again")

    assert refused.value.messages == ["This assignment has already ended."]
    assignment.refresh_from_db()
    assert (assignment.ends_on, assignment.end_reason) == (date(2025, 3, 7), "Moved to another trust")


def test_assignment_end_refuses_an_end_without_a_reason():
    assignment = AssignmentFactory()

    with pytest.raises(ValidationError) as refused:
        assignment_end(assignment=assignment, ends_on=date(2025, 3, 7), reason="  ")

    assert refused.value.message_dict == {"end_reason": ["Say why the assignment ends."]}


# --- meeting logs ----------------------------------------------------------------------


def test_meeting_log_create_refuses_a_future_date():
    assignment = AssignmentFactory()

    with pytest.raises(ValidationError) as refused:
        log_meeting(assignment, met_on=date(2025, 3, 15))

    assert refused.value.message_dict == {"met_on": ["A meeting cannot be logged for a date in the future."]}
    assert MeetingLog.objects.count() == 0


@pytest.mark.parametrize("minutes", [0, 481])
def test_meeting_log_create_refuses_a_duration_outside_one_minute_to_eight_hours(minutes):
    assignment = AssignmentFactory()

    with pytest.raises(ValidationError) as refused:
        log_meeting(assignment, duration_minutes=minutes)

    assert refused.value.message_dict == {
        "duration_minutes": ["A meeting lasts between 1 minute and 8 hours."]
    }
    assert MeetingLog.objects.count() == 0


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(date(2025, 3, 10), None), (date(2025, 1, 6), date(2025, 2, 28))],
    ids=["before the assignment starts", "after the assignment ended"],
)
def test_meeting_log_create_refuses_a_coach_not_assigned_on_that_date(starts_on, ends_on):
    coach = UserFactory(display_name="Tom Okafor")
    project = ProjectFactory(title="Timely discharge summaries")
    assignment = AssignmentFactory(coach=coach, project=project, starts_on=starts_on, ends_on=ends_on)

    with pytest.raises(ValidationError) as refused:
        log_meeting(assignment, met_on=date(2025, 3, 5))

    assert refused.value.message_dict == {
        "project": ["Tom Okafor was not assigned to Timely discharge summaries on 5 Mar 2025."]
    }
    assert MeetingLog.objects.count() == 0


def test_meeting_log_create_refuses_a_coach_of_another_team():
    assignment = AssignmentFactory()

    with pytest.raises(ValidationError):
        log_meeting(assignment, project=ProjectFactory())

    assert MeetingLog.objects.count() == 0


def test_meeting_log_create_sets_the_projects_progress_score():
    assignment = AssignmentFactory(project=ProjectFactory(progress_score=Decimal("1.5")))

    log_meeting(assignment, met_on=date(2025, 3, 12), progress_score=Decimal("2.5"))

    assignment.project.refresh_from_db()
    assert assignment.project.progress_score == Decimal("2.5")
    assert list(
        ProgressScoreChange.objects.values_list(
            "previous_score", "score", "changed_by", "changed_at", "reason"
        )
    ) == [
        (
            Decimal("1.5"),
            Decimal("2.5"),
            assignment.coach_id,
            london(date(2025, 3, 12), time(12)),
            "Team meeting on 12 Mar 2025",
        )
    ]


def test_meeting_log_create_for_an_earlier_date_leaves_the_latest_score():
    assignment = AssignmentFactory(project=ProjectFactory(progress_score=Decimal("1.5")))
    log_meeting(assignment, met_on=date(2025, 3, 12), progress_score=Decimal("3.0"))

    log_meeting(assignment, met_on=date(2025, 2, 26), progress_score=Decimal("2.0"))

    assignment.project.refresh_from_db()
    assert assignment.project.progress_score == Decimal("3.0")
    assert ProgressScoreChange.objects.count() == 1


# --- monthly updates ----------------------------------------------------------------------


def test_monthly_update_draft_opens_version_1_for_the_first_of_the_month():
    project = ProjectFactory(progress_score=Decimal("2.5"))
    coach = AssignmentFactory(project=project).coach

    update = monthly_update_draft(project=project, month=date(2025, 3, 14), author=coach)

    assert (update.month, update.version, update.status, update.author, update.progress_score) == (
        date(2025, 3, 1),
        1,
        MonthlyUpdate.Status.DRAFT,
        coach,
        Decimal("2.5"),
    )


def test_monthly_update_draft_returns_the_draft_already_open():
    draft = MonthlyUpdateFactory(month=date(2025, 3, 1))
    second_coach = AssignmentFactory(project=draft.project, role=Assignment.Role.SECOND).coach

    again = monthly_update_draft(project=draft.project, month=date(2025, 3, 1), author=second_coach)

    assert again == draft
    assert MonthlyUpdate.objects.count() == 1


def test_monthly_update_mark_ready_refuses_without_narrative_and_rag():
    draft = MonthlyUpdateFactory(narrative="  ", rag="")

    with pytest.raises(ValidationError) as refused:
        monthly_update_mark_ready(update=draft)

    assert refused.value.message_dict == {
        "narrative": ["Write a short narrative before marking the update ready."],
        "rag": ["Choose a RAG status before marking the update ready."],
    }
    draft.refresh_from_db()
    assert draft.status == MonthlyUpdate.Status.DRAFT


def test_monthly_update_mark_ready_locks_the_update():
    update = MonthlyUpdateFactory()
    monthly_update_edit(update=update, narrative="The team met three times.", sponsor_ask="", rag="green")

    monthly_update_mark_ready(update=update)

    with pytest.raises(ValidationError) as refused:
        monthly_update_edit(update=update, narrative="Rewritten after the fact.", sponsor_ask="", rag="red")
    assert refused.value.messages == ["This update is ready and locked; open a new version to change it."]
    update.refresh_from_db()
    assert (update.status, update.ready_at, update.narrative, update.rag) == (
        MonthlyUpdate.Status.READY,
        NOW,
        "The team met three times.",
        "green",
    )


def test_monthly_update_mark_ready_refuses_an_update_already_ready():
    update = MonthlyUpdateFactory(ready=True)

    with pytest.raises(ValidationError) as refused:
        monthly_update_mark_ready(update=update)

    assert refused.value.messages == ["This update is already ready."]


def test_monthly_update_draft_after_ready_opens_version_2():
    ready = MonthlyUpdateFactory(ready=True, month=date(2025, 2, 1))
    AssignmentFactory(project=ready.project, coach=ready.author)

    draft = monthly_update_draft(project=ready.project, month=date(2025, 2, 1), author=ready.author)

    assert list(
        MonthlyUpdate.objects.filter(project=ready.project).values_list("pk", "version", "status")
    ) == [
        (draft.pk, 2, "draft"),
        (ready.pk, 1, "ready"),
    ]


def test_monthly_update_draft_takes_the_score_set_by_the_latest_meeting():
    assignment = AssignmentFactory(project=ProjectFactory(progress_score=Decimal("1.5")))
    project = assignment.project
    log_meeting(assignment, project=project, progress_score=Decimal("3.0"))

    update = monthly_update_draft(project=project, month=TODAY, author=assignment.coach)

    assert update.progress_score == Decimal("3.0")


def test_assignment_start_refuses_a_coach_who_is_not_coaching_any_more():
    coach = UserFactory(display_name="Grace Ibe")
    coach_profile_set(coach=coach, is_active=False)

    with pytest.raises(ValidationError) as error:
        assignment_start(
            coach=coach, project=ProjectFactory(), starts_on=date(2025, 1, 6), assigned_by=UserFactory()
        )

    assert error.value.message_dict == {
        "coach": ["Grace Ibe is not coaching at the moment, so cannot take a team."]
    }
