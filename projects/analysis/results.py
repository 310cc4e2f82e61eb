"""What an analysis returns (signals, phases, the chart result) and the error it raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Direction = Literal["up", "down"]


class AnalysisError(ValueError):
    """Invalid input to a chart analysis; the message says what is wrong."""


@dataclass(frozen=True)
class Signal:
    """One occurrence of a rule: ``direction`` is "up", "down" or None (chart-wide rules)."""

    rule: str
    direction: Direction | None
    points: tuple[int, ...]


@dataclass(frozen=True)
class RunStats:
    """Run-chart figures for one phase (both IHI and Anhøj); limits are None where a rule does not apply."""

    useful_observations: int
    runs: int
    runs_lower: int | None
    runs_upper: int | None
    longest_run: int
    longest_run_max: int | None
    crossings: int
    crossings_min: int | None


@dataclass(frozen=True)
class Phase:
    """One phase of a chart: positions ``start`` to ``stop - 1``, centre and limits from ``baseline`` points.

    ``lower_limit``/``upper_limit`` and the 2-sigma lines are set for XmR charts with 2 or more
    baseline points; P chart limits vary per point (see ``ChartResult``).
    """

    start: int
    stop: int
    baseline: int
    centre: float
    mr_bar: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    lower_two_sigma: float | None = None
    upper_two_sigma: float | None = None
    trial_limits: bool = False
    run_stats: RunStats | None = None


@dataclass(frozen=True)
class ChartResult:
    """A chart analysed: per-point values, centre and limits (floats for display), phases and signals.

    ``chart`` is "run", "xmr" or "p"; ``rules`` is "ihi", "anhoej" or "spc".
    """

    chart: str
    rules: str
    values: tuple[float, ...]
    centre: tuple[float, ...]
    lower_limit: tuple[float | None, ...]
    upper_limit: tuple[float | None, ...]
    phases: tuple[Phase, ...]
    signals: tuple[Signal, ...]
    # Exact limits per point, for comparisons after the analysis (assurance).
    _limits: tuple[_Limits | None, ...] = field(default=(), repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of points in the series."""
        return len(self.values)


@dataclass(frozen=True)
class _Limits:
    """Exact process limits at one point: centre ± √half_sq, clipped to [0, 1] for proportions.

    "Above" and "below" are strict: a value exactly on a limit is not beyond it.
    """

    centre: Fraction
    half_sq: Fraction
    clip: bool = False

    def above(self, x: Fraction) -> bool:
        if self.clip and x > 1:
            return True
        d = x - self.centre
        return d > 0 and d * d > self.half_sq

    def below(self, x: Fraction) -> bool:
        if self.clip and x < 0:
            return True
        d = self.centre - x
        return d > 0 and d * d > self.half_sq


def _per_point(phases: Sequence[Phase], name: str) -> tuple:
    return tuple(getattr(phase, name) for phase in phases for _ in range(phase.start, phase.stop))
