"""The bounds every stored date and decimal keeps, shared by forms, services, imports and constraints.

Python's dates run from year 1 to 9999, and a day past either end is an OverflowError,
so a date at the edge breaks any page that steps from it ("the next week"). Nothing in
a coach development programme happens before 1900 or after 2100: every date a person
types stays in those years, and the database refuses others where a chart draws them.

A decimal such as ``1e1000000`` parses, but arithmetic on it (``abs()``, ``quantize()``)
traps in the default decimal context; ``decimal_problem`` reads only the digits and the
exponent, so it can judge any decimal without arithmetic.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_TEXT = f"{EARLIEST_DATE.year} to {LATEST_DATE.year}"

# Why a decimal does not fit its column (see decimal_problem).
NOT_FINITE, TOO_PRECISE, TOO_LARGE = "not_finite", "too_precise", "too_large"


def date_in_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_check(field: str, *, nullable: bool = False) -> Q:
    """The condition of a CheckConstraint keeping `field` in the years 1900 to 2100."""
    condition = Q(**{f"{field}__gte": EARLIEST_DATE, f"{field}__lte": LATEST_DATE})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition


def days_after(day: date, delta: timedelta) -> date | None:
    """`day + delta`, or None past the calendar's end (31 Dec 9999) or start (1 Jan 1)."""
    try:
        return day + delta
    except OverflowError:
        return None


def decimal_range_text(max_digits: int, decimal_places: int) -> str:
    """ "-9,999,999,999.9999 to 9,999,999,999.9999" for a column of 14 digits, 4 after the point."""
    largest = Decimal(10 ** (max_digits - decimal_places)) - Decimal(1).scaleb(-decimal_places)
    return f"{-largest:,} to {largest:,}"


def decimal_problem(value: Decimal, *, max_digits: int, decimal_places: int) -> str | None:
    """Why `value` does not fit a column of `max_digits` digits, `decimal_places` after the point.

    None when it fits, else NOT_FINITE, TOO_PRECISE or TOO_LARGE, for the caller to put in
    its own words. Trailing zeros after the point do not count ("1.50000" fits 4 places).
    """
    if not value.is_finite():
        return NOT_FINITE
    digits, exponent = _significant(value)
    if exponent < -decimal_places:
        return TOO_PRECISE
    if len(digits) + exponent > max_digits - decimal_places:
        return TOO_LARGE
    return None


def fitted_decimal(value: Decimal) -> Decimal:
    """A decimal that `decimal_problem` accepted, written plainly ("1.50000" → 1.5, "1E+3" → 1000)."""
    digits, exponent = _significant(value)
    if not digits:
        return Decimal(0)
    if exponent > 0:
        digits, exponent = digits + (0,) * exponent, 0
    return Decimal((value.as_tuple().sign, digits, exponent))


def _significant(value: Decimal) -> tuple[tuple[int, ...], int]:
    """A finite decimal's digits and exponent without trailing zeros after the point; zero is ((), 0).

    Reads `as_tuple()` only: no arithmetic, so no trap whatever the exponent.
    """
    _, digits, exponent = value.as_tuple()
    if not any(digits):
        return (), 0
    zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    strip = min(zeros, max(0, -exponent))
    return tuple(digits[: len(digits) - strip]), exponent + strip
