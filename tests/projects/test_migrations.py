"""Migrations 0005 and 0007 apply to a database that already holds data they would refuse, losing nothing:
dates outside 1900–2100 (0005), values below 0 and periods that have not started (0007)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from projects.charts import measure_chart
from projects.models import DataPoint, Measure, PDSACycle
from tests.factories import (
    DataPointFactory,
    DirectorateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps seeded rows

BEFORE = [("projects", "0004_history")]


def _migrate(targets=None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_the_constraints():
    """The schema as it was before 0005 (the models' fields are the same, only the checks differ)."""
    _migrate(BEFORE)
    yield
    _migrate()


def test_points_outside_1900_to_2100_move_to_their_history_and_cycles_lose_only_the_bad_dates(
    before_the_constraints,
):
    # Rows are written with the models as they were before 0005: later migrations add columns.
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldPoint, OldCycle = old.get_model("projects", "DataPoint"), old.get_model("projects", "PDSACycle")
    recorder = UserFactory()
    project = old.get_model("projects", "Project").objects.create(
        title="Fewer falls",
        directorate_id=DirectorateFactory().pk,
        aim_what="Fewer falls",
        aim_how_much="by 30%",
        aim_by_when=date(2025, 12, 31),
        sponsor_id=recorder.pk,
        started_on=date(2025, 1, 6),
    )
    measure = old.get_model("projects", "Measure").objects.create(
        project_id=project.pk, name="Falls", kind="outcome", operational_definition="x", frequency="weekly"
    )

    def point(period: date, value: str, note: str = ""):
        return OldPoint.objects.create(
            measure=measure, period=period, value=Decimal(value), note=note, recorded_by_id=recorder.pk
        )

    def cycle(number: int, **dates):
        return OldCycle.objects.create(project_id=project.pk, number=number, title=f"PDSA {number}", **dates)

    kept = point(date(2025, 1, 6), "4")
    point(date(1, 1, 1), "7", note="Typed 0001")
    point(date(9999, 12, 31), "9")
    early = cycle(
        1, starts_on=date(1, 1, 1), completed_on=date(2025, 3, 3), status="completed", act_decision="adopt"
    )
    late = cycle(
        2,
        starts_on=date(2025, 2, 3),
        completed_on=date(9999, 12, 31),
        status="completed",
        act_decision="adapt",
    )
    fine = cycle(3, starts_on=date(2025, 2, 3))

    _migrate()

    assert list(DataPoint.objects.values_list("pk", flat=True)) == [kept.pk]
    moved = DataPoint.history.filter(measure_id=measure.pk, history_type="-").order_by("period")
    assert [(h.period, h.value, h.note, h.history_user, h.history_change_reason) for h in moved] == [
        (
            date(1, 1, 1),
            Decimal("7"),
            "Typed 0001",
            None,
            "Removed by a migration: the period 0001-01-01 is outside 1900–2100",
        ),
        (
            date(9999, 12, 31),
            Decimal("9"),
            "",
            None,
            "Removed by a migration: the period 9999-12-31 is outside 1900–2100",
        ),
    ]
    cycles = {c.pk: (c.starts_on, c.completed_on, c.title) for c in PDSACycle.objects.all()}
    assert cycles == {
        early.pk: (None, None, early.title),
        late.pk: (date(2025, 2, 3), None, late.title),
        fine.pk: (date(2025, 2, 3), None, fine.title),
    }
    changes = PDSACycle.history.filter(history_type="~").order_by("id")
    assert [(h.id, h.history_change_reason) for h in changes] == [
        (early.pk, "Dates outside 1900–2100 cleared by a migration (start 0001-01-01, completed 2025-03-03)"),
        (late.pk, "Dates outside 1900–2100 cleared by a migration (start 2025-02-03, completed 9999-12-31)"),
    ]
    with pytest.raises(IntegrityError, match="data_point_period_in_range"), transaction.atomic():
        DataPointFactory(measure=Measure.objects.get(pk=measure.pk), period=date(9999, 12, 31))


# --- 0007: a valid range for each measure, and no point for a period that has not started ---------


def _just_before(name: str) -> list[tuple[str, str]]:
    """The projects migration that the one named `…_name` follows."""
    graph = MigrationExecutor(connection).loader.graph
    node = next(key for key in graph.nodes if key[0] == "projects" and key[1].endswith(name))
    return [parent.key for parent in graph.node_map[node].parents if parent.key[0] == "projects"]


def test_negative_data_keep_an_open_lowest_value_and_points_not_started_move_to_their_history(time_machine):
    time_machine.move_to(date(2025, 3, 14), tick=False)  # a Friday: this week began on 10 Mar
    before = _just_before("measure_valid_range")
    _migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldMeasure, OldPoint = old.get_model("projects", "Measure"), old.get_model("projects", "DataPoint")
        recorder = UserFactory()
        project = old.get_model("projects", "Project").objects.create(
            title="Shorter waits",
            directorate_id=DirectorateFactory().pk,
            aim_what="Shorter waits",
            aim_how_much="by 30%",
            aim_by_when=date(2025, 12, 31),
            sponsor_id=recorder.pk,
            started_on=date(2025, 1, 6),
        )

        def measure(name: str, **fields):
            return OldMeasure.objects.create(
                project_id=project.pk, name=name, kind="outcome", operational_definition="x", **fields
            )

        def point(measure, period: date, value: str):
            return OldPoint.objects.create(
                measure=measure, period=period, value=Decimal(value), recorded_by_id=recorder.pk
            )

        change = measure("Weight change", frequency="weekly")
        point(change, date(2025, 3, 3), "-2.5")
        measure("Balance", frequency="weekly", target=Decimal("-1"))
        waits = measure("Waits", frequency="weekly")
        for period in (date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)):
            point(waits, period, "40")
        checks = measure("Checks", frequency="monthly")
        for period in (date(2025, 2, 1), date(2025, 3, 1), date(2025, 9, 1)):  # six months ahead
            point(checks, period, "70")
    finally:
        _migrate()

    lowest = dict(Measure.objects.values_list("name", "lowest_value"))
    assert lowest == {"Weight change": None, "Balance": None, "Waits": Decimal(0), "Checks": Decimal(0)}
    assert Measure.history.filter(id=change.pk).latest().history_change_reason == (
        "Lowest value left open by a migration: the measure already held -2.5"
    )
    assert list(DataPoint.objects.filter(measure_id=waits.pk).values_list("period", flat=True)) == [
        date(2025, 3, 3),
        date(2025, 3, 10),
    ]
    moved = DataPoint.history.filter(history_type="-").order_by("period")
    assert [(h.measure_id, h.period, h.value, h.history_change_reason) for h in moved] == [
        (
            waits.pk,
            date(2025, 3, 17),
            Decimal("40"),
            "Removed by a migration: the period 2025-03-17 had not started on 2025-03-14",
        ),
        (
            checks.pk,
            date(2025, 9, 1),
            Decimal("70"),
            "Removed by a migration: the period 2025-09-01 had not started on 2025-03-14",
        ),
    ]
    chart = measure_chart(Measure.objects.get(pk=checks.pk))
    assert [p.period for p in chart.points] == [date(2025, 2, 1), date(2025, 3, 1)]
    assert "Sep 2025" not in chart.description
