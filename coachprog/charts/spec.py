"""What callers pass (``ChartSpec``, ``Annotation``) and get back (``RenderedChart``), and the checks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coachprog.charts.style import ANNOTATION_KINDS, HIGHLIGHTS


@dataclass(frozen=True)
class Annotation:
    """A labelled vertical line at ``position``, a point's index (fractions fall between points).

    ``marker`` is the short text drawn on the time axis ("P2", "N1"), ``text`` the legend's
    words, ``kind`` one of "pdsa", "note", "phase" or "baseline" (it sets the line style).
    """

    position: float
    marker: str
    text: str
    kind: str = "note"


@dataclass(frozen=True)
class ChartSpec:
    """A chart described in plain values; per-point sequences are empty or as long as ``values``.

    ``centre``, ``lower_limit`` and ``upper_limit`` may step (between phases, or per point in
    a P chart) and may hold None where there is no line. ``breaks`` are the positions where
    a new phase starts: the lines do not join across them. ``highlights`` maps a position to
    "improvement", "concern" or "neither". With ``percent``, values (proportions 0 to 1)
    are shown as percentages.
    """

    title: str
    description: str
    labels: Sequence[str]
    values: Sequence[float]
    centre: Sequence[float | None] = ()
    lower_limit: Sequence[float | None] = ()
    upper_limit: Sequence[float | None] = ()
    target: float | None = None
    highlights: Mapping[int, str] = field(default_factory=dict)
    annotations: Sequence[Annotation] = ()
    breaks: Sequence[int] = ()
    percent: bool = False
    centre_name: str = "Centre line"
    limits_name: str = "Process limits"
    unit: str = ""


@dataclass(frozen=True)
class LegendEntry:
    """One annotation as the page lists it under the chart."""

    marker: str
    kind: str
    text: str


@dataclass(frozen=True)
class RenderedChart:
    """The SVG markup, its size in user units and the legend of the annotations it draws."""

    svg: str
    width: float
    height: float
    legend: tuple[LegendEntry, ...]


def _check(spec: ChartSpec) -> None:
    n = len(spec.values)
    if n == 0:
        raise ValueError("A chart needs at least one value.")
    if len(spec.labels) != n:
        raise ValueError(f"{len(spec.labels)} labels for {n} values: give one label per value.")
    for name in ("centre", "lower_limit", "upper_limit"):
        series = getattr(spec, name)
        if series and len(series) != n:
            raise ValueError(f"{name} has {len(series)} entries for {n} values.")
    lines = (v for series in (spec.centre, spec.lower_limit, spec.upper_limit) for v in series)
    numbers = [*spec.values, *lines, spec.target]
    if any(v is not None and not math.isfinite(v) for v in numbers):
        raise ValueError("Every value, line and target must be a finite number.")
    for position, kind in spec.highlights.items():
        if kind not in HIGHLIGHTS or not 0 <= position < n:
            raise ValueError(f"Highlight {kind!r} at {position} is not one of {HIGHLIGHTS} in the series.")
    for annotation in spec.annotations:
        if annotation.kind not in ANNOTATION_KINDS:
            raise ValueError(f"Annotation kind {annotation.kind!r} is not one of {ANNOTATION_KINDS}.")
