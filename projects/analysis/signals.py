"""Rules every chart shares: runs of points on one side of the centre, shifts, and signal order.

Each rule reads one phase as lists of signs (1 above / -1 below / 0 on a line, or
rise / fall / equal for successive points) and reports 0-based positions.
"""

from __future__ import annotations

from collections.abc import Sequence

from projects.analysis.results import Direction, Signal

# Chart-wide rules list every point and have no direction.
CHART_WIDE_RULES = ("too_few_runs", "too_many_runs", "long_run", "few_crossings")
_RULE_ORDER = ("outside_limits", "two_of_three", "shift", "trend", *CHART_WIDE_RULES)


def _direction(sign: int) -> Direction:
    return "up" if sign > 0 else "down"


def _side_runs(sides: Sequence[int], start: int, *, skip_on_centre: bool) -> list[tuple[int, list[int]]]:
    """Maximal runs of points strictly on one side of the centre, as (sign, positions).

    Run charts skip points on the centre line; SPC charts let them break the run.
    """
    runs: list[tuple[int, list[int]]] = []
    current = 0
    for offset, sign in enumerate(sides):
        if sign == 0:
            if not skip_on_centre:
                current = 0
        elif sign == current:
            runs[-1][1].append(start + offset)
        else:
            runs.append((sign, [start + offset]))
            current = sign
    return runs


def _shifts(runs: list[tuple[int, list[int]]], length: int) -> list[Signal]:
    return [
        Signal("shift", _direction(sign), tuple(points)) for sign, points in runs if len(points) >= length
    ]


def _sorted_signals(signals: list[Signal]) -> tuple[Signal, ...]:
    return tuple(
        sorted(
            signals,
            key=lambda s: (
                s.rule in CHART_WIDE_RULES,
                s.points[0],
                _RULE_ORDER.index(s.rule),
                s.direction or "",
            ),
        )
    )
