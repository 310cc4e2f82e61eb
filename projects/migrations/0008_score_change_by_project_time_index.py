"""A project's score history in time order (the project page, the sponsor report, programme health)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_measure_valid_range"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressscorechange",
            index=models.Index(fields=["project", "changed_at"], name="score_change_by_project_time"),
        ),
    ]
