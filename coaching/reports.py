"""What a project's month looked like, read from its records: the facts beside a monthly update.

``month_facts(project, month)`` gathers the meetings held (dates only: never the notes),
PDSA cycles started and completed with what the team learned, new data points and
run-chart signals per measure, the progress score at the month's end and its change,
and the next steps still open. It reads a fixed number of queries plus the four that
``projects.charts.measure_chart`` needs for each measure (a project has a handful).
The facts are shown beside the coach's form and on the sponsor's report, never copied
into the free text, so they stay true when the records are corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from coaching.models import MeetingLog, NextStep
from projects.charts import MeasureChart, SignalReading, measure_charts
from projects.charts.results import CHART_WIDE
from projects.models import Measure, PDSACycle, ProgressScoreChange, Project
from projects.periods import MONTHLY, next_period

# The sponsor's report shows the meeting dates of the reported month and the two before it.
CADENCE_MONTHS = 3


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The 1st of the next month; past the calendar's last month, its last day (never an overflow)."""
    return next_period(month_start(month), MONTHLY) or date.max


def months_back(month: date, count: int) -> date:
    """The 1st of the month `count` months earlier, or of January in year 1 if that is earlier still."""
    months = max(month.year * 12 + month.month - 1 - count, 12)
    return date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class MeasureFacts:
    """One measure's month: the points recorded for it and the signals that appeared."""

    measure: Measure
    new_points: int
    signals: list[SignalReading]


@dataclass
class MonthFacts:
    month: date
    meeting_dates: list[date]
    cycles_started: list[PDSACycle]
    cycles_completed: list[PDSACycle]
    measures: list[MeasureFacts]
    score_at_start: Decimal | None
    score_at_end: Decimal | None
    open_next_steps: list[NextStep]
    charts: list[MeasureChart] = field(default_factory=list)

    @property
    def score_change(self) -> Decimal | None:
        if self.score_at_start is None or self.score_at_end is None:
            return None
        return self.score_at_end - self.score_at_start

    @property
    def signal_count(self) -> int:
        return sum(len(m.signals) for m in self.measures)


def project_charts(project: Project) -> list[MeasureChart]:
    """Every measure's chart, in the project's order (five queries however many measures)."""
    measures = list(Measure.objects.filter(project=project).order_by("position", "pk"))
    return measure_charts(measures, id_prefix=lambda m: f"report-chart-{m.pk}")


def _signal_positions(reading: SignalReading) -> tuple[int, ...]:
    """The points a signal marks: an unusually long run marks the run itself; other chart-wide
    rules (too few crossings, too few runs) mark no point, so they belong to no month."""
    if reading.points:
        return reading.points
    return () if reading.kind == CHART_WIDE else reading.signal.points


def signals_in(chart: MeasureChart, start: date, end: date) -> list[SignalReading]:
    """The chart's signals with a point in [start, end)."""
    periods = [point.period for point in chart.points]
    return [
        reading
        for reading in chart.readings
        if any(start <= periods[i] < end for i in _signal_positions(reading))
    ]


def _score_before(project: Project, moment: datetime) -> Decimal | None:
    return (
        ProgressScoreChange.objects.filter(project=project, changed_at__lt=moment)
        .order_by("-changed_at", "-pk")
        .values_list("score", flat=True)
        .first()
    )


def _score_at_start(project: Project, start: datetime, end: datetime) -> Decimal | None:
    """The score at the start: the last change before it, or what the month's first change replaced."""
    before = _score_before(project, start)
    if before is not None:
        return before
    return (
        ProgressScoreChange.objects.filter(project=project, changed_at__gte=start, changed_at__lt=end)
        .order_by("changed_at", "pk")
        .values_list("previous_score", flat=True)
        .first()
    )


def month_facts(project: Project, month: date, *, charts: list[MeasureChart] | None = None) -> MonthFacts:
    """The month's records for `project` (pass `charts` when they are already drawn)."""
    start = month_start(month)
    end = next_month(start)
    start_moment = timezone.make_aware(datetime.combine(start, time.min))
    end_moment = timezone.make_aware(datetime.combine(end, time.min))
    meeting_dates = list(
        MeetingLog.objects.filter(project=project, met_on__gte=start, met_on__lt=end)
        .order_by("met_on")
        .values_list("met_on", flat=True)
    )
    cycles = list(
        PDSACycle.objects.filter(project=project)
        .filter(Q(starts_on__gte=start, starts_on__lt=end) | Q(completed_on__gte=start, completed_on__lt=end))
        .order_by("number")
    )
    if charts is None:
        charts = project_charts(project)
    measures = [
        MeasureFacts(
            measure=chart.measure,
            new_points=sum(1 for p in chart.points if start <= p.period < end),
            signals=signals_in(chart, start, end),
        )
        for chart in charts
    ]
    score_at_end = _score_before(project, end_moment)
    if score_at_end is None:
        # Not changed by then: what the first later change replaced, or the score it has always had.
        first_later = (
            ProgressScoreChange.objects.filter(project=project)
            .order_by("changed_at", "pk")
            .values_list("previous_score", flat=True)
            .first()
        )
        score_at_end = first_later if first_later is not None else project.progress_score
    score_at_start = _score_at_start(project, start_moment, end_moment)
    if score_at_start is None:
        score_at_start = score_at_end  # no change before or during the month
    open_steps = list(
        NextStep.objects.filter(meeting__project=project, meeting__met_on__lt=end)
        .filter(Q(done_on__isnull=True) | Q(done_on__gte=end))
        .select_related("meeting")
        .order_by("due_on", "pk")
    )
    return MonthFacts(
        month=start,
        meeting_dates=meeting_dates,
        cycles_started=[c for c in cycles if c.starts_on and start <= c.starts_on < end],
        cycles_completed=[c for c in cycles if c.completed_on and start <= c.completed_on < end],
        measures=measures,
        score_at_start=score_at_start,
        score_at_end=score_at_end,
        open_next_steps=open_steps,
        charts=charts,
    )


def meeting_cadence(project: Project, month: date) -> list[date]:
    """Meeting dates from the start of the month two before `month` to its end (dates only)."""
    start = months_back(month_start(month), CADENCE_MONTHS - 1)
    return list(
        MeetingLog.objects.filter(
            project=project, met_on__gte=start, met_on__lt=next_month(month_start(month))
        )
        .order_by("met_on")
        .values_list("met_on", flat=True)
    )


def pdsa_timeline(project: Project) -> list[PDSACycle]:
    """The project's cycles that have started, in order, for the report's timeline."""
    return list(
        PDSACycle.objects.filter(project=project, starts_on__isnull=False).order_by("starts_on", "number")
    )
