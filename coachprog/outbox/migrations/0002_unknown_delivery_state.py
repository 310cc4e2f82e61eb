"""A message whose worker died mid-send is `unknown` (it may have been delivered), not `failed`.

Rows the sweep had already marked failed for that reason become `unknown` too, so the
outbox page tells leads that they may have been delivered; reversing turns them back.
"""

from django.db import migrations, models

# The start of the reason the sweep recorded (coachprog.outbox.services.INTERRUPTED), old and new.
INTERRUPTED_PREFIX = "The worker stopped while sending this message"


def interrupted_to_unknown(apps, schema_editor):
    Message = apps.get_model("outbox", "Message")
    Message.objects.filter(status="failed", last_error__startswith=INTERRUPTED_PREFIX).update(status="unknown")


def unknown_to_failed(apps, schema_editor):
    Message = apps.get_model("outbox", "Message")
    Message.objects.filter(status="unknown").update(status="failed")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outbox_and_preferences"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="message",
            name="outbox_status_valid",
        ),
        migrations.AlterField(
            model_name="message",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("unknown", "Delivery unknown"),
                    ("held", "Held for the weekly digest"),
                    ("digested", "Sent in a weekly digest"),
                    ("skipped", "Not sent (switched off by the recipient)"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.RunPython(interrupted_to_unknown, unknown_to_failed, elidable=True),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["pending", "sending", "sent", "failed", "unknown", "held", "digested", "skipped"])
                ),
                name="outbox_status_valid",
            ),
        ),
    ]
