"""The time axis: where a date falls among the points, and the phases, baseline and annotations on it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date

from coachprog import charts as svg
from projects.charts.results import PhaseRow
from projects.charts.words import date_text
from projects.models import ChartNote, DataPoint, Measure, MeasurePhase, PDSACycle
from projects.periods import next_period


def _position(day: date, periods: Sequence[date], frequency: str) -> float | None:
    """Where ``day`` falls on the time axis: a point's index, or a fraction between two points.

    Each point stands for the period that starts on its date. None before the first period
    or after the last one ends. Any date the calendar holds is placed, or None, never an error.
    """
    i = bisect_right(periods, day) - 1
    if i < 0:
        return None
    last = i + 1 == len(periods)
    end = next_period(periods[i], frequency) if last else periods[i + 1]
    if end is None:  # the last period runs to the calendar's end
        return float(i)
    if day >= end:
        return None
    share = (day - periods[i]) / (end - periods[i])
    # Inside the last period, stay within the last point's slot on the chart.
    return i + (min(share, 0.5) if last else share)


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
