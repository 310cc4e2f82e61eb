"""Server-rendered SVG charts (run charts and SPC charts) from a plain description.

Every app that draws a chart uses this one module, so it imports no app: the caller
describes the chart in numbers and strings (``ChartSpec``) and gets back an SVG
string and the legend of its annotations (``render_chart``). The SVG works without
JavaScript, in print, in a PDF and in e-mail clients that show SVG: presentation
attributes only (no CSS classes, no <script>, no external references), a viewBox with
width 100%, and a <title> and <desc> that a screen reader announces (role="img").
The caller shows a data table beside it as the full text alternative.

Colours follow NHS England's Making Data Count: special cause improvement blue,
concern orange, neither (no better direction) purple, common cause grey. Signal points
carry a shape as well as a colour (a ring for improvement, a diamond for concern, a
square for neither), so the chart reads in greyscale and for colour-blind readers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

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


@dataclass(frozen=True)
class Annotation:
    """A labelled vertical line at ``position``, a point's index (fractions fall between points).

    ``marker`` is the short text drawn on the time axis ("P2", "N1"), ``text`` the legend's
    words, ``kind`` one of "pdsa", "note", "phase" or "baseline" (it sets the line style).
    """

    position: float
    marker: str
    text: str
    kind: str = "note"


@dataclass(frozen=True)
class ChartSpec:
    """A chart described in plain values; per-point sequences are empty or as long as ``values``.

    ``centre``, ``lower_limit`` and ``upper_limit`` may step (between phases, or per point in
    a P chart) and may hold None where there is no line. ``breaks`` are the positions where
    a new phase starts: the lines do not join across them. ``highlights`` maps a position to
    "improvement", "concern" or "neither". With ``percent``, values (proportions 0 to 1)
    are shown as percentages.
    """

    title: str
    description: str
    labels: Sequence[str]
    values: Sequence[float]
    centre: Sequence[float | None] = ()
    lower_limit: Sequence[float | None] = ()
    upper_limit: Sequence[float | None] = ()
    target: float | None = None
    highlights: Mapping[int, str] = field(default_factory=dict)
    annotations: Sequence[Annotation] = ()
    breaks: Sequence[int] = ()
    percent: bool = False
    centre_name: str = "Centre line"
    limits_name: str = "Process limits"
    unit: str = ""


@dataclass(frozen=True)
class LegendEntry:
    """One annotation as the page lists it under the chart."""

    marker: str
    kind: str
    text: str


@dataclass(frozen=True)
class RenderedChart:
    """The SVG markup, its size in user units and the legend of the annotations it draws."""

    svg: str
    width: float
    height: float
    legend: tuple[LegendEntry, ...]


# --- Numbers and labels -------------------------------------------------------------


def nice_ticks(low: float, high: float, max_ticks: int = 6) -> list[float]:
    """Evenly spaced round numbers (steps of 1, 2, 2.5 or 5 times a power of ten) covering low…high."""
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        raise ValueError(f"Cannot make ticks from {low!r} to {high!r}.")
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(max_ticks - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for multiple in (1, 2, 2.5, 5):
        if multiple * magnitude >= raw * (1 - 1e-9):
            step = multiple * magnitude
            break
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    digits = max(0, _decimals(step)) + 2
    return [round(i * step, digits) + 0.0 for i in range(first, last + 1)]


def _decimals(step: float) -> int:
    """Decimal places needed to show multiples of ``step`` exactly (2.5 needs 1, 0.25 needs 2)."""
    for places in range(0, 12):
        scaled = step * 10**places
        if abs(scaled - round(scaled)) < 1e-9 * max(1.0, abs(scaled)):
            return places
    return 12


def format_number(value: float, places: int, suffix: str = "") -> str:
    """``value`` with thousands separators, ``places`` decimals, a true minus sign and ``suffix``."""
    text = f"{abs(value):,.{places}f}"
    negative = value < 0 and any(ch not in "0.," for ch in text)
    return ("\u2212" if negative else "") + text + suffix


def _value_text(value: float, percent: bool) -> str:
    """A point's value for its tooltip: percentages to 1 place, other values to at most 2."""
    if percent:
        return format_number(value, 1, "%").replace(".0%", "%")
    text = format_number(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def thin_labels(count: int, slot: float, label_width: float) -> list[int]:
    """Positions whose labels fit side by side: every k-th from the first, k as small as fits."""
    if count <= 0:
        return []
    step = max(1, math.ceil((label_width + 6) / max(slot, 1e-9)))
    return list(range(0, count, step))


def _text_width(text: str, size: float) -> float:
    return len(text) * CHAR_WIDTH * size


def _n(value: float) -> str:
    """A coordinate with one decimal place, trailing zero dropped."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attributes: object) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = _n(value)
        parts.append(f"{name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}")
    return " ".join(parts)


def _el(tag: str, content: str | None = None, **attributes: object) -> str:
    """One SVG element; ``content`` is markup (escape text before passing it)."""
    attrs = _attrs(**attributes)
    if content is None:
        return f"<{tag} {attrs}/>"
    return f"<{tag} {attrs}>{content}</{tag}>"


# --- The chart ----------------------------------------------------------------------


def _check(spec: ChartSpec) -> None:
    n = len(spec.values)
    if n == 0:
        raise ValueError("A chart needs at least one value.")
    if len(spec.labels) != n:
        raise ValueError(f"{len(spec.labels)} labels for {n} values: give one label per value.")
    for name in ("centre", "lower_limit", "upper_limit"):
        series = getattr(spec, name)
        if series and len(series) != n:
            raise ValueError(f"{name} has {len(series)} entries for {n} values.")
    lines = (v for series in (spec.centre, spec.lower_limit, spec.upper_limit) for v in series)
    numbers = [*spec.values, *lines, spec.target]
    if any(v is not None and not math.isfinite(v) for v in numbers):
        raise ValueError("Every value, line and target must be a finite number.")
    for position, kind in spec.highlights.items():
        if kind not in HIGHLIGHTS or not 0 <= position < n:
            raise ValueError(f"Highlight {kind!r} at {position} is not one of {HIGHLIGHTS} in the series.")
    for annotation in spec.annotations:
        if annotation.kind not in ANNOTATION_KINDS:
            raise ValueError(f"Annotation kind {annotation.kind!r} is not one of {ANNOTATION_KINDS}.")


@dataclass(frozen=True)
class _Frame:
    """Where things go: the plot area and the scales from data to user units."""

    left: float
    right: float
    top: float
    bottom: float
    y_low: float
    y_high: float
    count: int

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.count

    def x(self, position: float) -> float:
        return self.left + (position + 0.5) * self.slot

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)


def _scaled(series: Sequence[float | None], factor: float, n: int) -> list[float | None]:
    if not series:
        return [None] * n
    return [None if v is None else v * factor for v in series]


def _step_path(frame: _Frame, series: Sequence[float | None], breaks: set[int]) -> str:
    """A line that holds each point's value across its slot, stepping between points, broken at phases."""
    parts: list[str] = []
    previous: float | None = None
    for position, value in enumerate(series):
        if value is None:
            previous = None
            continue
        y = frame.y(value)
        start, end = frame.x(position) - frame.slot / 2, frame.x(position) + frame.slot / 2
        if previous is None or position in breaks:
            parts.append(f"M{_n(start)} {_n(y)}")
        elif previous != y:
            parts.append(f"V{_n(y)}")
        else:
            parts.pop()  # the same level: extend the last horizontal stroke
        parts.append(f"H{_n(end)}")
        previous = y
    return " ".join(parts)


def _line(x1: float, y1: float, x2: float, y2: float, **style: object) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, **style)


def _point(kind: str | None, x: float, y: float, size: float, tip: str | None = None) -> str:
    """One point: a circle, after the shape that marks a signal (ring, diamond or square)."""
    title = f"<title>{escape(tip)}</title>" if tip else None
    if kind is None:
        return _el("circle", title, cx=x, cy=y, r=size * 0.3, fill=COMMON, stroke="#ffffff", stroke_width=1.0)
    fill, outline = POINT_STYLES[kind]
    half = size * 0.62
    if kind == IMPROVEMENT:
        arc = f"a{_n(half)} {_n(half)} 0 1 0"
        ring = f"M{_n(x - half)} {_n(y)}{arc} {_n(2 * half)} 0{arc} {_n(-2 * half)} 0"
        shape = _el("path", d=ring, stroke=outline, **OUTLINE)
    elif kind == CONCERN:
        half *= 1.3
        corners = [(x, y - half), (x + half, y), (x, y + half), (x - half, y)]
        points = " ".join(f"{_n(a)},{_n(b)}" for a, b in corners)
        shape = _el("polygon", points=points, stroke=outline, **OUTLINE)
    else:
        shape = _el(
            "rect", x=x - half, y=y - half, width=2 * half, height=2 * half, stroke=outline, **OUTLINE
        )
    circle = _el("circle", title, cx=x, cy=y, r=size * 0.38, fill=fill, stroke=outline, stroke_width=1.2)
    return shape + circle


def _key_sample(kind: str, x: float, y: float, size: float) -> str:
    length = size * 1.8
    styles = {"centre": CENTRE_STYLE, "limits": LIMIT_STYLE, "target": TARGET_STYLE}
    if kind in styles:
        return _line(x, y, x + length, y, **styles[kind])
    return _point(kind, x + length / 2, y, min(size, 11.0))


@dataclass(frozen=True)
class _Marker:
    annotation: Annotation
    x: float
    start: float
    width: float
    row: int


def _place_markers(
    annotations: Sequence[Annotation], frame: _Frame, width: float, size: float, pad: float
) -> tuple[list[_Marker], int]:
    """Markers in rows under the time axis, so that close ones never overlap (at most 4 rows)."""
    markers, row_ends = [], []
    inside = [a for a in annotations if -0.5 <= a.position <= frame.count - 0.5]
    for annotation in sorted(inside, key=lambda a: (a.position, a.marker)):
        x = frame.x(annotation.position)
        marker_width = _text_width(annotation.marker, size) + 8
        start = min(max(x - marker_width / 2, pad), width - pad - marker_width)
        row = next((r for r, end in enumerate(row_ends) if end + 3 <= start), None)
        if row is None and len(row_ends) < 4:
            row_ends.append(-math.inf)
            row = len(row_ends) - 1
        elif row is None:
            row = min(range(len(row_ends)), key=row_ends.__getitem__)
        row_ends[row] = start + marker_width
        markers.append(_Marker(annotation, x, start, marker_width, row))
    return markers, len(row_ends)


def _key_rows(spec: ChartSpec, lines: dict[str, bool], width: float, size: float, pad: float):
    """The key above the plot names only what this chart draws, in rows that fit the width."""
    names = {IMPROVEMENT: "Improvement", CONCERN: "Concern", NEITHER: "Special cause"}
    key = [("centre", spec.centre_name)] if lines["centre"] else []
    if lines["limits"]:
        key.append(("limits", spec.limits_name))
    if spec.target is not None:
        key.append(
            ("target", f"Target {_value_text(spec.target * (100 if spec.percent else 1), spec.percent)}")
        )
    key += [(kind, names[kind]) for kind in HIGHLIGHTS if kind in set(spec.highlights.values())]
    rows: list[list[tuple[float, str, str]]] = []
    cursor = math.inf
    for kind, text in key:
        item_width = size * 1.8 + 5 + _text_width(text, size * 0.85) + 14
        if cursor + item_width > width - pad:
            rows.append([])
            cursor = pad
        rows[-1].append((cursor, kind, text))
        cursor += item_width
    return rows


def render_chart(
    spec: ChartSpec,
    *,
    width: float = 880,
    plot_height: float = 260,
    font_size: float = 13,
    id_prefix: str = "chart",
) -> RenderedChart:
    """Draw ``spec`` as an SVG ``width`` user units wide (it scales to its container).

    Choose a width near the size it will be shown at, so text stays readable: about 380
    for a phone, 880 for a desktop page or an A4 print. ``id_prefix`` must be unique on
    the page (it names the <title> and <desc> for aria-labelledby).
    """
    _check(spec)
    n = len(spec.values)
    factor = 100.0 if spec.percent else 1.0
    values = [v * factor for v in spec.values]
    centre, lower, upper = (_scaled(s, factor, n) for s in (spec.centre, spec.lower_limit, spec.upper_limit))
    target = None if spec.target is None else spec.target * factor
    small, pad = font_size * 0.85, 8.0

    # Y scale: round numbers covering the values, the lines and the target.
    numbers = [v for v in (*values, *centre, *lower, *upper, target) if v is not None]
    low, high = min(numbers), max(numbers)
    if low == high:
        spread = abs(low) * 0.1 or 1.0
        low, high = (max(low - spread, 0.0) if low >= 0 else low - spread), high + spread
    ticks = nice_ticks(low, high, max(3, int(plot_height // 45)))
    places = _decimals(ticks[1] - ticks[0])
    tick_texts = [format_number(t, places, "%" if spec.percent else "") for t in ticks]

    lines = {
        "centre": any(v is not None for v in centre),
        "limits": any(v is not None for v in (*lower, *upper)),
    }
    key_rows = _key_rows(spec, lines, width, font_size, pad)
    key_row_height = font_size * 1.5
    left = pad + max(_text_width(t, small) for t in tick_texts) + 8 + (font_size * 1.3 if spec.unit else 0)
    top = pad + key_row_height * len(key_rows) + font_size * 0.6
    frame = _Frame(left, width - pad - 4, top, top + plot_height, ticks[0], ticks[-1], n)
    marker_height = small + 7
    markers, marker_rows = _place_markers(spec.annotations, frame, width, small, pad)
    band = marker_rows * (marker_height + 3) + 4 if markers else 0.0
    labels_y = frame.bottom + band + 6 + small
    height = round(labels_y + pad, 1)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    out: list[str] = [
        _el("title", escape(spec.title), id=title_id),
        _el("desc", escape(spec.description), id=desc_id),
        _el("rect", x=0, y=0, width=width, height=height, fill="#ffffff"),
    ]

    # Grid and y-axis labels, and the unit along the y axis.
    grid = []
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = frame.y(tick)
        grid.append(_line(frame.left, y, frame.right, y, stroke=GRID, stroke_width=1.0))
        grid.append(_el("text", escape(text), x=frame.left - 6, y=y + small * 0.35))
    out.append(_el("g", "".join(grid), font_size=small, text_anchor="end", fill=TEXT_SECONDARY))
    if spec.unit:
        x, middle = pad + font_size * 0.8, (frame.top + frame.bottom) / 2
        turn = f"rotate(-90 {_n(x)} {_n(middle)})"
        unit = _el("text", escape(spec.unit), x=x, y=middle, text_anchor="middle", transform=turn)
        out.append(_el("g", unit, font_size=small, fill=TEXT_SECONDARY))

    # Annotation lines go under everything else, from the top of the plot to their marker.
    def marker_top(marker: _Marker) -> float:
        return frame.bottom + 4 + marker.row * (marker_height + 3)

    for marker in markers:
        colour, dash, _, _ = ANNOTATION_STYLES[marker.annotation.kind]
        out.append(
            _line(
                marker.x,
                frame.top,
                marker.x,
                marker_top(marker),
                stroke=colour,
                stroke_width=1.2,
                stroke_dasharray=dash,
            )
        )

    # Limits dashed, centre line solid, target dotted.
    breaks = set(spec.breaks)
    for series, style in ((lower, LIMIT_STYLE), (upper, LIMIT_STYLE), (centre, CENTRE_STYLE)):
        path = _step_path(frame, series, breaks)
        if path:
            out.append(_el("path", d=path, fill="none", **style))
    if target is not None:
        out.append(_line(frame.left, frame.y(target), frame.right, frame.y(target), **TARGET_STYLE))

    # The data: a line through the points, then one circle per point, signal points marked.
    if n > 1:
        line = " ".join(f"{'L' if i else 'M'}{_n(frame.x(i))} {_n(frame.y(v))}" for i, v in enumerate(values))
        out.append(_el("path", d=line, fill="none", stroke=DATA_LINE, stroke_width=1.5))
    size = min(max(frame.slot * 0.55, 7.0), 13.0)
    names = {IMPROVEMENT: "improvement", CONCERN: "concern", NEITHER: "special cause"}
    for i, value in enumerate(values):
        kind = spec.highlights.get(i)
        tip = f"{spec.labels[i]}: {_value_text(value, spec.percent)}" + (f" ({names[kind]})" if kind else "")
        out.append(_point(kind, frame.x(i), frame.y(value), size, tip))

    # The time axis, with labels thinned so that they never overlap.
    out.append(_line(frame.left, frame.bottom, frame.right, frame.bottom, stroke=AXIS, stroke_width=1.0))
    label_width = max(_text_width(label, small) for label in spec.labels)
    axis = []
    for i in thin_labels(n, frame.slot, label_width):
        x, half = frame.x(i), _text_width(spec.labels[i], small) / 2
        axis.append(_line(x, frame.bottom, x, frame.bottom + 4, stroke=AXIS))
        axis.append(
            _el("text", escape(spec.labels[i]), x=min(max(x, pad + half), width - pad - half), y=labels_y)
        )
    out.append(_el("g", "".join(axis), font_size=small, text_anchor="middle", fill=TEXT_SECONDARY))

    # Annotation markers, each naming itself in a tooltip.
    for marker in markers:
        colour, _, fill, text_colour = ANNOTATION_STYLES[marker.annotation.kind]
        top_y = marker_top(marker)
        box = _el(
            "rect",
            x=marker.start,
            y=top_y,
            width=marker.width,
            height=marker_height,
            rx=3.0,
            fill=fill,
            stroke=colour,
            stroke_width=1.0,
        )
        text_y = top_y + marker_height / 2 + small * 0.35
        label = _el(
            "text",
            escape(marker.annotation.marker),
            x=marker.start + marker.width / 2,
            y=text_y,
            fill=text_colour,
        )
        tip = f"<title>{escape(marker.annotation.text)}</title>"
        out.append(_el("g", tip + box + label, font_size=small, font_weight="bold", text_anchor="middle"))

    # The key.
    for number, row in enumerate(key_rows):
        y = pad + key_row_height * (number + 0.5)
        for x, kind, text in row:
            out.append(_key_sample(kind, x, y, font_size))
            out.append(
                _el("text", escape(text), x=x + font_size * 1.8 + 5, y=y + small * 0.35, font_size=small)
            )

    svg = _el(
        "svg",
        "".join(out),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_n(width)} {_n(height)}",
        width="100%",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        font_family=FONT_FAMILY,
        font_size=font_size,
        fill=TEXT,
    )
    legend = tuple(LegendEntry(m.annotation.marker, m.annotation.kind, m.annotation.text) for m in markers)
    return RenderedChart(svg, width, height, legend)


# --- Icons ------------------------------------------------------------------------


def _icon(colour: str, body: str, size: float, title: str | None) -> str:
    label = (
        f'role="img" aria-label={quoteattr(title)}><title>{escape(title)}</title>'
        if title
        else 'aria-hidden="true" focusable="false">'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{_n(size)}" '
        f'height="{_n(size)}" font-family="{FONT_FAMILY}" {label}'
        f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{colour}" stroke-width="7"/>'
        f"{body}</svg>"
    )


def variation_icon(
    variation: str, *, high: bool | None = None, size: float = 44, title: str | None = None
) -> str:
    """A Making Data Count style variation icon as inline SVG.

    ``variation`` is "common_cause", "special_cause_improvement", "special_cause_concern",
    "special_cause_high" or "special_cause_low" (the values of projects.analysis.Variation),
    or "non_random" for a run chart whose runs are not random without a direction. ``high``
    says which side an improvement or concern is on (H or L in the icon). With ``title`` the
    icon is an image with that name; without, it is hidden from screen readers (use it beside
    visible text).
    """
    kinds = {
        "common_cause": ("common_cause", None),
        "special_cause_improvement": (IMPROVEMENT, high),
        "special_cause_concern": (CONCERN, high),
        "special_cause_high": (NEITHER, True),
        "special_cause_low": (NEITHER, False),
        "non_random": (NEITHER, None),
    }
    if variation not in kinds:
        raise ValueError(f"Unknown variation {variation!r}.")
    kind, side = kinds[variation]
    colour = ICON_COLOURS[kind]
    grey = ICON_COLOURS["common_cause"]
    if kind == "common_cause" or side is None:
        heights = [52, 44, 56, 46, 54, 48, 52]
        tail = 0 if kind == "common_cause" else 7
    elif side:
        heights = [60, 64, 58, 62, 48, 42, 36]
        tail = 3
    else:
        heights = [40, 36, 42, 38, 52, 58, 64]
        tail = 3
    xs = [22 + i * 9.3 for i in range(7)]
    line = " ".join(
        f"{'M' if i == 0 else 'L'}{_n(x)} {h}" for i, (x, h) in enumerate(zip(xs, heights, strict=True))
    )
    body = f'<path d="{line}" fill="none" stroke="{grey}" stroke-width="2.5"/>'
    for i, (x, h) in enumerate(zip(xs, heights, strict=True)):
        dot = colour if i >= 7 - tail else grey
        body += f'<circle cx="{_n(x)}" cy="{h}" r="4.5" fill="{dot}"/>'
    if side is not None:
        letter, y = ("H", 30) if side else ("L", 86)
        body += (
            f'<text x="50" y="{y}" font-size="22" font-weight="bold" text-anchor="middle" '
            f'fill="{TEXT}">{letter}</text>'
        )
    elif kind == NEITHER:
        body += (
            f'<text x="50" y="30" font-size="22" font-weight="bold" text-anchor="middle" '
            f'fill="{TEXT}">!</text>'
        )
    return _icon(colour, body, size, title)


def assurance_icon(assurance: str, *, size: float = 44, title: str | None = None) -> str:
    """A Making Data Count style assurance icon: P (always met), F (never met) or ? (hit and miss).

    ``assurance`` is "always_met", "never_met" or "hit_and_miss" (projects.analysis.Assurance).
    """
    styles = {
        "always_met": (ICON_COLOURS[IMPROVEMENT], "P"),
        "never_met": (ICON_COLOURS[CONCERN], "F"),
        "hit_and_miss": (ICON_COLOURS["common_cause"], "?"),
    }
    if assurance not in styles:
        raise ValueError(f"Unknown assurance {assurance!r}.")
    colour, letter = styles[assurance]
    body = (
        f'<line x1="18" y1="66" x2="82" y2="66" stroke="{TARGET}" stroke-width="4" '
        f'stroke-dasharray="0.1 7" stroke-linecap="round"/>'
        f'<text x="50" y="58" font-size="40" font-weight="bold" text-anchor="middle" '
        f'fill="{TEXT}">{letter}</text>'
    )
    return _icon(colour, body, size, title)
