"""The registry of indicator kinds: how a target's value is computed from the data.

A kind has a code, a label, a JSON schema for its parameters, whether its value is typed in
(``is_manual``), ``compute(target, as_of)`` (the value on a day, from the data as it stood that
day) and ``records(target, as_of)`` (every row that counts toward that value, for evidence).

Other apps add kinds from their own ``AppConfig.ready`` without editing this one::

    from digileap.programmes.indicators import IndicatorKind, register_indicator_kind

    class DevicesDelivered(IndicatorKind):
        code = "devices_delivered"
        ...

    register_indicator_kind(DevicesDelivered())

Two smaller extension points serve the built-in kinds: ``register_reach_source`` (what makes a
school "reached": a funding transaction now, an approved allocation in issue 4) and
``register_money_measure`` (committed and paid now, allocated in issue 4).
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Target

ZERO = Decimal("0")


@dataclass
class Records:
    """The rows behind a value: column headings and an iterable of rows (tuples)."""

    columns: Sequence[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


# A schema property may carry what a person reads: ``title`` (the field's label) and, for an
# ``enum`` (or an array's ``items`` enum), ``x-enum-labels`` mapping each value to its label. Both may
# be lazy translations; ``plain_schema`` turns them into strings for jsonschema and for JSON output.
ENUM_LABELS = "x-enum-labels"


def plain_schema(schema: Any) -> Any:
    """``schema`` with its lazy (translatable) texts as plain strings, in the active language."""
    if isinstance(schema, Promise):
        return str(schema)
    if isinstance(schema, dict):
        return {key: plain_schema(value) for key, value in schema.items()}
    if isinstance(schema, list | tuple):
        return [plain_schema(value) for value in schema]
    return schema


def enum_label(schema: dict, value: Any) -> str:
    """What a person reads for ``value`` of the enum of ``schema``: its label, else the value."""
    labels = schema.get(ENUM_LABELS) or {}
    label = labels.get(value, labels.get(str(value)))
    return str(label) if label is not None else str(value)


class IndicatorKind:
    """Base of every indicator kind. Subclasses set the attributes and implement the two methods."""

    code: str = ""
    label: Any = ""
    description: Any = ""
    unit: Any = ""
    parameter_schema: dict = {"type": "object", "properties": {}, "additionalProperties": False}
    is_manual: bool = False
    # Whether ``compute`` can answer for a past day (the data keep their dates); backfill needs it.
    has_history: bool = True

    def compute(self, target: "Target", as_of: datetime.date) -> Decimal:
        raise NotImplementedError

    def records(self, target: "Target", as_of: datetime.date) -> Records:
        raise NotImplementedError

    def validate_parameters(self, parameters: dict) -> None:
        try:
            jsonschema.validate(parameters, plain_schema(self.parameter_schema))
        except jsonschema.ValidationError as error:
            raise ValidationError({"parameters": error.message}) from None

    def __repr__(self) -> str:
        return f"<IndicatorKind {self.code}>"


_KINDS: dict[str, IndicatorKind] = {}


def register_indicator_kind(kind: IndicatorKind) -> IndicatorKind:
    """Add ``kind`` to the registry. Registering the same code twice replaces the earlier kind
    only if it is of the same class (module reloads); a different class with the same code fails."""
    if not kind.code:
        raise ValueError("An indicator kind needs a code.")
    existing = _KINDS.get(kind.code)
    if existing is not None and type(existing).__qualname__ != type(kind).__qualname__:
        raise ValueError(f"Indicator kind {kind.code!r} is already registered by {type(existing).__module__}.")
    jsonschema.Draft202012Validator.check_schema(plain_schema(kind.parameter_schema))
    _KINDS[kind.code] = kind
    return kind


def unregister_indicator_kind(code: str) -> None:
    """Remove a kind (tests register kinds of their own and remove them afterwards)."""
    _KINDS.pop(code, None)


def get_kind(code: str) -> IndicatorKind | None:
    return _KINDS.get(code)


def kinds() -> list[IndicatorKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, str(kind.label)) for kind in kinds()]


def require_kind(code: str) -> IndicatorKind:
    kind = get_kind(code)
    if kind is None:
        raise ValidationError({"kind": _("There is no indicator kind %(code)r.") % {"code": code}})
    return kind


# --- schools reached: which data make a school count -------------------------------------------

ReachQuery = Callable[["Target", datetime.date | None, datetime.date, dict], QuerySet]


@dataclass(frozen=True)
class ReachSource:
    """A way a school is reached. ``schools(target, start, end, parameters)`` returns a queryset with
    ``school_id`` and ``reached_on`` (the day the school was reached), one or more rows per school,
    counting the days from ``start`` (None: from the beginning) to ``end``."""

    code: str
    label: Any
    schools: ReachQuery


_REACH_SOURCES: dict[str, ReachSource] = {}


def register_reach_source(source: ReachSource) -> ReachSource:
    _REACH_SOURCES[source.code] = source
    return source


def reach_sources() -> dict[str, ReachSource]:
    return dict(_REACH_SOURCES)


# --- money: which amounts count ----------------------------------------------------------------

MoneyQuery = Callable[["Target", datetime.date | None, datetime.date, dict], QuerySet]


@dataclass(frozen=True)
class MoneyMeasure:
    """An amount of money the programme tracks. ``entries(target, start, end, parameters)`` returns a
    queryset of a model with the fields (or annotations) ``amount``, ``date``, ``school`` (nullable)
    and ``reference``, and a funding source at ``source_path``, counting the days from ``start`` (None: the beginning) to ``end``."""

    code: str
    label: Any
    entries: MoneyQuery
    # The lookup from an entry to its FundingSource, when it is not ``source`` itself.
    source_path: str = "source"


_MONEY_MEASURES: dict[str, MoneyMeasure] = {}


def register_money_measure(measure: MoneyMeasure) -> MoneyMeasure:
    _MONEY_MEASURES[measure.code] = measure
    return measure


def money_measures() -> dict[str, MoneyMeasure]:
    return dict(_MONEY_MEASURES)
