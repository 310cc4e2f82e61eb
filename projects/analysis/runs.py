"""Run charts (a median centre line) with the IHI or the Anhøj rules, and their critical values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from projects.analysis.exact import Number, _Exact, _ratios, _segments
from projects.analysis.results import AnalysisError, ChartResult, Phase, RunStats, Signal, _per_point
from projects.analysis.signals import _direction, _shifts, _side_runs, _sorted_signals

IHI_SHIFT_LENGTH = 6
IHI_TREND_GROUPS = 5
IHI_MIN_USEFUL = 10


# --- Critical values --------------------------------------------------------------


@lru_cache(maxsize=512)
def ihi_runs_limits(useful: int) -> tuple[int, int] | None:
    """Return (runs_lower, runs_upper) for ``useful`` observations, or None below 10.

    Too few runs if runs < runs_lower, too many if runs > runs_upper. These are the
    one-sided 5% critical values of the Swed–Eisenhart runs distribution with ⌊n/2⌋ and
    ⌈n/2⌉ points on each side: the largest r with P(R ≤ r) ≤ 0.05 and the smallest r
    with P(R ≥ r) ≤ 0.05. They reproduce the published table for n = 10 to 60.
    """
    if useful < IHI_MIN_USEFUL:
        return None
    counts = _runs_counts(useful // 2, useful - useful // 2)
    total = math.comb(useful, useful // 2)
    lower, cumulative = 1, 0
    for runs in range(len(counts)):
        cumulative += counts[runs]
        if 20 * cumulative > total:
            break
        lower = runs
    upper, cumulative = useful + 1, 0
    for runs in range(len(counts) - 1, -1, -1):
        cumulative += counts[runs]
        if 20 * cumulative > total:
            break
        upper = runs
    return lower, upper


def _runs_counts(m: int, k: int) -> list[int]:
    """Number of arrangements of m and k points with exactly r runs, for r = 0 … m + k.

    With P_s = C(m-1, s-1)·C(k-1, s-1): 2s runs occur 2·P_s ways and 2s+1 runs
    P_s·(m + k − 2s)/s ways; P_{s+1} = P_s·(m−s)(k−s)/s². Small-integer steps only,
    so this stays fast for long series.
    """
    counts = [0] * (m + k + 1)
    product, s = 1, 1
    while product and 2 * s <= m + k:
        counts[2 * s] = 2 * product
        if 2 * s + 1 <= m + k:
            counts[2 * s + 1] = product * (m + k - 2 * s) // s
        product = product * (m - s) * (k - s) // (s * s)
        s += 1
    return counts


@lru_cache(maxsize=512)
def anhoej_limits(useful: int) -> tuple[int, int] | None:
    """Return (longest_run_max, crossings_min) for ``useful`` observations, or None for 0.

    longest_run_max = round(log2(n)) + 3; crossings_min = R's qbinom(0.05, n − 1, 0.5),
    the smallest c with P(X ≤ c) ≥ 0.05 for X ~ Binomial(n − 1, 0.5). Both in integers:
    log2(n) is never exactly a half for an integer n, so R's half-even rounding never matters.
    """
    if useful < 1:
        return None
    floor_log2 = useful.bit_length() - 1
    rounded_log2 = floor_log2 + (1 if useful * useful > 1 << (2 * floor_log2 + 1) else 0)
    trials = useful - 1
    outcomes = 1 << trials
    term = cumulative = 1
    crossings = 0
    while 20 * cumulative < outcomes:
        crossings += 1
        term = term * (trials - crossings + 1) // crossings
        cumulative += term
    return rounded_log2 + 3, crossings


# --- Rules --------------------------------------------------------------------------


def _ihi_trends(steps: Sequence[int], start: int) -> list[Signal]:
    # Successive equal values form one group, which neither adds to nor breaks a trend.
    groups = [(start, start)]
    group_steps = []
    for offset, step in enumerate(steps, start=start + 1):
        if step == 0:
            groups[-1] = (groups[-1][0], offset)
        else:
            group_steps.append(step)
            groups.append((offset, offset))
    signals = []
    first = 0
    while first < len(group_steps):
        last = first
        while last + 1 < len(group_steps) and group_steps[last + 1] == group_steps[first]:
            last += 1
        # Steps first … last join groups first … last + 1; the next trend starts at the
        # turning group, so opposite trends share it.
        if last - first + 2 >= IHI_TREND_GROUPS:
            points = tuple(range(groups[first][0], groups[last + 1][1] + 1))
            signals.append(Signal("trend", _direction(group_steps[first]), points))
        first = last + 1
    return signals


# --- The chart ----------------------------------------------------------------------


def run_chart(
    values: Sequence[Number],
    *,
    rules: Literal["ihi", "anhoej"] = "anhoej",
    baseline: int | None = None,
    phases: Sequence[int] = (),
) -> ChartResult:
    """Analyse a run chart (median centre line) with the IHI or the Anhøj rules.

    ``baseline`` freezes the median from the first N points (of the first phase);
    ``phases`` are the positions where a new phase starts, each with its own median.
    """
    if rules not in ("ihi", "anhoej"):
        raise AnalysisError(f"Unknown run chart rule set {rules!r}: choose ihi or anhoej.")
    series = _Exact(_ratios(values))
    phase_results, signals = [], []
    for segment in _segments(len(series), baseline, phases):
        median = series.median(segment.start, segment.baseline_stop)
        sides = series.signs(median, segment.start, segment.stop)
        runs = _side_runs(sides, segment.start, skip_on_centre=True)
        useful = sum(len(points) for _, points in runs)
        longest = max((len(points) for _, points in runs), default=0)
        crossings = max(len(runs) - 1, 0)
        ihi = ihi_runs_limits(useful)
        anhoej = anhoej_limits(useful)
        stats = RunStats(
            useful_observations=useful,
            runs=len(runs),
            runs_lower=ihi[0] if ihi else None,
            runs_upper=ihi[1] if ihi else None,
            longest_run=longest,
            longest_run_max=anhoej[0] if anhoej else None,
            crossings=crossings,
            crossings_min=anhoej[1] if anhoej else None,
        )
        every_point = tuple(range(segment.start, segment.stop))
        if rules == "ihi":
            signals += _shifts(runs, IHI_SHIFT_LENGTH)
            signals += _ihi_trends(series.steps(segment.start, segment.stop), segment.start)
            if ihi and stats.runs < ihi[0]:
                signals.append(Signal("too_few_runs", None, every_point))
            if ihi and stats.runs > ihi[1]:
                signals.append(Signal("too_many_runs", None, every_point))
        else:
            if anhoej and longest > anhoej[0]:
                signals.append(Signal("long_run", None, every_point))
            if anhoej and crossings < anhoej[1]:
                signals.append(Signal("few_crossings", None, every_point))
        phase_results.append(
            Phase(segment.start, segment.stop, segment.baseline, float(median), run_stats=stats)
        )
    n = len(series)
    return ChartResult(
        chart="run",
        rules=rules,
        values=series.floats(),
        centre=_per_point(phase_results, "centre"),
        lower_limit=(None,) * n,
        upper_limit=(None,) * n,
        phases=tuple(phase_results),
        signals=_sorted_signals(signals),
        _limits=(None,) * n,
    )
