"""A data point's period: the first day of the day, week or month its value describes.

A period is in the years 1900 to 2100 (the database refuses others) and does not start
after today: the current day, week or month may be recorded, a later one not yet.
Stepping from one period to the next never overflows: past the calendar's end there
is no next period (None).
"""

from datetime import date, timedelta

from django.utils import timezone

from coachprog.bounds import DATE_RANGE_TEXT, date_in_range, days_after

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"  # Measure.Frequency's values


def period_text(day: date) -> str:
    """ "3 Mar 2025"; any year the calendar holds ("1 Jan 0001")."""
    return f"{day.day} {day:%b} {day.year:04d}"


def period_problem(period: date, today: date | None = None) -> str | None:
    """Why no value can be recorded for `period` (None when one can)."""
    today = today or timezone.localdate()
    if not date_in_range(period):
        return f"A period must be in the years {DATE_RANGE_TEXT}; {period_text(period)} is not."
    if period > today:
        return (
            f"{period_text(period)} is after today ({period_text(today)}): record the current period "
            "or an earlier one."
        )
    return None


def current_period(frequency: str, today: date | None = None) -> date:
    """The period today falls in: today, this week's Monday or the 1st of this month."""
    today = today or timezone.localdate()
    if frequency == MONTHLY:
        return today.replace(day=1)
    if frequency == DAILY:
        return today
    return today - timedelta(days=today.weekday())


def next_period(day: date, frequency: str) -> date | None:
    """The start of the period after the one starting on `day`; None past 31 Dec 9999."""
    if frequency == MONTHLY:
        if day.month < 12:
            return date(day.year, day.month + 1, 1)
        return date(day.year + 1, 1, 1) if day.year < date.max.year else None
    return days_after(day, timedelta(days=1 if frequency == DAILY else 7))
