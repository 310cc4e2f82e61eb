"""A measure's chart: its data analysed by ``projects.analysis``, drawn by ``coachprog.charts``, in words.

``measure_chart(measure)`` reads the measure's data points, phases, chart notes and
PDSA cycles (four queries, whatever the amount of data), applies the rule set the
measure chose (run chart with its run rules; SPC as an XmR chart for values or a P
chart for proportions) with its frozen baseline and phases, and returns everything the
page shows: the SVG, a sentence for each signal, the variation and assurance icons,
the name of the rule set, warnings and the data table.

PDSA cycles on the chart are the cycles linked to the measure (``PDSACycle.measures``)
that have a start date. We do not fall back to the project's other cycles: a sentence
such as "starting two weeks after PDSA 2" suggests the cycle may explain the signal,
and only the team can say which cycles should move which measure.

``build``: ``measure_chart``. ``results``: what it returns. ``timeline``: dates on the
time axis, phases, baseline and annotations. ``sentences``: signals in words.
``summary``: warnings, description, icons and the data table. ``words``: dates and
numbers in words. Import from this package, not from them.
"""

from projects.charts.build import RULE_SET_NAMES, measure_chart, measure_charts
from projects.charts.results import CHART_NAMES as CHART_NAMES
from projects.charts.results import CHART_WIDE as CHART_WIDE
from projects.charts.results import CONCERN as CONCERN
from projects.charts.results import IMPROVEMENT as IMPROVEMENT
from projects.charts.results import KIND_LABELS as KIND_LABELS
from projects.charts.results import NEITHER as NEITHER
from projects.charts.results import Icon as Icon
from projects.charts.results import MeasureChart, SignalReading, TableRow
from projects.charts.results import PhaseRow as PhaseRow
from projects.charts.sentences import CHANCE as CHANCE
from projects.charts.sentences import PDSA_LOOKBACK, signal_kind
from projects.charts.summary import ASSURANCE_LABELS as ASSURANCE_LABELS
from projects.charts.summary import MIN_USEFUL_OBSERVATIONS as MIN_USEFUL_OBSERVATIONS
from projects.charts.summary import ROW_KIND_LABELS as ROW_KIND_LABELS
from projects.charts.summary import RULE_LABELS as RULE_LABELS
from projects.charts.summary import TRIAL_LIMITS_BELOW as TRIAL_LIMITS_BELOW
from projects.charts.summary import VARIATION_LABELS as VARIATION_LABELS
from projects.charts.words import MONTHS as MONTHS
from projects.charts.words import NUMBER_WORDS as NUMBER_WORDS
from projects.charts.words import TENS_WORDS as TENS_WORDS
from projects.charts.words import date_range_text, date_text

__all__ = [
    "PDSA_LOOKBACK",
    "RULE_SET_NAMES",
    "MeasureChart",
    "SignalReading",
    "TableRow",
    "date_range_text",
    "date_text",
    "measure_chart",
    "measure_charts",
    "signal_kind",
]
