"""Keep track of the request to the line manager: when they were asked, how often, and their answer.

Every application that was ever submitted asked its line manager once, when it was
submitted, so existing rows start from that. The answer (approved or declined) was
only kept in the status, which a programme lead's decision later overwrites; it is
taken from the status, or else from the latest history record that shows it. A row
whose answer left no trace keeps its answer unknown.
"""

from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Coalesce

ANSWERS = {"manager_approved": True, "manager_declined": False}


def backfill(apps, schema_editor):
    Application = apps.get_model("cohorts", "Application")
    HistoricalApplication = apps.get_model("cohorts", "HistoricalApplication")
    asked = Application.objects.exclude(status="draft").filter(
        Q(submitted_at__isnull=False) | Q(status="submitted")
    )
    when = Coalesce("submitted_at", "created_at")
    asked.update(manager_times_asked=1, manager_asked_at=when, manager_last_asked_at=when)
    for status, answer in ANSWERS.items():
        Application.objects.filter(status=status).update(manager_approved=answer)
    answered_then_decided = Application.objects.filter(
        manager_approved__isnull=True, manager_responded_at__isnull=False
    ).exclude(status="submitted")
    for application in answered_then_decided.iterator():
        shown = (
            HistoricalApplication.objects.filter(id=application.pk, status__in=ANSWERS)
            .order_by("-history_date", "-history_id")
            .values_list("status", flat=True)
            .first()
        )
        if shown is not None:
            Application.objects.filter(pk=application.pk).update(manager_approved=ANSWERS[shown])


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0006_no_sessions_in_cancelled_cohorts")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="manager_approved",
            field=models.BooleanField(
                blank=True,
                help_text="Yes (approved), no (declined), or no answer.",
                null=True,
                verbose_name="line manager's answer",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="manager_asked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When this line manager was first asked.",
                null=True,
                verbose_name="line manager first asked",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="manager_last_asked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the latest approval link was sent to them.",
                null=True,
                verbose_name="latest link sent",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="manager_reassignments",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many times a programme lead has passed the request to another line manager.",
                verbose_name="line manager reassignments",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="manager_times_asked",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many approval links this line manager has been sent.",
                verbose_name="times asked",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="manager_approved",
            field=models.BooleanField(
                blank=True,
                help_text="Yes (approved), no (declined), or no answer.",
                null=True,
                verbose_name="line manager's answer",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="manager_asked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When this line manager was first asked.",
                null=True,
                verbose_name="line manager first asked",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="manager_last_asked_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the latest approval link was sent to them.",
                null=True,
                verbose_name="latest link sent",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="manager_reassignments",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many times a programme lead has passed the request to another line manager.",
                verbose_name="line manager reassignments",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="manager_times_asked",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How many approval links this line manager has been sent.",
                verbose_name="times asked",
            ),
        ),
        # The new columns stay as they are when going back: dropping them removes the data.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
