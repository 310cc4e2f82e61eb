"""Numbers, labels and SVG elements as text: round ticks, formatted values, labels that fit, markup."""

from __future__ import annotations

import math
from xml.sax.saxutils import quoteattr

from coachprog.charts.style import CHAR_WIDTH


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
