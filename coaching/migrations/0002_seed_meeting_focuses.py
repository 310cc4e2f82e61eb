from django.db import migrations

FOCUSES = [
    ("aim", "Aim"),
    ("driver-diagram", "Driver diagram"),
    ("measurement", "Measurement"),
    ("pdsa-planning", "PDSA planning"),
    ("data-review", "Data review"),
    ("spread", "Spread"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    MeetingFocus = apps.get_model("coaching", "MeetingFocus")
    for position, (slug, name) in enumerate(FOCUSES):
        MeetingFocus.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    apps.get_model("coaching", "MeetingFocus").objects.filter(slug__in=[s for s, _ in FOCUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
