"""Migration 0010 gives each application already on a wait-list its place in line, so 0011's
constraint holds and the wait-list keeps the order it had (the lead's wait-listing time)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cohorts.models import Application
from cohorts.services.applications import waitlist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps seeded rows

BEFORE = [("cohorts", "0009_programme_history")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _leaves() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_wait_listed_applications_keep_their_order_through_the_migration():
    _migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        user_model, programme_model = old.get_model("accounts", "User"), old.get_model("cohorts", "Programme")
        directorate = old.get_model("accounts", "Directorate").objects.create(name="Newham")
        cohort = old.get_model("cohorts", "Cohort").objects.create(
            programme=programme_model.objects.create(name="ICP"),
            number=11,
            starts_on=datetime(2025, 10, 1).date(),
            ends_on=datetime(2026, 3, 31).date(),
        )
        sent = datetime(2025, 8, 1, 9, tzinfo=UTC)

        def application(email: str, **fields):
            return old.get_model("cohorts", "Application").objects.create(
                cohort=cohort,
                applicant=user_model.objects.create(email=email, display_name=email),
                directorate=directorate,
                role_title="Nurse",
                line_manager_name="Morgan Lee",
                line_manager_email="morgan@example.org",
                availability_confirmed=True,
                status="waitlisted",
                submitted_at=sent,
                manager_times_asked=1,
                manager_asked_at=sent,
                manager_last_asked_at=sent,
                **fields,
            )

        later = application("later@example.org", decided_at=datetime(2025, 8, 20, 9, tzinfo=UTC))
        earlier = application("earlier@example.org", decided_at=datetime(2025, 8, 10, 9, tzinfo=UTC))
        never_decided = application("sent@example.org")
    finally:
        _migrate(_leaves())

    since = dict(Application.objects.values_list("pk", "waitlisted_at"))
    assert since == {
        later.pk: datetime(2025, 8, 20, 9, tzinfo=UTC),
        earlier.pk: datetime(2025, 8, 10, 9, tzinfo=UTC),
        never_decided.pk: sent,
    }
    assert [a.pk for a in waitlist(Application.objects.get(pk=later.pk).cohort)] == [
        never_decided.pk,
        earlier.pk,
        later.pk,
    ]
