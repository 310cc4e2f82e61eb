"""``render_chart``: a ``ChartSpec`` drawn as one SVG, and the lines and points it is made of."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from coachprog.charts.formatting import (
    _decimals,
    _el,
    _n,
    _text_width,
    _value_text,
    format_number,
    nice_ticks,
    thin_labels,
)
from coachprog.charts.layout import _Frame, _key_rows, _Marker, _place_markers
from coachprog.charts.spec import ChartSpec, LegendEntry, RenderedChart, _check
from coachprog.charts.style import (
    ANNOTATION_STYLES,
    AXIS,
    CENTRE_STYLE,
    COMMON,
    CONCERN,
    DATA_LINE,
    FONT_FAMILY,
    GRID,
    IMPROVEMENT,
    LIMIT_STYLE,
    NEITHER,
    OUTLINE,
    POINT_STYLES,
    TARGET_STYLE,
    TEXT,
    TEXT_SECONDARY,
)


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
