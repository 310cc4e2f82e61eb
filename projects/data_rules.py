"""The rules every data point keeps, in one place.

The quick-entry form, `data_point_record`, the import's reader and `data_points_import`
all ask `data_point_problems`, so a value refused by one is refused by all, in the same words:

- the period is in the years 1900 to 2100, fits the measure's frequency (a Monday for a
  weekly measure, the 1st for a monthly one) and has started (`projects.periods`);
- a value measure takes a value, a proportion a numerator and a denominator;
- a numerator is 0 or more and at most its denominator, which is above 0 (the database
  checks this too);
- the value, or the proportion, is in the measure's valid range: from its lowest to its
  highest value, either of which may be open. A measure's lowest value is 0 unless it says
  otherwise, since counts, times, rates and proportions cannot be negative; a measure whose
  values can be (a change from a baseline, say) leaves its lowest value blank.

The range and the frequency live on the measure and the value on the data point, so the
database cannot check them across the two tables: these rules do, wherever data comes in.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS

from projects.models import Measure
from projects.periods import period_problem

PROPORTION_PLACES = Decimal("0.0001")  # a proportion in a message: 3/7 is 0.4286


def number_text(number: Decimal) -> str:
    """A decimal as a person writes it: "0", "42.5", "1200"."""
    return f"{number.normalize():f}"


def range_text(lowest: Decimal | None, highest: Decimal | None) -> str:
    """ "from 0 to 120", "0 or more", "120 or less", or "any number" when the range is open."""
    if lowest is not None and highest is not None:
        return f"from {number_text(lowest)} to {number_text(highest)}"
    if lowest is not None:
        return f"{number_text(lowest)} or more"
    if highest is not None:
        return f"{number_text(highest)} or less"
    return "any number"


def in_range(number: Decimal, lowest: Decimal | None, highest: Decimal | None) -> bool:
    return (lowest is None or number >= lowest) and (highest is None or number <= highest)


def proportion_text(numerator: int, denominator: int) -> str:
    return number_text((Decimal(numerator) / Decimal(denominator)).quantize(PROPORTION_PLACES))


def value_problems(
    measure: Measure,
    *,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
) -> dict[str, str]:
    """Why these numbers cannot be a value of `measure`, by field (empty when they can)."""
    low, high = measure.lowest_value, measure.highest_value
    if measure.value_type == Measure.ValueType.PROPORTION:
        if numerator is None or denominator is None or value is not None:
            return {NON_FIELD_ERRORS: "This measure is a proportion: give a numerator and a denominator."}
        problems = {}
        if denominator <= 0:
            problems["denominator"] = "The denominator must be above 0."
        if numerator < 0:
            problems["numerator"] = "The numerator must be 0 or more."
        elif denominator > 0 and numerator > denominator:
            problems["numerator"] = (
                f"The numerator ({numerator}) cannot be larger than the denominator ({denominator})."
            )
        elif denominator > 0 and not in_range(Decimal(numerator) / Decimal(denominator), low, high):
            problems["numerator"] = (
                f"The proportion must be {range_text(low, high)} (the measure's valid range); "
                f"{numerator}/{denominator} is {proportion_text(numerator, denominator)}."
            )
        return problems
    if value is None or numerator is not None or denominator is not None:
        return {NON_FIELD_ERRORS: "This measure takes a single value."}
    if not value.is_finite():  # NaN cannot even be compared with the range
        return {"value": "The value must be a finite number."}
    if not in_range(value, low, high):
        return {
            "value": f"The value must be {range_text(low, high)} (the measure's valid range); "
            f"{number_text(value)} is not."
        }
    return {}


def data_point_problems(
    measure: Measure,
    *,
    period: date,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """Why no data point of `measure` can hold these (by field; empty when it can)."""
    problems = value_problems(measure, value=value, numerator=numerator, denominator=denominator)
    if problem := period_problem(period, today, frequency=measure.frequency):
        problems = {"period": problem, **problems}
    return problems
