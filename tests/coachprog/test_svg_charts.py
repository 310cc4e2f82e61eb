"""The SVG chart renderer: valid, accessible, self-contained markup for any series."""

import xml.etree.ElementTree as ET

import pytest

from coachprog.charts import (
    Annotation,
    ChartSpec,
    LegendEntry,
    assurance_icon,
    format_number,
    nice_ticks,
    render_chart,
    thin_labels,
    variation_icon,
)

SVG = "{http://www.w3.org/2000/svg}"
LABELS = [f"{day} Mar 2025" for day in (3, 10, 17, 24, 31)]


def _spec(**overrides) -> ChartSpec:
    fields = {
        "title": "Days to first appointment: run chart",
        "description": "Run chart of 5 weekly points.",
        "labels": LABELS,
        "values": [42.0, 44.0, 41.0, 38.0, 35.0],
        "centre": [41.0] * 5,
    }
    return ChartSpec(**{**fields, **overrides})


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _circles(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}circle")


def _texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def test_render_chart_is_valid_svg_named_by_its_title_and_description():
    rendered = render_chart(_spec(), id_prefix="m1")

    root = _parse(rendered.svg)
    assert root.tag == f"{SVG}svg"
    assert (root.get("role"), root.get("aria-labelledby"), root.get("width")) == (
        "img",
        "m1-title m1-desc",
        "100%",
    )
    assert root.get("viewBox") == f"0 0 880 {rendered.height:g}"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("m1-title", "Days to first appointment: run chart")
    assert (desc.get("id"), desc.text) == ("m1-desc", "Run chart of 5 weekly points.")


def test_render_chart_draws_one_circle_per_point_with_its_date_and_value():
    root = _parse(render_chart(_spec()).svg)

    tips = [circle.find(f"{SVG}title").text for circle in _circles(root)]

    assert tips == [
        "3 Mar 2025: 42",
        "10 Mar 2025: 44",
        "17 Mar 2025: 41",
        "24 Mar 2025: 38",
        "31 Mar 2025: 35",
    ]


def test_render_chart_marks_signal_points_by_colour_and_by_shape():
    spec = _spec(highlights={1: "concern", 3: "improvement", 4: "neither"})

    root = _parse(render_chart(spec).svg)

    fills = [circle.get("fill") for circle in _circles(root)[:5]]
    assert fills == ["#5f6b73", "#fab428", "#5f6b73", "#289de0", "#361475"]
    # Beside colour, a shape: a diamond (concern), a ring (improvement) and a square (neither).
    assert [p.get("stroke") for p in root.findall(f"{SVG}polygon")] == ["#8a5300", "#8a5300"]
    rings = [p for p in root.findall(f"{SVG}path") if p.get("stroke") == "#005eb8"]
    squares = [r for r in root.findall(f"{SVG}rect") if r.get("stroke") == "#361475"]
    assert (len(rings), len(squares)) == (2, 2)  # one on the chart and one in the key, each
    assert _circles(root)[3].find(f"{SVG}title").text == "24 Mar 2025: 38 (improvement)"


def test_render_chart_has_no_script_classes_or_external_references():
    svg = render_chart(_spec(highlights={1: "concern"}, target=40.0)).svg

    for forbidden in ("<script", "class=", "href", "url(", "style=", "<image", "<foreignObject"):
        assert forbidden not in svg


def test_render_chart_draws_limits_dashed_centre_solid_and_target_dotted_in_red():
    spec = _spec(lower_limit=[30.0] * 5, upper_limit=[50.0] * 5, target=36.0)

    root = _parse(render_chart(spec).svg)

    plot_paths = [p for p in root.findall(f"{SVG}path") if p.get("fill") == "none"]
    styles = [(p.get("stroke"), p.get("stroke-dasharray")) for p in plot_paths]
    assert styles == [("#4c6272", "6 4"), ("#4c6272", "6 4"), ("#212b32", None), ("#768692", None)]
    targets = [line for line in root.findall(f"{SVG}line") if line.get("stroke") == "#c8102e"]
    assert [(t.get("stroke-dasharray"), t.get("stroke-linecap")) for t in targets] == [("0.1 4", "round")] * 2
    assert "Target 36" in _texts(root)


def test_render_chart_breaks_lines_at_a_new_phase_and_steps_per_point_limits():
    spec = _spec(
        centre=[40.0, 40.0, 40.0, 30.0, 30.0], upper_limit=[50.0, 52.0, None, 45.0, 45.0], breaks=[3]
    )

    root = _parse(render_chart(spec).svg)

    upper, centre = (p.get("d") for p in root.findall(f"{SVG}path")[:2])
    assert (upper.count("M"), upper.count("V")) == (2, 1)  # None breaks the limit; 50 → 52 steps
    assert (centre.count("M"), centre.count("V")) == (2, 0)  # the phase break starts a new line


def test_render_chart_draws_annotations_with_markers_and_returns_their_legend():
    annotations = [
        Annotation(2, "P2", "PDSA 2 ‘new discharge checklist’ started 17 Mar 2025", "pdsa"),
        Annotation(2.1, "N1", "17 Mar 2025: two locums on the ward", "note"),
        Annotation(2.5, "R1", "New phase from 24 Mar 2025: checklist adopted", "phase"),
        Annotation(1.5, "B", "End of the frozen baseline", "baseline"),
        Annotation(9, "P3", "PDSA 3, after the last point", "pdsa"),
    ]

    rendered = render_chart(_spec(annotations=annotations))

    root = _parse(rendered.svg)
    markers = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None]
    assert [(g.find(f"{SVG}text").text, g.find(f"{SVG}title").text) for g in markers] == [
        ("B", "End of the frozen baseline"),
        ("P2", "PDSA 2 ‘new discharge checklist’ started 17 Mar 2025"),
        ("N1", "17 Mar 2025: two locums on the ward"),
        ("R1", "New phase from 24 Mar 2025: checklist adopted"),
    ]
    assert rendered.legend == (
        LegendEntry("B", "baseline", "End of the frozen baseline"),
        LegendEntry("P2", "pdsa", "PDSA 2 ‘new discharge checklist’ started 17 Mar 2025"),
        LegendEntry("N1", "note", "17 Mar 2025: two locums on the ward"),
        LegendEntry("R1", "phase", "New phase from 24 Mar 2025: checklist adopted"),
    )
    # Close markers go in separate rows, so none overlaps another.
    boxes = sorted(
        (float(g.find(f"{SVG}rect").get("y")), float(g.find(f"{SVG}rect").get("x"))) for g in markers
    )
    assert len({y for y, _ in boxes}) == 2


def test_render_chart_escapes_text():
    spec = _spec(title="A & B <script>", description="x < y", labels=["<1>", "2", "3", "4", "5"])

    svg = render_chart(spec).svg

    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "A & B <script>"
    assert "<script" not in svg


def test_render_chart_draws_a_single_point():
    rendered = render_chart(_spec(labels=["3 Mar 2025"], values=[7.0], centre=[7.0]))

    root = _parse(rendered.svg)
    assert len(_circles(root)) == 1
    assert "3 Mar 2025" in _texts(root)


def test_render_chart_spreads_the_axis_when_all_values_are_equal():
    root = _parse(render_chart(_spec(values=[5.0] * 5, centre=[5.0] * 5)).svg)

    assert [t for t in _texts(root) if t[0].isdigit() and "Mar" not in t] == [
        "4.50",
        "4.75",
        "5.00",
        "5.25",
        "5.50",
    ]


def test_render_chart_shows_negative_values_with_a_minus_sign():
    root = _parse(render_chart(_spec(values=[-3.0, -1.0, 2.0, 0.5, -2.5], centre=())).svg)

    ticks = [t for t in _texts(root) if "Mar" not in t]
    assert ticks == ["−4", "−2", "0", "2"]
    assert _circles(root)[0].find(f"{SVG}title").text == "3 Mar 2025: −3"


def test_render_chart_shows_proportions_as_percentages():
    spec = _spec(values=[0.62, 0.58, 0.7, 0.84, 0.855], centre=[0.7] * 5, target=0.9, percent=True)

    root = _parse(render_chart(spec).svg)

    assert [t for t in _texts(root) if t.endswith("%") and not t.startswith("T")] == [
        "50%",
        "60%",
        "70%",
        "80%",
        "90%",
    ]
    assert "Target 90%" in _texts(root)
    assert _circles(root)[4].find(f"{SVG}title").text == "31 Mar 2025: 85.5%"


def test_render_chart_without_lines_draws_no_key_entries_for_them():
    root = _parse(render_chart(_spec(centre=())).svg)

    assert [p.get("stroke-dasharray") for p in root.findall(f"{SVG}path")] == [None]  # the data line only
    assert "Centre line" not in _texts(root)


def test_render_chart_thins_date_labels_so_they_do_not_overlap():
    labels = [f"{day} Jan 2025" for day in range(1, 32)] + [f"{day} Feb 2025" for day in range(1, 29)]

    root = _parse(
        render_chart(_spec(labels=labels, values=[float(i % 7) for i in range(59)], centre=()), width=380).svg
    )

    shown = [t for t in _texts(root) if "2025" in t]
    assert shown[0] == "1 Jan 2025"
    assert 3 <= len(shown) <= 6


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"values": []}, "at least one value"),
        ({"labels": ["3 Mar 2025"]}, "1 labels for 5 values"),
        ({"centre": [1.0]}, "centre has 1 entries for 5 values"),
        ({"values": [1.0, float("nan"), 2.0, 3.0, 4.0]}, "finite"),
        ({"highlights": {7: "concern"}}, "Highlight"),
        ({"annotations": [Annotation(1, "X", "x", "unknown")]}, "Annotation kind"),
    ],
)
def test_render_chart_refuses_a_malformed_description(overrides, message):
    with pytest.raises(ValueError, match=message):
        render_chart(_spec(**overrides))


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 10, [0, 2, 4, 6, 8, 10]),
        (31, 45, [30, 35, 40, 45]),
        (0.3, 0.72, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
        (-3, 2, [-3, -2, -1, 0, 1, 2]),
        (5, 5, [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]),
        (0, 0, [-1, -0.5, 0, 0.5, 1]),
        (8.63, 21.36, [5, 10, 15, 20, 25]),
    ],
)
def test_nice_ticks_are_round_numbers_covering_the_range(low, high, ticks):
    assert nice_ticks(low, high) == ticks


def test_thin_labels_keeps_labels_a_label_width_apart():
    assert thin_labels(26, 12.5, 60) == [0, 6, 12, 18, 24]
    assert thin_labels(5, 100, 60) == [0, 1, 2, 3, 4]
    assert thin_labels(0, 10, 60) == []


def test_format_number_uses_separators_and_a_true_minus():
    assert [format_number(v, 1) for v in (1234.5, -0.04, -2.0)] == ["1,234.5", "0.0", "−2.0"]


@pytest.mark.parametrize(
    ("icon", "letter"),
    [
        (variation_icon("special_cause_improvement", high=True), "H"),
        (variation_icon("special_cause_concern", high=False), "L"),
        (variation_icon("special_cause_high"), "H"),
        (variation_icon("non_random"), "!"),
        (assurance_icon("always_met"), "P"),
        (assurance_icon("never_met"), "F"),
        (assurance_icon("hit_and_miss"), "?"),
    ],
)
def test_icons_are_valid_svg_with_their_letter(icon, letter):
    root = _parse(icon)

    assert _texts(root) == [letter]
    assert root.get("aria-hidden") == "true"


def test_icon_with_a_title_is_a_named_image():
    root = _parse(variation_icon("common_cause", title="Common cause variation"))

    assert (root.get("role"), root.get("aria-label")) == ("img", "Common cause variation")
    assert root.find(f"{SVG}title").text == "Common cause variation"
    assert _texts(root) == []


def test_icons_refuse_unknown_kinds():
    with pytest.raises(ValueError, match="Unknown variation"):
        variation_icon("special")
    with pytest.raises(ValueError, match="Unknown assurance"):
        assurance_icon("maybe")
