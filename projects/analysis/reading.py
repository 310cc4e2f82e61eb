"""Reading a result: the variation and assurance icons (Making Data Count) for the most recent point."""

from __future__ import annotations

from enum import StrEnum

from projects.analysis.exact import Number, to_fraction
from projects.analysis.results import AnalysisError, ChartResult, Direction


class Variation(StrEnum):
    """The variation icon for the most recent point (Making Data Count)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    # For measures where neither direction is better.
    HIGH = "special_cause_high"
    LOW = "special_cause_low"


class Assurance(StrEnum):
    """Whether the process will consistently meet a target (Making Data Count assurance icon)."""

    ALWAYS_MET = "always_met"
    NEVER_MET = "never_met"
    HIT_AND_MISS = "hit_and_miss"


def _check_better(better: str | None) -> None:
    if better not in ("up", "down", None):
        raise AnalysisError(f"The better direction must be 'up', 'down' or None, not {better!r}.")


def variation(result: ChartResult, better: Direction | None = None) -> Variation:
    """Return the variation icon for the most recent point.

    A signal on the better side is improvement, on the worse side concern; a trend is
    judged by its direction. Chart-wide run-chart rules (no direction) do not set the
    icon. If the point is in signals of both kinds, concern wins (never hide a concern);
    with no better direction, the point's side (outside limits, two of three, shift)
    wins over a trend.
    """
    _check_better(better)
    last = result.n - 1
    current = [s for s in result.signals if s.direction is not None and last in s.points]
    if not current:
        return Variation.COMMON_CAUSE
    if better is not None:
        if any(s.direction != better for s in current):
            return Variation.CONCERN
        return Variation.IMPROVEMENT
    side = [s for s in current if s.rule != "trend"] or current
    return Variation.HIGH if side[0].direction == "up" else Variation.LOW


def assurance(result: ChartResult, target: Number, better: Direction | None) -> Assurance | None:
    """Return whether the process will meet ``target``, judged by the most recent point's limits.

    Target beyond the worse limit: always met; beyond the better limit: never met;
    between or exactly on the limits: hit and miss. None when the chart has no limits
    at the most recent point or the measure has no better direction. A P chart's target
    is a proportion (0 to 1).
    """
    _check_better(better)
    limits = result._limits[-1] if result._limits else None
    if better is None or limits is None:
        return None
    goal = to_fraction(target)
    if better == "up":
        worse_beyond, better_beyond = limits.below(goal), limits.above(goal)
    else:
        worse_beyond, better_beyond = limits.above(goal), limits.below(goal)
    if worse_beyond:
        return Assurance.ALWAYS_MET
    if better_beyond:
        return Assurance.NEVER_MET
    return Assurance.HIT_AND_MISS
