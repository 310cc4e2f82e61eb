"""SPC charts with the Making Data Count rules: the XmR (I) chart and the P chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from projects.analysis.exact import Number, _Exact, _ratios, _segments
from projects.analysis.results import AnalysisError, ChartResult, Phase, Signal, _Limits, _per_point
from projects.analysis.signals import _direction, _shifts, _side_runs, _sorted_signals

SPC_DEFAULT_LENGTH = 7
SPC_LENGTHS = range(6, 9)
TRIAL_LIMITS_BELOW = 12
# Making Data Count: process limits at mean ± 2.66 × MR̄, 2-sigma lines at exactly two thirds of that.
XMR_LIMIT_FACTOR = Fraction(266, 100)
XMR_TWO_SIGMA_FACTOR = Fraction(2, 3) * XMR_LIMIT_FACTOR


# --- Rules --------------------------------------------------------------------------


def _spc_trends(steps: Sequence[int], start: int, length: int) -> list[Signal]:
    signals = []
    first = 0
    while first < len(steps):
        if steps[first] == 0:  # an equal successive value breaks a trend
            first += 1
            continue
        last = first
        while last + 1 < len(steps) and steps[last + 1] == steps[first]:
            last += 1
        # Steps first … last join points first … last + 1 (end points included).
        if last - first + 2 >= length:
            points = tuple(range(start + first, start + last + 2))
            signals.append(Signal("trend", _direction(steps[first]), points))
        first = last + 1
    return signals


def _outside_limits(above: Sequence[bool], below: Sequence[bool], start: int) -> list[Signal]:
    signals = []
    for offset, (is_above, is_below) in enumerate(zip(above, below, strict=True)):
        if is_above:
            signals.append(Signal("outside_limits", "up", (start + offset,)))
        elif is_below:
            signals.append(Signal("outside_limits", "down", (start + offset,)))
    return signals


def _two_of_three(
    sides: Sequence[int], above_upper: Sequence[bool], below_lower: Sequence[bool], start: int
) -> list[Signal]:
    # A window qualifies when its 3 points are strictly on one side of the mean and 2 or 3
    # of them are beyond that side's 2-sigma line. Windows on opposite sides can never
    # share a position, so one open occurrence per side is enough to merge them.
    occurrences: list[tuple[int, set[int]]] = []
    open_occurrence: dict[int, tuple[int, set[int]]] = {}
    for first in range(len(sides) - 2):
        sign = sides[first]
        if sign == 0 or sides[first + 1] != sign or sides[first + 2] != sign:
            continue
        beyond_line = above_upper if sign > 0 else below_lower
        beyond = [start + i for i in range(first, first + 3) if beyond_line[i]]
        if len(beyond) < 2:
            continue
        previous = open_occurrence.get(sign)
        if previous is not None and first <= previous[0] + 2:
            points = previous[1]
            points.update(beyond)
        else:
            points = set(beyond)
            occurrences.append((sign, points))
        open_occurrence[sign] = (first, points)
    return [Signal("two_of_three", _direction(sign), tuple(sorted(points))) for sign, points in occurrences]


def _check_lengths(shift_length: int, trend_length: int) -> None:
    for name, length in (("shift", shift_length), ("trend", trend_length)):
        if length not in SPC_LENGTHS:
            raise AnalysisError(f"The {name} length must be 6, 7 or 8 points, not {length!r}.")


# --- Charts -------------------------------------------------------------------------


def xmr_chart(
    values: Sequence[Number],
    *,
    baseline: int | None = None,
    phases: Sequence[int] = (),
    shift_length: int = SPC_DEFAULT_LENGTH,
    trend_length: int = SPC_DEFAULT_LENGTH,
) -> ChartResult:
    """Analyse an XmR (I) chart with the Making Data Count rules.

    Limits are mean ± 2.66 × MR̄ from the baseline points of each phase; with fewer
    than 2 baseline points there are no limits, so only shift and trend can signal.
    """
    _check_lengths(shift_length, trend_length)
    series = _Exact(_ratios(values))
    phase_results, signals = [], []
    limits: list[_Limits | None] = []
    for segment in _segments(len(series), baseline, phases):
        start, stop = segment.start, segment.stop
        mean = series.total(start, segment.baseline_stop) / segment.baseline
        sides = series.signs(mean, start, stop)
        signals += _shifts(_side_runs(sides, start, skip_on_centre=False), shift_length)
        signals += _spc_trends(series.steps(start, stop), start, trend_length)
        if segment.baseline < 2:
            phase_results.append(Phase(start, stop, segment.baseline, float(mean)))
            limits += [None] * segment.size
            continue
        mr_bar = series.mean_moving_range(start, segment.baseline_stop)
        half = XMR_LIMIT_FACTOR * mr_bar
        two_sigma = XMR_TWO_SIGMA_FACTOR * mr_bar
        above = [sign > 0 for sign in series.signs(mean + half, start, stop)]
        below = [sign < 0 for sign in series.signs(mean - half, start, stop)]
        signals += _outside_limits(above, below, start)
        above = [sign > 0 for sign in series.signs(mean + two_sigma, start, stop)]
        below = [sign < 0 for sign in series.signs(mean - two_sigma, start, stop)]
        signals += _two_of_three(sides, above, below, start)
        phase_results.append(
            Phase(
                start,
                stop,
                segment.baseline,
                float(mean),
                mr_bar=float(mr_bar),
                lower_limit=float(mean - half),
                upper_limit=float(mean + half),
                lower_two_sigma=float(mean - two_sigma),
                upper_two_sigma=float(mean + two_sigma),
                trial_limits=segment.baseline < TRIAL_LIMITS_BELOW,
            )
        )
        limits += [_Limits(mean, half * half)] * segment.size
    return ChartResult(
        chart="xmr",
        rules="spc",
        values=series.floats(),
        centre=_per_point(phase_results, "centre"),
        lower_limit=_per_point(phase_results, "lower_limit"),
        upper_limit=_per_point(phase_results, "upper_limit"),
        phases=tuple(phase_results),
        signals=_sorted_signals(signals),
        _limits=tuple(limits),
    )


def p_chart(
    numerators: Sequence[Number],
    denominators: Sequence[Number],
    *,
    baseline: int | None = None,
    phases: Sequence[int] = (),
    shift_length: int = SPC_DEFAULT_LENGTH,
    trend_length: int = SPC_DEFAULT_LENGTH,
) -> ChartResult:
    """Analyse a P chart of proportions numerator/denominator with the Making Data Count rules.

    p̄ = Σ numerators / Σ denominators over the baseline points of each phase; each point's
    limits are p̄ ± 3·√(p̄(1 − p̄)/denominator), clipped to [0, 1]. Shift, trend and
    outside-limits rules apply (no two-out-of-three). Fewer than 2 baseline points: no limits.
    """
    _check_lengths(shift_length, trend_length)
    if len(numerators) != len(denominators):
        raise AnalysisError(
            f"There are {len(numerators)} numerators but {len(denominators)} denominators: "
            "each point needs both."
        )
    num_ratios = _ratios(numerators, "Numerator")
    den_ratios = _ratios(denominators, "Denominator")
    for position, ((a, b), (c, d)) in enumerate(zip(num_ratios, den_ratios, strict=True)):
        if c <= 0:
            raise AnalysisError(f"Denominator at position {position} must be above 0.")
        if a < 0 or a * d > c * b:
            raise AnalysisError(f"Numerator at position {position} must be between 0 and its denominator.")
    # Numerators and denominators over one common scale: p_i = nums[i] / dens[i] and the
    # real denominator is dens[i] / scale, so every rule below compares integers.
    both = _Exact([*num_ratios, *den_ratios])
    n, scale = len(num_ratios), both.scale
    nums, dens = both.keys[:n], both.keys[n:]
    phase_results, signals = [], []
    limits: list[_Limits | None] = []
    lowers: list[float | None] = []
    uppers: list[float | None] = []
    for segment in _segments(n, baseline, phases):
        start, stop = segment.start, segment.stop
        total_num = sum(nums[start : segment.baseline_stop])
        total_den = sum(dens[start : segment.baseline_stop])
        p_bar = Fraction(total_num, total_den)
        # p_i − p̄ has the sign of nums[i]·Σden − Σnum·dens[i].
        differences = [nums[i] * total_den - total_num * dens[i] for i in range(start, stop)]
        sides = [(x > 0) - (x < 0) for x in differences]
        steps = [
            (nums[i] * dens[i - 1] > nums[i - 1] * dens[i]) - (nums[i] * dens[i - 1] < nums[i - 1] * dens[i])
            for i in range(start + 1, stop)
        ]
        signals += _shifts(_side_runs(sides, start, skip_on_centre=False), shift_length)
        signals += _spc_trends(steps, start, trend_length)
        has_limits = segment.baseline >= 2
        if has_limits:
            # |p_i − p̄| > 3·√(p̄(1 − p̄)·scale/dens[i])  <=>  difference² > 9·Σnum·(Σden − Σnum)·scale·dens[i].
            # Clipping to [0, 1] never changes the answer, since every p_i lies in [0, 1].
            spread = 9 * total_num * (total_den - total_num) * scale
            beyond = [x * x > spread * dens[i] for i, x in enumerate(differences, start=start)]
            above = [far and x > 0 for far, x in zip(beyond, differences, strict=True)]
            below = [far and x < 0 for far, x in zip(beyond, differences, strict=True)]
            signals += _outside_limits(above, below, start)
            centre, variance = float(p_bar), float(p_bar * (1 - p_bar) * scale)
            for i in range(start, stop):
                half = 3 * math.sqrt(variance / dens[i])
                lowers.append(max(0.0, centre - half))
                uppers.append(min(1.0, centre + half))
                limits.append(_Limits(p_bar, Fraction(spread, total_den * total_den * dens[i]), clip=True))
        else:
            limits += [None] * segment.size
            lowers += [None] * segment.size
            uppers += [None] * segment.size
        phase_results.append(
            Phase(
                start,
                stop,
                segment.baseline,
                float(p_bar),
                trial_limits=has_limits and segment.baseline < TRIAL_LIMITS_BELOW,
            )
        )
    return ChartResult(
        chart="p",
        rules="spc",
        values=tuple(float(nums[i] / dens[i]) for i in range(n)),
        centre=_per_point(phase_results, "centre"),
        lower_limit=tuple(lowers),
        upper_limit=tuple(uppers),
        phases=tuple(phase_results),
        signals=_sorted_signals(signals),
        _limits=tuple(limits),
    )
