from django.db import migrations

# The Q Quality Coach Development Programme's five curriculum topics.
TOPICS = [
    (1, "Deeper understanding of quality improvement"),
    (2, "Leading change"),
    (3, "Self-reflection"),
    (4, "Coaching skills"),
    (5, "Working with groups"),
]


def seed(apps, schema_editor):
    CurriculumTopic = apps.get_model("cohorts", "CurriculumTopic")
    for number, name in TOPICS:
        CurriculumTopic.objects.update_or_create(number=number, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("cohorts", "CurriculumTopic").objects.filter(number__in=[n for n, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
