"""The call overview's chart: the money requested, approved, claimed and paid against the budget,
as horizontal bars in a server-rendered SVG (the project's way: no chart library, no CDN; see
``digileap.programmes.charts``).

The SVG has no viewBox, so its text stays 13 CSS pixels at any width; the bars' lengths are
percentages of the chart's width, of the largest figure. It carries a <title> and a <desc> that
says every figure, and the page puts a table with the same figures beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from digileap.core.formatting import format_money

ROW_HEIGHT = 44
BAR_HEIGHT = 18
LABEL_OFFSET = 14


@dataclass(frozen=True)
class Bar:
    key: str  # names the CSS class: funding-bars__bar--<key>
    label: str
    amount: Decimal


def money_bars_svg(bars: list[Bar], *, title: str, element_id: str) -> SafeString:
    """Horizontal bars, one per figure, each labelled with its name and amount."""
    largest = max((bar.amount for bar in bars), default=Decimal(0))
    height = ROW_HEIGHT * len(bars)
    parts = []
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        share = float(bar.amount / largest) if largest > 0 else 0.0
        width = round(100 * max(share, 0.0), 2)
        text = _("%(label)s: EUR %(amount)s") % {"label": bar.label, "amount": format_money(bar.amount)}
        parts.append(
            f'<text x="0" y="{top + LABEL_OFFSET}">{escape(text)}</text>'
            f'<rect class="funding-bars__track" x="0" y="{top + LABEL_OFFSET + 6}" width="100%" height="{BAR_HEIGHT}"/>'
            f'<rect class="funding-bars__bar funding-bars__bar--{escape(bar.key)}" x="0" '
            f'y="{top + LABEL_OFFSET + 6}" width="{width:g}%" height="{BAR_HEIGHT}"/>'
        )
    description = "; ".join(
        _("%(label)s: EUR %(amount)s") % {"label": bar.label, "amount": format_money(bar.amount)} for bar in bars
    )
    element_id = escape(element_id)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funding-bars" width="100%" height="{height}" '
        f'font-size="13" role="img" aria-labelledby="{element_id}-title {element_id}-desc">'
        f'<title id="{element_id}-title">{escape(title)}</title>'
        f'<desc id="{element_id}-desc">{escape(description)}.</desc>' + "".join(parts) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped
