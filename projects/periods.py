"""A data point's period: the first day of the day, week or month its value describes.

A period is in the years 1900 to 2100 (the database refuses others), fits its measure's
frequency (any day for a daily measure, a Monday for a weekly one, the 1st for a monthly
one, as quick entry suggests, so two values can never fall in one week or month) and has
started: the frequency decides what "the future" is, so this week's Monday may be recorded
on a Friday and next week's not until next Monday. Stepping from one period to the next
never overflows: past the calendar's end there is no next period (None).
"""

from datetime import date, timedelta

from django.utils import timezone

from coachprog.bounds import DATE_RANGE_TEXT, date_in_range, days_after

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"  # Measure.Frequency's values


def period_text(day: date) -> str:
    """ "3 Mar 2025"; any year the calendar holds ("1 Jan 0001")."""
    return f"{day.day} {day:%b} {day.year:04d}"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def period_start(day: date, frequency: str) -> date:
    """The first day of the period `day` falls in: the day itself, its week's Monday or its month's 1st.

    Never overflows: the calendar's first day, 1 Jan 0001, is a Monday.
    """
    if frequency == MONTHLY:
        return day.replace(day=1)
    if frequency == DAILY:
        return day
    return day - timedelta(days=day.weekday())


def period_problem(period: date, today: date | None = None, *, frequency: str) -> str | None:
    """Why no value of a measure with this frequency can be recorded for `period` (None when one can)."""
    today = today or timezone.localdate()
    if not date_in_range(period):
        return f"A period must be in the years {DATE_RANGE_TEXT}; {period_text(period)} is not."
    start, current = period_start(period, frequency), current_period(frequency, today)
    if start > current:
        if frequency == DAILY:
            shown, now = period_text(period), period_text(today)
            return f"{shown} is after today ({now}): record today or an earlier day."
        unit = "month" if frequency == MONTHLY else "week"
        return (
            f"The {unit} from {period_text(start)} has not started yet (today is {period_text(today)}): "
            f"record this {unit} (from {period_text(current)}) or an earlier one."
        )
    if start != period:
        if frequency == MONTHLY:
            return (
                f"A monthly measure's periods start on the 1st: {period_text(period)} is in the month "
                f"from {period_text(start)}."
            )
        return (
            f"A weekly measure's periods start on a Monday: {period_text(period)} is a "
            f"{WEEKDAYS[period.weekday()]}, in the week from {period_text(start)}."
        )
    return None


def period_fits(day: date, frequency: str) -> bool:
    """Whether `day` starts one of the frequency's periods (a Monday for weekly, the 1st for monthly)."""
    return period_start(day, frequency) == day


def current_period(frequency: str, today: date | None = None) -> date:
    """The period today falls in: today, this week's Monday or the 1st of this month."""
    return period_start(today or timezone.localdate(), frequency)


def next_period(day: date, frequency: str) -> date | None:
    """The start of the period after the one starting on `day`; None past 31 Dec 9999."""
    if frequency == MONTHLY:
        if day.month < 12:
            return date(day.year, day.month + 1, 1)
        return date(day.year + 1, 1, 1) if day.year < date.max.year else None
    return days_after(day, timedelta(days=1 if frequency == DAILY else 7))
