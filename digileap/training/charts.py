"""Training charts, server-rendered SVG in the project's way (see ``digileap.connectivity.charts``):
no chart library, no viewBox, so the text stays 13 CSS pixels at any width; one horizontal row
per competence area whose bar length is the mean level as a share of the highest level, each
labelled in words, with a <title> and a <desc> that says every figure. The page puts a table
with the same figures beside it. Figures are written in the active language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from digileap.core.formatting import format_number

ROW_HEIGHT = 70
BAR_HEIGHT = 16
LABEL_OFFSET = 14


@dataclass(frozen=True)
class AreaBar:
    label: str  # the area, e.g. "1 Professional engagement"
    mean: Decimal  # mean level rank
    level: str  # the level the mean rounds to, e.g. "B1 Integrator"
    earlier: Decimal | None = None  # the mean in an earlier round, drawn as a thin bar below


def _percent(value: Decimal, highest: int) -> str:
    share = 0.0 if highest <= 0 else min(max(float(value) / highest, 0.0), 1.0)
    return f"{round(100 * share, 2):g}%"


def figure_text(bar: AreaBar) -> str:
    """The second line of a row: the mean and its level (and the earlier mean)."""
    text = _("%(mean)s (%(level)s)") % {"mean": format_number(bar.mean, 2), "level": bar.level}
    if bar.earlier is not None:
        text += " · " + _("earlier %(mean)s") % {"mean": format_number(bar.earlier, 2)}
    return text


def bar_text(bar: AreaBar) -> str:
    return f"{bar.label}: {figure_text(bar)}"


def area_levels_svg(bars: list[AreaBar], *, highest: int, title: str, element_id: str) -> SafeString:
    """A row per area: its label, then its mean and level on a second line (narrow screens), a track marked at each level, the bar of the
    mean, and (when given) a thinner bar of the earlier round's mean."""
    parts = []
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        bar_top = top + 2 * LABEL_OFFSET + 10
        ticks = "".join(
            f'<line class="training-chart__tick" x1="{_percent(Decimal(rank), highest)}" '
            f'x2="{_percent(Decimal(rank), highest)}" y1="{bar_top}" y2="{bar_top + BAR_HEIGHT + 8}"/>'
            for rank in range(1, highest)
        )
        parts.append(
            f'<text x="0" y="{top + LABEL_OFFSET}">{escape(bar.label)}</text>'
            f'<text class="training-chart__figures" x="0" y="{top + 2 * LABEL_OFFSET + 4}">{escape(figure_text(bar))}</text>'
            f'<rect class="training-chart__track" x="0" y="{bar_top}" width="100%" height="{BAR_HEIGHT}"/>'
            f'<rect class="training-chart__bar" x="0" y="{bar_top}" width="{_percent(bar.mean, highest)}" '
            f'height="{BAR_HEIGHT}"/>'
        )
        if bar.earlier is not None:
            parts.append(
                f'<rect class="training-chart__earlier" x="0" y="{bar_top + BAR_HEIGHT + 2}" '
                f'width="{_percent(bar.earlier, highest)}" height="6"/>'
            )
        parts.append(ticks)
    description = "; ".join(bar_text(bar) for bar in bars) or _("No answers.")
    element_id = escape(element_id)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="training-chart" width="100%" '
        f'height="{max(ROW_HEIGHT * len(bars), 1)}" font-size="13" role="img" '
        f'aria-labelledby="{element_id}-title {element_id}-desc">'
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped
