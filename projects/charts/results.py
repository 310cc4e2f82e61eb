"""What ``measure_chart`` returns: the chart, its signals in words, its icons and the data table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.safestring import SafeString

from coachprog import charts as svg
from projects import analysis
from projects.models import ChartNote, DataPoint, Measure, MeasurePhase, PDSACycle

CHART_NAMES = {"run": "run chart", "xmr": "XmR chart", "p": "P chart"}

IMPROVEMENT, CONCERN, NEITHER, CHART_WIDE = svg.IMPROVEMENT, svg.CONCERN, svg.NEITHER, "chart"
KIND_LABELS = {
    IMPROVEMENT: "Special cause improvement",
    CONCERN: "Special cause concern",
    NEITHER: "Special cause variation",
    CHART_WIDE: "Non-random variation",
}


@dataclass(frozen=True)
class SignalReading:
    """One signal in words: ``kind`` is "improvement", "concern", "neither" or "chart" (chart-wide rules)."""

    signal: analysis.Signal
    kind: str
    text: str
    # A chart-wide signal that has a place (the longest run) marks those points, with their own kind.
    points: tuple[int, ...] = ()
    points_kind: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class TableRow:
    """One row of the data table, the chart's text alternative; figures already formatted."""

    period: date
    label: str
    value: str
    centre: str
    lower_limit: str
    upper_limit: str
    kind: str  # "", "improvement", "concern" or "neither": the point's highlight on the chart
    signal: str  # the rules the point is part of, in words ("" when none)
    note: str
    point_pk: int | None = None  # the data point's id, for the link that removes it

    @property
    def in_signal(self) -> bool:
        return bool(self.kind)


@dataclass(frozen=True)
class PhaseRow:
    """A recalculation as the page lists it, with the position it starts at (None: not on the chart)."""

    phase: MeasurePhase
    position: int | None


@dataclass(frozen=True)
class Icon:
    """A variation or assurance icon: its value (None when no analysis value fits), words and SVG."""

    value: str | None
    label: str
    text: str
    svg: SafeString


@dataclass(frozen=True)
class MeasureChart:
    """Everything the measure page shows about the chart (``result`` is None without data)."""

    measure: Measure
    kind: str  # "run", "xmr" or "p"
    rule_set: str
    title: str
    points: list[DataPoint]
    phases: list[PhaseRow]
    notes: list[ChartNote]
    cycles: list[PDSACycle]
    warnings: list[str]
    target_text: str
    result: analysis.ChartResult | None = None
    description: str = ""
    svg: SafeString = SafeString("")
    svg_compact: SafeString = SafeString("")
    legend: tuple[svg.LegendEntry, ...] = ()
    readings: list[SignalReading] = field(default_factory=list)
    variation: Icon | None = None
    assurance: Icon | None = None
    # Why there is no assurance icon although the measure has a target ("" otherwise).
    assurance_missing: str = ""
    rows: list[TableRow] = field(default_factory=list)
    baseline_used: int | None = None

    @property
    def percent(self) -> bool:
        return self.measure.value_type == Measure.ValueType.PROPORTION

    @property
    def has_limits(self) -> bool:
        return self.result is not None and any(v is not None for v in self.result.upper_limit)

    @property
    def centre_name(self) -> str:
        return "Median" if self.kind == "run" else "Mean"

    @property
    def chart_name(self) -> str:
        return CHART_NAMES[self.kind]
