"""A measure's chart: its data analysed by ``projects.analysis``, drawn by ``coachprog.charts``, in words.

``measure_chart(measure)`` reads the measure's data points, phases, chart notes and
PDSA cycles (four queries, whatever the amount of data), applies the rule set the
measure chose (run chart with its run rules; SPC as an XmR chart for values or a P
chart for proportions) with its frozen baseline and phases, and returns everything the
page shows: the SVG, a sentence for each signal, the variation and assurance icons,
the name of the rule set, warnings and the data table.

PDSA cycles on the chart are the cycles linked to the measure (``PDSACycle.measures``)
that have a start date. We do not fall back to the project's other cycles: a sentence
such as "starting two weeks after PDSA 2" suggests the cycle may explain the signal,
and only the team can say which cycles should move which measure.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from coachprog import charts as svg
from projects import analysis
from projects.models import ChartNote, DataPoint, Measure, MeasurePhase, PDSACycle

__all__ = [
    "PDSA_LOOKBACK",
    "RULE_SET_NAMES",
    "MeasureChart",
    "SignalReading",
    "TableRow",
    "date_range_text",
    "date_text",
    "measure_chart",
    "signal_kind",
]

RULE_SET_NAMES = {
    ("run", "anhoej"): "Anhøj rules for run charts",
    ("run", "ihi"): "IHI run-chart rules",
    ("xmr", "spc"): "NHS Making Data Count rules (XmR chart)",
    ("p", "spc"): "NHS Making Data Count rules (P chart)",
}
CHART_NAMES = {"run": "run chart", "xmr": "XmR chart", "p": "P chart"}
# A signal is said to start "after" a PDSA cycle that began at most this long before it.
PDSA_LOOKBACK = timedelta(weeks=8)
# Below these, the interface warns: run-chart rules have little power, SPC limits are trial limits.
MIN_USEFUL_OBSERVATIONS = analysis.IHI_MIN_USEFUL
TRIAL_LIMITS_BELOW = analysis.TRIAL_LIMITS_BELOW

IMPROVEMENT, CONCERN, NEITHER, CHART_WIDE = svg.IMPROVEMENT, svg.CONCERN, svg.NEITHER, "chart"
KIND_LABELS = {
    IMPROVEMENT: "Special cause improvement",
    CONCERN: "Special cause concern",
    NEITHER: "Special cause variation",
    CHART_WIDE: "Non-random variation",
}
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
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# fmt: off
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
# fmt: on
CHANCE = "is unlikely by chance"
TENS_WORDS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty"}


@dataclass(frozen=True)
class SignalReading:
    """One signal in words: ``kind`` is "improvement", "concern", "neither" or "chart" (chart-wide rules)."""

    signal: analysis.Signal
    kind: str
    text: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class TableRow:
    """One row of the data table, the chart's text alternative; figures already formatted."""

    period: date
    label: str
    value: str
    centre: str
    lower_limit: str
    upper_limit: str
    kind: str  # "", "improvement", "concern" or "neither": the point's highlight on the chart
    signal: str  # the rules the point is part of, in words ("" when none)
    note: str

    @property
    def in_signal(self) -> bool:
        return bool(self.kind)


@dataclass(frozen=True)
class PhaseRow:
    """A recalculation as the page lists it, with the position it starts at (None: not on the chart)."""

    phase: MeasurePhase
    position: int | None


@dataclass(frozen=True)
class Icon:
    """A variation or assurance icon: its value (None when no analysis value fits), words and SVG."""

    value: str | None
    label: str
    text: str
    svg: SafeString


@dataclass(frozen=True)
class MeasureChart:
    """Everything the measure page shows about the chart (``result`` is None without data)."""

    measure: Measure
    kind: str  # "run", "xmr" or "p"
    rule_set: str
    title: str
    points: list[DataPoint]
    phases: list[PhaseRow]
    notes: list[ChartNote]
    cycles: list[PDSACycle]
    warnings: list[str]
    target_text: str
    result: analysis.ChartResult | None = None
    description: str = ""
    svg: SafeString = SafeString("")
    svg_compact: SafeString = SafeString("")
    legend: tuple[svg.LegendEntry, ...] = ()
    readings: list[SignalReading] = field(default_factory=list)
    variation: Icon | None = None
    assurance: Icon | None = None
    # Why there is no assurance icon although the measure has a target ("" otherwise).
    assurance_missing: str = ""
    rows: list[TableRow] = field(default_factory=list)
    baseline_used: int | None = None

    @property
    def percent(self) -> bool:
        return self.measure.value_type == Measure.ValueType.PROPORTION

    @property
    def has_limits(self) -> bool:
        return self.result is not None and any(v is not None for v in self.result.upper_limit)

    @property
    def centre_name(self) -> str:
        return "Median" if self.kind == "run" else "Mean"

    @property
    def chart_name(self) -> str:
        return CHART_NAMES[self.kind]


# --- Words -----------------------------------------------------------------------------


def date_text(day: date, monthly: bool = False) -> str:
    """A date as the interface shows it: "3 Mar 2025", or "Mar 2025" for a monthly period."""
    month = f"{MONTHS[day.month - 1]} {day.year}"
    return month if monthly else f"{day.day} {month}"


def date_range_text(first: date, last: date, monthly: bool = False) -> str:
    """ "on 3 Mar 2025", "from 3 Mar to 7 Apr 2025" or "from 3 Nov 2024 to 5 Jan 2025" ("in Mar 2025")."""
    if first == last:
        return f"{'in' if monthly else 'on'} {date_text(first, monthly)}"
    if first.year == last.year:
        start = MONTHS[first.month - 1] if monthly else f"{first.day} {MONTHS[first.month - 1]}"
    else:
        start = date_text(first, monthly)
    return f"from {start} to {date_text(last, monthly)}"


def _number_words(n: int) -> str:
    if n < 20:
        return NUMBER_WORDS[n]
    tens, units = divmod(n, 10)
    return TENS_WORDS[tens * 10] + (f"-{NUMBER_WORDS[units]}" if units else "")


def _gap_words(days: int) -> str:
    """Whole weeks or days in words: "one week", "two weeks", "ten days"."""
    if days % 7 == 0:
        weeks = days // 7
        return f"{_number_words(weeks)} week{'s' if weeks != 1 else ''}"
    return f"{_number_words(days)} day{'s' if days != 1 else ''}"


def _points_text(count: int) -> str:
    return "1 point" if count == 1 else f"{count} points"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def signal_kind(signal: analysis.Signal, better: str | None) -> str:
    """Improvement when the signal is on the better side (a trend: goes the better way), else concern.

    "neither" for a measure without a better direction, "chart" for the chart-wide run rules.
    """
    if signal.direction is None:
        return CHART_WIDE
    if better is None:
        return NEITHER
    return IMPROVEMENT if signal.direction == better else CONCERN


# --- Reading the data ---------------------------------------------------------------------


def _next_period(day: date, frequency: str) -> date:
    if frequency == Measure.Frequency.MONTHLY:
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=1 if frequency == Measure.Frequency.DAILY else 7)


def _position(day: date, periods: Sequence[date], frequency: str) -> float | None:
    """Where ``day`` falls on the time axis: a point's index, or a fraction between two points.

    Each point stands for the period that starts on its date. None before the first period
    or after the last one ends.
    """
    i = bisect_right(periods, day) - 1
    if i < 0:
        return None
    last = i + 1 == len(periods)
    end = _next_period(periods[i], frequency) if last else periods[i + 1]
    if day >= end:
        return None
    share = (day - periods[i]) / (end - periods[i])
    # Inside the last period, stay within the last point's slot on the chart.
    return i + (min(share, 0.5) if last else share)


def _value(point: DataPoint) -> Decimal:
    return point.value if point.value is not None else Decimal(point.numerator) / Decimal(point.denominator)


def _format(value: float | None, percent: bool) -> str:
    """A centre line, limit or value for people: percentages to 1 place, other figures to at most 2."""
    if value is None:
        return ""
    if percent:
        return svg.format_number(value * 100, 1, "%")
    text = svg.format_number(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Words:
    """Sentences about one analysed series."""

    def __init__(self, measure, result, periods, cycles, monthly):
        self.measure, self.result, self.periods, self.cycles = measure, result, periods, cycles
        self.monthly = monthly
        self.percent = measure.value_type == Measure.ValueType.PROPORTION
        self.line = "median" if result.chart == "run" else "mean"

    def span(self, points: Sequence[int]) -> str:
        return date_range_text(self.periods[points[0]], self.periods[points[-1]], self.monthly)

    def phase_of(self, signal: analysis.Signal) -> analysis.Phase:
        return next(p for p in self.result.phases if p.start <= signal.points[0] < p.stop)

    def phase_words(self, phase: analysis.Phase) -> str:
        if len(self.result.phases) == 1:
            return ""
        return f" in the phase {self.span((phase.start, phase.stop - 1))}"

    def after_pdsa(self, first: int, single: bool) -> str:
        """ ", starting two weeks after PDSA 2 ‘title’" when a linked cycle began shortly before."""
        start = self.periods[first]
        end = _next_period(start, self.measure.frequency)
        candidates = [c for c in self.cycles if start - PDSA_LOOKBACK <= c.starts_on < end]
        if not candidates:
            return ""
        cycle = max(candidates, key=lambda c: (c.starts_on, c.number))
        name = f"PDSA {cycle.number} ‘{cycle.title}’"
        lead = "" if single else "starting "
        if cycle.starts_on >= start:
            unit = {"daily": "day", "weekly": "week", "monthly": "month"}[self.measure.frequency]
            preposition = "on" if unit == "day" else "in"
            return f", {lead}{preposition} the same {unit} as {name}"
        return f", {lead}{_gap_words((start - cycle.starts_on).days)} after {name}"

    def sentence(self, signal: analysis.Signal) -> str:
        points, up = signal.points, signal.direction == "up"
        side, limit = ("above", "upper") if up else ("below", "lower")
        if signal.rule == "shift":
            text = f"{_points_text(len(points))} in a row {side} the {self.line} {self.span(points)}"
            text += self.after_pdsa(points[0], single=False)
        elif signal.rule == "trend":
            text = f"{_points_text(len(points))} in a row going {'up' if up else 'down'} {self.span(points)}"
            text += self.after_pdsa(points[0], single=False)
        elif signal.rule == "outside_limits":
            value = _format(self.result.values[points[0]], self.percent)
            text = f"A point {side} the {limit} limit {self.span(points)} ({value})"
            text += self.after_pdsa(points[0], single=True)
        elif signal.rule == "two_of_three":
            if len(points) <= 3 and points[-1] - points[0] <= 2:
                count = f"{len(points)} of 3 points"
            else:
                count = f"{len(points)} points, 2 or more in every 3,"
            text = f"{count} beyond the {limit} 2-sigma line {self.span(points)}"
            text += self.after_pdsa(points[0], single=False)
        else:
            text = self.chart_wide(signal)
        return text[0].upper() + text[1:] + "."

    def longest_run(self, phase: analysis.Phase) -> tuple[str, list[int]]:
        """The side and positions of the phase's most recent longest run (points on the median skipped).

        Floats suffice here: the analysis decided the signal exactly; this only says where the run is.
        """
        runs: list[tuple[str, list[int]]] = []
        for position in range(phase.start, phase.stop):
            value, centre = self.result.values[position], self.result.centre[position]
            if value == centre:
                continue
            side = "above" if value > centre else "below"
            if runs and runs[-1][0] == side:
                runs[-1][1].append(position)
            else:
                runs.append((side, [position]))
        return max(reversed(runs), key=lambda run: len(run[1]))

    def chart_wide(self, signal: analysis.Signal) -> str:
        phase = self.phase_of(signal)
        stats = phase.run_stats
        where = self.phase_words(phase)
        useful = f"{stats.useful_observations} useful observations"
        if signal.rule == "too_few_runs":
            return (
                f"Too few runs{where}: {stats.runs} runs in {useful} (fewer than {stats.runs_lower} {CHANCE})"
            )
        if signal.rule == "too_many_runs":
            return (
                f"Too many runs{where}: {stats.runs} runs in {useful} (more than {stats.runs_upper} {CHANCE})"
            )
        if signal.rule == "long_run":
            side, points = self.longest_run(phase)
            return (
                f"An unusually long run: {len(points)} points in a row {side} the median {self.span(points)}"
                f"{self.after_pdsa(points[0], single=False)} (more than {stats.longest_run_max} {CHANCE})"
            )
        return (
            f"Unusually few crossings{where}: the data cross the median {_times(stats.crossings)} in "
            f"{useful} (fewer than {stats.crossings_min} {CHANCE})"
        )


# --- The chart ----------------------------------------------------------------------------


def _plan(measure: Measure, points: list[DataPoint], phases: list[MeasurePhase]):
    """Phase positions and the baseline to pass to the analysis, and warnings where they cannot apply."""
    periods = [p.period for p in points]
    index = {period: i for i, period in enumerate(periods)}
    warnings: list[str] = []
    rows, starts = [], []
    for phase in phases:
        position = index.get(phase.starts_on)
        if position is None:
            warnings.append(
                f"The phase from {date_text(phase.starts_on)} is not on the chart: "
                "no data point has that date any more."
            )
        elif position == 0:
            position = None  # the chart starts there anyway
        else:
            starts.append(position)
        rows.append(PhaseRow(phase, position))
    baseline = measure.baseline_points
    if baseline is not None:
        first_phase = starts[0] if starts else len(points)
        if baseline > len(points):
            warnings.append(
                f"The frozen baseline of {baseline} points is longer than the series ({len(points)} "
                "points), so every point gives the centre line: clear the baseline or freeze a shorter one."
            )
            baseline = None
        elif baseline > first_phase:
            warnings.append(
                f"The frozen baseline of {baseline} points runs past the first recalculation (at point "
                f"{first_phase + 1}), so the first phase uses all its points: remove that phase or freeze "
                "a shorter baseline."
            )
            baseline = None
    return rows, sorted(set(starts)), baseline, warnings


def _analyse(measure: Measure, points: list[DataPoint], baseline: int | None, starts: list[int]):
    if measure.chart == Measure.Chart.RUN:
        return analysis.run_chart(
            [_value(p) for p in points], rules=measure.run_rules, baseline=baseline, phases=starts
        )
    if measure.value_type == Measure.ValueType.PROPORTION:
        return analysis.p_chart(
            [p.numerator for p in points], [p.denominator for p in points], baseline=baseline, phases=starts
        )
    return analysis.xmr_chart([_value(p) for p in points], baseline=baseline, phases=starts)


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
            continue
        for position in reading.signal.points:
            if highlights.get(position) != CONCERN:
                highlights[position] = reading.kind
    return highlights


def _annotations(
    measure: Measure,
    points: list[DataPoint],
    phase_rows: list[PhaseRow],
    notes: list[ChartNote],
    cycles: list[PDSACycle],
    baseline: int | None,
    monthly: bool,
) -> list[svg.Annotation]:
    periods = [p.period for p in points]
    annotations = []
    if baseline is not None and baseline < len(points):
        annotations.append(
            svg.Annotation(
                baseline - 0.5,
                "B",
                f"End of the frozen baseline: the first {baseline} points, to "
                f"{date_text(periods[baseline - 1], monthly)}. {measure.baseline_reason}",
                "baseline",
            )
        )
    for number, row in enumerate((r for r in phase_rows if r.position is not None), start=1):
        annotations.append(
            svg.Annotation(
                row.position - 0.5,
                f"R{number}",
                f"New phase from {date_text(row.phase.starts_on, monthly)}: {row.phase.reason}",
                "phase",
            )
        )
    for cycle in cycles:
        position = _position(cycle.starts_on, periods, measure.frequency)
        if position is not None:
            annotations.append(
                svg.Annotation(
                    position,
                    f"P{cycle.number}",
                    f"PDSA {cycle.number} ‘{cycle.title}’ started {date_text(cycle.starts_on)}",
                    "pdsa",
                )
            )
    dated = [(note.on, note.text) for note in notes] + [(p.period, p.note) for p in points if p.note]
    for number, (day, text) in enumerate(sorted(dated, key=lambda item: item[0]), start=1):
        position = _position(day, periods, measure.frequency)
        if position is not None:
            annotations.append(svg.Annotation(position, f"N{number}", f"{date_text(day)}: {text}", "note"))
    return annotations


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
        rows.append(TableRow(point.period, labels[i], value, centre, lower, upper, kind, signal, point.note))
    return rows


def measure_chart(measure: Measure, *, id_prefix: str = "measure-chart") -> MeasureChart:
    """Analyse and draw a measure's chart with its own rule set, frozen baseline and phases.

    Runs four queries whatever the amount of data (points, phases, notes, linked PDSA cycles).
    Never changes the baseline or the phases: where they cannot apply (a baseline longer than
    the first phase, say) the chart leaves them out and says so in ``warnings``.
    """
    points = list(DataPoint.objects.filter(measure=measure).order_by("period"))
    phases = list(
        MeasurePhase.objects.filter(measure=measure).select_related("created_by").order_by("starts_on")
    )
    notes = list(ChartNote.objects.filter(measure=measure).select_related("created_by").order_by("on", "pk"))
    cycles = list(
        PDSACycle.objects.filter(measures=measure, starts_on__isnull=False).order_by("starts_on", "number")
    )
    percent = measure.value_type == Measure.ValueType.PROPORTION
    monthly = measure.frequency == Measure.Frequency.MONTHLY
    better = None if measure.better_direction == Measure.Direction.NEITHER else measure.better_direction
    target = measure.target
    target_text = "" if target is None else _format(float(target), percent).replace(".0%", "%")
    phase_rows, starts, baseline, warnings = _plan(measure, points, phases)
    kind = "run" if measure.chart == Measure.Chart.RUN else "p" if percent else "xmr"
    chart_name = CHART_NAMES[kind]
    basics = {
        "measure": measure,
        "kind": kind,
        "rule_set": RULE_SET_NAMES[(kind, measure.run_rules if kind == "run" else "spc")],
        "title": f"{measure.name}: {chart_name}",
        "points": points,
        "phases": phase_rows,
        "notes": notes,
        "cycles": cycles,
        "warnings": warnings,
        "target_text": target_text,
    }
    if not points:
        return MeasureChart(**basics)

    result = _analyse(measure, points, baseline, starts)
    periods = [p.period for p in points]
    words = _Words(measure, result, periods, cycles, monthly)
    readings = [SignalReading(s, signal_kind(s, better), words.sentence(s)) for s in result.signals]
    warnings += _quality_warnings(result, periods, monthly)
    if percent and target is not None and not 0 <= target <= 1:
        warnings.append(
            f"The target ({target.normalize():f}) is not drawn: a proportion's target is a fraction between "
            "0 and 1, such as 0.9 for 90%."
        )
        target = None
    assurance, assurance_missing = _assurance(result, target, target_text, better)
    description = _description(chart_name, measure, result, periods, baseline, readings, target_text, monthly)
    labels = [date_text(day, monthly) for day in periods]
    spec = svg.ChartSpec(
        title=basics["title"],
        description=description,
        labels=labels,
        values=result.values,
        centre=result.centre,
        lower_limit=result.lower_limit,
        upper_limit=result.upper_limit,
        target=None if target is None else float(target),
        highlights=_highlights(readings),
        annotations=_annotations(measure, points, phase_rows, notes, cycles, baseline, monthly),
        breaks=[phase.start for phase in result.phases[1:]],
        percent=percent,
        centre_name="Median" if kind == "run" else "Mean",
        unit="" if percent else measure.unit,
    )
    wide = svg.render_chart(spec, id_prefix=f"{id_prefix}-wide")
    compact = svg.render_chart(
        spec, width=380, plot_height=230, font_size=14, id_prefix=f"{id_prefix}-compact"
    )
    return MeasureChart(
        **basics,
        result=result,
        description=description,
        # Safe: coachprog.charts escapes every text it puts in the SVG.
        svg=mark_safe(wide.svg),
        svg_compact=mark_safe(compact.svg),
        legend=wide.legend,
        readings=readings,
        variation=_variation(result, better, readings),
        assurance=assurance,
        assurance_missing=assurance_missing,
        rows=_rows(points, labels, result, readings, spec.highlights, percent),
        baseline_used=baseline,
    )
