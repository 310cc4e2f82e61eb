"""Making Data Count style variation and assurance icons, as small inline SVGs."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from coachprog.charts.formatting import _n
from coachprog.charts.style import CONCERN, FONT_FAMILY, ICON_COLOURS, IMPROVEMENT, NEITHER, TARGET, TEXT


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
