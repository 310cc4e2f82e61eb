"""Pure planning helpers: copying a schedule to new dates, and the planner's clash and coverage checks.

Nothing here queries the database: callers load the rows once and pass them in,
so the planner page runs the same number of queries for any number of sessions.

Copying keeps the schedule's shape by shifting every session by a whole number
of weeks: the smallest shift that puts the first session on or after the new
start date. Weekdays and the gaps between sessions stay the same, so a weekend
can only appear if the old schedule had one; a bank holiday can, and is flagged
for the lead to move.

Weekends and bank holidays (of the organisation's nation, `coachprog.bank_holidays`)
are part of the planner's checks at all times, not only when copying: a session
added or moved later, or a date the lead typed into the copy preview, is checked
the same way.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachprog.bank_holidays import bank_holidays, nation_name

LONDON = ZoneInfo("Europe/London")


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def local_time(moment: datetime) -> time:
    return moment.astimezone(LONDON).time().replace(tzinfo=None)


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


# --- copying a schedule -------------------------------------------------------------


def copy_shift(*, first_day: date, new_start: date) -> timedelta:
    """The whole number of weeks that moves `first_day` to the first same weekday on or after `new_start`."""
    weeks = -(-(new_start - first_day).days // 7)  # ceiling division
    return timedelta(weeks=weeks)


def day_flag(day: date, holiday_names: dict[date, str]) -> str:
    """Why a session should not fall on `day`: a bank holiday's name, "Saturday", "Sunday" or ""."""
    if day in holiday_names:
        return holiday_names[day]
    if day.weekday() >= 5:
        return day.strftime("%A")
    return ""


def day_flags(days: Iterable[date]) -> dict[date, str]:
    """Each of the days that falls on a weekend or a bank holiday, with the reason."""
    days = set(days)
    names = bank_holidays(d.year for d in days)
    return {d: flag for d in days if (flag := day_flag(d, names))}


@dataclass(frozen=True)
class CopiedSession:
    source: object  # the Session being copied
    day: date
    flag: str


def copy_plan(
    sessions: Sequence, *, new_start: date, first_day: date | None = None
) -> tuple[timedelta, list[CopiedSession]]:
    """Each session's new local date after the copy shift, flagged on a weekend or bank holiday.

    The shift moves the first session (or, with no sessions, `first_day`) to `new_start`'s week.
    """
    days = [local_date(s.starts_at) for s in sessions]
    if not days:
        return (copy_shift(first_day=first_day, new_start=new_start) if first_day else timedelta(0)), []
    shift = copy_shift(first_day=min(days), new_start=new_start)
    new_days = [d + shift for d in days]
    names = bank_holidays(d.year for d in new_days)
    plan = [
        CopiedSession(source=s, day=d, flag=day_flag(d, names))
        for s, d in zip(sessions, new_days, strict=True)
    ]
    return shift, plan


# --- clash and coverage checks ------------------------------------------------------------


def _overlaps(a, b) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _scheduled(sessions: Iterable) -> list:
    return [s for s in sessions if s.status != "cancelled"]


def overlapping_sessions(sessions: Sequence) -> list[tuple]:
    """Pairs of scheduled sessions of one cohort that overlap in time."""
    live = sorted(_scheduled(sessions), key=lambda s: s.starts_at)
    return [(a, b) for i, a in enumerate(live) for b in live[i + 1 :] if _overlaps(a, b)]


def sessions_outside(cohort, sessions: Sequence) -> list:
    """Scheduled sessions whose local date falls before the cohort starts or after it ends."""
    return [
        s
        for s in _scheduled(sessions)
        if local_date(s.starts_at) < cohort.starts_on or local_date(s.ends_at) > cohort.ends_on
    ]


def double_bookings(sessions: Sequence, other_enrolments: Sequence, other_sessions: Sequence) -> list[tuple]:
    """(participant, this cohort's session, other cohort's session) for overlaps across cohorts.

    `other_enrolments` are the enrolments, in other cohorts, of this cohort's enrolled participants;
    `other_sessions` are the sessions of those other cohorts.
    """
    by_cohort: dict[int, list] = {}
    for s in _scheduled(other_sessions):
        by_cohort.setdefault(s.cohort_id, []).append(s)
    found = []
    for enrolment in other_enrolments:
        for theirs in by_cohort.get(enrolment.cohort_id, []):
            for ours in _scheduled(sessions):
                if _overlaps(ours, theirs):
                    found.append((enrolment.participant, ours, theirs))
    found.sort(key=lambda f: (f[1].starts_at, str(f[0])))
    return found


def uncovered_topics(topics: Sequence, sessions: Sequence) -> list:
    """The cohort's curriculum topics that no scheduled session covers (sessions need topics prefetched)."""
    covered = {t.pk for s in _scheduled(sessions) for t in s.topics.all()}
    return [t for t in topics if t.pk not in covered]


def sessions_on_days_off(sessions: Sequence) -> list[tuple]:
    """(session, reason) for each scheduled session that starts on a weekend or a bank holiday."""
    live = sorted(_scheduled(sessions), key=lambda s: s.starts_at)
    flags = day_flags(local_date(s.starts_at) for s in live)
    return [(s, flags[local_date(s.starts_at)]) for s in live if local_date(s.starts_at) in flags]


def day_off_warning(reason: str) -> str:
    """ "a Saturday", or "a bank holiday in England and Wales: Boxing Day"."""
    if reason in {"Saturday", "Sunday"}:
        return f"a {reason}"
    return f"a bank holiday in {nation_name()}: {reason}"


def contact_days(sessions: Sequence) -> int:
    """Distinct local dates of scheduled workshop-day sessions."""
    return len({local_date(s.starts_at) for s in _scheduled(sessions) if s.kind == "workshop"})


def _when(session) -> str:
    start = session.starts_at.astimezone(LONDON)
    return f"{start.day} {start:%b %Y}, {start:%H:%M}"


def plan_warnings(
    *, cohort, sessions: Sequence, topics: Sequence, other_enrolments: Sequence = (), other_sessions=()
) -> list[str]:
    """Every clash and coverage warning for a cohort's plan, as sentences for the planner page."""
    warnings = []
    for a, b in overlapping_sessions(sessions):
        warnings.append(f"“{a.title}” ({_when(a)}) overlaps “{b.title}” ({_when(b)}).")
    for s in sessions_outside(cohort, sessions):
        warnings.append(f"“{s.title}” ({_when(s)}) is outside the cohort's dates.")
    for s, reason in sessions_on_days_off(sessions):
        warnings.append(f"“{s.title}” ({_when(s)}) is on {day_off_warning(reason)}.")
    for person, ours, theirs in double_bookings(sessions, other_enrolments, other_sessions):
        warnings.append(
            f"{person} is double-booked: “{ours.title}” ({_when(ours)}) overlaps "
            f"“{theirs.title}” in {theirs.cohort}."
        )
    for topic in uncovered_topics(topics, sessions):
        warnings.append(f"No session covers curriculum topic {topic}.")
    return warnings
