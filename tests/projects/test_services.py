"""Service rules for progress scores, data points, driver diagrams and PDSA cycles."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.imports import ImportRow
from projects.models import ChartNote, DataPoint, DriverNode, Measure, PDSACycle, ProgressScoreChange
from projects.services import (
    chart_note_add,
    data_point_record,
    data_point_remove,
    data_points_import,
    driver_node_add,
    measure_baseline_freeze,
    measure_phase_add,
    pdsa_cycle_create,
    pdsa_cycle_update,
    progress_score_change,
)
from tests.factories import (
    DataPointFactory,
    DriverNodeFactory,
    MeasureFactory,
    ProjectFactory,
    UserFactory,
    london,
)

NOW = london(date(2025, 3, 14), time(15, 30))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


# --- progress_score_change --------------------------------------------------------------


def test_progress_score_change_records_who_when_and_why():
    project = ProjectFactory(progress_score=Decimal("1.5"))
    coach = UserFactory()

    change = progress_score_change(
        project=project, score=Decimal("2.0"), changed_by=coach, reason="First test of change under way"
    )

    project.refresh_from_db()
    assert project.progress_score == Decimal("2.0")
    assert list(
        ProgressScoreChange.objects.values_list(
            "previous_score", "score", "changed_by", "changed_at", "reason"
        )
    ) == [(Decimal("1.5"), Decimal("2.0"), coach.pk, NOW, "First test of change under way")]
    assert change == ProgressScoreChange.objects.get()


def test_progress_score_change_records_nothing_when_the_score_is_unchanged():
    project = ProjectFactory(progress_score=Decimal("1.5"))

    change = progress_score_change(project=project, score=Decimal("1.5"), changed_by=UserFactory())

    assert change is None
    assert ProgressScoreChange.objects.count() == 0


def test_progress_score_change_refuses_a_score_off_the_scale():
    project = ProjectFactory(progress_score=Decimal("1.5"))

    with pytest.raises(ValidationError) as refused:
        progress_score_change(project=project, score=Decimal("2.7"), changed_by=UserFactory())

    assert refused.value.message_dict == {"progress_score": ["2.7 is not on the 0.5–5.0 progress scale."]}
    project.refresh_from_db()
    assert project.progress_score == Decimal("1.5")
    assert ProgressScoreChange.objects.count() == 0


# --- data_point_record ----------------------------------------------------------------------


def test_data_point_record_refuses_a_plain_value_for_a_proportion_measure():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    with pytest.raises(ValidationError) as refused:
        data_point_record(
            measure=measure, period=date(2025, 3, 3), value=Decimal("0.8"), recorded_by=UserFactory()
        )

    assert refused.value.messages == ["This measure is a proportion: give a numerator and a denominator."]
    assert DataPoint.objects.count() == 0


def test_data_point_record_refuses_a_proportion_for_a_value_measure():
    measure = MeasureFactory(value_type=Measure.ValueType.VALUE)

    with pytest.raises(ValidationError) as refused:
        data_point_record(
            measure=measure, period=date(2025, 3, 3), numerator=8, denominator=10, recorded_by=UserFactory()
        )

    assert refused.value.messages == ["This measure takes a single value."]
    assert DataPoint.objects.count() == 0


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        (11, 10, {"numerator": ["The numerator (11) cannot be larger than the denominator (10)."]}),
        (0, 0, {"denominator": ["The denominator must be above 0."]}),
        (-1, 10, {"numerator": ["The numerator must be 0 or more."]}),
    ],
)
def test_data_point_record_refuses_an_impossible_proportion(numerator, denominator, message):
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    with pytest.raises(ValidationError) as refused:
        data_point_record(
            measure=measure,
            period=date(2025, 3, 3),
            numerator=numerator,
            denominator=denominator,
            recorded_by=UserFactory(),
        )

    assert refused.value.message_dict == message
    assert DataPoint.objects.count() == 0


def test_data_point_record_replaces_a_value_it_is_told_it_replaces():
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("40"))
    corrector = UserFactory()

    data_point_record(
        measure=point.measure,
        period=date(2025, 3, 3),
        value=Decimal("38"),
        note="Corrected from the audit report",
        recorded_by=corrector,
        replaces="40",
    )

    assert list(DataPoint.objects.values_list("pk", "period", "value", "note", "recorded_by")) == [
        (point.pk, date(2025, 3, 3), Decimal("38"), "Corrected from the audit report", corrector.pk)
    ]


@pytest.mark.parametrize(
    ("frequency", "period"),
    [("daily", date(2025, 3, 14)), ("weekly", date(2025, 3, 10)), ("monthly", date(2025, 3, 1))],
)
def test_data_point_record_takes_the_period_today_falls_in(frequency, period):
    measure = MeasureFactory(frequency=frequency)

    point = data_point_record(measure=measure, period=period, value=Decimal("4"), recorded_by=UserFactory())

    assert list(DataPoint.objects.values_list("period", flat=True)) == [point.period] == [period]


@pytest.mark.parametrize(
    ("frequency", "period", "message"),
    [
        (
            "daily",
            date(2025, 3, 15),
            "15 Mar 2025 is after today (14 Mar 2025): record today or an earlier day.",
        ),
        (
            "weekly",
            date(2025, 3, 17),
            "The week from 17 Mar 2025 has not started yet (today is 14 Mar 2025): record this week (from "
            "10 Mar 2025) or an earlier one.",
        ),
        (
            "monthly",
            date(2025, 4, 1),
            "The month from 1 Apr 2025 has not started yet (today is 14 Mar 2025): record this month (from "
            "1 Mar 2025) or an earlier one.",
        ),
    ],
)
def test_data_point_record_refuses_a_period_that_starts_after_today(frequency, period, message):
    measure = MeasureFactory(frequency=frequency)

    with pytest.raises(ValidationError) as refused:
        data_point_record(measure=measure, period=period, value=Decimal("4"), recorded_by=UserFactory())

    assert refused.value.message_dict == {"period": [message]}
    assert DataPoint.objects.count() == 0


@pytest.mark.parametrize(
    ("period", "shown"),
    [(date(1, 1, 1), "1 Jan 0001"), (date(1899, 12, 31), "31 Dec 1899"), (date(9999, 12, 31), "31 Dec 9999")],
)
def test_data_point_record_refuses_a_period_outside_1900_to_2100(period, shown):
    with pytest.raises(ValidationError) as refused:
        data_point_record(
            measure=MeasureFactory(), period=period, value=Decimal("4"), recorded_by=UserFactory()
        )

    assert refused.value.message_dict == {
        "period": [f"A period must be in the years 1900 to 2100; {shown} is not."]
    }
    assert DataPoint.objects.count() == 0


def test_data_points_import_names_every_row_whose_period_cannot_be_stored_and_stores_none():
    measure = MeasureFactory()
    rows = [
        ImportRow(line=2, period=date(2025, 3, 10), value=Decimal("4")),
        ImportRow(line=3, period=date(2025, 3, 17), value=Decimal("5")),
        ImportRow(line=4, period=date(1, 1, 1), value=Decimal("6")),
    ]

    with pytest.raises(ValidationError) as refused:
        data_points_import(measure=measure, rows=rows, recorded_by=UserFactory())

    assert refused.value.messages == [
        "Row 3: The week from 17 Mar 2025 has not started yet (today is 14 Mar 2025): record this week (from "
        "10 Mar 2025) or an earlier one.",
        "Row 4: A period must be in the years 1900 to 2100; 1 Jan 0001 is not.",
    ]
    assert DataPoint.objects.count() == 0


def test_data_point_remove_keeps_the_point_its_remover_and_the_reason_in_its_history():
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("40"), note="Audit week")
    point_pk, remover = point.pk, UserFactory()

    data_point_remove(point=point, removed_by=remover)

    assert not DataPoint.objects.exists()
    removal = DataPoint.history.filter(id=point_pk).latest()
    assert (removal.history_type, removal.history_user, removal.history_change_reason) == (
        "-",
        remover,
        "Removed from the measure's page",
    )
    assert (removal.period, removal.value, removal.note) == (date(2025, 3, 3), Decimal("40"), "Audit week")


def test_data_point_remove_is_refused_while_a_phase_starts_at_the_point():
    measure = MeasureFactory()
    points = DataPointFactory.create_batch(4, measure=measure)
    measure_phase_add(
        measure=measure, starts_on=points[2].period, reason="New rota", created_by=UserFactory()
    )

    with pytest.raises(ValidationError) as refused:
        data_point_remove(point=points[2], removed_by=UserFactory())

    assert refused.value.messages == [
        f"A new phase starts at {points[2].period:%-d %b %Y}; remove the phase first, under Chart decisions, "
        "then the data point."
    ]
    assert measure.data_points.count() == 4


def test_data_point_record_records_a_proportion():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    point = data_point_record(
        measure=measure, period=date(2025, 3, 3), numerator=27, denominator=36, recorded_by=UserFactory()
    )

    assert (point.value, point.numerator, point.denominator, point.number) == (None, 27, 36, Decimal("0.75"))


@pytest.mark.parametrize("on", [date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_chart_note_add_refuses_a_date_outside_1900_to_2100(on):
    with pytest.raises(ValidationError) as refused:
        chart_note_add(measure=MeasureFactory(), on=on, text="New rota", created_by=UserFactory())

    assert refused.value.message_dict == {"on": ["A note's date must be in the years 1900 to 2100."]}
    assert ChartNote.objects.count() == 0


# --- driver_node_add ----------------------------------------------------------------------


def test_driver_node_add_builds_primary_secondary_and_change_idea():
    project = ProjectFactory()

    primary = driver_node_add(
        project=project, kind=DriverNode.Kind.PRIMARY, text="Reliable discharge process"
    )
    secondary = driver_node_add(
        project=project, kind=DriverNode.Kind.SECONDARY, text="Summary written on the ward", parent=primary
    )
    idea = driver_node_add(
        project=project,
        kind=DriverNode.Kind.CHANGE_IDEA,
        text="Checklist on the ward round",
        parent=secondary,
    )

    assert list(project.driver_nodes.values_list("kind", "text", "parent")) == [
        ("primary", "Reliable discharge process", None),
        ("secondary", "Summary written on the ward", primary.pk),
        ("change_idea", "Checklist on the ward round", secondary.pk),
    ]
    assert idea.position == 1


def test_driver_node_add_refuses_a_change_idea_directly_under_a_primary_driver():
    primary = DriverNodeFactory(kind=DriverNode.Kind.PRIMARY)

    with pytest.raises(ValidationError) as refused:
        driver_node_add(
            project=primary.project, kind=DriverNode.Kind.CHANGE_IDEA, text="Text reminders", parent=primary
        )

    assert refused.value.messages == [
        "A driver diagram runs aim → primary drivers → secondary drivers → change ideas; "
        "this node does not fit there."
    ]
    assert primary.children.count() == 0


def test_driver_node_add_refuses_a_parent_from_another_project():
    primary = DriverNodeFactory(kind=DriverNode.Kind.PRIMARY)

    with pytest.raises(ValidationError):
        driver_node_add(
            project=ProjectFactory(),
            kind=DriverNode.Kind.SECONDARY,
            text="Fewer wasted slots",
            parent=primary,
        )

    assert DriverNode.objects.count() == 1


# --- pdsa_cycle_create ----------------------------------------------------------------------


def test_pdsa_cycle_create_numbers_cycles_1_2_3_within_each_project():
    project, other_project = ProjectFactory(), ProjectFactory()

    for title in ("One ward round", "Every ward round", "Second ward"):
        pdsa_cycle_create(project=project, title=title)
    pdsa_cycle_create(project=other_project, title="Text reminders for one clinic")

    assert list(
        PDSACycle.objects.order_by("project", "number").values_list("project", "number", "title")
    ) == [
        (project.pk, 1, "One ward round"),
        (project.pk, 2, "Every ward round"),
        (project.pk, 3, "Second ward"),
        (other_project.pk, 1, "Text reminders for one clinic"),
    ]


def test_pdsa_cycle_create_stores_the_plan():
    project = ProjectFactory()

    cycle = pdsa_cycle_create(
        project=project,
        title="Checklist on one ward round",
        question="Will a checklist get summaries started earlier?",
        prediction="Half of the summaries will be started before the patient leaves.",
    )

    assert (cycle.status, cycle.plan_question, cycle.plan_prediction) == (
        PDSACycle.Status.PLANNED,
        "Will a checklist get summaries started earlier?",
        "Half of the summaries will be started before the patient leaves.",
    )


def test_pdsa_cycle_create_refuses_a_start_outside_1900_to_2100():
    project = ProjectFactory()

    with pytest.raises(ValidationError) as refused:
        pdsa_cycle_create(project=project, title="Checklist", starts_on=date(1, 1, 1))

    assert refused.value.message_dict == {
        "starts_on": ["A PDSA cycle's dates must be in the years 1900 to 2100."]
    }
    assert not project.pdsa_cycles.exists()


def test_pdsa_cycle_update_refuses_a_completion_outside_1900_to_2100():
    cycle = pdsa_cycle_create(project=ProjectFactory(), title="Checklist", starts_on=date(2025, 2, 3))

    with pytest.raises(ValidationError) as refused:
        pdsa_cycle_update(cycle=cycle, completed_on=date(9999, 12, 31))

    assert refused.value.message_dict == {
        "completed_on": ["A PDSA cycle's dates must be in the years 1900 to 2100."]
    }
    cycle.refresh_from_db()
    assert cycle.completed_on is None


def test_a_baseline_cannot_run_past_the_first_recalculation():
    measure = MeasureFactory()
    points = DataPointFactory.create_batch(12, measure=measure)
    person = UserFactory()
    measure_phase_add(measure=measure, starts_on=points[6].period, reason="New rota", created_by=person)

    with pytest.raises(ValidationError) as error:
        measure_baseline_freeze(measure=measure, points=8, reason="Stable period", set_by=person)

    assert error.value.message_dict == {
        "baseline_points": [
            "The first phase has 6 points and a baseline cannot run past a recalculation: "
            "freeze fewer points, or remove the phase first."
        ]
    }


def test_a_new_phase_cannot_start_inside_the_frozen_baseline():
    measure = MeasureFactory()
    points = DataPointFactory.create_batch(12, measure=measure)
    person = UserFactory()
    measure_baseline_freeze(measure=measure, points=8, reason="Stable period", set_by=person)

    with pytest.raises(ValidationError) as error:
        measure_phase_add(measure=measure, starts_on=points[5].period, reason="New rota", created_by=person)

    assert error.value.message_dict == {
        "starts_on": ["A new phase cannot start inside the frozen baseline; choose a later point."]
    }
    assert measure_phase_add(
        measure=measure, starts_on=points[8].period, reason="New rota", created_by=person
    )
