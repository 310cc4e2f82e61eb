"""Applications follow the programme's rules, and a cohort's calendar can be subscribed to (issue 12).

- `waitlisted_at` orders the wait-list. Applications already on it are given the time the lead
  wait-listed them (`decided_at`, which ordered the list until now), or else when they were sent.
- `override_unmet` and `override_reason`: what an application lacked when a lead accepted it, and why.
- `CohortCalendarToken`: the secret in a cohort's subscribable feed.

The constraints come in 0011, after this migration's row updates have committed (PostgreSQL can
refuse an ALTER TABLE with "pending trigger events" in the same transaction).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill_waitlisted_at(apps, schema_editor):
    Application = apps.get_model("cohorts", "Application")
    Application.objects.filter(status="waitlisted", waitlisted_at__isnull=True).update(
        waitlisted_at=Coalesce("decided_at", "submitted_at", "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0009_programme_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="waitlisted_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the application joined the wait-list (on sending, if the cohort was full).",
                null=True,
                verbose_name="on the wait-list since",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="override_unmet",
            field=models.TextField(
                blank=True,
                help_text="What the application lacked when it was accepted, one rule a line.",
                verbose_name="accepted without",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="override_reason",
            field=models.TextField(
                blank=True,
                help_text="Why a programme lead accepted the application although it did not meet the rules.",
                verbose_name="reason for accepting anyway",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="waitlisted_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the application joined the wait-list (on sending, if the cohort was full).",
                null=True,
                verbose_name="on the wait-list since",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="override_unmet",
            field=models.TextField(
                blank=True,
                help_text="What the application lacked when it was accepted, one rule a line.",
                verbose_name="accepted without",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="override_reason",
            field=models.TextField(
                blank=True,
                help_text="Why a programme lead accepted the application although it did not meet the rules.",
                verbose_name="reason for accepting anyway",
            ),
        ),
        migrations.RunPython(backfill_waitlisted_at, migrations.RunPython.noop),
        migrations.CreateModel(
            name="CohortCalendarToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(editable=False, max_length=43, unique=True)),
                ("created_at", models.DateTimeField()),
                (
                    "cohort",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_token",
                        to="cohorts.cohort",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
