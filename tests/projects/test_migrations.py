"""Migration 0005 applies to a database that already holds dates outside 1900–2100, losing nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from projects.models import DataPoint, PDSACycle
from tests.factories import DataPointFactory, MeasureFactory, PDSACycleFactory

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
    measure = MeasureFactory()
    kept = DataPointFactory(measure=measure, period=date(2025, 1, 6), value=Decimal("4"))
    DataPointFactory(measure=measure, period=date(1, 1, 1), value=Decimal("7"), note="Typed 0001")
    DataPointFactory(measure=measure, period=date(9999, 12, 31), value=Decimal("9"))
    early = PDSACycleFactory(
        starts_on=date(1, 1, 1), completed_on=date(2025, 3, 3), status="completed", act_decision="adopt"
    )
    late = PDSACycleFactory(
        starts_on=date(2025, 2, 3), completed_on=date(9999, 12, 31), status="completed", act_decision="adapt"
    )
    fine = PDSACycleFactory(starts_on=date(2025, 2, 3))

    _migrate()

    assert list(DataPoint.objects.values_list("pk", flat=True)) == [kept.pk]
    moved = DataPoint.history.filter(measure=measure, history_type="-").order_by("period")
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
        DataPointFactory(measure=measure, period=date(9999, 12, 31))
