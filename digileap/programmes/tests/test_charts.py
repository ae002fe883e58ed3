import datetime
from decimal import Decimal

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
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 560 260" role="img" aria-labelledby="c1-title c1-desc">'
    )
    assert '<title id="c1-title">401 Schools &lt;funded&gt;</title>' in svg
    assert (
        '<desc id="c1-desc">Target 100 schools by 2024-12-31; value on 2024-07-01: 50; forecast on the due date: 100.50.</desc>'
        in svg
    )
    assert '<polyline class="chart__actual" points="' in svg
    assert svg.count('class="chart__forecast"') == 1
    assert svg.count('class="chart__target"') == 1
    assert svg.count('class="chart__plan"') == 1


def test_burn_up_axis_ticks_are_round_numbers():
    svg = burn_up_svg(chart(forecast=None), "c2")
    labels = [part.rsplit(">", 1)[1] for part in svg.split("</text>")[:-1]]
    assert labels[:6] == ["0", "25", "50", "75", "100", "2024-01-01"]
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
