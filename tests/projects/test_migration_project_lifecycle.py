"""Migration 0006 applies to a database holding projects completed or closed before it (in the admin):
each gets a closing date and a placeholder outcome, so the new check constraint holds."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.models import Project
from tests.factories import DirectorateFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps seeded rows

BEFORE = [("projects", "0005_dates_in_range")]
AFTER = [("projects", "0006_project_lifecycle")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.fixture
def before_closing_was_recorded():
    _migrate(BEFORE)
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_projects_closed_before_the_migration_get_a_closing_date_and_an_outcome(before_closing_was_recorded):
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldProject = old.get_model("projects", "Project")
    OldHistory = old.get_model("projects", "HistoricalProject")
    sponsor, directorate = UserFactory(), DirectorateFactory()
    common = {
        "directorate_id": directorate.pk,
        "sponsor_id": sponsor.pk,
        "aim_what": "Reduce waits",
        "aim_how_much": "by 30%",
        "aim_by_when": date(2026, 3, 31),
        "started_on": date(2025, 1, 6),
    }
    done = OldProject.objects.create(title="Done", status="completed", **common)
    OldHistory.objects.create(
        id=done.pk,
        title="Done",
        status="completed",
        progress_score="0.5",
        created_at=datetime(2025, 6, 1, tzinfo=UTC),
        history_date=datetime(2025, 7, 14, 10, tzinfo=UTC),
        history_type="~",
        **common,
    )
    stopped = OldProject.objects.create(title="Stopped", status="closed", **common)  # no history kept
    live = OldProject.objects.create(title="Live", status="active", **common)

    _migrate(AFTER)

    rows = {
        p.title: (p.status, p.closed_on, p.outcome_summary)
        for p in Project.objects.filter(pk__in=[done.pk, stopped.pk, live.pk])
    }
    assert rows == {
        "Done": ("completed", date(2025, 7, 14), "Closed before outcome summaries were recorded."),
        "Stopped": ("closed", date(2025, 1, 6), "Closed before outcome summaries were recorded."),
        "Live": ("active", None, ""),
    }
