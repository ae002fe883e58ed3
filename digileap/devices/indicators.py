"""The device indicator kinds of the programmes' registry (``digileap.programmes.indicators``):

- ``devices_delivered``: devices of the programme delivered by the day, none marked missing;
- ``devices_deployed``: devices of the programme first handed out by the day ("ever deployed");
- ``access_points_installed``: Wi-Fi access points of the programme installed and verified;
- ``pupils_with_device``: pupils holding a device of the programme at the end of the day, or, with
  ``as_ratio``, their share of the pupils enrolled (percent, two decimals);

and the reach source ``devices`` for the ``schools_reached`` kind: a school is reached on the day
the first device of the programme is delivered to it.

Every ``compute`` is one aggregate query over the devices' own columns (``programme``,
``delivered_on``, ``device_type``, ``condition``, ``discrepancy``, ``accepted_at``: repeated on
the device so that counting millions of them needs no join) and the indexes
``device_programme_delivered_idx`` and ``device_programme_type_idx``. ``records`` is one query
(``programmes.evidence.QueryRows``): the evidence pack lets the database write its CSV lines and
count them by school (COPY on PostgreSQL), and iterating reads only the columns it writes from a
server-side cursor, sharing repeated texts between rows, so that an evidence pack of a million
devices stays small in memory.

The parameters and the choices behind each kind are documented in ``docs/devices-indicators.md``.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jsonschema
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digileap.programmes.evidence import QueryRows
from digileap.programmes.indicators import (
    ENUM_LABELS,
    IndicatorKind,
    ReachSource,
    Records,
    plain_schema,
    register_indicator_kind,
    register_reach_source,
)
from digileap.schools.models import IscedLevel

from .models import (
    AccessPointInstallation,
    Assignment,
    Condition,
    Device,
    DeviceEvent,
    DeviceType,
    Recipient,
    UserAgreement,
)

LEVELS = [0, 1, 2, 3, 4]
LEVEL_LABELS = {level: IscedLevel(level).label for level in LEVELS}
MISSING = Device.Discrepancy.MISSING
# A school year ("2024/25") runs from 1 August to 31 July (the legal school year in Germany; the
# Belgian and Latvian ones start on 1 September, inside the same span).
SCHOOL_YEAR_STARTS = (8, 1)

DEVICE_TYPES_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "enum": list(DeviceType.values), ENUM_LABELS: dict(DeviceType.choices)},
    "minItems": 1,
    "uniqueItems": True,
    "title": _("Device types"),
    "description": _("Only devices of these types; none ticked: all."),
}
CONDITION_SCHEMA = {
    "type": "string",
    "enum": list(Condition.values),
    ENUM_LABELS: dict(Condition.choices),
    "title": _("Condition"),
    "description": _("Only new or only refurbished devices."),
}
TARGET_GROUP_SCHEMA = {
    "type": "string",
    "enum": list(Recipient.Kind.values),
    ENUM_LABELS: dict(Recipient.Kind.choices),
    "title": _("Target group"),
    "description": _("Only devices whose first hand-out (on or before the day) went to a pupil, or to a teacher."),
}
LEVELS_SCHEMA = {
    "type": "array",
    "items": {"type": "integer", "enum": LEVELS, ENUM_LABELS: LEVEL_LABELS},
    "minItems": 1,
    "uniqueItems": True,
    "title": _("Levels"),
    "description": _("Only schools that teach at least one of these levels; none ticked: all."),
}
ACCEPTED_ONLY_SCHEMA = {
    "type": "boolean",
    "title": _("Only accepted devices (older form of Count)"),
    "description": _("The older form of Count: ticked counts accepted devices, not ticked delivered ones."),
}
# Which devices count (``count``): the rule is stated in the evidence pack's summary and manifest.
COUNT_ACCEPTED = "accepted"
COUNT_DELIVERED = "delivered"
COUNT_ALL_NOT_DAMAGED = "all_not_damaged"
COUNT_RULES = {
    COUNT_ACCEPTED: _(
        "Only devices the school accepted on or before the day count (devices the school bought and "
        "reported itself count as accepted); devices recorded as missing or damaged at acceptance do not."
    ),
    COUNT_DELIVERED: _(
        "Every device delivered counts, whether or not the school has accepted it yet, damaged devices "
        "included; only devices recorded as missing at acceptance do not."
    ),
    COUNT_ALL_NOT_DAMAGED: _(
        "Every device delivered counts, whether or not the school has accepted it yet, except devices "
        "recorded as missing or damaged at acceptance."
    ),
}
COUNT_SCHEMA = {
    "type": "string",
    "enum": list(COUNT_RULES),
    ENUM_LABELS: {
        COUNT_ACCEPTED: _("Accepted devices"),
        COUNT_DELIVERED: _("Delivered devices, damaged included"),
        COUNT_ALL_NOT_DAMAGED: _("Delivered devices, damaged excluded"),
    },
    "title": _("Count"),
    "description": _(
        "Which devices count. By default only those the school accepted; devices recorded as missing at "
        "acceptance never count."
    ),
}
DAMAGED = Device.Discrepancy.DAMAGED


def count_rule(parameters: dict) -> str:
    """The ``count`` rule of the parameters: ``count`` itself, else the older ``accepted_only``
    (true: accepted, false: delivered), else the default, ``accepted``."""
    if parameters.get("count"):
        return parameters["count"]
    if "accepted_only" in parameters:
        return COUNT_ACCEPTED if parameters["accepted_only"] else COUNT_DELIVERED
    return COUNT_ACCEPTED


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the installation's time zone (dates are local days)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def school_year_of(day: datetime.date) -> str:
    """The school year a day belongs to, in the registry's form: 2024-09-15 → "2024/25"."""
    first = day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


class _Likely(Func):
    """SQLite's ``likelihood(condition, 0.99)``: the same condition, with the planner told that it
    holds for nearly every row (the counting window of a programme's devices usually holds them all)."""

    function = "likelihood"
    template = "%(function)s(%(expressions)s, 0.99)"
    output_field = BooleanField()


def _window(
    queryset: QuerySet, field: str, start: datetime.date | None, end: datetime.date, *, counting: bool = False
) -> QuerySet:
    """Rows whose ``field`` falls in the window. ``counting``: for a count over millions of rows on
    SQLite, mark the end of the window as likely (``_Likely``). Without it SQLite's planner takes the
    range on the (programme, day) index as selective and looks up every row it finds (ten times
    slower than reading the table when the programme's devices make up most of it); with it, the
    planner weighs the index against a scan by the programme's share of the rows (ANALYZE's
    statistics)."""
    if counting and connection.vendor == "sqlite":
        queryset = queryset.filter(_Likely(LessThanOrEqual(F(field), end)))
    else:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset if start is None else queryset.filter(**{f"{field}__gte": start})


def _levels_q(prefix: str, levels: list[int]) -> Q:
    """Schools that teach at least one of ``levels`` (``School.isced_0`` … ``isced_4``)."""
    condition = Q()
    for level in levels:
        condition |= Q(**{f"{prefix}isced_{level}": True})
    return condition


# --- the values' cache ---------------------------------------------------------------------------
#
# Counting millions of devices takes a PostgreSQL scan of the table (a few hundred milliseconds),
# and the programme pages compute every target on every view. So a computed value is kept in
# Django's cache under its method (kind, programme, parameters, counting window, day) and a data
# stamp: the newest id of every table the kinds read, and of the audit trail, which every service
# write appends to. Any new device, event, hand-out, installation, recipient, enrolment figure or
# audited change makes a new stamp, so a cached value is never older than the data. Values are
# cached only when computed outside a transaction: inside one they may include writes that other
# connections do not see yet (tests, services and snapshot jobs run in transactions, so they always
# compute afresh). ``DEVICES_INDICATOR_CACHE_SECONDS`` (default 300; 0 switches it off) bounds how
# long an unused value stays.

CACHE_SECONDS = 300


def _stamp_sql() -> str:
    from digileap.core.models import AuditEvent
    from digileap.schools.models import EligibleCount, Enrolment

    models = [Device, DeviceEvent, Assignment, AccessPointInstallation, Recipient, Enrolment, EligibleCount, AuditEvent]
    quote = connection.ops.quote_name
    parts = []
    for m in models:
        column = m._meta.pk.column
        assert column is not None  # a primary key is a concrete field: it has a column
        parts.append(f"(SELECT MAX({quote(column)}) FROM {quote(m._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


def data_stamp() -> str:
    """The newest id of each table the device kinds read (one query of index look-ups)."""
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        return "-".join(str(value or 0) for value in cursor.fetchone())


def cached(kind: IndicatorKind, target, as_of: datetime.date, compute: Callable[[], Decimal]) -> Decimal:
    """``compute()``, or the value cached for the same method, day and data stamp."""
    seconds = getattr(settings, "DEVICES_INDICATOR_CACHE_SECONDS", CACHE_SECONDS)
    if not seconds or connection.in_atomic_block:
        return compute()
    start, end = target.counting_window(as_of)
    method = {
        "kind": kind.code,
        "programme": target.programme_id,
        "parameters": target.indicator.parameters if target.indicator_id else {},
        "window": [start.isoformat() if start else None, end.isoformat()],
        "database": connection.settings_dict.get("NAME") and str(connection.settings_dict["NAME"]),
    }
    digest = hashlib.sha256(json.dumps(method, sort_keys=True, default=str).encode()).hexdigest()[:32]
    key = f"digileap:devices:indicator:{digest}:{data_stamp()}"
    stored = cache.get(key)
    if stored is not None:
        return Decimal(stored)
    value = compute()
    cache.set(key, str(value), seconds)
    return value


class DeviceKind(IndicatorKind):
    """Base of the kinds that count devices of the target's programme. Subclasses name the date
    that makes a device count (``date_field``) and may add columns to the records."""

    date_field = ""
    unit = _("devices")
    parameter_schema = {
        "type": "object",
        "properties": {
            "device_types": DEVICE_TYPES_SCHEMA,
            "condition": CONDITION_SCHEMA,
            "target_group": TARGET_GROUP_SCHEMA,
            "levels": LEVELS_SCHEMA,
            "count": COUNT_SCHEMA,
            "accepted_only": ACCEPTED_ONLY_SCHEMA,
        },
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        validate_against(self.parameter_schema, parameters)
        if "count" in parameters and "accepted_only" in parameters:
            raise ValidationError(
                {"parameters": _("count and accepted_only: give count only (accepted_only is its older form).")}
            )

    def counting_rule(self, target) -> str:
        """The counting rule of the target's parameters, in words (the evidence pack states it)."""
        parameters = target.indicator.parameters if target.indicator_id else {}
        return str(COUNT_RULES[count_rule(parameters)])

    def devices(self, target, as_of: datetime.date, *, counting: bool = False) -> QuerySet:
        """The devices that count toward the target on ``as_of`` (a queryset without ordering);
        ``counting``: the same devices, for a count (see ``_window``)."""
        parameters = target.indicator.parameters if target.indicator_id else {}
        start, end = target.counting_window(as_of)
        queryset = _window(
            Device.objects.filter(programme_id=target.programme_id), self.date_field, start, end, counting=counting
        )
        queryset = queryset.exclude(discrepancy=MISSING)
        if parameters.get("device_types"):
            queryset = queryset.filter(device_type__in=parameters["device_types"])
        if parameters.get("condition"):
            queryset = queryset.filter(condition=parameters["condition"])
        if parameters.get("levels"):
            queryset = queryset.filter(_levels_q("school__", parameters["levels"]))
        rule = count_rule(parameters)
        if rule == COUNT_ACCEPTED:
            # A school's own purchase is accepted by reporting it.
            queryset = queryset.filter(Q(accepted_at__lt=day_end(as_of)) | Q(purchase__isnull=False))
        if rule in (COUNT_ACCEPTED, COUNT_ALL_NOT_DAMAGED):
            queryset = queryset.exclude(discrepancy=DAMAGED)
        if parameters.get("target_group"):
            first = (
                Assignment.objects.filter(device=OuterRef("pk"), assigned_at__lt=day_end(as_of))
                .order_by("assigned_at", "id")
                .values("recipient__kind")[:1]
            )
            queryset = queryset.alias(first_group=Subquery(first)).filter(first_group=parameters["target_group"])
        return queryset.order_by()

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return cached(self, target, as_of, lambda: self.count(target, as_of))

    def count(self, target, as_of: datetime.date) -> Decimal:
        """The value itself, in one aggregate query."""
        return Decimal(self.devices(target, as_of, counting=True).aggregate(total=Count("pk"))["total"])

    # The records: every counted device, by school number and serial.
    base_columns = [
        "serial",
        "manufacturer",
        "model",
        "device_type",
        "condition",
        "school_number",
        "school_name",
        "funding_source",
        "delivery_note",
        "invoice",
        "delivered_on",
        "accepted_at",
        "accepted_by",
        "discrepancy",
    ]
    base_fields = [
        "serial",
        "manufacturer",
        "device_model__name",
        "device_type",
        "condition",
        "school__number",
        "school__name",
        "funding_source__kind",
        "delivery__note_number",
        "purchase__invoice_reference",
        "delivered_on",
        "accepted",
        "accepter",
        "discrepancy",
    ]
    extra_columns: list[str] = []
    extra_fields: list[str] = []

    def records(self, target, as_of: datetime.date) -> Records:
        rows = QueryRows(
            self.devices(target, as_of),
            [*self.base_fields, *self.extra_fields],
            annotations={
                "accepted": Coalesce("accepted_at", "delivery__accepted_at"),
                "accepter": Coalesce("delivery__accepted_by__username", "purchase__reported_by__username"),
            },
            order_by=["school__number", "serial", "pk"],
        )
        return Records([*self.base_columns, *self.extra_columns], rows)


def validate_against(schema: dict, parameters: dict) -> None:
    """Check ``parameters`` against ``schema``; the error names the parameter and what is wrong."""
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": _("Give the parameters as a JSON object.")})
    validator = jsonschema.Draft202012Validator(plain_schema(schema))
    error = jsonschema.exceptions.best_match(validator.iter_errors(parameters))
    if error is None:
        return
    where = ".".join(str(part) for part in error.absolute_path)
    if where:
        message = _("%(parameter)s: %(problem)s") % {"parameter": where, "problem": error.message}
    else:
        message = error.message
    raise ValidationError({"parameters": message})


class DevicesDelivered(DeviceKind):
    """Devices of the programme delivered to a school (or reported by it) on or before the day."""

    code = "devices_delivered"
    label = _("Devices delivered")
    description = _(
        "Devices of the programme delivered to schools (or bought by schools and reported) by the day; by "
        "default only those the school accepted, neither missing nor damaged (parameter 'count'); optionally "
        "by type, condition, target group and level of the school."
    )
    date_field = "delivered_on"


class DevicesDeployed(DeviceKind):
    """Devices of the programme first handed out on or before the day. A device counts once it has
    been deployed, whatever happened to it afterwards (returned, lost or retired later)."""

    code = "devices_deployed"
    label = _("Devices deployed")
    description = _(
        "Devices of the programme handed out to pupils or teachers for the first time by the day (devices "
        "returned, lost or retired later still count); by default only those the school accepted, neither "
        "missing nor damaged (parameter 'count'); optionally by type, condition, target group and level of "
        "the school."
    )
    date_field = "first_deployed_on"
    extra_columns = ["first_deployed_on", "status"]
    extra_fields = ["first_deployed_on", "status"]


class AccessPointsInstalled(IndicatorKind):
    """Wi-Fi access points of the programme installed on or before the day and verified by the
    school on or before the day."""

    code = "access_points_installed"
    label = _("Wi-Fi access points installed")
    description = _(
        "Wi-Fi access points of the programme installed at a school's site and verified by the school by the day."
    )
    unit = _("access points")
    parameter_schema = {
        "type": "object",
        "properties": {"levels": LEVELS_SCHEMA},
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        validate_against(self.parameter_schema, parameters)

    def installations(self, target, as_of: datetime.date) -> QuerySet:
        parameters = target.indicator.parameters if target.indicator_id else {}
        start, end = target.counting_window(as_of)
        queryset = AccessPointInstallation.objects.filter(
            device__programme_id=target.programme_id, verified_at__lt=day_end(as_of)
        )
        queryset = _window(queryset, "installed_on", start, end)
        if parameters.get("levels"):
            queryset = queryset.filter(_levels_q("school__", parameters["levels"]))
        return queryset.order_by()

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return cached(self, target, as_of, lambda: self.count(target, as_of))

    def count(self, target, as_of: datetime.date) -> Decimal:
        """The value itself, in one aggregate query."""
        return Decimal(self.installations(target, as_of).aggregate(total=Count("pk"))["total"])

    def records(self, target, as_of: datetime.date) -> Records:
        rows = QueryRows(
            self.installations(target, as_of),
            [
                "device__serial",
                "device__manufacturer",
                "device__device_model__name",
                "school__number",
                "school__name",
                "site__name",
                "building",
                "room",
                "installed_on",
                "verified_at",
                "verified_by__username",
            ],
            order_by=["school__number", "device__serial", "pk"],
        )
        columns = [
            "serial",
            "manufacturer",
            "model",
            "school_number",
            "school_name",
            "site",
            "building",
            "room",
            "installed_on",
            "verified_at",
            "verified_by",
        ]
        return Records(columns, rows)


class PupilsWithDevice(IndicatorKind):
    """Pupils holding a device of the programme at the end of the day, or their share of the
    pupils enrolled (``as_ratio``). A state on the day: per-period targets count the same way."""

    code = "pupils_with_device"
    label = _("Pupils with a personal device")
    description = _(
        "Distinct pupils who hold a device of the programme at the end of the day; with 'as ratio', their "
        "share of the pupils enrolled, in percent."
    )
    unit = _("pupils")
    parameter_schema = {
        "type": "object",
        "properties": {
            "as_ratio": {
                "type": "boolean",
                "title": _("As a ratio (%)"),
                "description": _("The coverage ratio in percent instead of a count."),
            },
            "levels": {
                "type": "array",
                "items": {"type": "integer", "enum": LEVELS, ENUM_LABELS: LEVEL_LABELS},
                "minItems": 1,
                "uniqueItems": True,
                "title": _("Levels"),
                "description": _("Levels of the pupils (and of the enrolment the ratio divides by)."),
            },
            "eligibility_groups": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "uniqueItems": True,
                "title": _("Eligibility groups"),
                "description": _(
                    "Only pupils of these eligibility groups (and, for the ratio, the pupils counted in them)."
                ),
            },
            "enrolment_of": {
                "type": "string",
                "enum": ["programme_authority", "schools_with_recipients"],
                ENUM_LABELS: {
                    "programme_authority": _("Every school of the programme's authority"),
                    "schools_with_recipients": _("Only schools with recipients of the programme's devices"),
                },
                "title": _("Enrolment of"),
                "description": _(
                    "Whose pupils the ratio divides by (by default every school of the programme's authority)."
                ),
            },
        },
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        validate_against(self.parameter_schema, parameters)
        if (parameters.get("levels") and parameters.get("eligibility_groups")) and parameters.get("as_ratio"):
            raise ValidationError(
                {
                    "parameters": _(
                        "levels and eligibility_groups: a ratio can divide by the pupils of some levels or of "
                        "some eligibility groups, not both (the registry counts eligible pupils per school only)."
                    )
                }
            )

    def holdings(self, target, as_of: datetime.date) -> QuerySet:
        """The assignments of the programme's devices to pupils that are open at the end of the day."""
        parameters = target.indicator.parameters if target.indicator_id else {}
        end = day_end(as_of)
        queryset = Assignment.objects.filter(
            device__programme_id=target.programme_id,
            recipient__kind=Recipient.Kind.PUPIL,
            assigned_at__lt=end,
        ).filter(Q(returned_at__isnull=True) | Q(returned_at__gte=end))
        if parameters.get("levels"):
            queryset = queryset.filter(recipient__isced_level__in=parameters["levels"])
        if parameters.get("eligibility_groups"):
            queryset = queryset.filter(recipient__eligibility_group__in=parameters["eligibility_groups"])
        return queryset.order_by()

    def pupils(self, target, as_of: datetime.date) -> int:
        """Distinct pupils with an open assignment. PostgreSQL: counted over the recipients with a
        semi-join (run in parallel, hashed; COUNT(DISTINCT) over millions of assignments sorts).
        SQLite, which has no hash joins: COUNT(DISTINCT) over the open assignments (the semi-join
        probes the assignments once per recipient, teachers too: a fifth slower at 300,000 devices)."""
        if connection.vendor == "sqlite":
            return self.holdings(target, as_of).aggregate(total=Count("recipient_id", distinct=True))["total"]
        parameters = target.indicator.parameters if target.indicator_id else {}
        end = day_end(as_of)
        holding = Assignment.objects.filter(
            recipient=OuterRef("pk"), device__programme_id=target.programme_id, assigned_at__lt=end
        ).filter(Q(returned_at__isnull=True) | Q(returned_at__gte=end))
        pupils = Recipient.objects.filter(Exists(holding), kind=Recipient.Kind.PUPIL)
        if parameters.get("levels"):
            pupils = pupils.filter(isced_level__in=parameters["levels"])
        if parameters.get("eligibility_groups"):
            pupils = pupils.filter(eligibility_group__in=parameters["eligibility_groups"])
        return pupils.order_by().aggregate(total=Count("pk"))["total"]

    def _enrolment_schools(self, target, parameters: dict, as_of: datetime.date) -> QuerySet[Any, Any]:
        """The ids of the schools whose enrolment the ratio divides by, as a subquery: those with a
        recipient holding a device of the programme, or every school of the programme's authority."""
        from digileap.schools.models import School

        if parameters.get("enrolment_of") == "schools_with_recipients":
            return (
                Assignment.objects.filter(device__programme_id=target.programme_id, assigned_at__lt=day_end(as_of))
                .order_by()
                .values("recipient__school_id")
            )
        return School.objects.filter(authority_id=target.programme.authority_id).order_by().values("pk")

    def enrolled(self, target, as_of: datetime.date) -> int:
        """The pupils the ratio divides by: enrolment in the school year of ``as_of`` (or, where the
        registry has none yet, the newest earlier year with figures) at the chosen schools."""
        from digileap.schools.models import EligibleCount, Enrolment

        parameters = target.indicator.parameters if target.indicator_id else {}
        schools = self._enrolment_schools(target, parameters, as_of)
        figures: QuerySet[EligibleCount] | QuerySet[Enrolment]
        if parameters.get("eligibility_groups"):
            figures = EligibleCount.objects.filter(group__code__in=parameters["eligibility_groups"])
        else:
            enrolments = Enrolment.objects.all()
            if parameters.get("levels"):
                enrolments = enrolments.filter(level__in=parameters["levels"])
            figures = enrolments
        figures = figures.filter(school_id__in=schools)
        year = figures.filter(school_year__lte=school_year_of(as_of)).order_by("-school_year").values("school_year")
        total = figures.filter(school_year=Subquery(year[:1])).aggregate(total=Sum("pupils"))["total"]
        return total or 0

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return cached(self, target, as_of, lambda: self.count(target, as_of))

    def count(self, target, as_of: datetime.date) -> Decimal:
        """The value itself: one aggregate query for the count, one more for the ratio's enrolment."""
        pupils = self.pupils(target, as_of)
        parameters = target.indicator.parameters if target.indicator_id else {}
        if not parameters.get("as_ratio"):
            return Decimal(pupils)
        enrolled = self.enrolled(target, as_of)
        if not enrolled:
            return Decimal("0.00")
        return (Decimal(pupils) * 100 / Decimal(enrolled)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def records(self, target, as_of: datetime.date) -> Records:
        agreement = UserAgreement.objects.filter(assignment=OuterRef("pk")).values("status")[:1]
        rows = QueryRows(
            self.holdings(target, as_of),
            [
                "recipient__reference",
                "recipient__school__number",
                "recipient__school__name",
                "recipient__grade",
                "recipient__group",
                "recipient__eligibility_group",
                "device__serial",
                "device__device_type",
                "assigned_at",
                "agreement_status",
            ],
            # No agreement (or an empty status) reads "none".
            annotations={"agreement_status": Coalesce(NullIf(Subquery(agreement), Value("")), Value("none"))},
            order_by=["recipient__school__number", "recipient__reference", "assigned_at", "pk"],
            unique=(0, 6),
        )
        columns = [
            "recipient",
            "school_number",
            "school_name",
            "grade",
            "group",
            "eligibility_group",
            "serial",
            "device_type",
            "assigned_at",
            "agreement",
        ]
        return Records(columns, rows)


def devices_reach(target, start, end, parameters: dict) -> QuerySet:
    """Schools reached by the programme's devices: on the day each device was delivered (the
    ``schools_reached`` kind takes the first), devices marked missing left out."""
    devices = Device.objects.filter(programme_id=target.programme_id).exclude(discrepancy=MISSING)
    return _window(devices, "delivered_on", start, end).annotate(reached_on=F("delivered_on"))


register_indicator_kind(DevicesDelivered())
register_indicator_kind(DevicesDeployed())
register_indicator_kind(AccessPointsInstalled())
register_indicator_kind(PupilsWithDevice())
register_reach_source(ReachSource("devices", _("A device of the programme delivered"), devices_reach))

__all__ = ["AccessPointsInstalled", "DevicesDelivered", "DevicesDeployed", "PupilsWithDevice", "devices_reach"]
