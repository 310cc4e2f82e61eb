"""Run chart and SPC rules for measures, exactly as ``runcharts.md`` defines them.

Pure Python with no Django imports: chart pages, the ``runchart`` command and the
tests share this one implementation. Every rule compares values exactly (as
fractions), so a point exactly on a line is never taken to be beyond it; the
result dataclasses carry floats, for display only. Positions are 0-based throughout.

``results``: what an analysis returns. ``exact``: input, read exactly. ``signals``:
rules every chart shares. ``runs``: run charts (IHI, Anhøj). ``spc``: XmR and P charts.
``rule_sets``: ``analyse``. ``reading``: the variation and assurance icons.
``json_output``: what ``runchart --json`` prints. Import from this package, not from them.
"""

from projects.analysis.exact import Number as Number
from projects.analysis.exact import to_fraction
from projects.analysis.json_output import to_json_dict
from projects.analysis.reading import Assurance, Variation, assurance, variation
from projects.analysis.results import AnalysisError, ChartResult, Phase, RunStats, Signal
from projects.analysis.results import Direction as Direction
from projects.analysis.rule_sets import RULE_SETS, analyse
from projects.analysis.runs import IHI_MIN_USEFUL as IHI_MIN_USEFUL
from projects.analysis.runs import IHI_SHIFT_LENGTH as IHI_SHIFT_LENGTH
from projects.analysis.runs import IHI_TREND_GROUPS as IHI_TREND_GROUPS
from projects.analysis.runs import anhoej_limits, ihi_runs_limits, run_chart
from projects.analysis.signals import CHART_WIDE_RULES as CHART_WIDE_RULES
from projects.analysis.spc import SPC_DEFAULT_LENGTH as SPC_DEFAULT_LENGTH
from projects.analysis.spc import SPC_LENGTHS as SPC_LENGTHS
from projects.analysis.spc import TRIAL_LIMITS_BELOW as TRIAL_LIMITS_BELOW
from projects.analysis.spc import XMR_LIMIT_FACTOR as XMR_LIMIT_FACTOR
from projects.analysis.spc import XMR_TWO_SIGMA_FACTOR as XMR_TWO_SIGMA_FACTOR
from projects.analysis.spc import p_chart, xmr_chart

__all__ = [
    "RULE_SETS",
    "AnalysisError",
    "Assurance",
    "ChartResult",
    "Phase",
    "RunStats",
    "Signal",
    "Variation",
    "analyse",
    "anhoej_limits",
    "assurance",
    "ihi_runs_limits",
    "p_chart",
    "run_chart",
    "to_fraction",
    "to_json_dict",
    "variation",
    "xmr_chart",
]
