"""The rule sets by name, and ``analyse``, which applies one to a series."""

from __future__ import annotations

from collections.abc import Sequence

from projects.analysis.exact import Number
from projects.analysis.results import AnalysisError, ChartResult
from projects.analysis.runs import run_chart
from projects.analysis.spc import xmr_chart

RULE_SETS = ("ihi", "anhoej", "spc")


def analyse(
    values: Sequence[Number],
    rules: str,
    *,
    baseline: int | None = None,
    phases: Sequence[int] = (),
) -> ChartResult:
    """Analyse a series with a rule set: "ihi" or "anhoej" (run chart) or "spc" (XmR chart)."""
    if rules == "ihi" or rules == "anhoej":
        return run_chart(values, rules=rules, baseline=baseline, phases=phases)
    if rules == "spc":
        return xmr_chart(values, baseline=baseline, phases=phases)
    raise AnalysisError(f"Unknown rule set {rules!r}: choose ihi, anhoej or spc.")
