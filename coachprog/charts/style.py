"""Colours, fonts and line styles, after NHS England's Making Data Count.

Special cause improvement blue, concern orange, neither (no better direction) purple,
common cause grey. Signal points carry a shape as well as a colour (a ring for
improvement, a diamond for concern, a square for neither), so the chart reads in
greyscale and for colour-blind readers.
"""

IMPROVEMENT, CONCERN, NEITHER = "improvement", "concern", "neither"
HIGHLIGHTS = (IMPROVEMENT, CONCERN, NEITHER)
ANNOTATION_KINDS = ("pdsa", "note", "phase", "baseline")

FONT_FAMILY = "Arial, Helvetica, sans-serif"
# Average glyph width of Arial as a share of the font size: enough to keep labels apart.
CHAR_WIDTH = 0.56

TEXT = "#212b32"
TEXT_SECONDARY = "#4c6272"
GRID = "#e8edee"
AXIS = "#768692"
DATA_LINE = "#768692"
COMMON = "#5f6b73"  # darker than MDC's #7B7D7D, for 3:1 contrast on white
TARGET = "#c8102e"
POINT_STYLES = {
    # fill, outline of the point and colour of the shape around it
    IMPROVEMENT: ("#289de0", "#005eb8"),
    CONCERN: ("#fab428", "#8a5300"),
    NEITHER: ("#361475", "#361475"),
}
# Centre line solid, limits dashed, target dotted in red; signal shapes drawn as outlines.
CENTRE_STYLE = {"stroke": TEXT, "stroke_width": 1.6}
LIMIT_STYLE = {"stroke": TEXT_SECONDARY, "stroke_width": 1.3, "stroke_dasharray": "6 4"}
TARGET_STYLE = {"stroke": TARGET, "stroke_width": 2.2, "stroke_dasharray": "0.1 4", "stroke_linecap": "round"}
OUTLINE = {"fill": "none", "stroke_width": 1.6}
ANNOTATION_STYLES = {
    # line colour, dash pattern (None: solid), marker fill, marker text colour
    "pdsa": ("#005eb8", "4 3", "#005eb8", "#ffffff"),
    "note": (TEXT_SECONDARY, "2 3", "#ffffff", TEXT),
    "phase": (TEXT, None, TEXT, "#ffffff"),
    "baseline": (TEXT, "8 3", "#ffffff", TEXT),
}
ICON_COLOURS = {
    "common_cause": "#7b7d7d",
    IMPROVEMENT: "#289de0",
    CONCERN: "#fab428",
    NEITHER: "#361475",
}
