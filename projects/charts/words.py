"""Dates, numbers and figures in words, as the chart page writes them."""

from __future__ import annotations

from datetime import date

from coachprog import charts as svg

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# fmt: off
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
# fmt: on
TENS_WORDS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty"}


def date_text(day: date, monthly: bool = False) -> str:
    """A date as the interface shows it: "3 Mar 2025", or "Mar 2025" for a monthly period."""
    month = f"{MONTHS[day.month - 1]} {day.year}"
    return month if monthly else f"{day.day} {month}"


def date_range_text(first: date, last: date, monthly: bool = False) -> str:
    """ "on 3 Mar 2025", "from 3 Mar to 7 Apr 2025" or "from 3 Nov 2024 to 5 Jan 2025" ("in Mar 2025")."""
    if first == last:
        return f"{'in' if monthly else 'on'} {date_text(first, monthly)}"
    if first.year == last.year:
        start = MONTHS[first.month - 1] if monthly else f"{first.day} {MONTHS[first.month - 1]}"
    else:
        start = date_text(first, monthly)
    return f"from {start} to {date_text(last, monthly)}"


def _number_words(n: int) -> str:
    if n < 20:
        return NUMBER_WORDS[n]
    tens, units = divmod(n, 10)
    return TENS_WORDS[tens * 10] + (f"-{NUMBER_WORDS[units]}" if units else "")


def _gap_words(days: int) -> str:
    """Whole weeks or days in words: "one week", "two weeks", "ten days"."""
    if days % 7 == 0:
        weeks = days // 7
        return f"{_number_words(weeks)} week{'s' if weeks != 1 else ''}"
    return f"{_number_words(days)} day{'s' if days != 1 else ''}"


def _points_text(count: int) -> str:
    return "1 point" if count == 1 else f"{count} points"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _format(value: float | None, percent: bool) -> str:
    """A centre line, limit or value for people: percentages to 1 place, other figures to at most 2."""
    if value is None:
        return ""
    if percent:
        return svg.format_number(value * 100, 1, "%")
    text = svg.format_number(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text
