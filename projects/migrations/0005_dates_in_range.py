"""Data points' periods and PDSA cycles' dates stay in the years 1900 to 2100.

The charts step from period to period, and a date at the calendar's edge (31 Dec 9999,
1 Jan 0001) overflowed and broke the project, measure and monthly-update pages. The new
check constraints refuse such dates; before adding them, this migration moves aside the
rows that already break them, so it applies to any database and nothing is lost:

- a data point with a period outside 1900–2100 is deleted, and its deletion is recorded
  in its history table (django-simple-history's `-` row, holding every field of the point)
  with a change reason naming the period;
- a PDSA cycle keeps everything but the offending dates: a start date outside the range is
  cleared with the completion date (a completion needs a start), a completion date outside
  it is cleared alone, and the change is recorded in the cycle's history with the old dates
  in the change reason.

A recalculation (phase) that started at a moved-out point stays; the chart says it is no
longer on the chart and it can be removed there. Reversing the migration drops the
constraints; the moved-out rows stay in the history tables.
"""

import datetime

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)


def _outside(field: str) -> Q:
    return Q(**{f"{field}__lt": EARLIEST}) | Q(**{f"{field}__gt": LATEST})


def _in_range(day) -> bool:
    return day is None or EARLIEST <= day <= LATEST


def _history_row(historical, row, *, kind: str, reason: str, when):
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    return historical(
        **fields, history_date=when, history_type=kind, history_user=None, history_change_reason=reason
    )


def move_out_dates_beyond_range(apps, schema_editor):
    DataPoint = apps.get_model("projects", "DataPoint")
    HistoricalDataPoint = apps.get_model("projects", "HistoricalDataPoint")
    PDSACycle = apps.get_model("projects", "PDSACycle")
    HistoricalPDSACycle = apps.get_model("projects", "HistoricalPDSACycle")
    now = timezone.now()

    points = list(DataPoint.objects.filter(_outside("period")))
    HistoricalDataPoint.objects.bulk_create(
        _history_row(
            HistoricalDataPoint,
            point,
            kind="-",
            reason=f"Removed by a migration: the period {point.period.isoformat()} is outside 1900–2100",
            when=now,
        )
        for point in points
    )
    DataPoint.objects.filter(pk__in=[point.pk for point in points]).delete()

    for cycle in PDSACycle.objects.filter(_outside("starts_on") | _outside("completed_on")):
        old = f"start {cycle.starts_on or '-'}, completed {cycle.completed_on or '-'}"
        if not _in_range(cycle.starts_on):
            cycle.starts_on = cycle.completed_on = None
        else:
            cycle.completed_on = None
        PDSACycle.objects.filter(pk=cycle.pk).update(starts_on=cycle.starts_on, completed_on=cycle.completed_on)
        _history_row(
            HistoricalPDSACycle,
            cycle,
            kind="~",
            reason=f"Dates outside 1900–2100 cleared by a migration ({old})",
            when=now,
        ).save()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_history"),
    ]

    operations = [
        migrations.RunPython(move_out_dates_beyond_range, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="datapoint",
            constraint=models.CheckConstraint(
                condition=models.Q(("period__gte", datetime.date(1900, 1, 1)), ("period__lte", datetime.date(2100, 12, 31))),
                name="data_point_period_in_range",
                violation_error_message="A period must be in the years 1900 to 2100.",
            ),
        ),
        migrations.AddConstraint(
            model_name="pdsacycle",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("starts_on__isnull", True),
                        models.Q(("starts_on__gte", datetime.date(1900, 1, 1)), ("starts_on__lte", datetime.date(2100, 12, 31))),
                        _connector="OR",
                    ),
                    models.Q(
                        ("completed_on__isnull", True),
                        models.Q(("completed_on__gte", datetime.date(1900, 1, 1)), ("completed_on__lte", datetime.date(2100, 12, 31))),
                        _connector="OR",
                    ),
                ),
                name="pdsa_dates_in_range",
                violation_error_message="A PDSA cycle's dates must be in the years 1900 to 2100.",
            ),
        ),
    ]
