"""Server-rendered SVG charts for the retention dashboard (no JavaScript needed).

Every chart is an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>`` (a
one-sentence summary of the data, written from the data when not given), with ids made
unique by ``id_prefix``, axis and tick labels, and a ``viewBox`` so it scales to its box.
Text is escaped everywhere. Colours come from CSS classes in static/charts.css, with
presentation attributes as fallbacks; there is no ``style=""`` (the CSP forbids it).
Colour is never the only cue: each line series also has its own dash pattern (CSS) and
marker shape, and every bar carries its value as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .report import percent as _percent

# The palette classes (see static/charts.css) and their colours, used as fallbacks when the
# stylesheet is not loaded. Okabe-Ito hues, darkened to at least 4.5:1 on white.
PALETTE = {
    "series-a": "#0072b2",  # blue
    "series-b": "#b84a00",  # vermillion
    "series-c": "#007a5a",  # bluish green
    "series-d": "#a8457f",  # reddish purple
    "series-e": "#8a6100",  # ochre
    "series-f": "#4d4d4d",  # grey
}
MARKERS = ("circle", "square", "diamond", "triangle")
INK = "#1b1f24"
INK_SOFT = "#4a5260"
GRID = "#d5d9e0"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"
NO_DATA = "No data yet"

WIDTH = 640
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float | None]] = field(default_factory=tuple)
    css_class: str | None = None  # a palette class (series-a ... series-f) or your own; None: by position


# ------------------------------------------------------------------ helpers


def _markup(parts: list[str]) -> Markup:
    """The one place a chart becomes Markup: every piece was built here, all text through escape()."""
    return Markup("".join(parts))  # noqa: S704


def _check_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{what} {value!r} must start with a letter and hold only letters, digits, - and _")
    return value


def _n(value: float) -> str:
    """A coordinate: short, locale-free, no exponent."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def value_text(value: float | None, percent: bool) -> str:
    if value is None:
        return "no data"
    return f"{_percent(value)}%" if percent else _number(value)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _nice_step(span: float, target: int, integer: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 x 10^k) that cuts ``span`` into about ``target`` parts."""
    if span <= 0:
        return 1.0
    raw = span / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw - 1e-12:
            break
    if integer:
        step = max(1.0, round(step))
    return step


def _ticks(low: float, high: float, step: float) -> list[float]:
    count = int(math.floor((high - low) / step + 1e-9))
    return [low + i * step for i in range(count + 1)]


def _svg_open(id_prefix: str, title: str, desc: str, height: float, extra_class: str = "") -> list[str]:
    prefix = _check_name(id_prefix, "id_prefix")
    classes = "chart" + (f" {extra_class}" if extra_class else "")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" id="{prefix}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'font-family="{escape(FONT)}" font-size="13" fill="{INK}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
    ]


def _empty(id_prefix: str, title: str, desc: str) -> Markup:
    parts = _svg_open(id_prefix, title, desc or NO_DATA + ".", 120, "chart-no-data")
    parts.append(
        f'<rect class="chart-frame" x="1" y="1" width="{WIDTH - 2}" height="118" rx="8" fill="none" stroke="{GRID}"/>'
    )
    parts.append(
        f'<text class="chart-empty" x="{WIDTH / 2:g}" y="66" text-anchor="middle" fill="{INK_SOFT}" font-size="16">'
    )
    parts.append(f"{escape(NO_DATA)}</text></svg>")
    return _markup(parts)


def _text(x: float, y: float, text: str, css: str, *, anchor: str = "start", full: str | None = None, **attrs) -> str:
    """A ``<text>``; ``full`` (when it differs) becomes a ``<title>`` child for hover."""
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    hover = f"<title>{escape(full)}</title>" if full is not None and full != text else ""
    return f'<text class="{css}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{hover}{escape(text)}</text>'


def _line(css: str, x1: float, x2: float, y1: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line class="{css}" x1="{_n(x1)}" x2="{_n(x2)}" y1="{_n(y1)}" y2="{_n(y2)}" stroke="{stroke}"{extra}/>'


def _marker(shape: str, x: float, y: float, css: str, colour: str, hover: str) -> str:
    tip = f"<title>{escape(hover)}</title>" if hover else ""
    fill = f'class="chart-dot {css}" fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if shape == "square":
        return f'<rect {fill} x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9">{tip}</rect>'
    if shape == "diamond":
        points = f"{_n(x)},{_n(y - 6)} {_n(x + 6)},{_n(y)} {_n(x)},{_n(y + 6)} {_n(x - 6)},{_n(y)}"
        return f'<polygon {fill} points="{points}">{tip}</polygon>'
    if shape == "triangle":
        points = f"{_n(x)},{_n(y - 6)} {_n(x + 6)},{_n(y + 4.5)} {_n(x - 6)},{_n(y + 4.5)}"
        return f'<polygon {fill} points="{points}">{tip}</polygon>'
    return f'<circle {fill} cx="{_n(x)}" cy="{_n(y)}" r="5">{tip}</circle>'


def _series_style(index: int, css_class: str | None) -> tuple[str, str]:
    """(class, fallback colour) of the series at ``index``."""
    names = list(PALETTE)
    css = _check_name(css_class, "css_class") if css_class else names[index % len(names)]
    return css, PALETTE.get(css, PALETTE[names[index % len(names)]])


def _y_ticks(y_max: float) -> list[float]:
    """Ticks from 0 to ``y_max`` inclusive: the round step that cuts it into a whole number
    of parts closest to 4 (at most 10); failing that, round steps plus ``y_max`` itself."""
    power = 10 ** math.floor(math.log10(y_max))
    best: tuple[int, float] | None = None
    for scale in (power / 10, power, power * 10):
        for factor in (1, 2, 2.5, 5):
            step = factor * scale
            parts = y_max / step
            if abs(parts - round(parts)) < 1e-9 and 2 <= round(parts) <= 10:
                score = (abs(round(parts) - 4), round(parts))
                if best is None or score < best[0]:
                    best = (score, step)
    if best is not None:
        return _ticks(0.0, y_max, best[1])
    ticks = _ticks(0.0, y_max, _nice_step(y_max, 4))
    if y_max - ticks[-1] < (ticks[1] - ticks[0]) / 3:
        ticks.pop()  # too close to y_max to read apart
    return [*ticks, y_max]


# ------------------------------------------------------------------ line chart


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str | None = None,
    x_label: str,
    y_label: str,
    y_max: float = 1.0,
    percent: bool = True,
    id_prefix: str,
) -> Markup:
    """Lines with a marker on each point (a ``None`` value leaves a gap), a legend below."""
    if y_max <= 0:
        raise ValueError("y_max must be above 0")
    plotted = [(i, s, [(float(x), y) for x, y in s.points]) for i, s in enumerate(series)]
    xs = [x for _, _, pts in plotted for x, y in pts if y is not None and math.isfinite(x)]
    if not xs:
        return _empty(id_prefix, title, desc or "")
    if not desc:
        desc = _line_summary(plotted, x_label, percent)

    left, right, top, plot_h = 64, 16, 16, 220
    plot_w = WIDTH - left - right
    integer = all(float(x).is_integer() for x in xs)
    low, high = min(xs), max(xs)
    if low == high:
        low, high = low - 1, high + 1
    step = _nice_step(high - low, 6, integer)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    per_row = 2
    legend_rows = math.ceil(len(series) / per_row)
    height = top + plot_h + 64 + legend_rows * 24

    def px(x: float) -> float:
        return left + (x - low) / (high - low) * plot_w

    def py(y: float) -> float:
        return top + plot_h - min(max(y, 0.0), y_max) / y_max * plot_h

    parts = _svg_open(id_prefix, title, desc, height, "chart-line-chart")
    parts.append('<g class="chart-grid-lines" aria-hidden="true">')
    for tick in _y_ticks(y_max):
        y = py(tick)
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 8, y + 4, value_text(tick, percent), "chart-tick", anchor="end", fill=INK_SOFT))
    for tick in _ticks(low, high, step):
        x = px(tick)
        parts.append(_line("chart-tick-mark", x, x, top + plot_h, top + plot_h + 5, INK_SOFT))
        parts.append(_text(x, top + plot_h + 20, _number(tick), "chart-tick", anchor="middle", fill=INK_SOFT))
    parts.append("</g>")
    parts.append(_axes(left, top, plot_w, plot_h))
    parts.append(_text(left + plot_w / 2, top + plot_h + 42, x_label, "chart-axis-label", anchor="middle"))
    parts.append(_text(-(top + plot_h / 2), 16, y_label, "chart-axis-label", anchor="middle", transform="rotate(-90)"))

    for index, item, points in plotted:
        css, colour = _series_style(index, item.css_class)
        shape = MARKERS[index % len(MARKERS)]
        parts.append(f'<g class="chart-series {css}">')
        path, pen_down = [], False
        for x, y in points:
            if y is None or not math.isfinite(x):
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_n(px(x))} {_n(py(y))}")
            pen_down = True
        if path:
            parts.append(
                f'<path class="chart-line {css}" d="{" ".join(path)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )
        for x, y in points:
            if y is not None and math.isfinite(x):
                hover = f"{item.name}: {x_label} {_number(x)}, {value_text(y, percent)}"
                parts.append(_marker(shape, px(x), py(y), css, colour, hover))
        parts.append("</g>")

    legend_top = top + plot_h + 66
    parts.append('<g class="chart-legend">')
    column = (WIDTH - left) / per_row
    for index, item, _ in plotted:
        css, colour = _series_style(index, item.css_class)
        x = left + (index % per_row) * column
        y = legend_top + (index // per_row) * 24
        parts.append(
            f'<line class="chart-line {css}" x1="{_n(x)}" x2="{_n(x + 28)}" y1="{_n(y - 4)}" y2="{_n(y - 4)}" '
            f'stroke="{colour}" stroke-width="2.5"/>'
        )
        parts.append(_marker(MARKERS[index % len(MARKERS)], x + 14, y - 4, css, colour, ""))
        parts.append(_text(x + 36, y, _truncate(item.name, 36), "chart-legend-label", full=item.name))
    parts.append("</g></svg>")
    return _markup(parts)


def _axes(left: float, top: float, width: float, height: float) -> str:
    bottom = top + height
    return (
        '<g class="chart-axes" aria-hidden="true">'
        + _line("chart-axis", left, left, top, bottom, INK_SOFT)
        + _line("chart-axis", left, left + width, bottom, bottom, INK_SOFT)
        + "</g>"
    )


def _line_summary(plotted, x_label: str, percent: bool) -> str:
    parts = []
    for _, item, points in plotted:
        shown = [(x, y) for x, y in points if y is not None]
        if not shown:
            parts.append(f"{item.name}: no data")
            continue
        (x0, y0), (x1, y1) = shown[0], shown[-1]
        if len(shown) == 1:
            parts.append(f"{item.name}: {value_text(y0, percent)} at {x_label} {_number(x0)}")
        else:
            parts.append(
                f"{item.name}: from {value_text(y0, percent)} at {x_label} {_number(x0)} "
                f"to {value_text(y1, percent)} at {x_label} {_number(x1)}"
            )
    return "; ".join(parts) + "."


# ------------------------------------------------------------------ bar chart


def bar_chart(
    bars: Sequence[tuple[str, float | None, str | None]],
    *,
    title: str,
    desc: str | None = None,
    value_label: str,
    max_value: float = 1.0,
    percent: bool = True,
    horizontal: bool = True,
    id_prefix: str,
) -> Markup:
    """One bar per (label, value, css class); every bar is labelled with its value.
    Long labels are cut with "…" and kept whole in a ``<title>`` for hover. A value of
    None draws no bar and says "no data"; values beyond ``max_value`` are drawn to the edge."""
    if max_value <= 0:
        raise ValueError("max_value must be above 0")
    items = [(str(label), value, css) for label, value, css in bars]
    if not items:
        return _empty(id_prefix, title, desc or "")
    if not desc:
        desc = "; ".join(f"{label}: {value_text(value, percent)}" for label, value, _ in items) + "."
    if horizontal:
        return _horizontal(items, title, desc, value_label, max_value, percent, id_prefix)
    return _vertical(items, title, desc, value_label, max_value, percent, id_prefix)


def _bar_style(index: int, css_class: str | None) -> tuple[str, str]:
    return _series_style(0, css_class) if css_class else ("series-a", PALETTE["series-a"])


def _horizontal(items, title, desc, value_label, max_value, percent, id_prefix) -> Markup:
    label_w, right, top, row = 220, 64, 12, 30
    left = label_w + 12
    plot_w = WIDTH - left - right
    plot_h = len(items) * row
    height = top + plot_h + 56
    parts = _svg_open(id_prefix, title, desc, height, "chart-bar-chart")

    def px(value: float) -> float:
        return left + min(max(value, 0.0), max_value) / max_value * plot_w

    parts.append('<g class="chart-grid-lines" aria-hidden="true">')
    for tick in _y_ticks(max_value):
        x = px(tick)
        parts.append(
            f'<line class="chart-grid" x1="{_n(x)}" x2="{_n(x)}" y1="{top}" y2="{top + plot_h}" stroke="{GRID}"/>'
        )
        parts.append(
            _text(x, top + plot_h + 18, value_text(tick, percent), "chart-tick", anchor="middle", fill=INK_SOFT)
        )
    parts.append("</g>")
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{INK_SOFT}" '
        f'aria-hidden="true"/>'
    )
    parts.append(_text(left + plot_w / 2, top + plot_h + 42, value_label, "chart-axis-label", anchor="middle"))
    for index, (label, value, css_class) in enumerate(items):
        css, colour = _bar_style(index, css_class)
        y = top + index * row
        parts.append(f'<g class="chart-bar-row {css}">')
        parts.append(_text(label_w, y + row / 2 + 4, _truncate(label, 30), "chart-label", anchor="end", full=label))
        shown = value_text(value, percent)
        if value is not None:
            width = px(value) - left
            parts.append(
                f'<rect class="chart-bar {css}" x="{left}" y="{_n(y + 5)}" width="{_n(width)}" '
                f'height="{row - 10}" fill="{colour}"><title>{escape(label)}: {escape(shown)}</title></rect>'
            )
            end = left + width
        else:
            end = left
        parts.append(_text(end + 6, y + row / 2 + 4, shown, "chart-value"))
        parts.append("</g>")
    parts.append("</svg>")
    return _markup(parts)


def _vertical(items, title, desc, value_label, max_value, percent, id_prefix) -> Markup:
    left, right, top, plot_h = 64, 16, 24, 200
    plot_w = WIDTH - left - right
    slot = plot_w / len(items)
    bar_w = min(72.0, slot * 0.6)
    label_chars = max(3, int(slot / 7.5))
    height = top + plot_h + 48
    parts = _svg_open(id_prefix, title, desc, height, "chart-bar-chart")

    def py(value: float) -> float:
        return top + plot_h - min(max(value, 0.0), max_value) / max_value * plot_h

    parts.append('<g class="chart-grid-lines" aria-hidden="true">')
    for tick in _y_ticks(max_value):
        y = py(tick)
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 8, y + 4, value_text(tick, percent), "chart-tick", anchor="end", fill=INK_SOFT))
    parts.append("</g>")
    parts.append(_axes(left, top, plot_w, plot_h))
    parts.append(
        _text(-(top + plot_h / 2), 16, value_label, "chart-axis-label", anchor="middle", transform="rotate(-90)")
    )
    for index, (label, value, css_class) in enumerate(items):
        css, colour = _bar_style(index, css_class)
        centre = left + slot * (index + 0.5)
        shown = value_text(value, percent)
        parts.append(f'<g class="chart-bar-row {css}">')
        if value is not None:
            y = py(value)
            parts.append(
                f'<rect class="chart-bar {css}" x="{_n(centre - bar_w / 2)}" y="{_n(y)}" width="{_n(bar_w)}" '
                f'height="{_n(top + plot_h - y)}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            )
        else:
            y = top + plot_h
        parts.append(_text(centre, max(y - 6, 12), shown, "chart-value", anchor="middle"))
        parts.append(
            _text(centre, top + plot_h + 20, _truncate(label, label_chars), "chart-label", anchor="middle", full=label)
        )
        parts.append("</g>")
    parts.append("</svg>")
    return _markup(parts)
