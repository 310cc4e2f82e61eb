"""``measure_chart``: read a measure's data, analyse it with its rule set, draw it and put it in words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from django.utils.safestring import mark_safe

from coachprog import charts as svg
from projects import analysis
from projects.charts.results import CHART_NAMES, MeasureChart, SignalReading
from projects.charts.sentences import _Words, signal_kind
from projects.charts.summary import (
    _assurance,
    _description,
    _highlights,
    _quality_warnings,
    _rows,
    _variation,
)
from projects.charts.timeline import _annotations, _plan
from projects.charts.words import _format, date_text
from projects.models import ChartNote, DataPoint, Measure, MeasurePhase, PDSACycle

RULE_SET_NAMES = {
    ("run", "anhoej"): "Anhøj rules for run charts",
    ("run", "ihi"): "IHI run-chart rules",
    ("xmr", "spc"): "NHS Making Data Count rules (XmR chart)",
    ("p", "spc"): "NHS Making Data Count rules (P chart)",
}


def _value(point: DataPoint) -> Decimal:
    return point.value if point.value is not None else Decimal(point.numerator) / Decimal(point.denominator)


def _analyse(measure: Measure, points: list[DataPoint], baseline: int | None, starts: list[int]):
    if measure.chart == Measure.Chart.RUN:
        return analysis.run_chart(
            [_value(p) for p in points], rules=measure.run_rules, baseline=baseline, phases=starts
        )
    if measure.value_type == Measure.ValueType.PROPORTION:
        return analysis.p_chart(
            [p.numerator for p in points], [p.denominator for p in points], baseline=baseline, phases=starts
        )
    return analysis.xmr_chart([_value(p) for p in points], baseline=baseline, phases=starts)


def _reading(signal: analysis.Signal, words: _Words, better: str | None) -> SignalReading:
    """A signal in words; an unusually long run also marks where the run is, judged like a shift."""
    reading = SignalReading(signal, signal_kind(signal, better), words.sentence(signal))
    if signal.rule != "long_run":
        return reading
    side, points = words.longest_run(words.phase_of(signal))
    as_shift = analysis.Signal("shift", "up" if side == "above" else "down", tuple(points))
    return replace(reading, points=tuple(points), points_kind=signal_kind(as_shift, better))


def measure_chart(measure: Measure, *, id_prefix: str = "measure-chart") -> MeasureChart:
    """Analyse and draw a measure's chart with its own rule set, frozen baseline and phases.

    Runs four queries whatever the amount of data (points, phases, notes, linked PDSA cycles).
    Never changes the baseline or the phases: where they cannot apply (a baseline longer than
    the first phase, say) the chart leaves them out and says so in ``warnings``.
    """
    return measure_charts([measure], id_prefix=lambda _: id_prefix)[0]


def measure_charts(
    measures: Sequence[Measure], *, id_prefix: Callable[[Measure], str] = lambda m: f"measure-chart-{m.pk}"
) -> list[MeasureChart]:
    """``measure_chart`` for each of ``measures``, in their order, in the same four queries however
    many measures there are (a project's report draws every one of its measures)."""
    if not measures:
        return []
    ids = [measure.pk for measure in measures]
    points = _by_measure(DataPoint.objects.filter(measure_id__in=ids).order_by("measure_id", "period"))
    phases = _by_measure(
        MeasurePhase.objects.filter(measure_id__in=ids).select_related("created_by").order_by("starts_on")
    )
    notes = _by_measure(
        ChartNote.objects.filter(measure_id__in=ids).select_related("created_by").order_by("on", "pk")
    )
    cycles: dict[int, list[PDSACycle]] = defaultdict(list)
    for link in (
        PDSACycle.measures.through.objects.filter(measure_id__in=ids, pdsacycle__starts_on__isnull=False)
        .select_related("pdsacycle")
        .order_by("pdsacycle__starts_on", "pdsacycle__number")
    ):
        cycles[link.measure_id].append(link.pdsacycle)
    return [
        _measure_chart(
            measure,
            points=points[measure.pk],
            phases=phases[measure.pk],
            notes=notes[measure.pk],
            cycles=cycles[measure.pk],
            id_prefix=id_prefix(measure),
        )
        for measure in measures
    ]


def _by_measure(rows: Iterable) -> defaultdict[int, list]:
    grouped: defaultdict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.measure_id].append(row)
    return grouped


def _measure_chart(
    measure: Measure,
    *,
    points: list[DataPoint],
    phases: list[MeasurePhase],
    notes: list[ChartNote],
    cycles: list[PDSACycle],
    id_prefix: str,
) -> MeasureChart:
    percent = measure.value_type == Measure.ValueType.PROPORTION
    monthly = measure.frequency == Measure.Frequency.MONTHLY
    better = None if measure.better_direction == Measure.Direction.NEITHER else measure.better_direction
    target = measure.target
    target_text = "" if target is None else _format(float(target), percent).replace(".0%", "%")
    phase_rows, starts, baseline, warnings = _plan(measure, points, phases)
    kind = "run" if measure.chart == Measure.Chart.RUN else "p" if percent else "xmr"
    chart_name = CHART_NAMES[kind]
    basics = {
        "measure": measure,
        "kind": kind,
        "rule_set": RULE_SET_NAMES[(kind, measure.run_rules if kind == "run" else "spc")],
        "title": f"{measure.name}: {chart_name}",
        "points": points,
        "phases": phase_rows,
        "notes": notes,
        "cycles": cycles,
        "warnings": warnings,
        "target_text": target_text,
    }
    if not points:
        return MeasureChart(**basics)

    result = _analyse(measure, points, baseline, starts)
    periods = [p.period for p in points]
    words = _Words(measure, result, periods, cycles, monthly)
    readings = [_reading(s, words, better) for s in result.signals]
    warnings += _quality_warnings(result, periods, monthly)
    if percent and target is not None and not 0 <= target <= 1:
        warnings.append(
            f"The target ({target.normalize():f}) is not drawn: a proportion's target is a fraction between "
            "0 and 1, such as 0.9 for 90%."
        )
        target = None
    assurance, assurance_missing = _assurance(result, target, target_text, better)
    description = _description(chart_name, measure, result, periods, baseline, readings, target_text, monthly)
    labels = [date_text(day, monthly) for day in periods]
    spec = svg.ChartSpec(
        title=basics["title"],
        description=description,
        labels=labels,
        values=result.values,
        centre=result.centre,
        lower_limit=result.lower_limit,
        upper_limit=result.upper_limit,
        target=None if target is None else float(target),
        highlights=_highlights(readings),
        annotations=_annotations(measure, points, phase_rows, notes, cycles, baseline, monthly),
        breaks=[phase.start for phase in result.phases[1:]],
        percent=percent,
        centre_name="Median" if kind == "run" else "Mean",
        unit="" if percent else measure.unit,
    )
    wide = svg.render_chart(spec, id_prefix=f"{id_prefix}-wide")
    compact = svg.render_chart(
        spec, width=380, plot_height=230, font_size=14, id_prefix=f"{id_prefix}-compact"
    )
    return MeasureChart(
        **basics,
        result=result,
        description=description,
        # Safe: coachprog.charts escapes every text it puts in the SVG.
        svg=mark_safe(wide.svg),
        svg_compact=mark_safe(compact.svg),
        legend=wide.legend,
        readings=readings,
        variation=_variation(result, better, readings),
        assurance=assurance,
        assurance_missing=assurance_missing,
        rows=_rows(points, labels, result, readings, spec.highlights, percent),
        baseline_used=baseline,
    )
