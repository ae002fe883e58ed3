import datetime
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import translation

from digileap.programmes.charts import BurnUp, MapPoint, burn_up_svg, map_svg

D = Decimal
day = datetime.date


def chart(**overrides) -> BurnUp:
    values = {
        "title": "401 Schools <funded>",
        "start": day(2024, 1, 1),
        "due": day(2024, 12, 31),
        "today": day(2024, 7, 1),
        "baseline": D("0"),
        "target": D("100"),
        "actual": [(day(2024, 6, 1), D("40")), (day(2024, 7, 1), D("50"))],
        "forecast": D("100.5"),
        "unit": "schools",
    }
    values.update(overrides)
    return BurnUp(**values)


def test_burn_up_has_title_description_and_lines():
    svg = burn_up_svg(chart(), "c1")
    assert svg.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" class="burn-up burn-up--gutter-s" width="100%" height="260" '
        'font-size="13" role="img" aria-labelledby="c1-title c1-desc">'
    )
    assert '<title id="c1-title">401 Schools &lt;funded&gt;</title>' in svg
    assert (
        '<desc id="c1-desc">Target 100 schools by 31 December 2024; value on 1 July 2024: 50; forecast on the due date: 100.50.</desc>'
        in svg
    )
    assert '<polyline class="chart__actual" vector-effect="non-scaling-stroke" points="' in svg
    assert svg.count('class="chart__forecast"') == 1
    assert svg.count('class="chart__target"') == 1
    assert svg.count('class="chart__plan"') == 1


def test_burn_up_axis_ticks_are_round_numbers():
    svg = burn_up_svg(chart(forecast=None), "c2")
    labels = [part.rsplit(">", 1)[1] for part in svg.split("</text>")[:-1]]
    assert labels[:6] == ["0", "25", "50", "75", "100", "01/01/2024"]
    assert "chart__forecast" not in svg


def test_burn_up_with_one_point_and_a_target_that_goes_down():
    svg = burn_up_svg(chart(baseline=D("80"), target=D("20"), actual=[(day(2024, 7, 1), D("60"))], forecast=None), "c3")
    assert '<circle class="chart__actual"' in svg
    assert "<polyline" not in svg


def test_map_projects_within_the_bounding_box_and_merges_dots():
    points = [
        MapPoint(50.0, 4.0, "3"),
        MapPoint(51.0, 5.0, "none"),
        MapPoint(51.0, 5.0, "none"),  # the same pixel and colour: drawn once
        MapPoint(51.0, 5.0, "0"),
    ]
    svg = map_svg(points, "Schools & progress", "three buckets")
    assert "<title>Schools &amp; progress</title>" in svg
    assert svg.count("<circle") == 3
    # south-west corner at the bottom left, north-east at the top right (margin 10)
    assert '<circle cx="10" cy="' in svg and 'cx="630" cy="10"' in svg


def test_map_without_points():
    svg = map_svg([], "Empty", "no schools")
    assert "<circle" not in svg and "<title>Empty</title>" in svg


def test_burn_up_text_is_in_css_pixels_at_any_width():
    """Defect 14: the chart was drawn in a 560-unit viewBox and scaled down, so its 11-unit text
    read about 7 px on a phone. Now the SVG has no viewBox (a user unit is a CSS pixel), positions
    across are percentages, and the text is 13 px: on the SVG and in the stylesheet, which wins
    over programmes.css's 11 px by specificity."""
    svg = burn_up_svg(chart(), "c4")
    root = svg[: svg.index(">") + 1]
    assert "viewBox" not in root
    assert 'font-size="13"' in root
    # Only the nested plot of the actual values is stretched; it holds no text.
    plot = re.search(r'<svg class="chart__plot"[^>]*>(.*?)</svg>', svg).group(1)
    assert "<text" not in plot and plot.startswith("<polyline")
    assert 'preserveAspectRatio="none"' in svg
    # the x positions of the text and lines are percentages of the chart's width
    assert '<text x="0%" y="250" text-anchor="start">01/01/2024</text>' in svg
    assert '<text x="100%" y="250" text-anchor="end">31/12/2024</text>' in svg
    assert '<line class="chart__due" x1="100%" x2="100%"' in svg
    css = (Path(settings.BASE_DIR) / "digileap/static/css/charts.css").read_text()
    assert ".chart svg.burn-up text { font-size: 13px;" in css
    sizes = [int(size) for size in re.findall(r"font-size: (\d+)px", css)]
    assert sizes and min(sizes) >= 12


def test_burn_up_gutter_fits_the_longest_value_label():
    assert 'class="burn-up burn-up--gutter-s"' in burn_up_svg(chart(), "g1")  # "100"
    with translation.override("en"):
        big = burn_up_svg(chart(target=D("12000000"), actual=[(day(2024, 7, 1), D("5000000"))]), "g2")
    assert 'class="burn-up burn-up--gutter-l"' in big  # "15,000,000": 10 characters
    assert ">15,000,000</text>" in big  # the top tick
    huge = burn_up_svg(chart(target=D("1200000000"), actual=[(day(2024, 7, 1), D("5"))]), "g3")
    assert 'class="burn-up burn-up--gutter-xl"' in huge


def test_a_deadline_before_today_is_named_at_the_top_of_its_line():
    """The deadline's date stood under the axis next to the first day's and ran into it when the
    deadline was near the start (Brussels: 2021-05-03 and 2021-10-31 on a chart up to today)."""
    svg = burn_up_svg(
        chart(start=day(2021, 5, 3), due=day(2021, 10, 31), today=day(2026, 12, 6), actual=[(day(2021, 6, 1), D("5"))]),
        "d1",
    )
    labels = re.findall(r"<text([^>]*)>(\d\d/\d\d/\d{4})</text>", svg)
    assert labels == [
        (' x="0%" y="250" text-anchor="start"', "03/05/2021"),
        (' x="100%" y="250" text-anchor="end"', "06/12/2026"),
        (' class="chart__due-label" x="8.86%" dx="4" y="27" text-anchor="start"', "31/10/2021"),
    ]
    late = burn_up_svg(chart(due=day(2024, 11, 30), today=day(2024, 12, 31), forecast=None), "d2")
    assert '<text class="chart__due-label" x="91.51%" dx="-4" y="27" text-anchor="end">30/11/2024</text>' in late


def test_burn_up_dates_follow_the_language():
    """Axis dates and the description were ISO (2024-12-31) in every language."""
    from django.utils import translation

    with translation.override("de"):
        svg = burn_up_svg(chart(forecast=None), "c9")
    assert '<text x="0%" y="250" text-anchor="start">01.01.2024</text>' in svg
    assert '<text x="100%" y="250" text-anchor="end">31.12.2024</text>' in svg
    assert "bis 31. Dezember 2024" in svg or "by 31. Dezember 2024" in svg
