"""Meeting logs by date, for the programme-wide questions about who met lately."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0005_coach_profile_history"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meetinglog",
            index=models.Index(fields=["met_on"], name="meeting_by_date"),
        ),
    ]
