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
and the shared SVG charts. The reads are a fixed number of queries, three of them for the
attendance matrices of every coach's cohort (the completion rule lives in `cohorts.attendance`,
so a coach's record says what their cohort's page and matrix say).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coaching.models import Assignment, CoachProfile, MeetingLog, SupervisionLog
from coaching.queries import last_months
from coachprog import charts as svg
from cohorts.attendance import attendance_matrices
from cohorts.models import Cohort, Enrolment
from projects import analysis
from projects.charts import RULE_LABELS
from projects.models import ProgressScoreChange, Project

HEALTH_MONTHS = 12
SCORE_WINDOW_DAYS = 91  # "within the last 3 months"


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


def _score_on(changes: list[ProgressScoreChange], current: Decimal, day: date) -> Decimal:
    """A project's score at the end of `day`, from its score changes (oldest first)."""
    score = changes[0].previous_score if changes and changes[0].previous_score is not None else None
    for change in changes:
        if timezone.localdate(change.changed_at) <= day:
            score = change.score
    if score is None:
        return current if not changes else changes[0].score
    return score


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


def health_charts(today: date | None = None) -> list[HealthChart]:
    """The programme's three measures over the last 12 months, each as a run chart."""
    today = today or timezone.localdate()
    months = last_months(HEALTH_MONTHS, today)
    ends = [_month_end(m, today) for m in months]
    active_window = timedelta(weeks=settings.COACHING_ACTIVE_WEEKS)

    completed = list(
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).values_list(
            "participant_id", "cohort__ends_on"
        )
    )
    first_assignments = dict(
        Assignment.objects.order_by()
        .values("coach_id")
        .annotate(first=Min("starts_on"))
        .values_list("coach_id", "first")
    )
    meetings = list(
        MeetingLog.objects.filter(met_on__gt=ends[0] - active_window, met_on__lte=today).values_list(
            "coach_id", "met_on"
        )
    )
    projects = list(Project.objects.values_list("pk", "started_on", "progress_score"))
    changes: dict[int, list[ProgressScoreChange]] = {}
    for change in ProgressScoreChange.objects.order_by("project_id", "changed_at", "pk"):
        changes.setdefault(change.project_id, []).append(change)

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
    for month, end in zip(months, ends, strict=True):
        label = f"{month:%b %Y}"
        trained = {pid for pid, cohort_end in completed if cohort_end and cohort_end <= end}
        trained |= {coach for coach, first in first_assignments.items() if first <= end}
        met = {coach for coach, met_on in meetings if end - active_window < met_on <= end}
        if trained:
            n = len(trained & met)
            active.labels.append(label)
            active.values.append(n / len(trained))
            active.rows.append((label, _percent(n, len(trained)), f"{n} of {len(trained)}"))
        window_start = end - timedelta(days=SCORE_WINDOW_DAYS)
        eligible = [(pk, score) for pk, started_on, score in projects if started_on <= window_start]
        if eligible:
            risen = stuck = 0
            for pk, current in eligible:
                history = changes.get(pk, [])
                if _score_on(history, current, end) > _score_on(history, current, window_start):
                    risen += 1
                if not any(window_start < timezone.localdate(c.changed_at) <= end for c in history):
                    stuck += 1
            rose.labels.append(label)
            rose.values.append(risen / len(eligible))
            rose.rows.append((label, _percent(risen, len(eligible)), f"{risen} of {len(eligible)}"))
            stalled.labels.append(label)
            stalled.values.append(stuck)
            stalled.rows.append((label, str(stuck), f"of {len(eligible)}"))
    return [_draw(chart) for chart in (active, rose, stalled)]


def trained_by_directorate() -> list[tuple[str, int]]:
    """People who completed a cohort, by the directorate they work in (most first)."""
    people = set(
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).values_list(
            "participant_id", "participant__organisation_unit__name"
        )
    )
    counts = Counter(name or "No directorate" for _, name in people)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def coach_records(today: date | None = None) -> list[CoachRecord]:
    """One row per coach: their training (cohort, attendance, completion), supervision and coaching."""
    today = today or timezone.localdate()
    year_ago, twelve_weeks = today - timedelta(days=365), today - timedelta(weeks=12)
    profiles = list(
        CoachProfile.objects.select_related("coach__organisation_unit", "supervisor")
        .annotate(
            supervision_count=Count(
                "coach__supervision_logs",
                filter=Q(coach__supervision_logs__held_on__gt=year_ago),
                distinct=True,
            ),
            team_count=Count(
                "coach__assignments",
                filter=Q(coach__assignments__starts_on__lte=today)
                & (Q(coach__assignments__ends_on__isnull=True) | Q(coach__assignments__ends_on__gte=today)),
                distinct=True,
            ),
            meetings_12=Count(
                "coach__meeting_logs", filter=Q(coach__meeting_logs__met_on__gt=twelve_weeks), distinct=True
            ),
        )
        .order_by("coach__display_name")
    )
    coach_ids = [p.coach_id for p in profiles]
    last_supervision = dict(
        SupervisionLog.objects.filter(coach_id__in=coach_ids)
        .values("coach_id")
        .annotate(last=Max("held_on"))
        .values_list("coach_id", "last")
    )
    last_meeting = dict(
        MeetingLog.objects.filter(coach_id__in=coach_ids)
        .values("coach_id")
        .annotate(last=Max("met_on"))
        .values_list("coach_id", "last")
    )
    # Each coach's latest cohort; the completion rule is the cohort's own (cohorts.attendance).
    enrolments: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(participant_id__in=coach_ids)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("cohort__programme")
        .order_by("cohort__starts_on")
    ):
        enrolments[enrolment.participant_id] = enrolment
    # The cohort's own completion (cohorts.attendance), as its matrix and cohort page show it.
    matrix_rows = {}
    cohorts = Cohort.objects.filter(pk__in={e.cohort_id for e in enrolments.values()})
    for matrix in attendance_matrices(cohorts).values():
        for row in matrix.rows:
            matrix_rows[row.enrolment.pk] = row
    records = []
    for profile in profiles:
        enrolment = enrolments.get(profile.coach_id)
        row = matrix_rows.get(enrolment.pk) if enrolment else None
        completion = row.completion_label if row else "No cohort recorded"
        records.append(
            CoachRecord(
                profile=profile,
                enrolment=enrolment,
                attended=row.attended if row else None,
                required=row.required if row else None,
                completion=completion,
                supervision_count=profile.supervision_count,
                last_supervision_on=last_supervision.get(profile.coach_id),
                team_count=profile.team_count,
                meetings_12_weeks=profile.meetings_12,
                last_meeting_on=last_meeting.get(profile.coach_id),
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
