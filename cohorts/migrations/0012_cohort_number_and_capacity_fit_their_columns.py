"""A cohort's number and capacity fit their small-integer columns on every database.

PostgreSQL refuses a number above 32,767 in these columns by their type; SQLite stores
any 64-bit number, so a capacity of 99,999,999,999 was saved there. The constraints
make both databases refuse it, as the planner's forms now explain.

SQLite adds a constraint by rebuilding the table, which its session triggers (0006)
refer to, so they are dropped first and made again after; PostgreSQL needs neither.
"""

import importlib

from django.db import migrations, models

TRIGGERS = importlib.import_module("cohorts.migrations.0006_no_sessions_in_cancelled_cohorts")


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


DROP = _on_sqlite(TRIGGERS.SQLITE_REVERSE)
CREATE = _on_sqlite(TRIGGERS.SQLITE)


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0011_application_rules_constraints")]

    operations = [
        migrations.RunPython(DROP, CREATE),
        migrations.AddConstraint(
            model_name="cohort",
            constraint=models.CheckConstraint(
                condition=models.Q(("capacity__lte", 32767)),
                name="cohort_capacity_fits_column",
                violation_error_message="A cohort's capacity is at most 32,767.",
            ),
        ),
        migrations.AddConstraint(
            model_name="cohort",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__gte", 1), ("number__lte", 32767)),
                name="cohort_number_in_range",
                violation_error_message="A cohort's number is a whole number from 1 to 32,767.",
            ),
        ),
        migrations.RunPython(CREATE, DROP),
    ]
