"""Service rules for progress scores, data points, driver diagrams and PDSA cycles."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.models import DataPoint, DriverNode, Measure, PDSACycle, ProgressScoreChange
from projects.services import (
    data_point_record,
    driver_node_add,
    measure_baseline_freeze,
    measure_phase_add,
    pdsa_cycle_create,
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


@pytest.mark.parametrize(("numerator", "denominator"), [(11, 10), (0, 0)])
def test_data_point_record_refuses_an_impossible_proportion(numerator, denominator):
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    with pytest.raises(ValidationError) as refused:
        data_point_record(
            measure=measure,
            period=date(2025, 3, 3),
            numerator=numerator,
            denominator=denominator,
            recorded_by=UserFactory(),
        )

    assert refused.value.messages == [
        "The numerator must be between 0 and the denominator, which must be above 0."
    ]


def test_data_point_record_updates_an_existing_period_instead_of_adding_one():
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("40"))
    corrector = UserFactory()

    data_point_record(
        measure=point.measure,
        period=date(2025, 3, 3),
        value=Decimal("38"),
        note="Corrected from the audit report",
        recorded_by=corrector,
    )

    assert list(DataPoint.objects.values_list("pk", "period", "value", "note", "recorded_by")) == [
        (point.pk, date(2025, 3, 3), Decimal("38"), "Corrected from the audit report", corrector.pk)
    ]


def test_data_point_record_records_a_proportion():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION)

    point = data_point_record(
        measure=measure, period=date(2025, 3, 3), numerator=27, denominator=36, recorded_by=UserFactory()
    )

    assert (point.value, point.numerator, point.denominator, point.number) == (None, 27, 36, Decimal("0.75"))


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
