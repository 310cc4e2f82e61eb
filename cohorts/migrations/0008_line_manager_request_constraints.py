"""The database keeps the line manager's request consistent (a migration of its own, after the backfill).

On PostgreSQL an ALTER TABLE after row updates in the same transaction can fail with
"pending trigger events", so the constraints come in their own migration, after 0007's
data changes have committed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0007_line_manager_requests")]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("manager_asked_at__isnull", True),
                        ("manager_last_asked_at__isnull", True),
                        ("manager_times_asked", 0),
                    ),
                    models.Q(
                        ("manager_asked_at__isnull", False),
                        ("manager_last_asked_at__gte", models.F("manager_asked_at")),
                        ("manager_last_asked_at__isnull", False),
                        ("manager_times_asked__gte", 1),
                    ),
                    _connector="OR",
                ),
                name="application_manager_requests_consistent",
                violation_error_message="The times the line manager was asked do not add up.",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "submitted"), _negated=True),
                    models.Q(("manager_approved__isnull", True), ("manager_times_asked__gte", 1)),
                    _connector="OR",
                ),
                name="application_awaiting_manager_was_asked",
                violation_error_message="An application awaiting its line manager must have asked them.",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("status", "manager_approved"), _negated=True),
                        models.Q(("manager_approved", True), ("manager_approved__isnull", False)),
                        _connector="OR",
                    ),
                    models.Q(
                        models.Q(("status", "manager_declined"), _negated=True),
                        models.Q(("manager_approved", False), ("manager_approved__isnull", False)),
                        _connector="OR",
                    ),
                ),
                name="application_manager_answer_matches_status",
                violation_error_message="The status must match the line manager's answer.",
            ),
        ),
    ]
