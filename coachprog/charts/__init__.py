"""Server-rendered SVG charts (run charts and SPC charts) from a plain description.

Every app that draws a chart uses this one package, so it imports no app: the caller
describes the chart in numbers and strings (``ChartSpec``) and gets back an SVG
string and the legend of its annotations (``render_chart``). The SVG works without
JavaScript, in print, in a PDF and in e-mail clients that show SVG: presentation
attributes only (no CSS classes, no <script>, no external references), a viewBox with
width 100%, and a <title> and <desc> that a screen reader announces (role="img").
The caller shows a data table beside it as the full text alternative.

``spec``: what the caller passes and gets back. ``style``: colours and line styles.
``formatting``: numbers, labels and SVG markup as text. ``layout``: where things go.
``render``: ``render_chart``. ``icons``: the variation and assurance icons.
Import from this package, not from them.
"""

from coachprog.charts.formatting import format_number, nice_ticks, thin_labels
from coachprog.charts.icons import assurance_icon, variation_icon
from coachprog.charts.render import render_chart
from coachprog.charts.spec import Annotation, ChartSpec, LegendEntry, RenderedChart
from coachprog.charts.style import ANNOTATION_KINDS as ANNOTATION_KINDS
from coachprog.charts.style import ANNOTATION_STYLES as ANNOTATION_STYLES
from coachprog.charts.style import AXIS as AXIS
from coachprog.charts.style import CENTRE_STYLE as CENTRE_STYLE
from coachprog.charts.style import CHAR_WIDTH as CHAR_WIDTH
from coachprog.charts.style import COMMON as COMMON
from coachprog.charts.style import CONCERN, IMPROVEMENT, NEITHER
from coachprog.charts.style import DATA_LINE as DATA_LINE
from coachprog.charts.style import FONT_FAMILY as FONT_FAMILY
from coachprog.charts.style import GRID as GRID
from coachprog.charts.style import HIGHLIGHTS as HIGHLIGHTS
from coachprog.charts.style import ICON_COLOURS as ICON_COLOURS
from coachprog.charts.style import LIMIT_STYLE as LIMIT_STYLE
from coachprog.charts.style import OUTLINE as OUTLINE
from coachprog.charts.style import POINT_STYLES as POINT_STYLES
from coachprog.charts.style import TARGET as TARGET
from coachprog.charts.style import TARGET_STYLE as TARGET_STYLE
from coachprog.charts.style import TEXT as TEXT
from coachprog.charts.style import TEXT_SECONDARY as TEXT_SECONDARY

__all__ = [
    "CONCERN",
    "IMPROVEMENT",
    "NEITHER",
    "Annotation",
    "ChartSpec",
    "LegendEntry",
    "RenderedChart",
    "assurance_icon",
    "format_number",
    "nice_ticks",
    "render_chart",
    "thin_labels",
    "variation_icon",
]
