"""Bank holidays of the nation the organisation works in (`settings.BANK_HOLIDAYS_NATION`).

England and Wales share their bank holidays; Scotland (2 January, St Andrew's Day, an
early August holiday, no Easter Monday) and Northern Ireland (St Patrick's Day, the
Battle of the Boyne) have their own. The `holidays` package knows each as a subdivision
of the UK. One organisation, one nation: the planner's checks and the first working day
of the month both read it from here.
"""

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays
from django.conf import settings

# setting value → (the `holidays` package's UK subdivision, the name shown to people)
NATIONS = {
    "england-and-wales": ("ENG", "England and Wales"),
    "scotland": ("SCT", "Scotland"),
    "northern-ireland": ("NIR", "Northern Ireland"),
}
DEFAULT_NATION = "england-and-wales"


def current_nation() -> str:
    return getattr(settings, "BANK_HOLIDAYS_NATION", DEFAULT_NATION)


def nation_name(nation: str | None = None) -> str:
    """ "England and Wales", "Scotland" or "Northern Ireland"."""
    return NATIONS[nation or current_nation()][1]


@cache
def _year(subdivision: str, year: int) -> dict[date, str]:
    # The package says "(observed)"; in the UK a bank holiday moved off a weekend is a "substitute day".
    found = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return {day: name.replace("(observed)", "(substitute day)") for day, name in found.items()}


def bank_holidays(years: Iterable[int], nation: str | None = None) -> dict[date, str]:
    """The nation's bank holidays in the given years, by date, with their names."""
    subdivision = NATIONS[nation or current_nation()][0]
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        found.update(_year(subdivision, year))
    return found
