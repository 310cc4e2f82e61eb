"""The database keeps the wait-list ordered and every override explained (after 0010's backfill)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0010_application_rules_and_cohort_calendar_links")]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "waitlisted"), _negated=True),
                    ("waitlisted_at__isnull", False),
                    _connector="OR",
                ),
                name="application_waitlisted_since_when",
                violation_error_message="A wait-listed application must say since when it has waited.",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("override_unmet", ""),
                    models.Q(("override_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="application_override_has_a_reason",
                violation_error_message="Accepting against the rules needs a reason.",
            ),
        ),
    ]
