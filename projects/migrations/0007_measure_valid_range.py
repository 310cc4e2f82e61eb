"""Each measure gets a valid range, and no data point describes a period that has not started.

- `lowest_value` and `highest_value` are new; a measure's lowest value is 0, since counts,
  times, rates and proportions cannot be negative. A value measure whose data or target
  already go below 0 keeps an open lowest value instead, so its data stay valid; the change
  is recorded in the measure's history with the lowest value found.
- A data point whose period has not started yet (next week's Monday for a weekly measure,
  next month's 1st for a monthly one; typed in before periods in the future were refused)
  would be drawn and described as if it had happened. It is deleted, and its deletion is
  recorded in its history table (django-simple-history's `-` row, holding every field of
  the point) with a change reason naming the period, as migration 0005 does.

Whether a period fits its measure's frequency (a Monday, the 1st) and whether a value is in
the range are checked where data comes in (`projects.data_rules`): the database cannot look
from a data point to its measure's frequency or range, so earlier points that do not fit stay,
and the measure's page lists them. The two new check constraints hold the range itself: in
order, and in fractions from 0 to 1 for a proportion; every existing row keeps them. Reversing
the migration drops the fields; deleted points stay in the history table.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone


def _history_row(historical, row, *, kind: str, reason: str, when):
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    return historical(
        **fields, history_date=when, history_type=kind, history_user=None, history_change_reason=reason
    )


def _period_start(frequency: str, day: datetime.date) -> datetime.date:
    """As projects.periods.period_start: the day, its week's Monday or its month's 1st."""
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "daily":
        return day
    return day - datetime.timedelta(days=day.weekday())


def open_ranges_below_zero(apps, schema_editor):
    Measure = apps.get_model("projects", "Measure")
    HistoricalMeasure = apps.get_model("projects", "HistoricalMeasure")
    now = timezone.now()
    for measure in Measure.objects.filter(value_type="value").annotate(lowest=Min("data_points__value")):
        found = [v for v in (measure.lowest, measure.target) if v is not None and v < 0]
        if not found:
            continue
        measure.lowest_value = None
        Measure.objects.filter(pk=measure.pk).update(lowest_value=None)
        _history_row(
            HistoricalMeasure,
            measure,
            kind="~",
            reason=f"Lowest value left open by a migration: the measure already held {min(found).normalize():f}",
            when=now,
        ).save()


def move_out_periods_not_started(apps, schema_editor):
    DataPoint = apps.get_model("projects", "DataPoint")
    HistoricalDataPoint = apps.get_model("projects", "HistoricalDataPoint")
    now, today = timezone.now(), timezone.localdate()
    # Whatever the frequency, a period that has not started begins after this week's Monday.
    candidates = DataPoint.objects.filter(period__gt=today - datetime.timedelta(days=today.weekday()))
    points = [
        point
        for point in candidates.select_related("measure").order_by("pk")
        if _period_start(point.measure.frequency, point.period) > _period_start(point.measure.frequency, today)
    ]
    HistoricalDataPoint.objects.bulk_create(
        _history_row(
            HistoricalDataPoint,
            point,
            kind="-",
            reason=f"Removed by a migration: the period {point.period.isoformat()} had not started on "
            f"{today.isoformat()}",
            when=now,
        )
        for point in points
    )
    DataPoint.objects.filter(pk__in=[point.pk for point in points]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_project_lifecycle'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmeasure',
            name='highest_value',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='highest value'),
        ),
        migrations.AddField(
            model_name='historicalmeasure',
            name='lowest_value',
            field=models.DecimalField(blank=True, decimal_places=4, default=Decimal('0'), max_digits=14, null=True, verbose_name='lowest value'),
        ),
        migrations.AddField(
            model_name='measure',
            name='highest_value',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True, verbose_name='highest value'),
        ),
        migrations.AddField(
            model_name='measure',
            name='lowest_value',
            field=models.DecimalField(blank=True, decimal_places=4, default=Decimal('0'), max_digits=14, null=True, verbose_name='lowest value'),
        ),
        migrations.RunPython(open_ranges_below_zero, migrations.RunPython.noop),
        migrations.RunPython(move_out_periods_not_started, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='measure',
            constraint=models.CheckConstraint(condition=models.Q(('lowest_value__isnull', True), ('highest_value__isnull', True), ('lowest_value__lte', models.F('highest_value')), _connector='OR'), name='measure_valid_range_in_order', violation_error_message='The lowest value cannot be above the highest value.'),
        ),
        migrations.AddConstraint(
            model_name='measure',
            constraint=models.CheckConstraint(condition=models.Q(('value_type', 'value'), models.Q(models.Q(('lowest_value__isnull', True), models.Q(('lowest_value__gte', 0), ('lowest_value__lte', 1)), _connector='OR'), models.Q(('highest_value__isnull', True), models.Q(('highest_value__gte', 0), ('highest_value__lte', 1)), _connector='OR')), _connector='OR'), name='measure_proportion_range_is_a_fraction', violation_error_message="A proportion's valid range is in fractions from 0 to 1 (0.9 for 90%)."),
        ),
    ]
