"""Projects in title order, as every list of them pages through."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_score_change_by_project_time_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["title"], name="project_by_title"),
        ),
    ]
