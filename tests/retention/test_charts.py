"""SVG charts: well-formed, labelled for screen readers, escaped, CSP-clean, and honest
about gaps and empty data. The palette in static/charts.css must keep AA contrast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import Markup

from quizroom.retention import charts
from quizroom.retention.charts import Series, bar_chart, line_chart

NS = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
CSS = Path(charts.__file__).parents[1] / "static" / "css" / "charts.css"


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # noqa: S314 (our own output, parsed to check it)


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text>: a hover <title> inside it is left out."""
    shown = []
    for element in root.iter(f"{NS}text"):
        hover = element.find(f"{NS}title")
        shown.append("".join(element.itertext()) if hover is None else hover.tail or "")
    return shown


def line(**kw) -> Markup:
    args = dict(
        title="Retention",
        desc="Correct on repeat attempts.",
        x_label="days since first seen",
        y_label="correct",
        id_prefix="curve",
    )
    args.update(kw)
    series = args.pop("series", [Series("Observed", [(0, 0.5), (7, 0.75), (14, 0.6)], "series-a")])
    return line_chart(series, **args)


def bars(items, **kw) -> Markup:
    args = dict(title="Recall", desc="Recall per topic.", value_label="predicted recall", id_prefix="topics")
    args.update(kw)
    return bar_chart(items, **args)


def assert_accessible(root: ET.Element, prefix: str, title: str) -> None:
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{prefix}-title {prefix}-desc"
    assert re.fullmatch(r"0 0 \d+ \d+(\.\d)?", root.get("viewBox"))
    first, second = list(root)[:2]
    assert (first.tag, first.get("id"), first.text) == (f"{NS}title", f"{prefix}-title", title)
    assert (second.tag, second.get("id")) == (f"{NS}desc", f"{prefix}-desc")
    assert second.text


def assert_csp_clean(svg: Markup) -> None:
    root = parse(svg)
    assert "style=" not in str(svg)
    for element in root.iter():
        assert element.tag not in (f"{NS}script", f"{NS}style", f"{NS}foreignObject", "script", "img")
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert "style" not in element.attrib


# ------------------------------------------------------------------ line chart


def test_line_chart_is_labelled_with_axes_ticks_and_legend():
    svg = line(series=[Series("Observed", [(0, 0.5), (7, 0.75)], "series-a"), Series("Predicted", [(0, 1.0)])])
    root = parse(svg)
    assert_accessible(root, "curve", "Retention")
    assert root.find(f"{NS}desc").text == "Correct on repeat attempts."
    shown = texts(root)
    assert "days since first seen" in shown and "correct" in shown
    assert {"0%", "25%", "50%", "75%", "100%"} <= set(shown)  # y ticks
    assert {"0", "2", "4", "6", "8"} <= set(shown)  # round x ticks over whole days, covering day 7
    assert {"Observed", "Predicted"} <= set(shown)  # legend
    assert_csp_clean(svg)


def test_line_chart_draws_a_marker_per_point_and_breaks_lines_at_gaps():
    points = [(0, 0.5), (1, 0.6), (2, None), (3, 0.4), (4, 0.45)]
    root = parse(line(series=[Series("Observed", points, "series-a")]))
    [path] = [p for p in root.iter(f"{NS}path") if "chart-line" in p.get("class")]
    assert path.get("d").count("M") == 2 and path.get("d").count("L") == 2
    plotted = root.find(f"{NS}g[@class='chart-series series-a']")
    markers = [e for e in plotted if "chart-dot" in (e.get("class") or "")]
    assert len(markers) == 4
    hovers = [e.find(f"{NS}title").text for e in markers]
    assert hovers[0] == "Observed: days since first seen 0, 50%"


def test_line_chart_series_differ_by_class_and_marker_shape():
    series = [Series(f"S{i}", [(0, 0.1 * i), (1, 0.1 * i)]) for i in range(4)]
    root = parse(line(series=series))
    groups = [g for g in root.iter(f"{NS}g") if (g.get("class") or "").startswith("chart-series ")]
    assert [g.get("class") for g in groups] == [f"chart-series series-{c}" for c in "abcd"]

    def shape(group: ET.Element) -> str:
        marker = next(e for e in group if "chart-dot" in (e.get("class") or ""))
        corners = len(marker.get("points", "").split())
        return marker.tag.removeprefix(NS) + (str(corners) if corners else "")

    assert [shape(g) for g in groups] == ["circle", "rect", "polygon4", "polygon3"]


def test_line_chart_plain_numbers_and_own_maximum():
    root = parse(line(series=[Series("Rating", [(1, 3.5), (2, 4.0)])], y_max=5, percent=False))
    shown = set(texts(root))
    assert {"0", "1", "2", "3", "4", "5"} <= shown
    assert not any(s.endswith("%") for s in shown)


def test_line_chart_writes_a_summary_when_no_desc_is_given():
    root = parse(line(desc=None, series=[Series("Observed", [(0, 0.5), (14, 0.25)]), Series("Empty", [(3, None)])]))
    desc = root.find(f"{NS}desc").text
    assert desc == ("Observed: from 50% at days since first seen 0 to 25% at days since first seen 14; Empty: no data.")


@pytest.mark.parametrize("series", [[], [Series("Observed", [])], [Series("Observed", [(0, None), (3, None)])]])
def test_line_chart_without_data_says_so(series):
    svg = line(series=series)
    root = parse(svg)
    assert_accessible(root, "curve", "Retention")
    assert texts(root) == ["No data yet"]
    assert_csp_clean(svg)


# ------------------------------------------------------------------ bar chart


def test_bar_chart_labels_each_bar_with_its_value():
    svg = bars([("security", 0.5, "series-b"), ("networks", 0.875, None), ("untagged", None, None)])
    root = parse(svg)
    assert_accessible(root, "topics", "Recall")
    shown = texts(root)
    assert {"security", "networks", "untagged", "50%", "88%", "no data", "predicted recall"} <= set(shown)
    rects = [r for r in root.iter(f"{NS}rect") if "chart-bar" in r.get("class")]
    assert [r.get("class") for r in rects] == ["chart-bar series-b", "chart-bar series-a"]  # no bar for no data
    assert float(rects[1].get("width")) / float(rects[0].get("width")) == pytest.approx(0.875 / 0.5, rel=0.01)
    assert [r.find(f"{NS}title").text for r in rects] == ["security: 50%", "networks: 88%"]
    assert_csp_clean(svg)


def test_long_labels_are_cut_and_kept_whole_for_hover():
    label = "Which of these protocols encrypts traffic between the browser and the server?"
    for horizontal in (True, False):
        root = parse(bars([(label, 0.4, None), ("short", 0.9, None)], horizontal=horizontal))
        [cut] = [t for t in root.iter(f"{NS}text") if t.find(f"{NS}title") is not None]
        assert cut.find(f"{NS}title").text == label
        visible = cut.find(f"{NS}title").tail
        assert visible.endswith("…") and label.startswith(visible[:-1]) and len(visible) < len(label)


def test_vertical_bars_and_counts():
    root = parse(
        bars([("First attempt", 3, None), ("Repeat", 7.5, None)], horizontal=False, percent=False, max_value=8)
    )
    shown = set(texts(root))
    assert {"First attempt", "Repeat", "3", "7.5", "0", "2", "4", "6", "8"} <= shown
    tall = [float(r.get("height")) for r in root.iter(f"{NS}rect") if "chart-bar" in r.get("class")]
    assert tall[1] / tall[0] == pytest.approx(2.5, rel=0.01)


def test_values_beyond_the_maximum_stop_at_the_edge_but_say_their_value():
    root = parse(bars([("over", 1.5, None), ("full", 1.0, None), ("negative", -0.2, None)]))
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect") if "chart-bar" in r.get("class")]
    assert widths[0] == widths[1] and widths[2] == 0
    assert "150%" in texts(root)


def test_bar_chart_without_bars_says_so():
    svg = bars([])
    root = parse(svg)
    assert_accessible(root, "topics", "Recall")
    assert texts(root) == ["No data yet"]


# ------------------------------------------------------------------ escaping, ids, CSP


@pytest.mark.parametrize("hostile", [SCRIPT, BREAKOUT, 'Tom & Jerry\'s "quotes"'])
def test_hostile_text_is_escaped_everywhere(hostile):
    made = [
        line(title=hostile, desc=hostile, x_label=hostile, y_label=hostile, series=[Series(hostile, [(0, 0.5)])]),
        line(title=hostile, desc=hostile, series=[]),
        bars([(hostile, 0.5, None)], title=hostile, desc=hostile, value_label=hostile),
        bars([(hostile * 3, 0.5, None)], title=hostile, desc=None, value_label=hostile, horizontal=False),
    ]
    for svg in made:
        assert "<script" not in str(svg) and "<img" not in str(svg)
        assert_csp_clean(svg)
        root = parse(svg)
        assert root.find(f"{NS}title").text == hostile
        assert hostile in root.find(f"{NS}desc").text


@pytest.mark.parametrize("prefix", ['x" onload="alert(1)', "1chart", "chart one", ""])
def test_id_prefix_and_classes_must_be_plain_names(prefix):
    with pytest.raises(ValueError, match="id_prefix"):
        line(id_prefix=prefix)
    with pytest.raises(ValueError, match="css_class"):
        bars([("a", 0.5, 'x" onclick="alert(1)')])


def test_ids_are_unique_per_prefix():
    page = "".join(
        str(s) for s in (line(id_prefix="one"), bars([("a", 0.2, None)], id_prefix="two"), bars([], id_prefix="three"))
    )
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 9


# ------------------------------------------------------------------ stylesheet


def contrast(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_stylesheet_palette_matches_the_fallbacks_and_reads_on_white():
    css = CSS.read_text()
    declared = dict(re.findall(r"\.(series-[a-f]) \{ --chart-colour: (#[0-9a-f]{6}); \}", css))
    assert declared == charts.PALETTE
    for colour in (*charts.PALETTE.values(), charts.INK, charts.INK_SOFT):
        assert contrast(colour) >= 4.5, colour
    assert "style=" not in css and "@import" not in css


def test_every_class_a_chart_draws_with_is_styled_or_structural():
    css = CSS.read_text()
    page = "".join(
        str(s)
        for s in (
            line(series=[Series("a", [(0, 0.5), (1, 0.6)]), Series("b", [(0, 0.4)])]),
            bars([("a", 0.5, None)]),
            bars([]),
        )
    )
    used = {name for group in re.findall(r'class="([^"]+)"', page) for name in group.split()}
    structural = {"chart-line-chart", "chart-bar-chart", "chart-no-data", "chart-grid-lines", "chart-axes"}
    structural |= {"chart-series", "chart-legend", "chart-bar-row", "chart-legend-label"}
    missing = {name for name in used - structural if f".{name}" not in css}
    assert not missing
