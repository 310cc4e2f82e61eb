"""Input read exactly: numbers as fractions, a series as exact keys, phases and baseline as segments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from projects.analysis.results import AnalysisError

Number = Decimal | Fraction | int | float | str

# Values of this size or more are refused: limits up to 6.4 times as large must still be floats.
_TOO_LARGE = 10**300


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
