"""Reads of the device register, restricted to the acting user's scope.

The list is built for millions of devices (the benchmark: 3,000,000 devices, filtered by school and
status, p95 under 50 ms), so a page never counts the whole filtered set and never skips rows with
OFFSET. It is a *keyset* page: the rows after (or before) a position ``(key, serial, id)`` in the
order ``key, serial, id``, where ``key`` is the sort column (none when sorting by serial). Every
order matches an index of ``models/devices.py`` (SQLite adds the row id to each index, PostgreSQL
finishes ties on ``id`` with an incremental sort of a few rows):

- serial: ``device_serial_idx`` (serial), or ``device_school_status_idx`` (school, status, serial)
  when the list is filtered to one school and one status, ``device_school_serial_idx`` (school,
  serial) for one school, ``device_status_serial_idx`` (status, serial) for one status;
- status: ``device_status_serial_idx``; school: ``device_school_serial_idx``;
- delivered date: no index of its own; sorted in the database over the filtered rows (quick for
  a school's devices, a top-N sort over everything otherwise).

A page selects only the columns it shows; the names of the page's models and schools are read in
two small queries by key. The count is separate (``device_count``), bounded, and loaded by the page
after it is shown.
"""

import base64
import binascii
import datetime
import json
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.audit import history_for
from digileap.core.permissions import Action, assignments_for, restrict
from digileap.schools.models import School

from ..models import Assignment, Condition, Device, DeviceEvent, DeviceModel, DeviceStatus, DeviceType, Ticket

# The columns a list row shows (and the keys of every sort).
LIST_FIELDS = (
    "id",
    "serial",
    "asset_tag",
    "manufacturer",
    "device_type",
    "condition",
    "status",
    "status_changed_at",
    "delivered_on",
    "discrepancy",
    "school_id",
    "device_model_id",
)
# Sort name -> the column before (serial, id); None: serial itself. The delivery date has no index
# of its own: it sorts only a list narrowed to one school (see ``can_sort_by_delivery``).
SORT_KEYS: dict[str, str | None] = {
    "serial": None,
    "status": "status",
    "school": "school_id",
    "delivered": "delivered_on",
}
NULLABLE_KEYS = frozenset({"delivered_on"})
DEFAULT_SORT = "serial"
PER_PAGE = 50
MAX_PER_PAGE = 500
# A scope reaching at most this many schools lists their ids (see ``_semi_join``).
SMALL_SCOPE = 200
# Above this many rows the count says "more than" (or, on PostgreSQL, "about" the planner's estimate).
COUNT_CAP = 10_000


def _semi_join(model, path: str, ids: list[int]) -> Q:
    """``<path>__in=ids`` for a path of forward relations, shaped for keyset pages over millions of
    rows. Through a further relation (``school__operator``) ``restrict`` joins, and SQLite then
    starts from the scope's schools and sorts all their devices to show the first fifty. Instead:
    a scope of at most ``SMALL_SCOPE`` related rows (an operator's schools) becomes a list of their
    ids (one index range per school, a small sort); a larger one (an authority's 40,000 schools)
    an ``EXISTS`` probed by primary key while the device index is read in order."""
    if path == "pk":
        return Q(pk__in=ids)
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    if not (field.many_to_one or field.one_to_one) or field.auto_created:
        raise ValueError(f"{model._meta.label}: scope path {path!r} is not a chain of forward relations")
    if not rest:
        return Q(**{f"{field.attname}__in": ids})
    related = field.related_model._default_manager.filter(**{f"{rest}__in": ids})
    related_ids = list(related.order_by().values_list("pk", flat=True)[: SMALL_SCOPE + 1])
    if len(related_ids) <= SMALL_SCOPE:
        return Q(**{f"{field.attname}__in": related_ids})
    return Q(Exists(related.filter(pk=OuterRef(field.attname))))


def restrict_semi_join(queryset: QuerySet, user, action: str = Action.VIEW) -> QuerySet:
    """``core.permissions.restrict`` with each scope path as a semi-join (see ``_semi_join``): the
    same grants, scope kinds and paths (``scope_paths``), the same rows (tests compare the two for
    every role), a plan that suits keyset pages over millions of rows."""
    model = queryset.model
    paths: dict[str, str] = getattr(model, "scope_paths", {})
    ids_by_kind: dict[str, list[int]] = {}
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            return queryset
        if assignment.scope_kind in paths:
            ids_by_kind.setdefault(assignment.scope_kind, []).append(assignment.scope_id)
    if not ids_by_kind:
        return queryset.none()
    conditions = [_semi_join(model, paths[kind], ids) for kind, ids in ids_by_kind.items()]
    return queryset.filter(reduce(operator.or_, conditions))


def devices_for(user, action: str = Action.VIEW) -> QuerySet[Device]:
    return restrict_semi_join(Device.objects.all(), user, action)


def is_one_school_scope(user) -> bool:
    """Whether every device the user may see is at one school (a school coordinator)."""
    kinds = {(a.scope_kind, a.scope_id) for a in assignments_for(user, Action.VIEW, Device)}
    return len(kinds) == 1 and next(iter(kinds))[0] == "school"


def device_get(user, pk: int, action: str = Action.VIEW) -> Device:
    """The device with what its detail page shows, or 404 when it is outside the user's scope."""
    return get_object_or_404(
        devices_for(user, action).select_related(
            "device_model",
            "programme",
            "funding_source",
            "school",
            "school__operator",
            "site",
            "supplier",
            "delivery",
            "order_line",
            "order_line__order",
            "purchase",
        ),
        pk=pk,
    )


def device_events_for(user, action: str = Action.VIEW) -> QuerySet[DeviceEvent]:
    return restrict_semi_join(DeviceEvent.objects.all(), user, action)


def device_events(device: Device) -> QuerySet[DeviceEvent]:
    """The device's lifecycle, oldest first (the device was already checked against the scope)."""
    return DeviceEvent.objects.filter(device=device).order_by("occurred_at", "id")


def device_assignments(user, device: Device) -> QuerySet[Assignment]:
    """Who had the device, newest first, as far as the user may see recipients (suppliers do not)."""
    return restrict(Assignment.objects.filter(device=device).select_related("recipient"), user)


def device_tickets(user, device: Device) -> QuerySet[Ticket]:
    """Aftercare tickets about the device (also as a replacement), newest first."""
    return restrict(Ticket.objects.filter(Q(device=device) | Q(replacement_device=device)), user).order_by(
        "-opened_at", "-id"
    )


def device_history(device: Device):
    """The audit events of the device, newest first."""
    return history_for(device).order_by("-occurred_at", "-id")


# Sorting and keyset pages.


@dataclass(frozen=True)
class Sort:
    name: str
    descending: bool = False

    @classmethod
    def parse(cls, value: str | None) -> "Sort":
        """``serial``, ``-status``, ...; anything unknown is the default order."""
        value = (value or "").strip()
        descending = value.startswith("-")
        name = value.lstrip("-")
        if name not in SORT_KEYS:
            return cls(DEFAULT_SORT)
        return cls(name, descending)

    @property
    def key(self) -> str | None:
        return SORT_KEYS[self.name]

    @property
    def value(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def order_by(self, *, reverse: bool = False) -> list:
        """The ORDER BY terms; ``reverse`` for reading a previous page backwards. Empty dates sort
        where the database's indexes keep them (see ``nulls_are_high``), so both directions are
        plain index orders and exact mirrors of each other."""
        descending = self.descending != reverse
        names = [name for name in (self.key, "serial", "id") if name]
        return [F(name).desc() if descending else F(name).asc() for name in names]

    def position(self, row: dict) -> list:
        key = row[self.key] if self.key else None
        if isinstance(key, datetime.date):
            key = key.isoformat()
        return [key, row["serial"], row["id"]]

    def beyond(self, position: list, *, reverse: bool = False) -> Q:
        """The rows after ``position`` in this order (before it with ``reverse``).

        Written as ``col >= v AND (col > v OR ...)`` so that the first column bounds an index range.
        """
        key_value, serial, pk = position
        descending = self.descending != reverse
        op = "lt" if descending else "gt"
        tail = Q(**{f"serial__{op}e": serial}) & (Q(**{f"serial__{op}": serial}) | Q(**{f"id__{op}": pk}))
        if self.key is None:
            return tail
        key = self.key
        if key not in NULLABLE_KEYS:
            return Q(**{f"{key}__{op}e": key_value}) & (
                Q(**{f"{key}__{op}": key_value}) | (Q(**{key: key_value}) & tail)
            )
        # Reading toward the end where the empty keys are: they follow every value.
        toward_nulls = descending != nulls_are_high()
        if key_value is None:
            if toward_nulls:
                return Q(**{f"{key}__isnull": True}) & tail
            return Q(**{f"{key}__isnull": False}) | (Q(**{f"{key}__isnull": True}) & tail)
        after = Q(**{f"{key}__{op}": key_value}) | (Q(**{key: key_value}) & tail)
        return after | Q(**{f"{key}__isnull": True}) if toward_nulls else after


def nulls_are_high() -> bool:
    """Whether the database sorts empty values after every value going up (PostgreSQL) or before
    them (SQLite): the order its indexes keep, so a plain ``ORDER BY`` can read them."""
    return connection.vendor in ("postgresql", "oracle")


def encode_cursor(position: list) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, sort: Sort) -> list:
    """The position a cursor names; ``ValueError`` when it is not one of this sort's cursors."""
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ValueError("not a cursor") from error
    if not (isinstance(position, list) and len(position) == 3):
        raise ValueError("not a cursor")
    key_value, serial, pk = position
    if not isinstance(serial, str) or not isinstance(pk, int) or isinstance(pk, bool):
        raise ValueError("not a cursor")
    key = sort.key
    if key is None:
        key_value = None
    elif key == "school_id":
        if not isinstance(key_value, int) or isinstance(key_value, bool):
            raise ValueError("not a cursor")
    elif key == "delivered_on":
        if key_value is not None:
            key_value = datetime.date.fromisoformat(str(key_value))
    elif not isinstance(key_value, str):
        raise ValueError("not a cursor")
    return [key_value, serial, pk]


@dataclass
class DevicePage:
    rows: list[dict]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True
    models: dict[int, str] = field(default_factory=dict)
    schools: dict[int, dict] = field(default_factory=dict)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def device_page(
    devices: QuerySet[Device],
    *,
    sort: Sort,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> DevicePage:
    """One page of ``devices`` (already restricted and filtered) in ``sort`` order: the first page,
    the page after the cursor ``after``, or the page before the cursor ``before``. A cursor that
    cannot be read gives the first page."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    columns = devices.order_by().values(*LIST_FIELDS)
    position, backwards = None, False
    for token, is_before in ((before, True), (after, False)):
        if token:
            try:
                position, backwards = decode_cursor(token, sort), is_before
            except ValueError:
                position = None
            break
    if position is not None:
        columns = columns.filter(sort.beyond(position, reverse=backwards))
    rows = list(columns.order_by(*sort.order_by(reverse=backwards))[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    page = DevicePage(rows=rows)
    if backwards:
        rows.reverse()
        page.previous_cursor = encode_cursor(sort.position(rows[0])) if more and rows else None
        page.next_cursor = encode_cursor(sort.position(rows[-1])) if rows else None
        page.is_first = not more
    else:
        page.next_cursor = encode_cursor(sort.position(rows[-1])) if more else None
        page.previous_cursor = encode_cursor(sort.position(rows[0])) if position is not None and rows else None
        page.is_first = position is None
    _add_names(page)
    return page


def _add_names(page: DevicePage) -> None:
    """The model and school names of the page's rows: two lookups by key instead of joins."""
    model_ids = {row["device_model_id"] for row in page.rows}
    school_ids = {row["school_id"] for row in page.rows}
    page.models = {
        pk: f"{manufacturer} {name}"
        for pk, manufacturer, name in DeviceModel.objects.filter(pk__in=model_ids)
        .order_by()
        .values_list("pk", "manufacturer", "name")
    }
    page.schools = {
        pk: {"name": name, "number": number}
        for pk, name, number in School.objects.filter(pk__in=school_ids).order_by().values_list("pk", "name", "number")
    }
    # Translated once a page, not once a row.
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("status", DeviceStatus.choices),
            ("device_type", DeviceType.choices),
            ("condition", Condition.choices),
            ("discrepancy", Device.Discrepancy.choices),
        )
    }
    for row in page.rows:
        for name, choices in labels.items():
            row[f"{name}_label"] = choices.get(row[name], row[name])
        row["model_name"] = page.models.get(row["device_model_id"], "")
        school = page.schools.get(row["school_id"], {})
        row["school_name"] = school.get("name", "")
        row["school_number"] = school.get("number", "")


# Counting.


@dataclass(frozen=True)
class DeviceCount:
    """How many devices a list holds: exact up to ``cap`` (or always, when ``is_exact``); above it
    ``value`` is the planner's estimate (PostgreSQL) or ``cap``, shown as "about" or "more than"."""

    value: int
    is_exact: bool
    is_estimate: bool = False


def device_count(devices: QuerySet[Device], *, exact: bool = False, cap: int | None = None) -> DeviceCount:
    """Count ``devices``, reading at most ``cap + 1`` (default ``COUNT_CAP + 1``) index entries
    unless ``exact`` (one school)."""
    cap = COUNT_CAP if cap is None else cap
    devices = devices.order_by()
    if exact:
        return DeviceCount(devices.count(), True)
    bounded = devices.values("pk")[: cap + 1].count()
    if bounded <= cap:
        return DeviceCount(bounded, True)
    estimate = _planner_estimate(devices)
    if estimate is not None and estimate > cap:
        return DeviceCount(estimate, False, is_estimate=True)
    return DeviceCount(cap, False)


def _planner_estimate(devices: QuerySet[Device]) -> int | None:
    """PostgreSQL's estimate of the rows of a query (from its statistics, without running it)."""
    if connection.vendor != "postgresql":
        return None
    sql, params = devices.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# Filters shared by the pages and the API.


def serial_prefix_q(prefix: str) -> Q:
    """Serials that begin with ``prefix`` (serials are kept upper-case), as an index range: a
    ``LIKE`` does not use the serial indexes (SQLite's is case-insensitive, PostgreSQL's needs the C
    collation or a pattern index). With the C collation, and on SQLite, the range is exact; the
    ``startswith`` beside it keeps it so under other collations."""
    prefix = prefix.strip().upper()
    if not prefix:
        return Q()
    condition = Q(serial__gte=prefix, serial__startswith=prefix)
    last = ord(prefix[-1])
    if last < 0x10FFFF:
        condition &= Q(serial__lt=prefix[:-1] + chr(last + 1))
    return condition
