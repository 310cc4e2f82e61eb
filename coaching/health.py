"""Programme health: the programme's own measures month by month, and one record per coach.

The measures, each worked out at the end of every month (today, for this month):

- **Coaches actively coaching**: of the trained coaches (completed a cohort that had ended by
  then, or held an assignment by then), the share who met a team in the
  `COACHING_ACTIVE_WEEKS` before.
- **Projects whose score rose**: of the projects started at least 3 months before, the share
  whose progress score was higher than 3 months before.
- **Projects stalled**: how many of those projects had no change of progress score for 3 months.
- **People trained per directorate**: completed enrolments by the person's directorate (the
  "dosing" of improvement capability), as a table.

Each series is drawn as a run chart (median, Anhøj rules) with the projects app's statistics
and the shared SVG charts. The series are worked out in five queries, aggregated in the database
where they can be, and kept in the cache until a service changes the data they read
(`coachprog.figures`): a score change, a meeting, an assignment, a completion recorded or a
cohort's end date moved.

The coach records are read a page at a time (and all at once for the download), each in a fixed
number of queries: one aggregate per kind of log for the coaches shown, by the indexes on
(coach, date), and their rows of their cohorts' matrices (`cohorts.attendance.participant_rows`,
the cohort's own completion rule, so a coach's record says what their cohort's page and matrix say).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coaching.models import Assignment, CoachProfile, MeetingLog, SupervisionLog
from coaching.queries import last_months
from coachprog import charts as svg
from coachprog.accounts.models import Directorate
from coachprog.figures.cache import cached_figures
from coachprog.figures.models import Topic
from cohorts.attendance import participant_rows
from cohorts.models import Cohort, Enrolment
from projects import analysis
from projects.charts import RULE_LABELS
from projects.models import ProgressScoreChange, Project

HEALTH_MONTHS = 12
SCORE_WINDOW_DAYS = 91  # "within the last 3 months"
# What each series reads; the services that change any of it give it a new version.
ACTIVE_TOPICS = (Topic.ENROLMENTS, Topic.ASSIGNMENTS, Topic.MEETINGS)
SCORE_TOPICS = (Topic.PROGRESS_SCORES,)
# Raise it when the series are worked out differently, so series cached by older code are not read.
SERIES_VERSION = 2


@dataclass
class HealthChart:
    key: str
    title: str
    description: str
    labels: list[str]
    values: list[float]
    percent: bool
    svg: SafeString = SafeString("")
    svg_compact: SafeString = SafeString("")
    signals: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (month, value, out of)


@dataclass
class CoachRecord:
    profile: CoachProfile
    enrolment: Enrolment | None
    attended: int | None
    required: int | None
    completion: str
    supervision_count: int
    last_supervision_on: date | None
    team_count: int
    meetings_12_weeks: int
    last_meeting_on: date | None

    @property
    def actively_coaching(self) -> bool:
        since = timezone.localdate() - timedelta(weeks=settings.COACHING_ACTIVE_WEEKS)
        return self.last_meeting_on is not None and self.last_meeting_on > since


def _month_end(month: date, today: date) -> date:
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return min(end, today)


def _after(day: date) -> datetime:
    """The first moment after `day` (London time): a change made on `day` or before was made before it.

    In UTC, as the database gives `changed_at`: comparing datetimes in one time zone is far quicker.
    """
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)).astimezone(UTC)


@dataclass
class _ScoreHistory:
    """A project's score changes, oldest first, to look up its score at any moment by bisection."""

    started_on: date
    times: list[datetime]
    scores: list[Decimal]
    first: Decimal  # the score before the first change (its previous score, or the first score itself)

    def changes_before(self, moment: datetime) -> int:
        return bisect_left(self.times, moment)

    def score(self, changes: int) -> Decimal:
        """The score once the first `changes` changes were made."""
        return self.scores[changes - 1] if changes else self.first


def _score_histories() -> tuple[list[_ScoreHistory], list[date]]:
    """Every project's score history (two queries), and the start dates of projects never changed."""
    changes: dict[int, _ScoreHistory] = {}
    for project_id, changed_at, score, previous in ProgressScoreChange.objects.order_by(
        "project_id", "changed_at", "pk"
    ).values_list("project_id", "changed_at", "score", "previous_score"):
        history = changes.get(project_id)
        if history is None:
            first = previous if previous is not None else score
            history = changes[project_id] = _ScoreHistory(
                started_on=date.min, times=[], scores=[], first=first
            )
        history.times.append(changed_at)
        history.scores.append(score)
    histories, unchanged = [], []
    for pk, started_on in Project.objects.order_by().values_list("pk", "started_on"):
        history = changes.get(pk)
        if history is None:
            unchanged.append(started_on)  # its score never moved: never rose, always stalled
        else:
            history.started_on = started_on
            histories.append(history)
    return histories, sorted(unchanged)


SIGNAL_WORDS = {
    "shift": "a shift (a run of points on one side of the median)",
    "long_run": "an unusually long run on one side of the median",
    "trend": "a trend",
    "few_crossings": "fewer crossings of the median than chance allows",
    "too_few_runs": "too few runs",
    "too_many_runs": "too many runs",
}


def _draw(chart: HealthChart) -> HealthChart:
    """Analyse the series as a run chart (Anhøj rules) and draw it, wide and compact."""
    if not chart.values:
        return chart
    result = analysis.run_chart(chart.values, rules="anhoej")
    spec = svg.ChartSpec(
        title=chart.title,
        description=chart.description,
        labels=chart.labels,
        values=result.values,
        centre=result.centre,
        percent=chart.percent,
        centre_name="Median",
    )
    # Safe: coachprog.charts escapes every text it puts in the SVG.
    chart.svg = mark_safe(svg.render_chart(spec, id_prefix=f"health-{chart.key}-wide").svg)
    chart.svg_compact = mark_safe(
        svg.render_chart(
            spec, width=380, plot_height=230, font_size=14, id_prefix=f"health-{chart.key}-compact"
        ).svg
    )
    chart.signals = [
        SIGNAL_WORDS.get(s.rule, RULE_LABELS.get(s.rule, s.rule))
        + (f", {s.direction}wards" if s.direction else "")
        for s in result.signals
    ]
    return chart


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def _trained_from() -> dict[int, date]:
    """When each trained coach became one: the end of the first cohort they completed, or their first
    assignment, whichever came first (two grouped queries)."""
    trained = dict(
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
        .order_by()
        .values("participant_id")
        .annotate(first=Min("cohort__ends_on"))
        .values_list("participant_id", "first")
    )
    for coach, first in (
        Assignment.objects.order_by()
        .values("coach_id")
        .annotate(first=Min("starts_on"))
        .values_list("coach_id", "first")
    ):
        trained[coach] = min(first, trained.get(coach, first))
    return trained


def _coaches_who_met(ends: list[date], today: date) -> list[set[int]]:
    """For each month's end, the coaches who met a team in the active window before it (one query,
    one row per coach)."""
    window = timedelta(weeks=settings.COACHING_ACTIVE_WEEKS)
    rows = (
        MeetingLog.objects.filter(met_on__gt=ends[0] - window, met_on__lte=today)
        .order_by()
        .values("coach_id")
        .annotate(
            **{
                f"met_{i}": Count("pk", filter=Q(met_on__gt=end - window, met_on__lte=end))
                for i, end in enumerate(ends)
            }
        )
    )
    met: list[set[int]] = [set() for _ in ends]
    for row in rows:
        for i in range(len(ends)):
            if row[f"met_{i}"]:
                met[i].add(row["coach_id"])
    return met


def _months(today: date) -> list[tuple[str, date]]:
    """Each of the last 12 months, as its label and its last day (today, for this month)."""
    return [(f"{month:%b %Y}", _month_end(month, today)) for month in last_months(HEALTH_MONTHS, today)]


def active_series(today: date) -> list[tuple[str, int, int]]:
    """(month, trained coaches who met a team in the active window, trained coaches), for each month
    that had trained coaches; three queries."""
    months = _months(today)
    trained_from = _trained_from()
    met = _coaches_who_met([end for _, end in months], today)
    rows = []
    for (label, end), met_by_then in zip(months, met, strict=True):
        trained = {person for person, since in trained_from.items() if since <= end}
        if trained:
            rows.append((label, len(trained & met_by_then), len(trained)))
    return rows


def score_series(today: date) -> list[tuple[str, int, int, int]]:
    """(month, projects whose score rose in the 3 months to its end, projects stalled for those 3
    months, projects started 3 months before or earlier), for each month that had any; two queries."""
    histories, unchanged = _score_histories()
    rows = []
    for label, end in _months(today):
        window_start = end - timedelta(days=SCORE_WINDOW_DAYS)
        after_start, after_end = _after(window_start), _after(end)
        # Projects whose score never changed are eligible once old enough, and always stalled.
        eligible = stuck = bisect_right(unchanged, window_start)
        risen = 0
        for history in histories:
            if history.started_on > window_start:
                continue
            eligible += 1
            at_start, at_end = history.changes_before(after_start), history.changes_before(after_end)
            if at_start == at_end:
                stuck += 1  # no change in the 3 months
            elif history.score(at_end) > history.score(at_start):
                risen += 1
        if eligible:
            rows.append((label, risen, stuck, eligible))
    return rows


def _charts(
    active_rows: list[tuple[str, int, int]], score_rows: list[tuple[str, int, int, int]]
) -> list[HealthChart]:
    active = HealthChart(
        "active",
        "Trained coaches actively coaching",
        "The share of trained coaches who met a team in the 8 weeks to the end of each month.",
        [],
        [],
        percent=True,
    )
    rose = HealthChart(
        "rose",
        "Projects whose progress score rose",
        "The share of projects (started 3 months before or earlier) whose progress score rose in the 3 "
        "months to the end of each month.",
        [],
        [],
        percent=True,
    )
    stalled = HealthChart(
        "stalled",
        "Projects stalled for 3 months or more",
        "How many projects (started 3 months before or earlier) had the same progress score for the 3 "
        "months to the end of each month.",
        [],
        [],
        percent=False,
    )
    for label, n, trained in active_rows:
        active.labels.append(label)
        active.values.append(n / trained)
        active.rows.append((label, _percent(n, trained), f"{n} of {trained}"))
    for label, risen, stuck, eligible in score_rows:
        rose.labels.append(label)
        rose.values.append(risen / eligible)
        rose.rows.append((label, _percent(risen, eligible), f"{risen} of {eligible}"))
        stalled.labels.append(label)
        stalled.values.append(stuck)
        stalled.rows.append((label, str(stuck), f"of {eligible}"))
    return [_draw(chart) for chart in (active, rose, stalled)]


def health_charts(today: date | None = None) -> list[HealthChart]:
    """The programme's three measures over the last 12 months, each as a run chart, in five queries."""
    today = today or timezone.localdate()
    return _charts(active_series(today), score_series(today))


def cached_health_charts(today: date | None = None) -> list[HealthChart]:
    """`health_charts`, from the cache unless a service changed the data they read since.

    Each series is also kept under the versions of what it alone reads, so a meeting logged (the
    commonest change) works out the coaches' series again, not every project's score history.
    """
    today = today or timezone.localdate()
    parts = (SERIES_VERSION, today, HEALTH_MONTHS, SCORE_WINDOW_DAYS, settings.COACHING_ACTIVE_WEEKS)

    def compute() -> list[HealthChart]:
        active = cached_figures(
            "programme-health-active", topics=ACTIVE_TOPICS, parts=parts, compute=lambda: active_series(today)
        )
        scores = cached_figures(
            "programme-health-scores", topics=SCORE_TOPICS, parts=parts, compute=lambda: score_series(today)
        )
        return _charts(active, scores)

    return cached_figures(
        "programme-health", topics=ACTIVE_TOPICS + SCORE_TOPICS, parts=parts, compute=compute
    )


def trained_by_directorate() -> list[tuple[str, int]]:
    """People who completed a cohort, by the directorate they work in (most first), in one query."""
    counts: Counter[str] = Counter()
    for name, people in (
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
        .order_by()
        .values("participant__organisation_unit__name")
        .annotate(people=Count("participant_id", distinct=True))
        .values_list("participant__organisation_unit__name", "people")
    ):
        counts[name or "No directorate"] += people
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def coach_record_profiles(
    *, query: str = "", directorate: Directorate | None = None, cohort: Cohort | None = None
) -> QuerySet[CoachProfile]:
    """Every coach by name, or those whose name or address has `query`, who work in `directorate`
    or who were enrolled in `cohort` (and did not withdraw)."""
    profiles = CoachProfile.objects.select_related("coach__organisation_unit").order_by(
        "coach__display_name", "pk"
    )
    if query:
        profiles = profiles.filter(Q(coach__display_name__icontains=query) | Q(coach__email__icontains=query))
    if directorate is not None:
        profiles = profiles.filter(coach__organisation_unit=directorate)
    if cohort is not None:
        enrolled = Enrolment.objects.filter(participant=OuterRef("coach_id"), cohort=cohort).exclude(
            status=Enrolment.Status.WITHDRAWN
        )
        profiles = profiles.filter(Exists(enrolled))
    return profiles


def coach_records(
    profiles: Iterable[CoachProfile] | None = None, *, today: date | None = None
) -> list[CoachRecord]:
    """One row per coach (every coach unless `profiles` says which): their training (cohort,
    attendance, completion), supervision and coaching, in six queries however many coaches."""
    today = today or timezone.localdate()
    year_ago, twelve_weeks = today - timedelta(days=365), today - timedelta(weeks=12)
    profiles = list(coach_record_profiles() if profiles is None else profiles)
    coaches = [p.coach_id for p in profiles]
    # One aggregate per kind of record, each grouped by coach: joining them in one query multiplied
    # the rows (supervision × assignments × meetings) and had to count them distinct.
    supervision = {
        coach: (held, last)
        for coach, held, last in SupervisionLog.objects.filter(coach_id__in=coaches)
        .order_by()
        .values("coach_id")
        .annotate(held=Count("pk", filter=Q(held_on__gt=year_ago)), last=Max("held_on"))
        .values_list("coach_id", "held", "last")
    }
    teams = dict(
        Assignment.objects.current(today)
        .filter(coach_id__in=coaches)
        .order_by()
        .values("coach_id")
        .annotate(teams=Count("pk"))
        .values_list("coach_id", "teams")
    )
    meetings = {
        coach: (recent, last)
        for coach, recent, last in MeetingLog.objects.filter(coach_id__in=coaches)
        .order_by()
        .values("coach_id")
        .annotate(recent=Count("pk", filter=Q(met_on__gt=twelve_weeks)), last=Max("met_on"))
        .values_list("coach_id", "recent", "last")
    }
    # Each coach's latest cohort; the completion rule is the cohort's own (cohorts.attendance).
    enrolments: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(participant_id__in=coaches)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cohort")
        .order_by("cohort__starts_on", "pk")
    ):
        enrolments[enrolment.participant_id] = enrolment
    rows = participant_rows(enrolments.values())
    records = []
    for profile in profiles:
        enrolment = enrolments.get(profile.coach_id)
        row = rows.get(enrolment.pk) if enrolment else None
        held, last_held = supervision.get(profile.coach_id, (0, None))
        recent, last_met = meetings.get(profile.coach_id, (0, None))
        records.append(
            CoachRecord(
                profile=profile,
                enrolment=enrolment,
                attended=row.attended if row else None,
                required=row.required if row else None,
                completion=row.completion_label if row else "No cohort recorded",
                supervision_count=held,
                last_supervision_on=last_held,
                team_count=teams.get(profile.coach_id, 0),
                meetings_12_weeks=recent,
                last_meeting_on=last_met,
            )
        )
    return records


def coach_record_export_rows(records: list[CoachRecord]) -> tuple[list[str], list[list[object]]]:
    headers = [
        "Coach",
        "Directorate",
        "Cohort",
        "Required sessions attended",
        "Required sessions",
        "Completion",
        "Supervision sessions (12 months)",
        "Last supervision",
        "Current teams",
        "Team meetings (12 weeks)",
        "Last team meeting",
        "Actively coaching",
    ]
    rows = [
        [
            str(r.profile.coach),
            r.profile.coach.organisation_unit.name if r.profile.coach.organisation_unit else "",
            str(r.enrolment.cohort) if r.enrolment else "",
            r.attended,
            r.required,
            r.completion,
            r.supervision_count,
            r.last_supervision_on,
            r.team_count,
            r.meetings_12_weeks,
            r.last_meeting_on,
            "Yes" if r.actively_coaching else "No",
        ]
        for r in records
    ]
    return headers, rows
