"""Analyse a measure's series from a CSV file with the run chart or SPC rules of runcharts.md."""

import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.management.base import BaseCommand, CommandError

from projects import analysis

RULE_NAMES = {
    "ihi": "Run chart, IHI rules",
    "anhoej": "Run chart, Anhøj rules",
    "spc": "XmR chart, Making Data Count rules",
}


@dataclass(frozen=True)
class Series:
    """The rows of a CSV series: period labels and exact values."""

    periods: list[str]
    values: list[Decimal | Fraction]
    lines: list[int]  # the CSV row each value came from (the header is row 1)


def _value(text: str, where: str) -> Decimal | Fraction:
    """A value as written (Decimal is exact and fast); anything odd goes to the analysis's own check."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite():
        return value
    try:
        return analysis.to_fraction(text)
    except analysis.AnalysisError as error:
        raise CommandError(f"{where}: {error}") from None


def read_series(text: str, name: str) -> Series:
    """Parse CSV text (header row, then period and value columns) or raise CommandError naming the row."""
    if "\x00" in text:
        raise CommandError(f"Not a CSV text file: {name} contains NUL bytes.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    periods, values, lines = [], [], []
    try:
        header = next(reader, None)
        if header is None:
            raise CommandError(f"No data rows in {name}: it is empty.")
        if len(header) < 2:
            raise CommandError(
                f"Row 1 of {name}: no value column; the header needs a period and a value column."
            )
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines, such as a spreadsheet's trailing empty rows
            if len(row) < 2 or not row[1].strip():
                raise CommandError(f"Row {line} of {name}: the value is missing.")
            values.append(_value(row[1], f"Row {line} of {name}"))
            periods.append(row[0].strip() or f"row {line}")
            lines.append(line)
    except csv.Error as error:
        raise CommandError(f"Row {reader.line_num} of {name}: not valid CSV ({error}).") from None
    if not values:
        raise CommandError(f"No data rows in {name}: there is only a header.")
    return Series(periods, values, lines)


class Command(BaseCommand):
    help = (
        "Apply the run chart (ihi, anhoej) or SPC (spc) rules to a series in a CSV file whose first row is a "
        "header and whose first two columns are the period and the value. FILE '-' reads standard input."
    )
    requires_system_checks = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="CSV file, or '-' for standard input")
        parser.add_argument(
            "--rules", required=True, choices=analysis.RULE_SETS, help="the rule set to apply"
        )
        parser.add_argument(
            "--baseline",
            type=int,
            metavar="N",
            help="freeze the centre line (and limits) at the first N points",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")

    def handle(self, *args, **options):
        path = options["file"]
        name = "standard input" if path == "-" else path
        series = read_series(self.read_text(path, name, options.get("stdin")), name)
        baseline = options["baseline"]
        rows = len(series.values)
        if baseline is not None and not 1 <= baseline <= rows:
            raise CommandError(
                f"--baseline must be between 1 and {rows} (the number of data rows), not {baseline}."
            )
        try:
            result = analysis.analyse(series.values, options["rules"], baseline=baseline)
        except analysis.AnalysisError as error:
            raise CommandError(_with_row(str(error), series, name)) from None
        if options["json"]:
            self.stdout.write(json.dumps(analysis.to_json_dict(result)))
        else:
            self.stdout.write(report(result, series, name))

    def read_text(self, path: str, name: str, stdin=None) -> str:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin
            data = getattr(stream, "buffer", stream).read()
        else:
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror or error}.") from None
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise CommandError(f"Not a CSV text file: {name} is not UTF-8 text.") from None
        return data.removeprefix("\ufeff")


def _with_row(message: str, series: Series, name: str) -> str:
    """Name the CSV row in a message about the value at a position (e.g. a value too large to chart)."""
    match = re.match(r"Value at position (\d+): (.*)", message)
    if match and int(match.group(1)) < len(series.lines):
        return f"Row {series.lines[int(match.group(1))]} of {name}: {match.group(2)}"
    return message


def points_text(count: int) -> str:
    return "1 point" if count == 1 else f"{count} points"


def number(value: float) -> str:
    """A figure for people: up to 4 decimal places, no trailing zeros."""
    if value == 0 or abs(value) >= 0.001:
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"


def periods(series: Series, points: tuple[int, ...]) -> str:
    if len(points) == 1:
        return series.periods[points[0]]
    return f"{series.periods[points[0]]} to {series.periods[points[-1]]}"


def describe(signal: analysis.Signal, result: analysis.ChartResult, series: Series) -> str:
    """One sentence for one signal, with the period labels."""
    phase = result.phases[0]
    stats = phase.run_stats
    line = "median" if result.chart == "run" else "mean"
    side = "above" if signal.direction == "up" else "below"
    count = len(signal.points)
    if signal.rule == "shift":
        return f"Shift: {points_text(count)} in a row {side} the {line}, {periods(series, signal.points)}."
    if signal.rule == "trend":
        rising = "rising" if signal.direction == "up" else "falling"
        return f"Trend: {points_text(count)} {rising}, {periods(series, signal.points)}."
    if signal.rule == "too_few_runs":
        return (
            f"Too few runs: {stats.runs} runs in {stats.useful_observations} useful observations "
            f"(fewer than {stats.runs_lower})."
        )
    if signal.rule == "too_many_runs":
        return (
            f"Too many runs: {stats.runs} runs in {stats.useful_observations} useful observations "
            f"(more than {stats.runs_upper})."
        )
    if signal.rule == "long_run":
        return (
            f"Unusually long run: {stats.longest_run} points in a row on one side of the median "
            f"(more than {stats.longest_run_max})."
        )
    if signal.rule == "few_crossings":
        return (
            f"Unusually few crossings: the series crosses the median {stats.crossings} times "
            f"(fewer than {stats.crossings_min})."
        )
    if signal.rule == "outside_limits":
        point = signal.points[0]
        limit = "upper" if signal.direction == "up" else "lower"
        return (
            f"Outside the limits: {series.periods[point]} ({number(result.values[point])}) "
            f"is {side} the {limit} limit."
        )
    labels = ", ".join(series.periods[point] for point in signal.points)
    limit = "upper" if signal.direction == "up" else "lower"
    return f"Two out of three: {labels} {side} the {limit} 2-sigma line."


def report(result: analysis.ChartResult, series: Series, name: str) -> str:
    """A readable report: centre, limits and each signal in words."""
    phase = result.phases[0]
    stats = phase.run_stats
    centre_name = "Median" if result.chart == "run" else "Mean"
    if phase.baseline == result.n:
        source = f"from all {result.n} points" if result.n > 1 else "from 1 point"
    else:
        frozen = periods(series, tuple(range(phase.baseline)))
        source = f"frozen at the first {points_text(phase.baseline)}, {frozen}"
    lines = [
        f"{RULE_NAMES[result.rules]}: {points_text(result.n)} from {name}",
        f"{centre_name}: {number(phase.centre)} ({source})",
    ]
    if result.rules == "spc":
        if phase.lower_limit is None:
            lines.append("Limits: none (fewer than 2 points in the baseline).")
        else:
            lines.append(
                f"Limits: {number(phase.lower_limit)} to {number(phase.upper_limit)} "
                f"(mean ± 2.66 × average moving range {number(phase.mr_bar)})"
            )
            if phase.trial_limits:
                lines.append("Warning: trial limits, from fewer than 12 points.")
    else:
        lines.append(f"Useful observations: {stats.useful_observations} (points not on the median)")
    if result.rules == "ihi":
        if stats.runs_lower is None:
            lines.append(f"Runs: {stats.runs} (the runs rule needs 10 or more useful observations)")
        else:
            lines.append(f"Runs: {stats.runs} (expected {stats.runs_lower} to {stats.runs_upper})")
    if result.rules == "anhoej" and stats.longest_run_max is not None:
        lines.append(f"Longest run: {stats.longest_run} (signal above {stats.longest_run_max})")
        lines.append(f"Crossings: {stats.crossings} (signal below {stats.crossings_min})")
    lines.append("")
    if result.signals:
        lines.append(f"Signals ({len(result.signals)}):")
        lines += [f"- {describe(signal, result, series)}" for signal in result.signals]
    else:
        lines.append("No signals: the variation looks random (common cause).")
    return "\n".join(lines)
