"""The connectivity charts: bandwidth per pupil by school type, and measured against contracted
download speed (docs/connectivity-map.md).

The figures come from pure functions over plain rows (``bandwidth_per_pupil_by_type``,
``measured_vs_contracted``), so the campaign's charts page and the report compute the same
numbers. The SVG is server-rendered in the project's way (see ``digileap.funding.report_charts``):
no chart library, no viewBox, so its text stays 13 CSS pixels at any width; horizontal rows whose
lengths are percentages of the chart's width, each labelled in words, with a <title> and a <desc>
that says every figure. The page puts a table with the same figures and a sentence beside it.
Figures are written in the active language (``digileap.core.formatting``).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from digileap.core.formatting import format_number

ROW_HEIGHT = 48
BAR_HEIGHT = 18
LABEL_OFFSET = 14
PLACES = 4  # the figures are rounded to this many decimals, so they compare exactly
BIN_EDGES = [0, 20, 40, 60, 80, 100]  # percent of the contracted speed; the last bin is open


def _quantile(ordered: list[float], share: float) -> float:
    """The ``share`` quantile of sorted values, interpolated linearly between the closest ranks
    (the "inclusive" method of ``statistics.quantiles``, the default of spreadsheets)."""
    position = (len(ordered) - 1) * share
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class TypeSpread:
    """The spread of measured download per pupil (Mbit/s) over one school type's schools."""

    school_type: str
    schools: int
    minimum: float
    low: float  # 10th percentile
    lower_quartile: float
    median: float
    upper_quartile: float
    high: float  # 90th percentile
    maximum: float


@dataclass(frozen=True)
class BandwidthPerPupil:
    groups: list[TypeSpread]
    left_out: int  # schools without a measured speed or without pupils


def bandwidth_per_pupil_by_type(rows: Iterable[tuple[str, float | None, int | None]]) -> BandwidthPerPupil:
    """Median and spread of measured Mbit/s per pupil per school type.

    ``rows``: ``(school type, measured download in Mbit/s, pupils)`` per school. A school without a
    measurement or without pupils is left out (and counted). Types in alphabetical order, the
    schools without a type (``""``) last."""
    per_type: dict[str, list[float]] = {}
    left_out = 0
    for school_type, measured, pupils in rows:
        if measured is None or not pupils:
            left_out += 1
            continue
        per_type.setdefault(school_type or "", []).append(float(measured) / pupils)
    groups = []
    for school_type in sorted(per_type, key=lambda name: (name == "", name.casefold())):
        values = sorted(per_type[school_type])
        figures = [
            values[0],
            _quantile(values, 0.1),
            _quantile(values, 0.25),
            _quantile(values, 0.5),
            _quantile(values, 0.75),
            _quantile(values, 0.9),
            values[-1],
        ]
        groups.append(TypeSpread(school_type, len(values), *(round(value, PLACES) for value in figures)))
    return BandwidthPerPupil(groups, left_out)


@dataclass(frozen=True)
class ShareBin:
    """Schools whose measured speed is from ``lower`` % up to (not including) ``upper`` % of their
    contracted speed (``upper`` None: ``lower`` % and more)."""

    lower: int
    upper: int | None
    schools: int
    reaches_share: bool  # the whole bin is at or above the share a school should reach


@dataclass(frozen=True)
class ComparedSchool:
    number: str
    name: str
    measured: float
    contracted: float
    percent: float


@dataclass(frozen=True)
class MeasuredVsContracted:
    share_percent: float
    schools: list[ComparedSchool] = field(default_factory=list)
    bins: list[ShareBin] = field(default_factory=list)
    meeting: int = 0
    without_contract: int = 0  # schools with a measurement but no contracted speed in their answers

    @property
    def share_meeting(self) -> float | None:
        """The share of the compared schools that reach ``share_percent`` of their contract (%)."""
        if not self.schools:
            return None
        return round(100 * self.meeting / len(self.schools), 1)


def measured_vs_contracted(
    rows: Iterable[tuple[str, str, float | None, float | None]], share_percent: float = 80
) -> MeasuredVsContracted:
    """Each school's measured median download against its contracted download.

    ``rows``: ``(school number, name, measured Mbit/s, contracted Mbit/s)``. A school without a
    measurement is left out; one without a contracted speed (or with 0) is counted as such. The
    schools are binned by the share of the contract they reach (0-20 %, ..., 100 % and more)."""
    schools, without_contract = [], 0
    for number, name, measured, contracted in rows:
        if measured is None:
            continue
        if not contracted:
            without_contract += 1
            continue
        measured, contracted = float(measured), float(contracted)
        schools.append(ComparedSchool(number, name, measured, contracted, round(100 * measured / contracted, 1)))
    counts = [0] * len(BIN_EDGES)
    for school in schools:
        index = len(BIN_EDGES) - 1
        for position, upper in enumerate(BIN_EDGES[1:]):
            if school.percent < upper:
                index = position
                break
        counts[index] += 1
    bins = [
        ShareBin(
            lower,
            BIN_EDGES[index + 1] if index + 1 < len(BIN_EDGES) else None,
            counts[index],
            lower >= share_percent,
        )
        for index, lower in enumerate(BIN_EDGES)
    ]
    meeting = sum(1 for school in schools if school.percent >= share_percent)
    return MeasuredVsContracted(float(share_percent), schools, bins, meeting, without_contract)


# Texts.


def type_label(school_type: str) -> str:
    return school_type or _("No school type")


def bin_label(share_bin: ShareBin) -> str:
    if share_bin.upper is None:
        return _("%(lower)s %% or more") % {"lower": format_number(share_bin.lower)}
    return _("%(lower)s to %(upper)s %%") % {
        "lower": format_number(share_bin.lower),
        "upper": format_number(share_bin.upper),
    }


def bandwidth_summary(result: BandwidthPerPupil) -> str:
    """One sentence per school type, for the page and the chart's description."""
    if not result.groups:
        return _("No school has both a measured speed and a number of pupils.")
    sentences = [
        ngettext(
            "%(type)s: median %(median)s Mbit/s per pupil over %(count)s school "
            "(middle half from %(low)s to %(high)s).",
            "%(type)s: median %(median)s Mbit/s per pupil over %(count)s schools "
            "(middle half from %(low)s to %(high)s).",
            group.schools,
        )
        % {
            "type": type_label(group.school_type),
            "median": format_number(group.median, 2),
            "count": format_number(group.schools),
            "low": format_number(group.lower_quartile, 2),
            "high": format_number(group.upper_quartile, 2),
        }
        for group in result.groups
    ]
    return " ".join(sentences)


def contracted_summary(result: MeasuredVsContracted) -> str:
    if not result.schools:
        return _("No school has both a measured speed and a contracted speed in its answers.")
    return ngettext(
        "%(meeting)s of %(count)s school (%(share)s %%) reaches at least %(percent)s %% of its contracted download speed.",
        "%(meeting)s of %(count)s schools (%(share)s %%) reach at least %(percent)s %% of their contracted "
        "download speed.",
        len(result.schools),
    ) % {
        "meeting": format_number(result.meeting),
        "count": format_number(len(result.schools)),
        "share": format_number(result.share_meeting, 1),
        "percent": format_number(result.share_percent, -1),
    }


# SVG.


def _svg(parts: list[str], *, height: int, title: str, description: str, element_id: str, css: str) -> SafeString:
    element_id = escape(element_id)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="connectivity-chart {css}" width="100%" height="{height}" '
        f'font-size="13" role="img" aria-labelledby="{element_id}-title {element_id}-desc">'
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped


def _percent(value: float, scale: float) -> str:
    share = 0.0 if scale <= 0 else min(max(value / scale, 0.0), 1.0)
    return f"{round(100 * share, 2):g}%"


def bandwidth_svg(result: BandwidthPerPupil, *, title: str, element_id: str) -> SafeString:
    """Per school type a row: a line from the 10th to the 90th percentile, a box over the middle
    half, a mark at the median; the scale runs from 0 to the largest 90th percentile."""
    scale = max((group.high for group in result.groups), default=0.0) * 1.05
    parts = []
    for index, group in enumerate(result.groups):
        top = index * ROW_HEIGHT
        middle = top + LABEL_OFFSET + 6 + BAR_HEIGHT / 2
        text = ngettext(
            "%(type)s (%(count)s school): median %(median)s Mbit/s per pupil",
            "%(type)s (%(count)s schools): median %(median)s Mbit/s per pupil",
            group.schools,
        ) % {
            "type": type_label(group.school_type),
            "count": format_number(group.schools),
            "median": format_number(group.median, 2),
        }
        low, q1, q3, high = (
            _percent(value, scale) for value in (group.low, group.lower_quartile, group.upper_quartile, group.high)
        )
        box_width = f"{max(float(q3[:-1]) - float(q1[:-1]), 0.3):g}%"
        parts.append(
            f'<text x="0" y="{top + LABEL_OFFSET}">{escape(text)}</text>'
            f'<rect class="connectivity-chart__track" x="0" y="{top + LABEL_OFFSET + 6}" width="100%" height="{BAR_HEIGHT}"/>'
            f'<line class="connectivity-chart__whisker" x1="{low}" x2="{high}" y1="{middle:g}" y2="{middle:g}"/>'
            f'<rect class="connectivity-chart__box" x="{q1}" y="{top + LABEL_OFFSET + 8}" width="{box_width}" '
            f'height="{BAR_HEIGHT - 4}"/>'
            f'<line class="connectivity-chart__median" x1="{_percent(group.median, scale)}" '
            f'x2="{_percent(group.median, scale)}" y1="{top + LABEL_OFFSET + 5}" y2="{top + LABEL_OFFSET + 7 + BAR_HEIGHT}"/>'
        )
    return _svg(
        parts,
        height=max(ROW_HEIGHT * len(result.groups), 1),
        title=title,
        description=bandwidth_summary(result),
        element_id=element_id,
        css="connectivity-chart--spread",
    )


def contracted_svg(result: MeasuredVsContracted, *, title: str, element_id: str) -> SafeString:
    """A bar per share of the contract reached, its length the number of schools; bars at or above
    the share a school should reach are marked ``--meets``."""
    largest = max((share_bin.schools for share_bin in result.bins), default=0)
    parts = []
    for index, share_bin in enumerate(result.bins):
        top = index * ROW_HEIGHT
        text = ngettext(
            "%(range)s of the contract: %(count)s school",
            "%(range)s of the contract: %(count)s schools",
            share_bin.schools,
        ) % {"range": bin_label(share_bin), "count": format_number(share_bin.schools)}
        state = "meets" if share_bin.reaches_share else "below"
        parts.append(
            f'<text x="0" y="{top + LABEL_OFFSET}">{escape(text)}</text>'
            f'<rect class="connectivity-chart__track" x="0" y="{top + LABEL_OFFSET + 6}" width="100%" height="{BAR_HEIGHT}"/>'
            f'<rect class="connectivity-chart__bar connectivity-chart__bar--{state}" x="0" y="{top + LABEL_OFFSET + 6}" '
            f'width="{_percent(share_bin.schools, largest)}" height="{BAR_HEIGHT}"/>'
        )
    return _svg(
        parts,
        height=ROW_HEIGHT * len(result.bins),
        title=title,
        description=contracted_summary(result),
        element_id=element_id,
        css="connectivity-chart--bins",
    )
