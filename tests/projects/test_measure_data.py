"""Measure data you can trust: periods that fit the measure and have started, values in the
measure's valid range, numerators no larger than their denominators, and no value replaced
without the person seeing "replaces 33 with 30" and saying yes; the same rules in quick entry
(on the project page and on the measure's page), in the service and in imports.

The clock stands at Friday 14 Mar 2025: this week started on Monday 10 Mar, this month on 1 Mar.
"""

import html
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from projects.forms import DataPointForm
from projects.imports import ImportRow, read_text
from projects.models import DataPoint, Measure
from projects.services import (
    ReplacementUnconfirmed,
    data_point_record,
    data_points_import,
    measure_create,
    measure_update,
)
from tests.factories import DataPointFactory, MeasureFactory, UserFactory, london
from tests.page_queries import page_queries

NOW = london(date(2025, 3, 14), time(15, 30))
# One GET of a measure's page by a writer, and one quick-entry post answered with the confirm page:
# the same whatever the amount of data.
QUERIES_MEASURE_PAGE = 9
QUERIES_CONFIRM_PAGE = 9

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def _add_url(measure: Measure) -> str:
    return f"/projects/{measure.project_id}/measures/{measure.pk}/data/add/"


def _import_url(measure: Measure) -> str:
    return f"/projects/{measure.project_id}/measures/{measure.pk}/data/import/"


def _record(measure: Measure, period: date, **numbers) -> DataPoint:
    return data_point_record(measure=measure, period=period, recorded_by=UserFactory(), **numbers)


def _refusal(measure: Measure, period: date, **numbers) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        _record(measure, period, **numbers)
    return refused.value.message_dict


# --- Periods: the measure's frequency decides what fits and what is the future --------------------


@pytest.mark.parametrize(
    ("frequency", "period", "message"),
    [
        (
            "weekly",
            date(2025, 3, 12),
            "A weekly measure's periods start on a Monday: 12 Mar 2025 is a Wednesday, in the week from "
            "10 Mar 2025.",
        ),
        (
            "weekly",
            date(2025, 3, 9),
            "A weekly measure's periods start on a Monday: 9 Mar 2025 is a Sunday, in the week from "
            "3 Mar 2025.",
        ),
        (
            "monthly",
            date(2025, 2, 15),
            "A monthly measure's periods start on the 1st: 15 Feb 2025 is in the month from 1 Feb 2025.",
        ),
    ],
)
def test_a_period_that_does_not_start_the_measures_week_or_month_is_refused(frequency, period, message):
    measure = MeasureFactory(frequency=frequency)

    assert _refusal(measure, period, value=Decimal("4")) == {"period": [message]}
    assert not DataPoint.objects.exists()


def test_two_values_in_one_week_of_a_weekly_measure_are_impossible():
    measure = MeasureFactory(frequency=Measure.Frequency.WEEKLY)
    _record(measure, date(2025, 3, 3), value=Decimal("4"))

    refusal = _refusal(measure, date(2025, 3, 5), value=Decimal("5"))

    assert refusal == {
        "period": [
            "A weekly measure's periods start on a Monday: 5 Mar 2025 is a Wednesday, in the week from "
            "3 Mar 2025."
        ]
    }
    assert list(measure.data_points.values_list("period", "value")) == [(date(2025, 3, 3), Decimal("4"))]


@pytest.mark.parametrize(
    ("frequency", "current", "following"),
    [
        ("daily", date(2025, 3, 14), date(2025, 3, 15)),
        ("weekly", date(2025, 3, 10), date(2025, 3, 17)),
        ("monthly", date(2025, 3, 1), date(2025, 4, 1)),
    ],
)
def test_the_current_period_may_be_recorded_and_the_next_may_not(frequency, current, following):
    measure = MeasureFactory(frequency=frequency)

    _record(measure, current, value=Decimal("4"))
    refusal = _refusal(measure, following, value=Decimal("5"))

    assert list(measure.data_points.values_list("period", flat=True)) == [current]
    assert list(refusal) == ["period"]


def test_a_monthly_value_six_months_ahead_is_refused_by_quick_entry_and_import(lead_client):
    measure = MeasureFactory(name="Physical health checks", frequency=Measure.Frequency.MONTHLY)

    response = lead_client.post(
        _add_url(measure), {"period": "2025-09-01", "value": "70", "return_to": "measure"}, follow=True
    )
    preview = read_text(measure, "period,value\nSep 2025,70\n")

    refusal = (
        "The month from 1 Sep 2025 has not started yet (today is 14 Mar 2025): record this month (from "
        "1 Mar 2025) or an earlier one."
    )
    assert f"Physical health checks: Period starting: {refusal}" in response.content.decode()
    assert [str(error) for error in preview.errors] == [f"Row 2: t{refusal[1:-1]}."]
    assert not measure.data_points.exists()


# --- Valid ranges -------------------------------------------------------------------------------


def test_a_negative_waiting_time_is_refused_with_the_range_named(lead_client):
    measure = MeasureFactory(name="Days to first appointment", unit="days")  # lowest value 0 by default

    response = lead_client.post(
        _add_url(measure), {"period": "2025-03-10", "value": "-3", "return_to": "measure"}, follow=True
    )

    assert (
        "Days to first appointment: Value (days): The value must be 0 or more (the measure's valid range); "
        "-3 is not." in html.unescape(response.content.decode())
    )
    assert not measure.data_points.exists()


def test_a_value_beyond_the_highest_value_is_refused_by_the_service():
    measure = MeasureFactory(lowest_value=Decimal(0), highest_value=Decimal(7))

    assert _refusal(measure, date(2025, 3, 10), value=Decimal("7.5")) == {
        "value": ["The value must be from 0 to 7 (the measure's valid range); 7.5 is not."]
    }


def test_a_measure_that_says_values_can_be_negative_takes_them():
    measure = MeasureFactory(name="Change in weight from baseline", lowest_value=None)

    point = _record(measure, date(2025, 3, 10), value=Decimal("-2.5"))

    assert point.value == Decimal("-2.5")


def test_a_proportion_must_lie_in_its_measures_range_too():
    measure = MeasureFactory(
        value_type=Measure.ValueType.PROPORTION, lowest_value=Decimal("0.5"), highest_value=None
    )

    assert _refusal(measure, date(2025, 3, 10), numerator=3, denominator=7) == {
        "numerator": ["The proportion must be 0.5 or more (the measure's valid range); 3/7 is 0.4286."]
    }


@pytest.mark.parametrize(
    ("posted", "errors"),
    [
        ({"value": "-1"}, {"value": ["The value must be 0 or more (the measure's valid range); -1 is not."]}),
        (
            {"numerator": "41", "denominator": "40"},
            {"numerator": ["The numerator (41) cannot be larger than the denominator (40)."]},
        ),
    ],
    ids=["negative value", "numerator above denominator"],
)
def test_the_quick_entry_form_names_the_field_and_the_rule(posted, errors):
    proportion = "numerator" in posted
    measure = MeasureFactory(value_type="proportion" if proportion else "value")

    form = DataPointForm({"period": "2025-03-10", **posted}, measure=measure)

    assert form.errors == errors


def test_the_measure_form_explains_the_valid_range_and_the_frequency(lead_client):
    measure = MeasureFactory()

    page = lead_client.get(f"/projects/{measure.project_id}/measures/new/").content.decode()

    assert "Values below it are refused. 0 suits counts, times, rates and proportions" in page
    assert "Values above it are refused" in page
    assert "a week starting on a Monday, or a month starting on the 1st: one value a period." in page
    assert 'name="lowest_value" value="0"' in page


MEASURE_POST = {
    "name": "Waiting days",
    "kind": "outcome",
    "operational_definition": "Days from referral to first appointment.",
    "unit": "days",
    "lowest_value": "0",
    "highest_value": "",
    "better_direction": "down",
    "target": "",
    "frequency": "weekly",
    "value_type": "value",
    "chart": "run",
    "run_rules": "anhoej",
}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"lowest_value": "10", "highest_value": "5"},
            {"highest_value": ["The highest value (5) cannot be below the lowest value (10)."]},
        ),
        (
            {"value_type": "proportion", "highest_value": "90"},
            {"highest_value": ["A proportion's highest value is a fraction from 0 to 1 (0.9 for 90%)."]},
        ),
        (
            {"target": "-5"},
            {"target": ["The target (-5) must be in the measure's valid range: 0 or more."]},
        ),
    ],
    ids=["range upside down", "proportion range in percent", "target outside the range"],
)
def test_the_measure_form_refuses_a_range_that_cannot_hold(lead_client, changes, errors):
    project = MeasureFactory().project

    response = lead_client.post(f"/projects/{project.pk}/measures/new/", {**MEASURE_POST, **changes})

    assert response.context["form"].errors == errors
    assert not Measure.objects.filter(name="Waiting days").exists()


def test_a_new_measure_keeps_its_valid_range(lead_client):
    project = MeasureFactory().project

    lead_client.post(f"/projects/{project.pk}/measures/new/", {**MEASURE_POST, "highest_value": "365"})

    measure = Measure.objects.get(name="Waiting days")
    assert (measure.lowest_value, measure.highest_value) == (Decimal(0), Decimal(365))


def test_measure_create_starts_every_measure_at_a_lowest_value_of_0():
    measure = measure_create(
        project=MeasureFactory().project,
        name="Falls",
        kind="outcome",
        operational_definition="Falls on Datix.",
    )

    assert (measure.lowest_value, measure.highest_value) == (Decimal(0), None)


def test_a_range_that_would_leave_recorded_values_outside_is_refused():
    measure = MeasureFactory(lowest_value=None)
    for period, value in [(date(2025, 3, 3), "-2"), (date(2025, 3, 10), "4")]:
        DataPointFactory(measure=measure, period=period, value=Decimal(value))

    with pytest.raises(ValidationError) as refused:
        measure_update(measure=measure, lowest_value=Decimal(0))

    assert refused.value.message_dict == {
        "lowest_value": [
            "1 of the measure's data points is outside 0 or more (3 Mar 2025): correct or remove them "
            "first, or choose a range that holds them."
        ]
    }
    measure.refresh_from_db()
    assert measure.lowest_value is None


def test_a_weekly_measure_cannot_become_monthly_while_its_data_are_on_mondays():
    measure = MeasureFactory(frequency=Measure.Frequency.WEEKLY)
    for period in [
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]:
        DataPointFactory(measure=measure, period=period)

    with pytest.raises(ValidationError) as refused:
        measure_update(measure=measure, frequency=Measure.Frequency.MONTHLY)

    assert refused.value.message_dict == {
        "frequency": [
            "5 of the measure's data points are not on the 1st of a month (3 Mar 2025, 10 Mar 2025, "
            "17 Mar 2025 and 2 more), so it cannot become monthly."
        ]
    }


def test_the_database_refuses_a_range_upside_down_or_a_proportion_range_in_percent():
    with pytest.raises(IntegrityError, match="measure_valid_range_in_order"), transaction.atomic():
        MeasureFactory(lowest_value=Decimal(10), highest_value=Decimal(5))
    with pytest.raises(IntegrityError, match="measure_proportion_range_is_a_fraction"), transaction.atomic():
        MeasureFactory(value_type=Measure.ValueType.PROPORTION, highest_value=Decimal(90))


# --- Replacing a value: confirm "replaces 33 with 30", kept in the history ----------------------


def test_data_point_record_will_not_replace_a_value_it_was_not_told_about():
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("33"))

    with pytest.raises(ReplacementUnconfirmed) as refused:
        _record(point.measure, date(2025, 3, 3), value=Decimal("30"))

    assert refused.value.messages == ["3 Mar 2025 already has 33: confirm to replace 33 with 30."]
    assert (refused.value.point, refused.value.replacement) == (point, "30")
    point.refresh_from_db()
    assert point.value == Decimal("33")


def test_a_replacement_is_kept_in_the_history_with_who_and_why():
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("33"))
    corrector = UserFactory()

    replaced = data_point_record(
        measure=point.measure,
        period=date(2025, 3, 3),
        value=Decimal("30"),
        recorded_by=corrector,
        replaces="33",
    )

    assert replaced.replaced == "33"
    latest, first = DataPoint.history.filter(id=point.pk).order_by("-history_id")[:2]
    assert (first.value, latest.value) == (Decimal("33"), Decimal("30"))
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        corrector,
        "Replaced 33 with 30",
    )


def test_quick_entry_over_a_recorded_period_asks_first_and_stores_nothing(lead_client):
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("33"))

    response = lead_client.post(_add_url(point.measure), {"period": "2025-03-03", "value": "30"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Replace the value for 3 Mar 2025?</h1>" in page
    assert f"3 Mar 2025 already has a value for {point.measure}: 33." in page
    assert "Confirming replaces 33 with 30" in page
    assert '<input type="hidden" name="replaces" value="33">' in page
    assert ">Replace 33 with 30</button>" in page
    point.refresh_from_db()
    assert point.value == Decimal("33")


def test_quick_entry_replaces_the_value_once_confirmed_and_says_so(lead_client):
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("33"))

    response = lead_client.post(
        _add_url(point.measure),
        {"period": "2025-03-03", "value": "30", "note": "", "replaces": "33", "return_to": "measure"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{point.measure.get_absolute_url()}#data-entry"
    page = lead_client.get(response["Location"]).content.decode()
    assert (
        f"Replaced 33 with 30 for {point.measure} (3 Mar 2025); its history keeps the earlier value." in page
    )
    point.refresh_from_db()
    assert point.value == Decimal("30")


def test_a_value_that_changed_while_the_person_decided_is_not_replaced_unseen(lead_client):
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("35"))

    response = lead_client.post(
        _add_url(point.measure), {"period": "2025-03-03", "value": "30", "replaces": "33"}
    )

    page = response.content.decode()
    assert "The value for 3 Mar 2025 changed while you were deciding: it is now 35, not 33." in page
    assert ">Replace 35 with 30</button>" in page
    point.refresh_from_db()
    assert point.value == Decimal("35")


def test_htmx_quick_entry_swaps_in_the_confirm_box_then_reloads_the_page(lead_client):
    point = DataPointFactory(period=date(2025, 3, 3), value=Decimal("33"))
    htmx = {"HX-Request": "true"}

    asked = lead_client.post(_add_url(point.measure), {"period": "2025-03-03", "value": "30"}, headers=htmx)
    confirmed = lead_client.post(
        _add_url(point.measure), {"period": "2025-03-03", "value": "30", "replaces": "33"}, headers=htmx
    )

    box = asked.content.decode()
    assert asked.status_code == 200
    assert box.strip().startswith(f'<div id="data-entry-{point.measure.pk}">')
    assert "<html" not in box
    assert ">Replace 33 with 30</button>" in box
    assert (confirmed.status_code, confirmed["HX-Refresh"]) == (200, "true")
    point.refresh_from_db()
    assert point.value == Decimal("30")


def test_htmx_quick_entry_shows_its_errors_beside_the_fields(lead_client):
    measure = MeasureFactory(unit="days")

    response = lead_client.post(
        _add_url(measure), {"period": "2025-03-12", "value": "-3"}, headers={"HX-Request": "true"}
    )

    form = response.context["form"]
    page = response.content.decode()
    assert response.status_code == 200
    assert list(form.errors) == ["period", "value"]
    assert f'<div class="small text-danger" id="m{measure.pk}-period_error">' in page
    assert f'aria-describedby="m{measure.pk}-period_helptext m{measure.pk}-period_error"' in page
    assert 'aria-invalid="true"' in page
    assert not measure.data_points.exists()


# --- Quick entry on the measure's page -----------------------------------------------------------


def test_the_measure_page_offers_quick_entry_of_the_next_period_to_writers_only(
    client, team_member, sponsor, project_a
):
    measure = MeasureFactory(project=project_a)
    DataPointFactory(measure=measure, period=date(2025, 3, 3))
    url = measure.get_absolute_url()

    client.force_login(team_member)
    writer = client.get(url)
    client.force_login(sponsor)
    reader = client.get(url)

    assert writer.context["entry_form"].initial == {"period": date(2025, 3, 10)}
    assert '<h2 id="data-entry-heading" class="h4">Add a value</h2>' in writer.content.decode()
    assert '<input type="hidden" name="return_to" value="measure">' in writer.content.decode()
    assert "entry_form" not in reader.context
    assert "data-entry-heading" not in reader.content.decode()


def test_the_measure_page_lists_earlier_points_that_do_not_fit_the_frequency(lead_client):
    measure = MeasureFactory(frequency=Measure.Frequency.WEEKLY)
    DataPointFactory(measure=measure, period=date(2025, 3, 3))
    DataPointFactory(measure=measure, period=date(2025, 3, 5))  # stored before the rule

    page = lead_client.get(measure.get_absolute_url()).content.decode()

    assert "1 data point does not start a week (a Monday): 5 Mar 2025." in page


def _grow_to(measure: Measure, size: int) -> None:
    """Weekly points from Monday 1 Jan 2024 until the measure has `size` of them."""
    for week in range(measure.data_points.count(), size):
        DataPointFactory(measure=measure, period=date(2024, 1, 1) + timedelta(weeks=week))


def test_the_measure_page_queries_stay_at_a_fixed_number_for_a_writer(client, team_member, project_a):
    measure = MeasureFactory(project=project_a)
    client.force_login(team_member)
    counts = []
    for size in (5, 40):
        _grow_to(measure, size)
        counts.append(page_queries(client, measure.get_absolute_url()))

    assert counts == [QUERIES_MEASURE_PAGE, QUERIES_MEASURE_PAGE]


def test_the_replace_confirm_page_queries_stay_at_a_fixed_number(lead_client):
    measure = MeasureFactory()
    counts = []
    for size in (3, 30):
        _grow_to(measure, size)
        with CaptureQueriesContext(connection) as captured:
            response = lead_client.post(_add_url(measure), {"period": "2024-01-01", "value": "30"})
        assert response.status_code == 200
        counts.append(len(captured))

    assert counts == [QUERIES_CONFIRM_PAGE, QUERIES_CONFIRM_PAGE]


# --- Imports: every rule, every bad row named, all or nothing ------------------------------------


def test_read_text_names_each_row_that_breaks_a_rule():
    measure = MeasureFactory(highest_value=Decimal(100))
    text = (
        "period,value\n"
        "2025-03-03,12\n"  # fine
        "2025-03-05,13\n"  # a Wednesday
        "2025-03-17,14\n"  # next week
        "2025-02-24,-1\n"  # below the range
        "2025-02-17,101\n"  # above it
    )

    result = read_text(measure, text)

    assert [r.line for r in result.rows] == [2]
    assert [str(e) for e in result.errors] == [
        "Row 3: a weekly measure's periods start on a Monday: 5 Mar 2025 is a Wednesday, in the week from "
        "3 Mar 2025.",
        "Row 4: the week from 17 Mar 2025 has not started yet (today is 14 Mar 2025): record this week "
        "(from 10 Mar 2025) or an earlier one.",
        "Row 5: the value must be from 0 to 100 (the measure's valid range); -1 is not.",
        "Row 6: the value must be from 0 to 100 (the measure's valid range); 101 is not.",
    ]


def test_data_points_import_applies_every_rule_and_stores_nothing_when_one_row_breaks_one():
    measure = MeasureFactory(value_type=Measure.ValueType.PROPORTION, frequency=Measure.Frequency.MONTHLY)
    rows = [
        ImportRow(line=2, period=date(2025, 1, 1), numerator=3, denominator=4),
        ImportRow(line=3, period=date(2025, 2, 15), numerator=3, denominator=4),
        ImportRow(line=4, period=date(2025, 3, 1), numerator=5, denominator=4),
    ]

    with pytest.raises(ValidationError) as refused:
        data_points_import(measure=measure, rows=rows, recorded_by=UserFactory())

    assert refused.value.messages == [
        "Row 3: A monthly measure's periods start on the 1st: 15 Feb 2025 is in the month from 1 Feb 2025.",
        "Row 4: The numerator (5) cannot be larger than the denominator (4).",
    ]
    assert not measure.data_points.exists()


def test_data_points_import_replaces_only_the_values_its_preview_showed():
    measure = MeasureFactory()
    DataPointFactory(measure=measure, period=date(2025, 3, 3), value=Decimal("35"))  # was 33 at preview
    DataPointFactory(measure=measure, period=date(2025, 3, 10), value=Decimal("8"))  # recorded since
    rows = [
        ImportRow(line=2, period=date(2025, 3, 3), value=Decimal("30")),
        ImportRow(line=3, period=date(2025, 3, 10), value=Decimal("9")),
    ]

    with pytest.raises(ValidationError) as refused:
        data_points_import(
            measure=measure, rows=rows, recorded_by=UserFactory(), replaces={date(2025, 3, 3): "33"}
        )

    assert refused.value.messages == [
        "Row 2: 3 Mar 2025 holds 35 (it held 33 when you previewed the import); preview the import again "
        "to see what it replaces.",
        "Row 3: 10 Mar 2025 holds 8; preview the import again to see what it replaces.",
    ]
    assert sorted(measure.data_points.values_list("value", flat=True)) == [Decimal("8"), Decimal("35")]


def test_the_import_preview_says_what_each_row_replaces_and_the_confirmation_keeps_it(lead_client):
    measure = MeasureFactory()
    point = DataPointFactory(measure=measure, period=date(2025, 3, 3), value=Decimal("33"))

    preview = lead_client.post(
        _import_url(measure), {"text": "period,value\n2025-03-03,30\n2025-03-10,31\n", "preview": "1"}
    )
    confirmed = lead_client.post(
        _import_url(measure), {"rows": preview.context["signed_rows"], "confirm": "1"}, follow=True
    )

    assert "Replaces 33 with 30</span>" in preview.content.decode()
    assert (
        f"Imported 2 periods into {measure}: 1 new, 1 replaced (the history keeps the earlier values)."
        in confirmed.content.decode()
    )
    latest = DataPoint.history.filter(id=point.pk).latest()
    assert (latest.value, latest.history_change_reason) == (Decimal("30"), "Replaced 33 with 30 by an import")


def test_an_import_confirmed_after_the_value_changed_stores_nothing_and_says_why(lead_client):
    measure = MeasureFactory()
    point = DataPointFactory(measure=measure, period=date(2025, 3, 3), value=Decimal("33"))
    preview = lead_client.post(
        _import_url(measure), {"text": "period,value\n2025-03-03,30\n2025-03-10,31\n", "preview": "1"}
    )
    DataPoint.objects.filter(pk=point.pk).update(value=Decimal("35"))

    response = lead_client.post(
        _import_url(measure), {"rows": preview.context["signed_rows"], "confirm": "1"}, follow=True
    )

    assert (
        "Row 2: 3 Mar 2025 holds 35 (it held 33 when you previewed the import); preview the import again "
        "to see what it replaces." in response.content.decode()
    )
    assert list(measure.data_points.values_list("value", flat=True)) == [Decimal("35")]
