"""The dashboard map's JSON: the layers, the value of each school, and the user's scope."""

import datetime
import json
from decimal import Decimal

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.programmes import maps
from digileap.programmes.models import FundingTransaction
from digileap.schools.tests.factories import SchoolFactory

from .factories import FundingTransactionFactory, IndicatorFactory, ProgrammeFactory, TargetFactory
from .test_dashboard import client_for, programme  # noqa: F401 - the fixture

D = Decimal
COMMITTED, PAID = FundingTransaction.Kind.COMMITTED, FundingTransaction.Kind.PAID


def get_map(user, programme_, **params):
    response = client_for(user).get(reverse("programmes:programme-map-data", kwargs={"pk": programme_.pk}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_default_layer_is_the_share_paid_per_school(role_users, programme):  # noqa: F811
    programme_, _second, _third = programme
    data = get_map(role_users[Role.PROGRAMME_OWNER], programme_)
    assert data["layer"] == {
        "key": "paid_share",
        "label": "Share of the committed money paid",
        "unit": "%",
        "mappable": True,
        "total": None,
    }
    assert data["columns"] == ["number", "name", "latitude", "longitude", "value"]
    # 1001: 400 of 1000 paid; 1002: all paid; 1003 has no position.
    assert data["schools"] == [
        ["1001", "INSIDE school", 50.85, 4.35, 40],
        ["1002", "Second school", 51.05, 3.72, 100],
    ]
    assert data["unplaced"] == 1
    assert data["with_value"] == 2
    assert data["summary"] == ("2 schools on the map, 2 with a value. 1 school has no position and is not shown.")
    assert data["map"] == {
        "boundaries": "/static/vendor/boundaries/europe-50m.geojson",
        "tile_url": "",
        "tile_attribution": "",
        "country": "056",
    }


def test_layers_are_money_and_every_target(role_users, programme):  # noqa: F811
    programme_, _second, _third = programme
    target = programme_.targets.get()
    manual = TargetFactory(
        programme=programme_,
        number="402",
        title={"en": "Plan approved"},
        target_value=D("1"),
        due_date=target.due_date + datetime.timedelta(days=1),
        indicator=IndicatorFactory(programme=programme_, kind="manual"),
    )
    data = get_map(role_users[Role.PROGRAMME_OWNER], programme_)
    assert data["layers"] == [
        {"key": "paid_share", "label": "Share of the committed money paid", "unit": "%", "mappable": True},
        {"key": "committed", "label": "Money committed", "unit": "EUR", "mappable": True},
        {"key": "paid", "label": "Money paid", "unit": "EUR", "mappable": True},
        {"key": f"target-{target.pk}", "label": str(target), "unit": target.unit, "mappable": True},
        {
            "key": f"target-{manual.pk}",
            "label": str(manual),
            "unit": manual.unit,
            "mappable": False,
            "reason": "This indicator is a figure for the whole programme, not one per school.",
        },
    ]
    # A layer that cannot be mapped (or does not exist) falls back to the default.
    assert get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer=f"target-{manual.pk}")["layer"]["key"] == (
        "paid_share"
    )
    assert get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer="target-999999")["layer"]["key"] == (
        "paid_share"
    )


def test_money_layers(role_users, programme):  # noqa: F811
    programme_, _second, _third = programme
    committed = get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer="committed")
    assert [row[4] for row in committed["schools"]] == [1000, 3000]
    assert committed["layer"]["total"] == 4000
    paid = get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer="paid")
    assert [row[4] for row in paid["schools"]] == [400, 3000]
    assert paid["layer"]["total"] == 3400


def test_a_target_layer_counts_per_school(role_users, programme, world):  # noqa: F811
    """Schools reached: one per school with money; a school without money has no value."""
    programme_, _second, _third = programme
    target = programme_.targets.get()
    outside = SchoolFactory(operator=world.operator, name="Fourth school", number="1004")
    outside.latitude, outside.longitude = D("50.5"), D("4.5")
    outside.save()
    data = get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer=f"target-{target.pk}")
    assert data["layer"]["key"] == f"target-{target.pk}"
    assert data["schools"] == [
        ["1001", "INSIDE school", 50.85, 4.35, 1],
        ["1002", "Second school", 51.05, 3.72, 1],
        ["1004", "Fourth school", 50.5, 4.5, None],
    ]
    assert data["layer"]["total"] == 2


def test_a_money_target_sums_the_amounts_per_school(role_users, programme):  # noqa: F811
    programme_, second, _third = programme
    target = TargetFactory(
        programme=programme_,
        number="403",
        title={"en": "Money paid"},
        target_value=D("10000"),
        unit="EUR",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        indicator=IndicatorFactory(programme=programme_, kind="money", parameters={"measure": "paid"}),
    )
    FundingTransactionFactory(
        programme=programme_,
        source=programme_.funding_sources.get(),
        school=second,
        kind=PAID,
        amount=D("0.55"),
        date=datetime.date(2024, 7, 1),
    )
    data = get_map(role_users[Role.PROGRAMME_OWNER], programme_, layer=f"target-{target.pk}")
    assert [row[4] for row in data["schools"]] == [400, 3000.55]
    assert data["layer"]["total"] == 3400.55


def test_only_the_users_schools(role_users, programme, world):  # noqa: F811
    """Operator staff see their operator's schools: the second operator's school never appears,
    in any layer, and the totals count only what they see."""
    programme_, second, _third = programme
    target = programme_.targets.get()
    user = role_users[Role.OPERATOR_STAFF]
    for layer in ("paid_share", "committed", "paid", f"target-{target.pk}"):
        data = get_map(user, programme_, layer=layer)
        text = json.dumps(data)
        assert "Second school" not in text and "1002" not in text
        assert "OUTSIDE" not in text
        assert [row[:2] for row in data["schools"]] == [["1001", "INSIDE school"]]
    assert get_map(user, programme_, layer="committed")["layer"]["total"] == 1000
    assert get_map(user, programme_, layer=f"target-{target.pk}")["layer"]["total"] == 1


def test_a_programme_outside_the_scope_is_not_found(role_users, world):
    other = ProgrammeFactory(authority=world.other_authority)
    for role in (Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER, Role.AUDITOR):
        response = client_for(role_users[role]).get(reverse("programmes:programme-map-data", kwargs={"pk": other.pk}))
        assert response.status_code == 404


def test_signed_out_is_sent_to_sign_in(client, programme):  # noqa: F811
    response = client.get(reverse("programmes:programme-map-data", kwargs={"pk": programme[0].pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_texts_follow_the_language(role_users, programme):  # noqa: F811
    """The texts come translated; numbers are formatted by the script (Intl.NumberFormat, <html lang>)."""
    programme_, _second, _third = programme
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-map-data", kwargs={"pk": programme_.pk})
    data = json.loads(client.get(url, headers={"accept-language": "de"}).content)
    assert data["texts"]["legend"] == "Legende"
    data = json.loads(client.get(url, headers={"accept-language": "fr"}).content)
    assert data["texts"]["legend"] == "Légende"


def test_tiles_are_off_by_default(settings):
    assert settings.DIGILEAP_MAP_TILE_URL == ""
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


@override_settings(
    DIGILEAP_MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png", DIGILEAP_MAP_TILE_ATTRIBUTION="© Example"
)
def test_a_configured_tile_server_is_given_to_the_script(world):
    programme_ = ProgrammeFactory(authority=world.authority, country="LV")
    assert maps.map_settings(programme_) == {
        "boundaries": "/static/vendor/boundaries/europe-50m.geojson",
        "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "tile_attribution": "© Example",
        "country": "428",
    }


def test_the_dashboard_loads_the_map_from_static_files_only(role_users, programme):  # noqa: F811
    """The map is drawn by bundled static files (no CDN, no inline script); without JavaScript the
    SVG picture of the schools remains, with its legend."""
    programme_, _second, _third = programme
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    text = client.get(reverse("programmes:programme-dashboard", kwargs={"pk": programme_.pk})).content.decode()
    url = reverse("programmes:programme-map-data", kwargs={"pk": programme_.pk})
    assert f'data-programme-map data-url="{url}"' in text
    for asset in ("vendor/leaflet/leaflet.css", "css/map.css", "css/charts.css"):
        assert f'<link rel="stylesheet" href="/static/{asset}">' in text
    for asset in ("vendor/leaflet/leaflet.js", "js/programme-map.js"):
        assert f'<script src="/static/{asset}" defer></script>' in text
    assert "<script>" not in text and "unpkg" not in text and "cdn" not in text.lower()
    noscript = text[text.index("<noscript>") : text.index("</noscript>")]
    assert f'<img src="{reverse("programmes:programme-map", kwargs={"pk": programme_.pk})}"' in noscript
    assert "not reached: 1" in noscript and "fully paid: 1" in noscript


def test_without_money_the_map_opens_on_the_first_target(role_users, programme):  # noqa: F811
    programme_, _second, _third = programme
    target = programme_.targets.get()
    user = role_users[Role.PROGRAMME_OWNER]
    assert get_map(user, programme_)["layer"]["key"] == "paid_share"
    FundingTransaction.objects.filter(programme=programme_).delete()
    assert get_map(user, programme_)["layer"]["key"] == f"target-{target.pk}"
    # asked for by name, the share paid shows even without money (no school has a value)
    data = get_map(user, programme_, layer="paid_share")
    assert data["layer"]["key"] == "paid_share" and data["with_value"] == 0


def test_a_configured_tile_server_is_allowed_by_the_csp():
    """The settings add the tile server's origin to img-src only when one is configured."""
    import os
    import subprocess
    import sys

    code = (
        "from config.settings import base; "
        "print(base.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], repr(base.DIGILEAP_MAP_TILE_URL))"
    )
    environment = {**os.environ, "DIGILEAP_MAP_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}
    output = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout
    assert (
        output
        == "[\"'self'\", 'data:', 'https://*.tiles.example.org'] 'https://{s}.tiles.example.org/{z}/{x}/{y}.png'\n"
    )


def test_the_grouped_breakdown_equals_the_records_breakdown(role_users, programme, world):  # noqa: F811
    """For the built-in kinds the map groups by school in the database; the result is the one the
    evidence records give (sum of amount_eur, or one per row), school by school."""
    from digileap.devices.tests.factories import DeviceFactory
    from digileap.programmes.indicators import get_kind

    programme_, second, _third = programme
    today = timezone.localdate()
    for school, count in ((world.school, 3), (second, 1)):
        for _ in range(count):
            DeviceFactory(programme=programme_, school=school, accepted_at=timezone.now())  # accepted: they count
    money = TargetFactory(
        programme=programme_,
        target_value=D("10000"),
        due_date=today + datetime.timedelta(days=30),
        indicator=IndicatorFactory(programme=programme_, kind="money", parameters={"measure": "committed"}),
    )
    devices = TargetFactory(
        programme=programme_,
        target_value=D("10"),
        due_date=today + datetime.timedelta(days=30),
        indicator=IndicatorFactory(programme=programme_, kind="devices_delivered"),
    )
    reached = programme_.targets.get(number="401")
    numbers = {"1001": world.school.pk, "1002": second.pk}
    expected = {
        money: {world.school.pk: D("1000.00"), second.pk: D("3000.00")},
        devices: {world.school.pk: 3, second.pk: 1},
        reached: {world.school.pk: 1, second.pk: 1},
    }
    for target, values in expected.items():
        kind = get_kind(target.indicator.kind)
        fast = maps._fast_per_school(kind, target, today)
        assert fast == values, target.indicator.kind
        records = kind.records(target, today)
        columns = list(records.columns)
        from_records: dict[int, D] = {}
        for row in records.rows:
            pk = numbers[row[columns.index("school_number")]]
            amount = D(str(row[columns.index("amount_eur")])) if "amount_eur" in columns else 1
            from_records[pk] = from_records.get(pk, 0) + amount
        assert from_records == fast, target.indicator.kind


def test_a_share_of_pupils_is_not_offered_per_school(role_users, programme):  # noqa: F811
    programme_, _second, _third = programme
    share = TargetFactory(
        programme=programme_,
        number="404",
        unit="%",
        target_value=D("80"),
        indicator=IndicatorFactory(programme=programme_, kind="pupils_with_device", parameters={"as_ratio": True}),
    )
    layers = {layer["key"]: layer for layer in get_map(role_users[Role.PROGRAMME_OWNER], programme_)["layers"]}
    assert layers[f"target-{share.pk}"]["mappable"] is False
    assert layers[f"target-{share.pk}"]["reason"] == (
        "This indicator is a share of all pupils; the map shows counts per school only."
    )
