"""Each signal in a sentence: its kind, what happened and when, and a PDSA cycle that began just before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from coachprog.bounds import days_after
from projects import analysis
from projects.charts.results import CHART_WIDE, CONCERN, IMPROVEMENT, NEITHER
from projects.charts.words import _format, _gap_words, _points_text, _times, date_range_text
from projects.models import Measure
from projects.periods import next_period

# A signal is said to start "after" a PDSA cycle that began at most this long before it.
PDSA_LOOKBACK = timedelta(weeks=8)
CHANCE = "is unlikely by chance"


def signal_kind(signal: analysis.Signal, better: str | None) -> str:
    """Improvement when the signal is on the better side (a trend: goes the better way), else concern.

    "neither" for a measure without a better direction, "chart" for the chart-wide run rules.
    """
    if signal.direction is None:
        return CHART_WIDE
    if better is None:
        return NEITHER
    return IMPROVEMENT if signal.direction == better else CONCERN


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
        # Near the calendar's ends there is no day before or period after: the window stops there.
        earliest = days_after(start, -PDSA_LOOKBACK) or date.min
        end = next_period(start, self.measure.frequency)
        candidates = [
            c for c in self.cycles if earliest <= c.starts_on and (end is None or c.starts_on < end)
        ]
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
