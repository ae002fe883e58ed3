"""The data of the dashboard's map: for one layer (an indicator), the value of each school the user
may see, with its position. ``static/js/programme-map.js`` draws it with Leaflet over bundled
boundaries (and map tiles only where an installation configures a tile server).

The layers are the money of the programme (committed, paid, and the share of the commitment paid,
from the ledger the user may see) and every target whose indicator can be broken down by school: a
kind breaks down by school when its evidence records name the school (a ``school_number`` column).
A school's value is then the sum of the records' ``amount_eur`` (money kinds) or their count
(devices, access points, pupils, schools reached: one row each). A kind may give its own breakdown
with ``per_school(target, as_of) -> {school_id: Decimal}``; the built-in money, schools-reached and
device kinds are grouped by school in the database (``_fast_per_school``), with the same result
as the records. Kinds whose value is not about schools
(a document approved, a figure typed in) are listed as not mappable, with the reason.

Only schools of the programme's authority in the user's scope appear; a record about another
school is not counted, so the map never shows more than the schools list does.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.templatetags.static import static
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .indicators import get_kind, money_measures, reach_sources
from .models import FundingTransaction, Programme, Target

PAID, COMMITTED = FundingTransaction.Kind.PAID, FundingTransaction.Kind.COMMITTED
DEFAULT_LAYER = "paid_share"
DEFAULT_BOUNDARIES = "vendor/boundaries/europe-50m.geojson"

# ISO 3166-1 numeric codes (the ``id`` of the bundled boundaries) of the alpha-2 codes programmes use.
ISO_NUMERIC = {
    "AT": "040",
    "BE": "056",
    "CZ": "203",
    "DE": "276",
    "DK": "208",
    "EE": "233",
    "ES": "724",
    "FI": "246",
    "FR": "250",
    "IE": "372",
    "IT": "380",
    "LT": "440",
    "LU": "442",
    "LV": "428",
    "NL": "528",
    "PL": "616",
    "PT": "620",
    "SE": "752",
}


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    unit: str
    mappable: bool = True
    reason: str = ""

    def as_dict(self) -> dict:
        data = {"key": self.key, "label": self.label, "unit": self.unit, "mappable": self.mappable}
        if self.reason:
            data["reason"] = self.reason
        return data


def _programme_targets(user, programme: Programme):
    return (
        selectors.targets_for(user)
        .filter(programme=programme, indicator__isnull=False)
        .select_related("indicator")
        .order_by("due_date", "position", "pk")
    )


def _not_mappable_because(target: Target) -> str:
    """Why a target's indicator cannot be shown per school ("" if it can)."""
    kind = get_kind(target.defined_indicator.kind)
    if kind is None or (not hasattr(kind, "per_school") and kind.code in ("document_approved", "manual")):
        return _("This indicator is a figure for the whole programme, not one per school.")
    if (target.defined_indicator.parameters or {}).get("as_ratio"):
        return _("This indicator is a share of all pupils; the map shows counts per school only.")
    return ""


def layers(user, programme: Programme) -> list[Layer]:
    """The layers offered for the programme: money first, then its targets in the order of their deadlines."""
    result = [
        Layer("paid_share", _("Share of the committed money paid"), "%"),
        Layer("committed", _("Money committed"), "EUR"),
        Layer("paid", _("Money paid"), "EUR"),
    ]
    for target in _programme_targets(user, programme):
        reason = _not_mappable_because(target)
        result.append(Layer(f"target-{target.pk}", str(target), target.unit, not reason, reason))
    return result


def _money(user, programme: Programme) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = {}
    for row in (
        selectors.funding_transactions_for(user)
        .filter(programme=programme, school__isnull=False)
        .order_by()
        .values("school_id")
        .annotate(committed=Sum("amount", filter=Q(kind=COMMITTED)), paid=Sum("amount", filter=Q(kind=PAID)))
    ):
        sums[row["school_id"]] = {
            # SQLite sums decimals as floating point: money is exact to the cent.
            "committed": Decimal(row["committed"] or 0).quantize(Decimal("0.01")),
            "paid": Decimal(row["paid"] or 0).quantize(Decimal("0.01")),
        }
    return sums


def _money_values(user, programme: Programme, key: str) -> dict[int, Decimal]:
    values = {}
    for school_id, money in _money(user, programme).items():
        if key == "paid_share":
            if money["committed"] > 0:
                values[school_id] = min(money["paid"] * 100 / money["committed"], Decimal(100)).quantize(Decimal("0.1"))
        elif money[key]:
            values[school_id] = money[key]
    return values


def _grouped(queryset, value) -> dict[int, Decimal]:
    """``{school_id: value}`` from a queryset with a ``school`` (rows without one are left out)."""
    return {
        school_id: Decimal(total)
        for school_id, total in queryset.filter(school__isnull=False)
        .order_by()
        .values("school_id")
        .annotate(total=value)
        .values_list("school_id", "total")
        if total
    }


def _fast_per_school(kind, target: Target, as_of: datetime.date) -> dict[int, Decimal] | None:
    """The breakdown in one grouped query, for the kinds whose rows can be grouped by school in the
    database (the records, read row by row, take seconds over 40,000 schools). ``None``: no fast way."""
    parameters = target.defined_indicator.parameters or {}
    if kind.code == "schools_reached":
        start, end = target.counting_window(as_of)
        sources = reach_sources()
        reached: set[int] = set()
        for code in parameters.get("via", getattr(kind, "default_via", ("funding",))):
            if code in sources:
                queryset = sources[code].schools(target, start, end, parameters).order_by()
                reached.update(queryset.values_list("school_id", flat=True).distinct())
        reached.discard(None)
        return dict.fromkeys(reached, Decimal(1))
    if kind.code == "money":
        start, end = target.counting_window(as_of)
        measure = money_measures().get(parameters.get("measure", ""))
        if measure is None:
            return {}
        entries = measure.entries(target, start, end, parameters)
        if parameters.get("source_kinds"):
            entries = entries.filter(**{f"{measure.source_path}__kind__in": parameters["source_kinds"]})
        # SQLite sums decimals as floating point: money is exact to the cent.
        return {pk: value.quantize(Decimal("0.01")) for pk, value in _grouped(entries, Sum("amount")).items()}
    for method in ("devices", "installations"):  # the device kinds count rows, one per device
        if callable(getattr(kind, method, None)):
            return _grouped(getattr(kind, method)(target, as_of), Count("pk"))
    return None


def _target_values(target: Target, as_of: datetime.date, numbers: dict[str, int]) -> dict[int, Decimal]:
    """The value per school of a target's indicator on ``as_of``, for the schools in ``numbers``."""
    kind = get_kind(target.defined_indicator.kind)
    assert kind is not None  # a mappable target (_not_mappable_because)
    schools = set(numbers.values())
    if hasattr(kind, "per_school"):
        return {pk: value for pk, value in kind.per_school(target, as_of).items() if pk in schools}
    fast = _fast_per_school(kind, target, as_of)
    if fast is not None:
        return {pk: value for pk, value in fast.items() if pk in schools}
    records = kind.records(target, as_of)
    columns = list(records.columns)
    if "school_number" not in columns:
        return {}
    number_at = columns.index("school_number")
    amount_at = columns.index("amount_eur") if "amount_eur" in columns else None
    values: dict[int, Decimal] = {}
    for row in records.rows:
        school_id = numbers.get(str(row[number_at] or ""))
        if school_id is None:
            continue
        value = Decimal(str(row[amount_at])) if amount_at is not None else Decimal(1)
        values[school_id] = values.get(school_id, Decimal(0)) + value
    return values


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def map_data(user, programme: Programme, layer_key: str | None, today: datetime.date) -> dict:
    """The JSON of the map for one layer. Without a layer (or with one that cannot be mapped): the
    share of the committed money paid, or, where no money is on record yet, the first target that
    can be mapped."""
    from digileap.schools.selectors import schools_for

    offered = layers(user, programme)
    by_key = {layer.key: layer for layer in offered if layer.mappable}
    schools = schools_for(user).filter(authority_id=programme.authority_id).order_by("number", "pk")

    def values_of(layer: Layer) -> dict[int, Decimal]:
        if layer.key.startswith("target-"):
            target = _programme_targets(user, programme).get(pk=int(layer.key.removeprefix("target-")))
            return _target_values(target, today, dict(schools.values_list("number", "pk")))
        return _money_values(user, programme, layer.key)

    layer = by_key.get(layer_key or "")
    if layer is None:
        # The share paid; without any money on record, the first target that can be mapped.
        layer = by_key[DEFAULT_LAYER]
        values = values_of(layer)
        if not values:
            first_target = next((item for item in by_key.values() if item.key.startswith("target-")), None)
            if first_target is not None:
                layer, values = first_target, values_of(first_target)
    else:
        values = values_of(layer)
    rows, unplaced = [], 0
    for pk, number, name, latitude, longitude in (
        schools.annotate(lat=Cast("latitude", FloatField()), lon=Cast("longitude", FloatField()))
        .values_list("pk", "number", "name", "lat", "lon")
        .iterator(chunk_size=5000)
    ):
        if latitude is None or longitude is None:
            unplaced += 1
            continue
        rows.append([number, name, latitude, longitude, _number(values.get(pk))])
    total = sum(values.values(), Decimal(0)) if layer.key != "paid_share" else None
    with_value = sum(1 for row in rows if row[4] is not None)
    summary = ngettext(
        "%(count)s school on the map, %(valued)s with a value.",
        "%(count)s schools on the map, %(valued)s with a value.",
        len(rows),
    ) % {
        "count": number_format(len(rows), force_grouping=True),
        "valued": number_format(with_value, force_grouping=True),
    }
    if unplaced:
        summary += " " + ngettext(
            "%(count)s school has no position and is not shown.",
            "%(count)s schools have no position and are not shown.",
            unplaced,
        ) % {"count": number_format(unplaced, force_grouping=True)}
    return {
        "programme": {"id": programme.pk, "code": programme.code, "country": programme.country},
        "map": map_settings(programme),
        "layers": [item.as_dict() for item in offered],
        "layer": {**layer.as_dict(), "total": _number(total)},
        "columns": ["number", "name", "latitude", "longitude", "value"],
        "schools": rows,
        "unplaced": unplaced,
        "with_value": with_value,
        "summary": summary,
        "texts": {
            "choose": _("Show on the map"),
            "no_value": _("no value"),
            "legend": _("Legend"),
            "total": _("Total"),
            "not_mappable": _("(not per school)"),
        },
    }


def map_settings(programme: Programme) -> dict:
    """What the page tells the script: the boundaries file, the optional tile server and the country."""
    return {
        "boundaries": static(getattr(settings, "DIGILEAP_MAP_BOUNDARIES", "") or DEFAULT_BOUNDARIES),
        "tile_url": getattr(settings, "DIGILEAP_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "DIGILEAP_MAP_TILE_ATTRIBUTION", ""),
        "country": ISO_NUMERIC.get(programme.country.upper(), ""),
    }
