"""Run chart and SPC rules for measures, exactly as ``runcharts.md`` defines them.

Pure Python with no Django imports: chart pages, the ``runchart`` command and the
tests share this one implementation. Every rule compares values exactly (as
fractions), so a point exactly on a line is never taken to be beyond it; the
result dataclasses carry floats, for display only.

Positions are 0-based throughout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Literal

__all__ = [
    "RULE_SETS",
    "AnalysisError",
    "Assurance",
    "ChartResult",
    "Phase",
    "RunStats",
    "Signal",
    "Variation",
    "analyse",
    "anhoej_limits",
    "assurance",
    "ihi_runs_limits",
    "p_chart",
    "run_chart",
    "to_fraction",
    "to_json_dict",
    "variation",
    "xmr_chart",
]

Number = Decimal | Fraction | int | float | str
Direction = Literal["up", "down"]

RULE_SETS = ("ihi", "anhoej", "spc")

IHI_SHIFT_LENGTH = 6
IHI_TREND_GROUPS = 5
IHI_MIN_USEFUL = 10
SPC_DEFAULT_LENGTH = 7
SPC_LENGTHS = range(6, 9)
TRIAL_LIMITS_BELOW = 12
# Making Data Count: process limits at mean ± 2.66 × MR̄, 2-sigma lines at exactly two thirds of that.
XMR_LIMIT_FACTOR = Fraction(266, 100)
XMR_TWO_SIGMA_FACTOR = Fraction(2, 3) * XMR_LIMIT_FACTOR

# Values of this size or more are refused: limits up to 6.4 times as large must still be floats.
_TOO_LARGE = 10**300

# Chart-wide rules list every point and have no direction.
CHART_WIDE_RULES = ("too_few_runs", "too_many_runs", "long_run", "few_crossings")
_RULE_ORDER = ("outside_limits", "two_of_three", "shift", "trend", *CHART_WIDE_RULES)


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


# --- Input --------------------------------------------------------------------


def _ratio(value: Number) -> tuple[int, int]:
    """Return ``value`` as (numerator, denominator > 0), or raise AnalysisError."""
    if isinstance(value, bool):
        raise AnalysisError(f"{value!r} is not a number.")
    if isinstance(value, int | Fraction):
        if abs(value) >= _TOO_LARGE:
            raise AnalysisError("The value is too large to chart (1e300 or more).")
        return value.numerator, value.denominator
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AnalysisError(f"{value!r} is not a finite number.")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise AnalysisError(f"{value!r} is not a number.") from None
    elif isinstance(value, Decimal):
        number = value
    else:
        raise AnalysisError(f"{value!r} is not a number.")
    if not number.is_finite():
        raise AnalysisError(f"{str(value).strip()!r} is not a finite number.")
    if number.is_zero():
        return 0, 1
    # Charts show values, centres and limits as floats, so values stay well inside a
    # float's range; an absurd exponent would only make exact arithmetic burn memory.
    if not -350 <= number.adjusted() < 300:
        raise AnalysisError(f"{str(value).strip()!r} is too large or too small to chart.")
    return number.as_integer_ratio()


def to_fraction(value: Number) -> Fraction:
    """Return ``value`` as an exact fraction, or raise AnalysisError if it is not a finite number.

    Strings and Decimals are read as written; a float is read as its shortest repr
    (0.1 is one tenth), since that is the decimal a person typed.
    """
    return Fraction(*_ratio(value))


def _ratios(values: Sequence[Number], what: str = "Value") -> list[tuple[int, int]]:
    if len(values) == 0:
        raise AnalysisError("The series is empty: a chart needs at least one value.")
    result = []
    for position, value in enumerate(values):
        try:
            result.append(_ratio(value))
        except AnalysisError as error:
            raise AnalysisError(f"{what} at position {position}: {error}") from None
    return result


class _Exact:
    """A series held exactly as ``keys[i] / scale``, so rules compare integers where they can.

    Decimal data share a small common denominator (a power of ten), so the keys are
    plain integers and long series stay fast. When the common denominator would be huge
    (proportions with many different denominators), the keys are fractions and scale is 1:
    slower, equally exact.
    """

    MAX_SCALE_BITS = 512

    def __init__(self, ratios: Sequence[tuple[int, int]]) -> None:
        scale = 1
        for denominator in {denominator for _, denominator in ratios}:
            scale = math.lcm(scale, denominator)
            if scale.bit_length() > self.MAX_SCALE_BITS:
                self.scale = 1
                self.keys: list[int] | list[Fraction] = [Fraction(n, d) for n, d in ratios]
                return
        self.scale = scale
        self.keys = [numerator * (scale // denominator) for numerator, denominator in ratios]

    def __len__(self) -> int:
        return len(self.keys)

    def floats(self) -> tuple[float, ...]:
        # int / int is correctly rounded, as float(Fraction) is.
        return tuple(float(key / self.scale) for key in self.keys)

    def total(self, start: int, stop: int) -> Fraction:
        return Fraction(sum(self.keys[start:stop]), self.scale)

    def median(self, start: int, stop: int) -> Fraction:
        ordered = sorted(self.keys[start:stop])
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return Fraction(ordered[middle], self.scale)
        return Fraction(ordered[middle - 1] + ordered[middle], 2 * self.scale)

    def mean_moving_range(self, start: int, stop: int) -> Fraction:
        keys = self.keys
        ranges = sum(abs(keys[i] - keys[i - 1]) for i in range(start + 1, stop))
        return Fraction(ranges, self.scale * (stop - start - 1))

    def signs(self, line: Fraction, start: int, stop: int) -> list[int]:
        """For each point, 1 if strictly above ``line``, -1 if strictly below, 0 if exactly on it."""
        # key/scale against a/b is key·b against a·scale.
        b, a_scaled = line.denominator, line.numerator * self.scale
        return [(key * b > a_scaled) - (key * b < a_scaled) for key in self.keys[start:stop]]

    def steps(self, start: int, stop: int) -> list[int]:
        """For each pair of successive points, 1 for a rise, -1 for a fall, 0 for an equal value."""
        keys = self.keys
        return [(keys[i] > keys[i - 1]) - (keys[i] < keys[i - 1]) for i in range(start + 1, stop)]


@dataclass(frozen=True)
class _Segment:
    start: int
    stop: int
    baseline: int  # number of points, from start, that give the centre and limits

    @property
    def baseline_stop(self) -> int:
        return self.start + self.baseline

    @property
    def size(self) -> int:
        return self.stop - self.start


def _segments(n: int, baseline: int | None, phases: Sequence[int]) -> list[_Segment]:
    starts = list(phases)
    previous = 0
    for start in starts:
        if not isinstance(start, int) or isinstance(start, bool):
            raise AnalysisError(f"A phase must start at a position (an integer), not {start!r}.")
        if not previous < start < n:
            raise AnalysisError(
                f"Phase starts must increase and lie between 1 and {n - 1} (the last position), not {starts}."
            )
        previous = start
    bounds = [0, *starts, n]
    segments = [_Segment(a, b, b - a) for a, b in zip(bounds, bounds[1:], strict=False)]
    if baseline is not None:
        if not isinstance(baseline, int) or isinstance(baseline, bool):
            raise AnalysisError(f"The baseline must be a number of points, not {baseline!r}.")
        if not 1 <= baseline <= n:
            raise AnalysisError(
                f"The baseline must be between 1 and {n} points (the series length), not {baseline}."
            )
        first = segments[0]
        if baseline > first.stop:
            raise AnalysisError(
                f"The baseline of {baseline} points is longer than the first phase ({first.stop} points)."
            )
        segments[0] = _Segment(first.start, first.stop, baseline)
    return segments


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
#
# Each rule reads one phase as lists of signs (1 above / -1 below / 0 on a line, or
# rise / fall / equal for successive points) and reports 0-based positions.


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


# --- Charts -------------------------------------------------------------------------


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


def _per_point(phases: Sequence[Phase], name: str) -> tuple:
    return tuple(getattr(phase, name) for phase in phases for _ in range(phase.start, phase.stop))


def _check_lengths(shift_length: int, trend_length: int) -> None:
    for name, length in (("shift", shift_length), ("trend", trend_length)):
        if length not in SPC_LENGTHS:
            raise AnalysisError(f"The {name} length must be 6, 7 or 8 points, not {length!r}.")


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


def analyse(
    values: Sequence[Number],
    rules: str,
    *,
    baseline: int | None = None,
    phases: Sequence[int] = (),
) -> ChartResult:
    """Analyse a series with a rule set: "ihi" or "anhoej" (run chart) or "spc" (XmR chart)."""
    if rules == "ihi" or rules == "anhoej":
        return run_chart(values, rules=rules, baseline=baseline, phases=phases)
    if rules == "spc":
        return xmr_chart(values, baseline=baseline, phases=phases)
    raise AnalysisError(f"Unknown rule set {rules!r}: choose ihi, anhoej or spc.")


# --- Reading the result ------------------------------------------------------------------


def _json_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    # Whole numbers print as integers while a float still holds them exactly.
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _phase_json(result: ChartResult, phase: Phase) -> dict[str, object]:
    figures: dict[str, object] = {"centre": _json_number(phase.centre)}
    if result.chart == "xmr":
        figures["lower_limit"] = _json_number(phase.lower_limit)
        figures["upper_limit"] = _json_number(phase.upper_limit)
    elif result.chart == "p":
        figures["lower_limits"] = [_json_number(x) for x in result.lower_limit[phase.start : phase.stop]]
        figures["upper_limits"] = [_json_number(x) for x in result.upper_limit[phase.start : phase.stop]]
    stats = phase.run_stats
    if stats is not None and result.rules == "ihi":
        figures["useful_observations"] = stats.useful_observations
        figures["runs"] = stats.runs
    elif stats is not None:
        figures["useful_observations"] = stats.useful_observations
        figures["longest_run"] = stats.longest_run
        figures["longest_run_max"] = stats.longest_run_max
        figures["crossings"] = stats.crossings
        figures["crossings_min"] = stats.crossings_min
    return figures


def to_json_dict(result: ChartResult) -> dict[str, object]:
    """Return the JSON object that ``manage.py runchart --json`` prints.

    Keys: rules, n, centre, then lower_limit/upper_limit (XmR) or the run figures
    (ihi: useful_observations, runs; anhoej: useful_observations, longest_run,
    longest_run_max, crossings, crossings_min), then signals. A P chart has per-point
    lower_limits/upper_limits lists. With several phases the figures are those of
    the last (current) phase and a "phases" list gives each phase's start, stop and figures.
    """
    data: dict[str, object] = {"rules": result.rules, "n": result.n}
    data.update(_phase_json(result, result.phases[-1]))
    if len(result.phases) > 1:
        data["phases"] = [
            {"start": phase.start, "stop": phase.stop, **_phase_json(result, phase)}
            for phase in result.phases
        ]
    data["signals"] = [
        {"rule": signal.rule, "direction": signal.direction, "points": list(signal.points)}
        for signal in result.signals
    ]
    return data


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
