"""Small server-rendered SVG charts: a burn-up chart per target and a map of schools.

No chart library: each chart is a few lines, rects and circles, styled by classes from
``programmes/programmes.css`` and ``css/charts.css`` (inline SVG) or by presentation attributes (the
map, served as an image: the no-script fallback of the interactive map, ``programme-map.js``). Every chart has a <title> and <desc>; the pages put a table next to it with the same data.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# The burn-up chart has no viewBox: a user unit is a CSS pixel whatever the chart's width, so its
# text is FONT_SIZE px on a phone as on a wide screen. Horizontal positions are percentages of the
# chart's width; the actual values, a polyline, are drawn in a nested SVG stretched to that width
# (PLOT_UNITS wide, strokes that do not scale). The value labels sit in a gutter left of the chart
# (``overflow: visible``; the gutter's width comes from a class, by the longest label).
HEIGHT = 260
TOP, BOTTOM = 14, 30
FONT_SIZE = 13
PLOT_UNITS = 1000
GUTTERS = ((4, "s"), (7, "m"), (10, "l"))


def _short_date(day: datetime.date) -> str:
    """An axis date as the active language writes it briefly (31/12/2024, 31.12.2024, 2024.31.12.)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def _gutter(labels: list[str]) -> str:
    longest = max((len(label) for label in labels), default=1)
    for length, name in GUTTERS:
        if longest <= length:
            return name
    return "xl"


def _number(value) -> str:
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=places, force_grouping=True)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class BurnUp:
    """What a burn-up chart shows: the actual values, the planned line, the target and the forecast."""

    title: str
    start: datetime.date
    due: datetime.date
    today: datetime.date
    baseline: Decimal
    target: Decimal
    actual: list[tuple[datetime.date, Decimal]]  # sorted by day; the last is today's value
    forecast: Decimal | None
    unit: str = ""


def burn_up_svg(chart: BurnUp, element_id: str) -> SafeString:
    """An inline SVG burn-up chart with a title and a description for screen readers."""
    first = min([chart.start, *(day for day, _value in chart.actual[:1])])
    last = max(chart.due, chart.today)
    days = max((last - first).days, 1)
    values = [chart.baseline, chart.target, *(value for _day, value in chart.actual)]
    if chart.forecast is not None:
        values.append(chart.forecast)
    low = min(0, float(min(values)))
    high = float(max(values)) or 1.0
    step = _nice_step(high - low)
    high = math.ceil(high / step) * step
    low = math.floor(low / step) * step if low < 0 else 0.0
    plot_height = HEIGHT - TOP - BOTTOM

    def share(day: datetime.date) -> float:
        return (day - first).days / days

    def x(day: datetime.date) -> str:
        return f"{round(100 * share(day), 2):g}%"

    def y(value) -> float:
        return round(TOP + plot_height * (1 - (float(value) - low) / ((high - low) or 1)), 1)

    parts, labels = [], []
    tick = low
    while tick <= high + step / 2:
        label = _number(Decimal(str(tick)))
        labels.append(label)
        parts.append(
            f'<line class="chart__grid" x1="0" x2="100%" y1="{y(tick)}" y2="{y(tick)}"/>'
            f'<text x="-6" y="{y(tick) + 4}" text-anchor="end">{escape(label)}</text>'
        )
        tick += step
    parts.append(
        f'<line class="chart__axis" x1="0" x2="100%" y1="{y(low)}" y2="{y(low)}"/>'
        f'<line class="chart__axis" x1="0" x2="0" y1="{TOP}" y2="{y(low)}"/>'
    )
    # Under the axis: the first and the last day. A deadline before the last day is named at the
    # top of its line, inside the plot, so it never runs into the dates under the axis.
    for day, anchor in ((first, "start"), (last, "end")):
        parts.append(
            f'<text x="{x(day)}" y="{HEIGHT - BOTTOM + 20}" text-anchor="{anchor}">{escape(_short_date(day))}</text>'
        )
    if chart.due < last:
        anchor, shift = ("start", 4) if share(chart.due) < 0.6 else ("end", -4)
        parts.append(
            f'<text class="chart__due-label" x="{x(chart.due)}" dx="{shift}" y="{TOP + 13}" '
            f'text-anchor="{anchor}">{escape(_short_date(chart.due))}</text>'
        )
    parts.append(
        f'<line class="chart__due" x1="{x(chart.due)}" x2="{x(chart.due)}" y1="{TOP}" y2="{y(low)}"/>'
        f'<line class="chart__target" x1="0" x2="100%" y1="{y(chart.target)}" y2="{y(chart.target)}"/>'
        f'<line class="chart__plan" x1="{x(chart.start)}" y1="{y(chart.baseline)}" x2="{x(chart.due)}" y2="{y(chart.target)}"/>'
    )
    if chart.actual:
        if len(chart.actual) == 1:
            day, value = chart.actual[0]
            parts.append(f'<circle class="chart__actual" cx="{x(day)}" cy="{y(value)}" r="3"/>')
        else:
            points = " ".join(f"{round(PLOT_UNITS * share(day), 1):g},{y(value)}" for day, value in chart.actual)
            parts.append(
                f'<svg class="chart__plot" x="0" y="0" width="100%" height="{HEIGHT}" '
                f'viewBox="0 0 {PLOT_UNITS} {HEIGHT}" preserveAspectRatio="none" overflow="visible">'
                f'<polyline class="chart__actual" vector-effect="non-scaling-stroke" points="{points}"/></svg>'
            )
    if chart.forecast is not None and chart.actual and chart.today < chart.due:
        _day, value = chart.actual[-1]
        parts.append(
            f'<line class="chart__forecast" x1="{x(chart.today)}" y1="{y(value)}" '
            f'x2="{x(chart.due)}" y2="{y(chart.forecast)}"/>'
        )
    current = chart.actual[-1][1] if chart.actual else None
    description = _(
        "Target %(target)s %(unit)s by %(due)s; value on %(today)s: %(value)s; forecast on the due date: %(forecast)s."
    ) % {
        "target": _number(chart.target),
        "unit": chart.unit,
        "due": date_format(chart.due),
        "today": date_format(chart.today),
        "value": _number(current) if current is not None else "–",
        "forecast": _number(chart.forecast) if chart.forecast is not None else "–",
    }
    element_id = escape(element_id)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="burn-up burn-up--gutter-{_gutter(labels)}" '
        f'width="100%" height="{HEIGHT}" font-size="{FONT_SIZE}" role="img" '
        f'aria-labelledby="{element_id}-title {element_id}-desc">'
        f'<title id="{element_id}-title">{escape(chart.title)}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped


# --- the map of schools -------------------------------------------------------------------------

MAP_WIDTH = 640
BUCKET_COLOURS = {
    "none": "#a0aec0",
    "0": "#c53030",
    "1": "#dd6b20",
    "2": "#d69e2e",
    "3": "#38a169",
}


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    bucket: str  # a key of BUCKET_COLOURS


def map_svg(points: list[MapPoint], title: str, description: str) -> str:
    """A standalone SVG document: schools as dots, projected equirectangularly within the schools'
    bounding box (no tiles, no external server). Dots that fall on the same pixel and bucket are
    drawn once, so 40,000 schools stay a small file."""
    margin = 10
    if points:
        south = min(p.latitude for p in points)
        north = max(p.latitude for p in points)
        west = min(p.longitude for p in points)
        east = max(p.longitude for p in points)
    else:
        south, north, west, east = 0.0, 1.0, 0.0, 1.0
    scale_x = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * scale_x, 1e-6)
    span_y = max(north - south, 1e-6)
    plot_width = MAP_WIDTH - 2 * margin
    plot_height = max(120, min(900, round(plot_width * span_y / span_x)))
    height = plot_height + 2 * margin
    radius = 4 if len(points) < 500 else 2.5 if len(points) < 5000 else 1.5
    seen: set[tuple[int, int, str]] = set()
    dots = []
    # Draw the least advanced last, so gaps stay visible where dots overlap.
    order = {"3": 0, "2": 1, "1": 2, "0": 3, "none": 4}
    for point in sorted(points, key=lambda p: order.get(p.bucket, 5)):
        px = round(margin + plot_width * (point.longitude - west) * scale_x / span_x)
        py = round(margin + plot_height * (north - point.latitude) / span_y)
        key = (px, py, point.bucket)
        if key in seen:
            continue
        seen.add(key)
        dots.append(f'<circle cx="{px}" cy="{py}" r="{radius}" fill="{BUCKET_COLOURS[point.bucket]}"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {height}" '
        f'width="{MAP_WIDTH}" height="{height}" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<rect x="0.5" y="0.5" width="{MAP_WIDTH - 1}" height="{height - 1}" fill="#f7fafc" stroke="#cbd5e0"/>'
        + "".join(dots)
        + "</svg>\n"
    )
