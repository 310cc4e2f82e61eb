"""The page's reading of an analysed chart: warnings, description, icons, highlights and the data table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.safestring import mark_safe

from coachprog import charts as svg
from projects import analysis
from projects.charts.results import CHART_WIDE, CONCERN, IMPROVEMENT, NEITHER, Icon, SignalReading, TableRow
from projects.charts.words import _format, _points_text, date_range_text, date_text
from projects.models import Measure

# Below these, the interface warns: run-chart rules have little power, SPC limits are trial limits.
MIN_USEFUL_OBSERVATIONS = analysis.IHI_MIN_USEFUL
TRIAL_LIMITS_BELOW = analysis.TRIAL_LIMITS_BELOW

ROW_KIND_LABELS = {IMPROVEMENT: "Improvement", CONCERN: "Concern", NEITHER: "Special cause"}
RULE_LABELS = {
    "shift": "shift",
    "trend": "trend",
    "outside_limits": "outside the limits",
    "two_of_three": "2 of 3 beyond 2-sigma",
    "too_few_runs": "too few runs",
    "too_many_runs": "too many runs",
    "long_run": "long run",
    "few_crossings": "few crossings",
}
VARIATION_LABELS = {
    analysis.Variation.COMMON_CAUSE: "Common cause variation",
    analysis.Variation.IMPROVEMENT: "Special cause improvement",
    analysis.Variation.CONCERN: "Special cause concern",
    analysis.Variation.HIGH: "Special cause variation, high",
    analysis.Variation.LOW: "Special cause variation, low",
}
ASSURANCE_LABELS = {
    analysis.Assurance.ALWAYS_MET: "Target consistently met",
    analysis.Assurance.HIT_AND_MISS: "Target sometimes met",
    analysis.Assurance.NEVER_MET: "Target never met",
}


def _quality_warnings(result: analysis.ChartResult, periods: list[date], monthly: bool) -> list[str]:
    warnings = []
    several = len(result.phases) > 1
    for phase in result.phases:
        where = (
            f" in the phase {date_range_text(periods[phase.start], periods[phase.stop - 1], monthly)}"
            if several
            else ""
        )
        if result.chart == "run":
            useful = phase.run_stats.useful_observations
            if useful < MIN_USEFUL_OBSERVATIONS:
                warnings.append(
                    f"Only {_points_text(useful).replace('point', 'useful observation')}{where} "
                    f"(points not on the median): with fewer than {MIN_USEFUL_OBSERVATIONS} the run-chart "
                    "rules have little power to find a signal."
                )
        elif phase.baseline < 2:
            warnings.append(f"No limits{where}: limits need at least 2 points.")
        elif phase.trial_limits:
            warnings.append(
                f"Trial limits{where}: they come from only {phase.baseline} points and will move as data "
                f"arrive; freeze the baseline once {TRIAL_LIMITS_BELOW} or more stable points give the "
                "limits."
            )
    return warnings


def _highlights(readings: list[SignalReading]) -> dict[int, str]:
    """Each point in a directional signal, coloured by kind; concern wins, as in the variation icon."""
    highlights: dict[int, str] = {}
    for reading in readings:
        if reading.kind == CHART_WIDE:
            positions, kind = reading.points, reading.points_kind
        else:
            positions, kind = reading.signal.points, reading.kind
        for position in positions:
            if highlights.get(position) != CONCERN:
                highlights[position] = kind
    return highlights


def _description(
    chart_name: str,
    measure: Measure,
    result: analysis.ChartResult,
    periods: list[date],
    baseline: int | None,
    readings: list[SignalReading],
    target_text: str,
    monthly: bool,
) -> str:
    percent = measure.value_type == Measure.ValueType.PROPORTION
    frequency = measure.get_frequency_display().lower()
    parts = [
        f"{chart_name[0].upper()}{chart_name[1:]} of {_points_text(result.n)} ({frequency}) "
        f"{date_range_text(periods[0], periods[-1], monthly)}."
    ]
    centre = "Median" if result.chart == "run" else "Mean"
    for number, phase in enumerate(result.phases):
        if len(result.phases) > 1:
            start = (
                "Before the first recalculation" if number == 0 else f"From {date_text(periods[phase.start])}"
            )
            figure = f"{start}, {centre.lower()} {_format(phase.centre, percent)}"
        else:
            figure = f"{centre} {_format(phase.centre, percent)}"
        if number == 0 and baseline is not None:
            figure += f", frozen on the first {baseline} points"
        if result.chart == "xmr" and phase.lower_limit is not None:
            limits = f"{_format(phase.lower_limit, False)} to {_format(phase.upper_limit, False)}"
            figure += f", process limits {limits}"
        parts.append(figure + ".")
    if target_text:
        parts.append(f"Target {target_text}.")
    if readings:
        parts.append(" ".join(reading.text for reading in readings))
    else:
        parts.append("No signals.")
    return " ".join(parts)


def _variation(result: analysis.ChartResult, better: str | None, readings: list[SignalReading]) -> Icon:
    """The variation icon for the most recent point."""
    value = analysis.variation(result, better)
    last_phase = result.phases[-1]
    chart_wide = [r for r in readings if r.kind == CHART_WIDE and r.signal.points[0] == last_phase.start]
    if value == analysis.Variation.COMMON_CAUSE and chart_wide:
        # The Anhøj and runs rules have no direction: the variation is not random, on no particular side.
        text = "The runs in the latest phase are unlikely to be random: see the signals below."
        return Icon(None, "Non-random variation", text, mark_safe(svg.variation_icon("non_random")))
    high = None
    if value == analysis.Variation.COMMON_CAUSE:
        text = "The most recent point is not part of a signal."
    elif value in (analysis.Variation.HIGH, analysis.Variation.LOW):
        text = "The most recent point is part of a signal; this measure has no better direction."
    else:
        side = "better" if value == analysis.Variation.IMPROVEMENT else "worse"
        text = f"The most recent point is part of a signal on the {side} side."
        high = (value == analysis.Variation.IMPROVEMENT) == (better == "up")
    return Icon(value, VARIATION_LABELS[value], text, mark_safe(svg.variation_icon(value, high=high)))


def _assurance(
    result, target: Decimal | None, target_text: str, better: str | None
) -> tuple[Icon | None, str]:
    """The assurance icon, or None and why not (empty when the measure has no target)."""
    if target is None:
        return None, ""
    if better is None:
        return None, "This measure has no better direction, so the chart cannot judge the target."
    if result.chart == "run":
        return None, "A run chart has no limits, so it cannot say whether the target will be met."
    value = analysis.assurance(result, target, better)
    if value is None:
        return None, "There are no limits yet, so the chart cannot judge the target."
    texts = {
        analysis.Assurance.ALWAYS_MET: "lies beyond the worse limit: the process will meet it every time "
        "unless something changes.",
        analysis.Assurance.HIT_AND_MISS: "lies between the limits: the process will sometimes meet it "
        "and sometimes not.",
        analysis.Assurance.NEVER_MET: "lies beyond the better limit: the process will not meet it "
        "without a change.",
    }
    text = f"The target of {target_text} {texts[value]}"
    return Icon(value, ASSURANCE_LABELS[value], text, mark_safe(svg.assurance_icon(value))), ""


def _rows(points, labels, result, readings, highlights, percent: bool) -> list[TableRow]:
    """The data table: each point with its centre line, limits and the signals it is part of, by kind."""
    rules: dict[int, dict[str, list[str]]] = {}
    for reading in readings:
        if reading.kind == CHART_WIDE:
            continue
        for position in reading.signal.points:
            words = rules.setdefault(position, {}).setdefault(reading.kind, [])
            if RULE_LABELS[reading.signal.rule] not in words:
                words.append(RULE_LABELS[reading.signal.rule])
    rows = []
    for i, point in enumerate(points):
        value = point.display_value
        if percent:
            value = f"{value} ({_format(result.values[i], True)})"
        kinds = rules.get(i, {})
        signal = "; ".join(f"{ROW_KIND_LABELS[kind]}: {', '.join(words)}" for kind, words in kinds.items())
        centre, lower, upper = (
            _format(s[i], percent) for s in (result.centre, result.lower_limit, result.upper_limit)
        )
        kind = highlights.get(i, "")
        rows.append(
            TableRow(point.period, labels[i], value, centre, lower, upper, kind, signal, point.note, point.pk)
        )
    return rows
