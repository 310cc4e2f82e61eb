"""A measure's chart: the rules it applies, its sentences, icons, warnings and data table."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest

from projects.analysis import Assurance, Variation
from projects.charts import date_range_text, date_text, measure_chart
from projects.models import ChartNote, Measure, MeasurePhase
from projects.periods import next_period
from projects.services import chart_note_add, measure_baseline_freeze, measure_phase_add
from tests.factories import DataPointFactory, MeasureFactory, PDSACycleFactory, UserFactory, first_of_month

pytestmark = pytest.mark.django_db

START = date(2025, 3, 3)  # a Monday
# Six points above the median, then six below: an IHI shift each way and too few runs.
SHIFTS = [10, 11, 12, 10, 11, 12, 5, 5, 5, 5, 5, 5]
# qicharts2's `cdi` data (runcharts.md, worked examples): monthly C. difficile infections.
CDI = [
    17,
    12,
    27,
    20,
    20,
    18,
    22,
    19,
    19,
    24,
    17,
    16,
    24,
    19,
    19,
    22,
    25,
    19,
    17,
    6,
    25,
    17,
    11,
    14,
    9,
    11,
    7,
]
CDI += [13, 5, 5, 3, 5, 9, 4, 5, 9]


def _week(n: int) -> date:
    return START + timedelta(weeks=n)


def _measure(values=(), *, proportions=(), monthly: bool = False, **fields) -> Measure:
    """A measure with weekly points from 3 Mar 2025 (monthly from Jan 2025), values or (num, den) pairs."""
    if monthly:
        fields["frequency"] = Measure.Frequency.MONTHLY
    if proportions:
        fields.setdefault("value_type", Measure.ValueType.PROPORTION)
    measure = MeasureFactory(**fields)
    period = first_of_month if monthly else _week
    for n, value in enumerate(values):
        DataPointFactory(measure=measure, period=period(n), value=Decimal(str(value)))
    for n, (numerator, denominator) in enumerate(proportions):
        DataPointFactory(
            measure=measure, period=period(n), value=None, numerator=numerator, denominator=denominator
        )
    return measure


def _cycle(
    measure: Measure, starts_on: date | None, *, number: int = 2, title: str = "new discharge checklist"
):
    cycle = PDSACycleFactory(project=measure.project, number=number, title=title, starts_on=starts_on)
    cycle.measures.add(measure)
    return cycle


def _texts(chart) -> list[str]:
    return [reading.text for reading in chart.readings]


# --- Sentences ---------------------------------------------------------------------------


def test_measure_chart_describes_each_signal_in_a_sentence():
    measure = _measure(SHIFTS, run_rules=Measure.RunRules.IHI, better_direction=Measure.Direction.DOWN)
    _cycle(measure, date(2025, 3, 31))

    chart = measure_chart(measure)

    assert _texts(chart) == [
        "6 points in a row above the median from 3 Mar to 7 Apr 2025.",
        "6 points in a row below the median from 14 Apr to 19 May 2025, "
        "starting two weeks after PDSA 2 ‘new discharge checklist’.",
        "Too few runs: 2 runs in 12 useful observations (fewer than 3 is unlikely by chance).",
    ]
    assert chart.rule_set == "IHI run-chart rules"


@pytest.mark.parametrize(
    ("better", "kinds", "variation"),
    [
        (Measure.Direction.DOWN, ["concern", "improvement", "chart"], Variation.IMPROVEMENT),
        (Measure.Direction.UP, ["improvement", "concern", "chart"], Variation.CONCERN),
        (Measure.Direction.NEITHER, ["neither", "neither", "chart"], Variation.LOW),
    ],
)
def test_measure_chart_judges_signals_by_the_better_direction(better, kinds, variation):
    measure = _measure(SHIFTS, run_rules=Measure.RunRules.IHI, better_direction=better)

    chart = measure_chart(measure)

    assert [reading.kind for reading in chart.readings] == kinds
    assert chart.variation.value == variation


def test_measure_chart_judges_a_trend_by_its_direction_not_its_side():
    # Falling from above the mean to below it: the trend is an improvement when lower is better,
    # although it starts above the mean, next to a point above the upper limit (a concern).
    measure = _measure(
        [20, 19, 18, 17, 16, 15, 14], chart=Measure.Chart.SPC, better_direction=Measure.Direction.DOWN
    )

    chart = measure_chart(measure)

    assert [(reading.kind, reading.text) for reading in chart.readings] == [
        ("concern", "A point above the upper limit on 3 Mar 2025 (20)."),
        ("concern", "2 of 3 points beyond the upper 2-sigma line from 3 Mar to 10 Mar 2025."),
        ("improvement", "7 points in a row going down from 3 Mar to 14 Apr 2025."),
        ("improvement", "2 of 3 points beyond the lower 2-sigma line from 7 Apr to 14 Apr 2025."),
        ("improvement", "A point below the lower limit on 14 Apr 2025 (14)."),
    ]
    assert chart.variation.value == Variation.IMPROVEMENT
    assert [(row.kind, row.signal) for row in chart.rows[:3]] == [
        ("concern", "Concern: outside the limits, 2 of 3 beyond 2-sigma; Improvement: trend"),
        ("concern", "Concern: 2 of 3 beyond 2-sigma; Improvement: trend"),
        ("improvement", "Improvement: trend"),
    ]


def test_measure_chart_describes_the_anhoej_rules_with_where_the_long_run_is():
    measure = _measure(CDI, monthly=True, better_direction=Measure.Direction.DOWN)
    _cycle(measure, date(2026, 10, 20), number=4, title="hand hygiene audit")

    chart = measure_chart(measure)

    assert _texts(chart) == [
        "An unusually long run: 14 points in a row below the median from Nov 2026 to Dec 2027, "
        "starting twelve days after PDSA 4 ‘hand hygiene audit’ (more than 8 is unlikely by chance).",
        "Unusually few crossings: the data cross the median 6 times in 32 useful observations "
        "(fewer than 11 is unlikely by chance).",
    ]
    assert chart.rule_set == "Anhøj rules for run charts"
    # The Anhøj rules have no direction: the variation is not random, on no particular side.
    assert (chart.variation.value, chart.variation.label) == (None, "Non-random variation")
    # The long run is marked where it is: the last 14 months, below the median, which is better here.
    assert {row.kind for row in chart.rows[22:]} == {"improvement"}
    assert {row.kind for row in chart.rows[:22]} == {""}


@pytest.mark.parametrize(
    ("starts_on", "phrase"),
    [
        (date(2025, 3, 31), ", starting two weeks after PDSA 2 ‘new discharge checklist’"),
        (date(2025, 4, 4), ", starting ten days after PDSA 2 ‘new discharge checklist’"),
        (date(2025, 4, 13), ", starting one day after PDSA 2 ‘new discharge checklist’"),
        (date(2025, 4, 14), ", starting in the same week as PDSA 2 ‘new discharge checklist’"),
        (date(2025, 4, 18), ", starting in the same week as PDSA 2 ‘new discharge checklist’"),
        (date(2025, 2, 17), ", starting eight weeks after PDSA 2 ‘new discharge checklist’"),
        (date(2025, 2, 16), ""),  # more than 8 weeks before
        (date(2025, 4, 21), ""),  # after the signal began
        (None, ""),  # not started
    ],
)
def test_measure_chart_says_when_a_signal_follows_a_pdsa_cycle(starts_on, phrase):
    measure = _measure(SHIFTS, run_rules=Measure.RunRules.IHI)
    _cycle(measure, starts_on)

    chart = measure_chart(measure)

    assert _texts(chart)[1] == f"6 points in a row below the median from 14 Apr to 19 May 2025{phrase}."


def test_measure_chart_names_the_latest_cycle_and_ignores_cycles_not_linked_to_the_measure():
    measure = _measure(SHIFTS, run_rules=Measure.RunRules.IHI)
    _cycle(measure, date(2025, 3, 24), number=1, title="first test")
    _cycle(measure, date(2025, 3, 31), number=2, title="second test")
    PDSACycleFactory(
        project=measure.project, number=3, title="another measure's test", starts_on=date(2025, 4, 7)
    )

    chart = measure_chart(measure)

    assert _texts(chart)[1].endswith("starting two weeks after PDSA 2 ‘second test’.")
    assert [entry.marker for entry in chart.legend] == ["P1", "P2"]


def test_measure_chart_says_a_single_point_signal_came_after_a_cycle():
    measure = _measure([10, 12, 10, 12, 20], chart=Measure.Chart.SPC)
    measure_baseline_freeze(measure=measure, points=4, reason="Before the huddle", set_by=UserFactory())
    _cycle(measure, date(2025, 3, 21), number=1, title="huddle")

    chart = measure_chart(measure)

    assert "A point above the upper limit on 31 Mar 2025 (20), ten days after PDSA 1 ‘huddle’." in _texts(
        chart
    )


# --- Baseline, phases, warnings ----------------------------------------------------------------


def test_measure_chart_freezes_the_limits_on_the_baseline_and_warns_of_trial_limits():
    measure = _measure([10, 12, 10, 12, 20], chart=Measure.Chart.SPC, better_direction=Measure.Direction.UP)
    measure_baseline_freeze(measure=measure, points=4, reason="Before the huddle", set_by=UserFactory())

    chart = measure_chart(measure)

    assert chart.rule_set == "NHS Making Data Count rules (XmR chart)"
    assert (chart.result.phases[0].baseline, chart.baseline_used) == (4, 4)
    assert [(r.centre, r.lower_limit, r.upper_limit) for r in chart.rows[-1:]] == [("11", "5.68", "16.32")]
    assert _texts(chart) == ["A point above the upper limit on 31 Mar 2025 (20)."]
    assert chart.warnings == [
        "Trial limits: they come from only 4 points and will move as data arrive; freeze the baseline once "
        "12 or more stable points give the limits."
    ]
    assert chart.description == (
        "XmR chart of 5 points (weekly) from 3 Mar to 31 Mar 2025. Mean 11, frozen on the first 4 points, "
        "process limits 5.68 to 16.32. A point above the upper limit on 31 Mar 2025 (20)."
    )
    assert [(e.marker, e.text) for e in chart.legend] == [
        ("B", "End of the frozen baseline: the first 4 points, to 24 Mar 2025. Before the huddle")
    ]


def test_measure_chart_recalculates_from_each_phase():
    measure = _measure([5, 6, 5, 6, 5, 6, 9, 10, 9, 10], chart=Measure.Chart.SPC)
    lead = UserFactory()
    measure_baseline_freeze(measure=measure, points=4, reason="Stable weeks", set_by=lead)
    measure_phase_add(measure=measure, starts_on=_week(6), reason="Checklist adopted", created_by=lead)

    chart = measure_chart(measure)

    phases = [(p.start, p.stop, p.baseline, p.centre) for p in chart.result.phases]
    assert phases == [(0, 6, 4, 5.5), (6, 10, 4, 9.5)]
    assert [row.position for row in chart.phases] == [6]
    assert [(e.marker, e.kind) for e in chart.legend] == [("B", "baseline"), ("R1", "phase")]
    root = ET.fromstring(chart.svg)
    centre_line = root.findall("{http://www.w3.org/2000/svg}path")[2].get("d")
    assert centre_line.count("M") == 2  # broken at the new phase


def test_measure_chart_leaves_out_a_baseline_longer_than_the_first_phase_and_says_so():
    measure = _measure([5, 6, 5, 6, 5, 6, 9, 10, 9, 10, 9, 10])
    lead = UserFactory()
    measure_baseline_freeze(measure=measure, points=8, reason="Stable weeks", set_by=lead)
    # The services refuse this order of decisions; a phase that predates that rule, or a deleted
    # data point that shifts the count, can still leave the baseline too long, so the chart copes.
    MeasurePhase.objects.create(
        measure=measure, starts_on=_week(6), reason="Checklist adopted", created_by=lead
    )

    chart = measure_chart(measure)

    assert chart.baseline_used is None
    assert chart.result.phases[0].baseline == 6
    assert chart.warnings[0] == (
        "The frozen baseline of 8 points runs past the first recalculation (at point 7), so the first "
        "phase uses all its points: remove that phase or freeze a shorter baseline."
    )
    measure.refresh_from_db()
    assert measure.baseline_points == 8  # never changed by the chart


def test_measure_chart_warns_when_a_run_chart_has_few_useful_observations():
    chart = measure_chart(_measure([1, 2, 3, 4, 5]))

    assert chart.warnings == [
        "Only 4 useful observations (points not on the median): with fewer than 10 the run-chart rules "
        "have little power to find a signal."
    ]
    assert chart.readings == []
    assert chart.variation.value == Variation.COMMON_CAUSE


def test_measure_chart_shows_notes_and_data_point_notes_on_the_time_axis():
    measure = _measure([4, 5, 6])
    DataPointFactory(measure=measure, period=_week(3), value=Decimal("7"), note="Audit week")
    chart_note_add(measure=measure, on=date(2025, 3, 12), text="Two locums", created_by=UserFactory())

    chart = measure_chart(measure)

    assert [(e.marker, e.kind, e.text) for e in chart.legend] == [
        ("N1", "note", "12 Mar 2025: Two locums"),
        ("N2", "note", "24 Mar 2025: Audit week"),
    ]
    assert chart.rows[3].note == "Audit week"


# --- Assurance and proportions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "assurance", "label"),
    [
        ("5", Assurance.ALWAYS_MET, "Target consistently met"),
        ("11", Assurance.HIT_AND_MISS, "Target sometimes met"),
        ("16.32", Assurance.HIT_AND_MISS, "Target sometimes met"),  # exactly on the limit
        ("20", Assurance.NEVER_MET, "Target never met"),
    ],
)
def test_measure_chart_says_whether_the_limits_meet_the_target(target, assurance, label):
    measure = _measure(
        [10, 12, 10, 12, 11],
        chart=Measure.Chart.SPC,
        better_direction=Measure.Direction.UP,
        target=Decimal(target),
    )
    measure_baseline_freeze(measure=measure, points=4, reason="Stable", set_by=UserFactory())

    chart = measure_chart(measure)

    assert (chart.assurance.value, chart.assurance.label) == (assurance, label)


def test_measure_chart_explains_the_target_it_cannot_judge():
    run = measure_chart(_measure([1, 2, 3], target=Decimal("2")))
    neither = measure_chart(
        _measure(
            [1, 2, 3],
            chart=Measure.Chart.SPC,
            target=Decimal("2"),
            better_direction=Measure.Direction.NEITHER,
        )
    )

    assert (run.assurance, run.assurance_missing) == (
        None,
        "A run chart has no limits, so it cannot say whether the target will be met.",
    )
    assert (
        neither.assurance_missing
        == "This measure has no better direction, so the chart cannot judge the target."
    )


def test_measure_chart_draws_a_p_chart_of_proportions_in_percent():
    measure = _measure(
        proportions=[(21, 34), (18, 30), (20, 31), (30, 35)],
        monthly=True,
        chart=Measure.Chart.SPC,
        better_direction=Measure.Direction.UP,
        target=Decimal("0.9"),
    )

    chart = measure_chart(measure)

    assert (chart.kind, chart.rule_set, chart.target_text) == (
        "p",
        "NHS Making Data Count rules (P chart)",
        "90%",
    )
    assert [(row.label, row.value, row.centre) for row in chart.rows[:2]] == [
        ("Jan 2025", "21/34 (61.8%)", "68.5%"),  # p̄ = 89/130
        ("Feb 2025", "18/30 (60.0%)", "68.5%"),
    ]
    # The last point's limits, from its denominator of 35: 68.5% ± 3 × 7.9%, so 90% is within them.
    assert chart.assurance.value == Assurance.HIT_AND_MISS
    assert "Target 90%" in chart.svg


def test_measure_chart_without_data_has_no_chart():
    chart = measure_chart(MeasureFactory())

    assert (chart.result, chart.svg, chart.rows, chart.rule_set) == (
        None,
        "",
        [],
        "Anhøj rules for run charts",
    )


def test_measure_chart_queries_do_not_grow_with_the_data(django_assert_num_queries):
    measure = _measure(list(range(60)), chart=Measure.Chart.SPC)
    lead = UserFactory()
    measure_baseline_freeze(measure=measure, points=20, reason="Stable", set_by=lead)
    measure_phase_add(measure=measure, starts_on=_week(30), reason="New rota", created_by=lead)
    chart_note_add(measure=measure, on=_week(3), text="Audit", created_by=lead)
    for number in (1, 2, 3):
        _cycle(measure, _week(number * 10), number=number)

    with django_assert_num_queries(4):
        measure_chart(measure)


# --- Dates at the edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "periods"),
    [
        ("daily", [date(1900, 1, d) for d in range(1, 6)] + [date(2100, 12, 31)]),
        ("weekly", [date(1900, 1, 1) + timedelta(weeks=n) for n in range(5)] + [date(2100, 12, 27)]),
        ("monthly", [date(1900, m, 1) for m in range(1, 6)] + [date(2100, 12, 1)]),
    ],
)
def test_measure_chart_draws_every_date_the_database_holds(frequency, periods):
    # A trend from the very first point, after a cycle that started that day; notes kept from before
    # notes were bounded, on the calendar's first and last days.
    measure = MeasureFactory(frequency=frequency, run_rules=Measure.RunRules.IHI)
    for period, value in zip(periods, [1, 2, 3, 4, 5, 9], strict=True):
        DataPointFactory(measure=measure, period=period, value=Decimal(value))
    _cycle(measure, date(1900, 1, 1), number=1, title="rota")
    author = UserFactory()
    for day, text in [
        (date(1, 1, 1), "Year one"),
        (date(2100, 12, 31), "Last day"),
        (date(9999, 12, 31), "End"),
    ]:
        ChartNote.objects.create(measure=measure, on=day, text=text, created_by=author)

    chart = measure_chart(measure)

    assert chart.readings[0].text.startswith("6 points in a row going up")
    assert "PDSA 1 ‘rota’" in chart.readings[0].text
    assert [(e.marker, e.text) for e in chart.legend if e.kind == "note"] == [("N2", "31 Dec 2100: Last day")]


@pytest.mark.parametrize(
    ("day", "frequency", "after"),
    [
        (date(2100, 12, 1), "monthly", date(2101, 1, 1)),
        (date(9999, 11, 1), "monthly", date(9999, 12, 1)),
        (date(9999, 12, 1), "monthly", None),
        (date(9999, 12, 24), "weekly", date(9999, 12, 31)),
        (date(9999, 12, 27), "weekly", None),
        (date(9999, 12, 31), "daily", None),
    ],
)
def test_the_period_after_one_at_the_calendars_end_is_none(day, frequency, after):
    assert next_period(day, frequency) == after


# --- Words ----------------------------------------------------------------------------------------


def test_dates_read_as_the_interface_shows_them():
    assert date_text(date(2025, 3, 3)) == "3 Mar 2025"
    assert date_text(date(2025, 3, 1), monthly=True) == "Mar 2025"
    assert date_range_text(date(2025, 3, 3), date(2025, 3, 3)) == "on 3 Mar 2025"
    assert date_range_text(date(2025, 3, 3), date(2025, 4, 7)) == "from 3 Mar to 7 Apr 2025"
    assert date_range_text(date(2024, 11, 4), date(2025, 1, 6)) == "from 4 Nov 2024 to 6 Jan 2025"
    assert date_range_text(date(2025, 3, 1), date(2025, 3, 1), monthly=True) == "in Mar 2025"
    assert date_range_text(date(2025, 3, 1), date(2025, 7, 1), monthly=True) == "from Mar to Jul 2025"
