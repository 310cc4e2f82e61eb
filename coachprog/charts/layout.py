"""Where things go: the plot frame and its scales, annotation markers in rows, the key in rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from coachprog.charts.formatting import _text_width, _value_text
from coachprog.charts.spec import Annotation, ChartSpec
from coachprog.charts.style import CONCERN, HIGHLIGHTS, IMPROVEMENT, NEITHER


@dataclass(frozen=True)
class _Frame:
    """Where things go: the plot area and the scales from data to user units."""

    left: float
    right: float
    top: float
    bottom: float
    y_low: float
    y_high: float
    count: int

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.count

    def x(self, position: float) -> float:
        return self.left + (position + 0.5) * self.slot

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)


@dataclass(frozen=True)
class _Marker:
    annotation: Annotation
    x: float
    start: float
    width: float
    row: int


def _place_markers(
    annotations: Sequence[Annotation], frame: _Frame, width: float, size: float, pad: float
) -> tuple[list[_Marker], int]:
    """Markers in rows under the time axis, so that close ones never overlap (at most 4 rows)."""
    markers, row_ends = [], []
    inside = [a for a in annotations if -0.5 <= a.position <= frame.count - 0.5]
    for annotation in sorted(inside, key=lambda a: (a.position, a.marker)):
        x = frame.x(annotation.position)
        marker_width = _text_width(annotation.marker, size) + 8
        start = min(max(x - marker_width / 2, pad), width - pad - marker_width)
        row = next((r for r, end in enumerate(row_ends) if end + 3 <= start), None)
        if row is None and len(row_ends) < 4:
            row_ends.append(-math.inf)
            row = len(row_ends) - 1
        elif row is None:
            row = min(range(len(row_ends)), key=row_ends.__getitem__)
        row_ends[row] = start + marker_width
        markers.append(_Marker(annotation, x, start, marker_width, row))
    return markers, len(row_ends)


def _key_rows(spec: ChartSpec, lines: dict[str, bool], width: float, size: float, pad: float):
    """The key above the plot names only what this chart draws, in rows that fit the width."""
    names = {IMPROVEMENT: "Improvement", CONCERN: "Concern", NEITHER: "Special cause"}
    key = [("centre", spec.centre_name)] if lines["centre"] else []
    if lines["limits"]:
        key.append(("limits", spec.limits_name))
    if spec.target is not None:
        key.append(
            ("target", f"Target {_value_text(spec.target * (100 if spec.percent else 1), spec.percent)}")
        )
    key += [(kind, names[kind]) for kind in HIGHLIGHTS if kind in set(spec.highlights.values())]
    rows: list[list[tuple[float, str, str]]] = []
    cursor = math.inf
    for kind, text in key:
        item_width = size * 1.8 + 5 + _text_width(text, size * 0.85) + 14
        if cursor + item_width > width - pad:
            rows.append([])
            cursor = pad
        rows[-1].append((cursor, kind, text))
        cursor += item_width
    return rows
