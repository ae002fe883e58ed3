"""The school registry importer: a target of the core tabular engine.

Fields a profile can fill (see docs/imports.md): authority_code, authority_name, authority_kind,
country, operator_code, operator_name, operator_kind, operator_region, number, name, type_code, type_label, levels,
language, sector, status, street, postal_code, city, email, website, latitude/longitude (or x/y
with a coordinate system), school_year, pupils_isced_L, pupils_isced_L_grade_G, pupils_total
(a check on the sum), teachers, ses_value, ses_scale, eligible_CODE.
"""

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import bulk_insert, chunked
from digileap.core.model_fields import max_length
from digileap.core.permissions import Action, assignments_for, permits, restrict
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir

from .importing.fields import SCHOOL_FIELDS as SCHOOL_FIELD_SPECS
from .importing.sites import DEFAULT_FIELDS as DEFAULT_SITE_FIELDS
from .importing.sites import SitePlanner, SiteRow, sites_of, sites_option, write_sites
from .models import (
    SCHOOL_YEAR_VALIDATOR,
    Authority,
    EligibilityGroup,
    EligibleCount,
    Enrolment,
    School,
    SchoolOperator,
    SharedSite,
    Site,
    SocioEconomicIndex,
    SocioEconomicScale,
    StaffCount,
)

register_profile_dir("schools", Path(__file__).parent / "import_profiles")

SCHOOL_FIELDS = [
    "operator_id",
    "name",
    "type_code",
    "type_label",
    "isced_0",
    "isced_1",
    "isced_2",
    "isced_3",
    "isced_4",
    "language",
    "sector",
    "status",
    "street",
    "postal_code",
    "city",
    "email",
    "website",
    "latitude",
    "longitude",
    "pupils_total",
    "ses_value",
    "ses_scale_id",
]
# Fields the importer derives itself: always compared and written.
DERIVED_FIELDS = {"operator_id", "pupils_total", "ses_value", "ses_scale_id"}
LEVEL_FIELDS = [f"isced_{level}" for level in range(5)]
_SECTORS = frozenset(School.Sector.values)  # Choices.values rebuilds its list on every call
_STATUSES = frozenset(School.Status.values)
_PUPILS_FIELD = re.compile(r"^pupils_isced_(\d)(?:_grade_(\d{1,2}))?$")
_TEXT_LIMITS = {
    name: max_length(School, name)
    for name in (
        "number",
        "name",
        "type_code",
        "type_label",
        "language",
        "street",
        "postal_code",
        "city",
        "email",
        "website",
    )
}
# Decimal fields compared and stored at the database's precision (a coordinate with 7 places
# would otherwise differ from its stored, rounded self on every re-import): step, lowest, highest.
_STORED_DECIMALS = {
    "latitude": (Decimal(1).scaleb(-School._meta.get_field("latitude").decimal_places), Decimal(-90), Decimal(90)),
    "longitude": (Decimal(1).scaleb(-School._meta.get_field("longitude").decimal_places), Decimal(-180), Decimal(180)),
}
_SES_STEP = Decimal(1).scaleb(-SocioEconomicIndex._meta.get_field("value").decimal_places)
FIGURE_MODELS: dict[str, type[Enrolment | StaffCount | SocioEconomicIndex | EligibleCount]] = {
    "enrolment": Enrolment,
    "teachers": StaffCount,
    "ses": SocioEconomicIndex,
    "eligible": EligibleCount,
}


# The fields of a row in the order a row fills them (the order of its audit entry): what the file
# gives, then the operator, then the summary columns.
ROW_FIELDS = (
    *(name for name in SCHOOL_FIELDS if name not in DERIVED_FIELDS),
    "operator_id",
    *(name for name in SCHOOL_FIELDS if name in DERIVED_FIELDS and name != "operator_id"),
)


class RowFields:
    """A row's school fields, read and written by name like a dict's, in ``ROW_FIELDS`` order.

    A plan holds one per row until it commits: slots take a fourth of the memory of a dict of
    22 fields. Every field is there from the start (None until the row sets it).
    """

    __slots__ = ROW_FIELDS

    def __init__(self, values: dict[str, Any]) -> None:
        for name in ROW_FIELDS:
            setattr(self, name, values.get(name))

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def __setitem__(self, name: str, value: Any) -> None:
        try:
            setattr(self, name, value)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(ROW_FIELDS)

    def __len__(self) -> int:
        return len(ROW_FIELDS)

    def keys(self) -> tuple[str, ...]:
        return ROW_FIELDS

    def values(self) -> tuple:
        return _row_values(self)

    def items(self) -> Iterator[tuple[str, Any]]:
        return zip(ROW_FIELDS, _row_values(self), strict=True)

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(ROW_FIELDS, _row_values(self), strict=True))


_row_values = attrgetter(*ROW_FIELDS)
_school_values = attrgetter(*SCHOOL_FIELDS)
# The enrolment keys (level, grade) shared by every row, not a tuple of each row's own.
_ENROLMENT_KEYS = {(level, grade): (level, grade) for level in range(5) for grade in range(14)}
# What a row without buildings holds: one empty list and mapping for all of them.
_NO_SITES: tuple = ()
_NO_SITE_CHANGES: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True)
class Figures:
    """A school's figures for one school year, as a row gives them (None: the row says nothing)."""

    enrolment: dict[tuple[int | None, int], int] | None = None  # (None, 0): the total of all levels
    teachers: int | None = None
    ses: tuple[int, Decimal] | None = None
    eligible: dict[int, int] | None = None
    # Every kind of figure is replaced for the year (profile option "figures": "replace_year"):
    # what the row does not give is removed.
    replaces_year: bool = False

    def kinds(self) -> list[str]:
        return [kind for kind in FIGURE_MODELS if getattr(self, kind) is not None]

    def replaced_kinds(self) -> list[str]:
        """The kinds of figures a write replaces for the year: those the row gives, or all."""
        return list(FIGURE_MODELS) if self.replaces_year else self.kinds()

    def value(self, kind: str) -> Any:
        """The row's figures of ``kind`` as compared with the stored ones (nothing given: none stored)."""
        value = getattr(self, kind)
        if value is None and kind in ("enrolment", "eligible"):
            return {}
        return value

    def as_json(self, kinds: list[str] | None = None) -> dict[str, Any]:
        """The figures for the audit trail; with ``kinds``, each of them, a removed one as empty."""
        data: dict[str, Any] = {}
        if kinds is not None:
            data = {kind: {} if kind in ("enrolment", "eligible") else None for kind in kinds}
        if self.enrolment is not None:
            data["enrolment"] = {
                _figure_key(level, grade): pupils for (level, grade), pupils in sorted_enrolment(self.enrolment)
            }
        if self.teachers is not None:
            data["teachers"] = self.teachers
        if self.ses is not None:
            data["ses"] = {"scale": self.ses[0], "value": str(self.ses[1])}
        if self.eligible is not None:
            data["eligible"] = {str(k): v for k, v in sorted(self.eligible.items())}
        return data


@dataclass(slots=True)
class SchoolRow:
    """One school as a valid row describes it, ready to compare with the database."""

    line: int
    authority_code: str
    operator_key: tuple[str, str]
    number: str
    fields: RowFields
    year: str
    figures: Figures
    operator_name: str = ""
    sites: Sequence[SiteRow] = _NO_SITES  # buildings, with the profile's sites option
    # What the import changes in them (one shared empty mapping for the rows that change none).
    site_changes: Mapping[str, Any] = field(default_factory=lambda: _NO_SITE_CHANGES)

    @property
    def key(self) -> tuple[str, str]:
        return (self.authority_code, self.number)

    @property
    def signature(self) -> tuple:
        """What makes two rows for the same school identical (only needed for duplicates)."""
        return (
            self.operator_key,
            self.operator_name,
            tuple(sorted(self.fields.items())),
            self.year,
            repr(self.figures.as_json()),
            repr(self.sites),
        )


@dataclass(slots=True)
class SchoolUpdate:
    """An existing school that a row changes: the changed fields before and after, and its figures."""

    school_id: int
    row: SchoolRow
    before: dict[str, Any]
    changed: dict[str, Any]
    figures_before: dict[str, Any] | None = None  # None: the row's figures equal the stored ones
    sites_before: dict[str, Any] = field(default_factory=dict)

    @property
    def figures_changed(self) -> bool:
        return self.figures_before is not None


@dataclass
class SchoolPlan:
    new_authorities: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_operators: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    creates: list[SchoolRow] = field(default_factory=list)
    updates: list[SchoolUpdate] = field(default_factory=list)


_OTHER = "other"
_ELIGIBLE = "eligible"
# The enrolment key of a total given without a breakdown by level (Enrolment.level NULL).
ALL_LEVELS: tuple[None, int] = (None, 0)


def sorted_enrolment(enrolment: dict) -> list[tuple[tuple[int | None, int], int]]:
    """Enrolment items by level and grade; the total of all levels (level None) first."""
    return sorted(enrolment.items(), key=lambda item: (-1 if item[0][0] is None else item[0][0], item[0][1]))


def _figure_key(level: int | None, grade: int) -> str:
    return "total" if level is None else f"{level}/{grade}"


def _field_kind(name: str):
    """(level, grade) for a pupils field, ``_ELIGIBLE`` for an eligible-group field, else ``_OTHER``."""
    match = _PUPILS_FIELD.match(name)
    if match:
        return int(match.group(1)), int(match.group(2) or 0)
    if name.startswith("eligible_"):
        return _ELIGIBLE
    return _OTHER


def operator_code_of(name: str) -> str:
    """An operator's code from its name: its slug (as always), else a Unicode slug, else a digest.

    A name with no Latin letters or digits ("/", a Cyrillic name) still gets a stable code.
    """
    if not name:
        return ""
    code = slugify(name)[:64] or slugify(name, allow_unicode=True)[:64]
    return code or "operator-" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _text(values: dict, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


class SchoolImporter(Importer):
    target = "schools"
    label = gettext_lazy("Schools")
    model = School
    fields = SCHOOL_FIELD_SPECS

    @classmethod
    def options_for_fields(cls, field_names: list[str]) -> dict[str, Any]:
        """A profile that maps the site code reads sites (buildings) from rows."""
        return {"sites": True} if DEFAULT_SITE_FIELDS["code"] in field_names else {}

    def __init__(self, *, profile, actor) -> None:
        super().__init__(profile=profile, actor=actor)
        self.scales = {s.code: s for s in SocioEconomicScale.objects.all()}
        self.groups = {g.code: g.id for g in EligibilityGroup.objects.all()}
        self.authorities = {a.code: a for a in Authority.objects.all()}
        self.operators: dict[tuple[str, str], int] = {}  # (authority code, operator code) -> id
        self._add_allowed: dict[tuple, bool] = {}
        self._permits_all: dict[tuple[str, type], bool] = {}
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        options = getattr(profile, "options", None) or {}
        figures_option = options.get("figures", "add")
        if figures_option not in ("add", "replace_year"):
            raise ImportFileError(
                _("profile %(name)s: the option figures must be 'add' or 'replace_year', not %(value)r")
                % {"name": profile.name, "value": figures_option}
            )
        self.replaces_year = figures_option == "replace_year"
        self.site_fields = sites_option(profile)
        self._valid_years: set[str] = set()
        self.sites: SitePlanner | None = None
        self._figure_fields_by_keys: dict[tuple[str, ...], list[tuple[str, Any]]] = {}
        self._ses_values: dict[tuple[int, bool, Decimal], tuple[int, Decimal]] = {}

    # -- what the file provides ----------------------------------------------------------------

    def provided_values(self) -> set[str]:
        """The value names this profile fills for this file (constants, present columns, code lists)."""
        headers = set(self.headers)
        provided = set(self.profile.constants)
        for column in self.profile.columns:
            if column.optional_column and not headers.intersection(column.sources):
                continue
            provided.add(column.field)
            if column.type == "code":
                for entry in self.profile.code_lists.get(column.codes, {}).values():
                    if isinstance(entry, dict):
                        provided.update(entry)
                if column.keep_code_as:
                    provided.add(column.keep_code_as)
        if self.profile.coordinates:
            provided |= {"latitude", "longitude"}
        profile = self.profile.with_pattern_columns(self.headers)
        provided.update(c.field for c in profile.columns)
        return provided

    def managed_fields(self) -> set[str]:
        """School fields an update may change: what the file provides. Others keep their stored value."""
        provided = self.provided_values()
        managed = set(DERIVED_FIELDS)
        managed.update(name for name in SCHOOL_FIELDS if name in provided)
        if "levels" in provided or any(_PUPILS_FIELD.match(name) for name in provided):
            managed.update(LEVEL_FIELDS)
        return managed

    # -- reading rows --------------------------------------------------------------------------

    def _row(self, parsed: ParsedRow) -> SchoolRow | None:
        values = parsed.values
        line = parsed.line
        errors = parsed.errors
        column_of = self.column_of

        def fail(column: str, message: str, value: str = "") -> None:
            errors.append(RowError(line, column, message, value))

        authority_code = _text(values, "authority_code")
        if not authority_code:
            fail(column_of.get("authority_code", ""), _("no authority code (set it in the profile or a column)"))
        number = _text(values, "number")
        number_column = column_of.get("number", "number")
        if not number and not any(error.column == number_column for error in errors):
            fail(number_column, _("a value is required"))
        for name, limit in _TEXT_LIMITS.items():
            value = values.get(name)
            if value is not None and len(value if type(value) is str else str(value)) > limit:
                fail(
                    column_of.get(name, name),
                    _("longer than %(n)s characters") % {"n": limit},
                    _text(values, name)[:80],
                )
        operator_name = _text(values, "operator_name")
        operator_code = _text(values, "operator_code") or operator_code_of(operator_name)
        if not operator_code:
            fail(column_of.get("operator_name", "operator_name"), _("no school operator"))
        sector = _text(values, "sector") or School.Sector.PUBLIC
        if sector not in _SECTORS:
            fail(column_of.get("sector", "sector"), _("unknown sector %(value)r") % {"value": sector}, sector)
        status = _text(values, "status") or School.Status.OPEN
        if status not in _STATUSES:
            fail(column_of.get("status", "status"), _("unknown status %(value)r") % {"value": status}, status)
        year = _text(values, "school_year")
        if year and year not in self._valid_years:
            try:
                SCHOOL_YEAR_VALIDATOR(year)
                self._valid_years.add(year)
            except Exception:  # noqa: BLE001
                fail(
                    column_of.get("school_year", "school_year"),
                    _("school year %(value)r is not like 2024/25") % {"value": year},
                    year,
                )
        for name, (step, low, high) in _STORED_DECIMALS.items():
            value = values.get(name)
            if value is not None:
                values[name] = self._stored_decimal(name, value, step, low, high, fail)
        figures = self._figures(values, year, fail, checks_sums=not errors)
        sites: Sequence[SiteRow] = (
            sites_of(parsed, self.site_fields, column_of, fail) if self.site_fields else _NO_SITES
        )
        if errors:
            return None
        levels = set(values.get("levels") or [])
        if figures.enrolment:
            levels |= {
                level for (level, _grade), pupils in figures.enrolment.items() if pupils > 0 and level is not None
            }
        fields = RowFields(
            {
                "name": _text(values, "name"),
                "type_code": _text(values, "type_code"),
                "type_label": _text(values, "type_label"),
                **{name: level in levels for level, name in enumerate(LEVEL_FIELDS)},
                "language": _text(values, "language"),
                "sector": sector,
                "status": status,
                "street": _text(values, "street"),
                "postal_code": _text(values, "postal_code"),
                "city": _text(values, "city"),
                "email": _text(values, "email"),
                "website": _text(values, "website"),
                "latitude": values.get("latitude"),
                "longitude": values.get("longitude"),
            }
        )
        operator_key = (authority_code, operator_code)
        operator_key = self._operator_keys.setdefault(operator_key, operator_key)  # one tuple per operator
        row = SchoolRow(line, operator_key[0], operator_key, number, fields, year, figures)
        row.operator_name = operator_name
        row.sites = sites
        self._operator_names.setdefault(
            operator_key,
            (
                operator_name or operator_code,
                _text(values, "operator_kind") or sector,
                _text(values, "operator_region"),
            ),
        )
        if authority_code not in self.authorities and authority_code not in self._authority_details:
            self._authority_details[authority_code] = {
                "name": _text(values, "authority_name"),
                "kind": _text(values, "authority_kind") or Authority.Kind.REGION,
                "country": _text(values, "country"),
                "line": line,
            }
        return row

    def _stored_decimal(self, name: str, value: Any, step: Decimal, low, high, fail) -> Decimal | None:
        """``value`` rounded to the places the database keeps, so that a re-import compares equal."""
        column = self.column_of.get(name, name)
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
            if not number.is_finite():
                raise InvalidOperation
            number = number.quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            fail(column, _("%(value)r is not a number") % {"value": str(value)}, str(value)[:80])
            return None
        if not low <= number <= high:
            fail(
                column,
                _("%(value)s is outside %(minimum)s to %(maximum)s")
                % {"value": number, "minimum": low, "maximum": high},
                str(value)[:80],
            )
        return number

    def _figure_fields(self, values: dict) -> list[tuple[str, Any]]:
        """The figure fields among ``values`` with their kinds; rows of one file share their keys."""
        keys = tuple(values)
        found = self._figure_fields_by_keys.get(keys)
        if found is None:
            found = [(name, kind) for name in keys if (kind := _field_kind(name)) is not _OTHER]
            self._figure_fields_by_keys[keys] = found
        return found

    def _figures(self, values: dict, year: str, fail, *, checks_sums: bool = True) -> Figures:
        """The row's figures. ``checks_sums`` is off when a count already failed: its sum would mislead."""
        column_of = self.column_of
        figures = Figures(replaces_year=self.replaces_year)
        totals: dict[int, int] = {}
        grades: dict[tuple[int, int], int] = {}
        eligible_fields = []
        for name, kind in self._figure_fields(values):
            value = values[name]
            if value is None:
                continue
            if kind is _ELIGIBLE:
                eligible_fields.append((name, value))
                continue
            level, grade = kind
            if level > 4 or grade > 13:
                fail(column_of.get(name, name), _("level or grade out of range"))
                continue
            if grade:
                grades[_ENROLMENT_KEYS[(level, grade)]] = value
            else:
                totals[level] = value
        declared_total = values.get("pupils_total")
        if totals or grades:
            enrolment: dict[tuple[int | None, int], int] = {}
            graded_levels = {level for level, _g in grades}
            for level, total in totals.items():
                if level in graded_levels and checks_sums:
                    by_grade = sum(p for (lv, _g), p in grades.items() if lv == level)
                    if by_grade != total:
                        fail(
                            column_of.get(f"pupils_isced_{level}", f"pupils_isced_{level}"),
                            _("the level total %(total)s differs from the sum of its grades %(sum)s")
                            % {"total": total, "sum": by_grade},
                            str(total),
                        )
                elif total:
                    enrolment[_ENROLMENT_KEYS[(level, 0)]] = total
            enrolment.update({key: pupils for key, pupils in grades.items() if pupils})
            figures.enrolment = enrolment
            if checks_sums and declared_total is not None and declared_total != sum(enrolment.values()):
                fail(
                    column_of.get("pupils_total", "pupils_total"),
                    _("the total %(total)s differs from the sum of the levels %(sum)s")
                    % {"total": declared_total, "sum": sum(enrolment.values())},
                    str(declared_total),
                )
        elif declared_total is not None:
            # A total without a breakdown by level (every level cell empty): stored as the year's
            # total of all levels, never dropped.
            figures.enrolment = {ALL_LEVELS: declared_total}
        if values.get("teachers") is not None:
            figures.teachers = values["teachers"]
        if values.get("ses_value") is not None:
            scale = self.scales.get(_text(values, "ses_scale"))
            if scale is None:
                fail(
                    column_of.get("ses_scale", "ses_scale"),
                    _("unknown socio-economic scale %(value)r") % {"value": _text(values, "ses_scale")},
                    _text(values, "ses_scale"),
                )
            elif not scale.minimum <= values["ses_value"] <= scale.maximum:
                fail(
                    column_of.get("ses_value", "ses_value"),
                    _("%(value)s is outside the scale %(minimum)s to %(maximum)s")
                    % {"value": values["ses_value"], "minimum": scale.minimum, "maximum": scale.maximum},
                    str(values["ses_value"]),
                )
            else:
                value = values["ses_value"].quantize(_SES_STEP, rounding=ROUND_HALF_UP)
                # Rows share the (scale, value) of an index they repeat (a sign tells -0 from 0).
                key = (scale.id, value.is_signed(), value)
                figures.ses = self._ses_values.get(key) or self._ses_values.setdefault(key, (scale.id, value))
        eligible = {}
        for name, value in eligible_fields:
            code = name.removeprefix("eligible_")
            if code not in self.groups:
                fail(column_of.get(name, name), _("unknown eligibility group %(code)r") % {"code": code})
            else:
                eligible[self.groups[code]] = value
        if eligible:
            figures.eligible = eligible
        if figures.kinds() and not year:
            fail(column_of.get("school_year", "school_year"), _("figures need a school year"))
        return figures

    # -- planning ------------------------------------------------------------------------------

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        plan = Plan(data=SchoolPlan())
        data: SchoolPlan = plan.data
        self._operator_names: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._operator_keys: dict[tuple[str, str], tuple[str, str]] = {}
        self._authority_details: dict[str, dict] = {}
        by_key: dict[tuple[str, str], SchoolRow] = {}
        duplicates: dict[tuple[str, str], list[SchoolRow]] = defaultdict(list)
        for parsed in rows:
            row = self._row(parsed)
            if row is None:
                plan.rejected.extend(parsed.errors)
                continue
            key = (row.authority_code, row.number)
            if key in by_key:
                duplicates[key].append(row)
            else:
                by_key[key] = row
        number_column = self.column_of.get("number", "number")
        for key, extra in duplicates.items():
            first = by_key[key]
            if self.profile.duplicates == "merge_identical" and all(r.signature == first.signature for r in extra):
                # The same school given again with the same values: the repetition changes nothing.
                plan.unchanged += len(extra)
                continue
            del by_key[key]
            lines = [first.line] + [r.line for r in extra]
            identical = all(r.signature == first.signature for r in extra)
            for r in [first, *extra]:
                others = ", ".join(str(n) for n in lines if n != r.line)
                message = (
                    _("school number %(number)s appears again on line(s) %(lines)s; each school may appear once")
                    if identical
                    else _("school number %(number)s appears again with other values on line(s) %(lines)s")
                )
                plan.rejected.append(
                    RowError(r.line, number_column, message % {"number": r.number, "lines": others}, r.number)
                )
        self._plan_authorities(data, by_key, plan)
        self._plan_schools(data, by_key, plan)
        return plan

    def _reject(self, plan: Plan, row: SchoolRow, column: str, message: str, value: str = "") -> None:
        plan.rejected.append(RowError(row.line, column, message, value))

    def _plan_authorities(self, data: SchoolPlan, by_key, plan: Plan) -> None:
        authority_column = self.column_of.get("authority_code", "")
        codes_in_use = {key[0] for key in by_key}
        for code, details in self._authority_details.items():
            if code not in codes_in_use:
                continue
            if not details["name"] or not details["country"]:
                message = _("unknown authority %(code)r; the profile must give its name and country to create it")
            elif not permits(self.actor, Action.ADD, Authority(code=code)):
                message = _("authority %(code)r does not exist and your role may not create it")
            else:
                data.new_authorities[code] = details
                continue
            for key in [k for k in by_key if k[0] == code]:
                self._reject(plan, by_key.pop(key), authority_column, message % {"code": code}, code)
        operators = {}
        authority_ids = [a.id for code, a in self.authorities.items() if code in codes_in_use]
        code_of = {a.id: code for code, a in self.authorities.items()}
        for ids in chunked(authority_ids):
            for operator_id, authority_id, code in SchoolOperator.objects.filter(authority_id__in=ids).values_list(
                "id", "authority_id", "code"
            ):
                operators[(code_of[authority_id], code)] = operator_id
        self.operators = operators
        operator_column = self.column_of.get("operator_name", self.column_of.get("operator_code", ""))
        for key in list(by_key):
            row = by_key[key]
            if row.operator_key in operators or row.operator_key in data.new_operators:
                continue
            authority = self.authorities.get(row.authority_code)
            if authority is None:
                allowed = row.authority_code in data.new_authorities  # creating it took the widest scope
            else:
                allowed = permits(self.actor, Action.ADD, SchoolOperator(authority_id=authority.id))
            name, kind, region = self._operator_names[row.operator_key]
            if not allowed:
                del by_key[key]
                self._reject(
                    plan,
                    row,
                    operator_column,
                    _("school operator %(name)r does not exist and your role may not create it") % {"name": name},
                    name,
                )
                continue
            data.new_operators[row.operator_key] = {
                "name": name[:255],
                "kind": kind if kind in SchoolOperator.Kind.values else SchoolOperator.Kind.PUBLIC,
                "region": region[:120],
            }

    def _plan_schools(self, data: SchoolPlan, by_key, plan: Plan) -> None:
        managed = self.managed_fields()
        authority_ids = {code: a.id for code, a in self.authorities.items()}
        code_of = {a.id: code for code, a in self.authorities.items()}
        wanted_ids = [authority_ids[c] for c in {k[0] for k in by_key} if c in authority_ids]
        # Stored schools as tuples (a dict each only while its row is compared): less memory.
        names = ("id", "authority_id", "number", *SCHOOL_FIELDS)
        existing: dict[tuple[str, str], tuple] = {}
        for ids in chunked(wanted_ids):
            for values in School.objects.filter(authority_id__in=ids).values_list(*names):
                key = (code_of[values[1]], values[2])
                if key in by_key:
                    existing[key] = values
        changeable: set[int] | None = None
        if existing and not self._may_all(Action.CHANGE, School):
            changeable = set()
            for ids in chunked(wanted_ids):
                changeable.update(
                    restrict(School.objects.filter(authority_id__in=ids), self.actor, Action.CHANGE).values_list(
                        "id", flat=True
                    )
                )
        current = self._current_figures(
            [v[0] for v in existing.values()], {r.year for r in by_key.values() if r.year}, wanted_ids
        )
        if self.site_fields:
            self.sites = SitePlanner(
                {code: authority_ids[code] for code in {k[0] for k in by_key} if code in authority_ids}
            )
        for key, row in by_key.items():
            row.fields["operator_id"] = self.operators.get(row.operator_key)
            stored = existing.pop(key, None)
            before = dict(zip(names, stored, strict=True)) if stored is not None else None
            school_id = before["id"] if before else None
            self._set_summary(row, current.latest_year.get(school_id) if school_id else None, before)
            if before is None:
                refusal = self._refuse_create(row) or self._refuse_sites(row, None)
                if refusal:
                    self._reject(plan, row, *refusal)
                    continue
                if self.sites is not None:
                    row.site_changes = self.sites.plan_school(
                        authority_code=row.authority_code, school_key=key, school_id=None, sites=row.sites
                    )
                data.creates.append(row)
                plan.created += 1
                continue
            assert school_id is not None  # the stored school's
            if changeable is not None and school_id not in changeable:
                self._reject(
                    plan,
                    row,
                    self.column_of.get("number", ""),
                    _("school %(number)s is outside your scope: your role may not change it") % {"number": row.number},
                    row.number,
                )
                continue
            for name in SCHOOL_FIELDS:
                if name not in managed:
                    row.fields[name] = before[name]
            changed = {name: value for name, value in row.fields.items() if before.get(name) != value}
            if row.fields["operator_id"] is None:
                changed["operator_id"] = None  # a new operator: its id exists only after the commit
            differing = current.differing_kinds(school_id, row.year, row.figures) if row.year else []
            refusal = self._refuse_sites(row, school_id)
            if refusal is None and (changed or differing):
                refusal = self._refuse_update(row, before, changed, differing)
            if refusal:
                self._reject(plan, row, *refusal)
                continue
            if self.sites is not None:
                row.site_changes = self.sites.plan_school(
                    authority_code=row.authority_code, school_key=key, school_id=school_id, sites=row.sites
                )
            if not changed and not differing and not row.site_changes:
                plan.unchanged += 1
                continue
            figures_before = current.as_json(school_id, row.year, row.figures) if differing else None
            sites_before = (
                self.sites.before(row.authority_code, row.site_changes)
                if self.sites is not None and row.site_changes
                else {}
            )
            data.updates.append(
                SchoolUpdate(school_id, row, {k: before.get(k) for k in changed}, changed, figures_before, sites_before)
            )
            plan.updated += 1

    def _refuse_sites(self, row: SchoolRow, school_id: int | None) -> tuple | None:
        """(column, message, value) when the row's buildings conflict or touch a site outside the scope."""
        if self.sites is None or not row.sites:
            return None
        assert self.site_fields is not None  # sites are planned when the profile reads them
        site_column = self.column_of.get(self.site_fields["code"], self.site_fields["code"])
        conflict = self.sites.conflict(authority_code=row.authority_code, sites=row.sites)
        if conflict:
            return (site_column, *conflict)
        if self._may_all(Action.CHANGE, Site):
            return None
        for holder in self.sites.stored_holders(row.authority_code, row.sites, school_id):
            if not permits(self.actor, Action.CHANGE, Site(school=School(id=holder))):
                return (
                    site_column,
                    _("a site of school %(number)s is shared with a school outside your scope")
                    % {"number": row.number},
                    "",
                )
        return None

    # -- permissions ---------------------------------------------------------------------------

    def _may_all(self, action: str, model) -> bool:
        key = (action, model)
        if key not in self._permits_all:
            self._permits_all[key] = permits_all(self.actor, action, model)
        return self._permits_all[key]

    def _figure_refusal(self, row: SchoolRow, school: School, action: str, kinds: list[str]) -> tuple | None:
        """(column, message, value) when the actor may not write one of the row's figures."""
        for kind in kinds:
            model = FIGURE_MODELS[kind]
            if self._may_all(action, model) or permits(self.actor, action, model(school=school)):
                continue
            column = {
                "enrolment": next(
                    (c.sources[0] for c in self.profile.columns if _PUPILS_FIELD.match(c.field)),
                    self.column_of.get("pupils_total", "pupils"),
                ),
                "teachers": self.column_of.get("teachers", "teachers"),
                "ses": self.column_of.get("ses_value", "ses_value"),
                "eligible": "eligible",
            }[kind]
            return (
                column,
                _("your role may not change the %(what)s of school %(number)s")
                % {"what": model._meta.verbose_name_plural, "number": row.number},
                "",
            )
        return None

    def _refuse_create(self, row: SchoolRow) -> tuple | None:
        authority = self.authorities.get(row.authority_code)
        operator_id = self.operators.get(row.operator_key)
        key = (row.authority_code, row.operator_key)
        if key not in self._add_allowed:
            if authority is None or operator_id is None:
                self._add_allowed[key] = self._may_all(Action.ADD, School) or (
                    authority is not None and permits(self.actor, Action.ADD, School(authority_id=authority.id))
                )
            else:
                self._add_allowed[key] = permits(
                    self.actor, Action.ADD, School(authority_id=authority.id, operator_id=operator_id)
                )
        if not self._add_allowed[key]:
            return (
                self.column_of.get("number", ""),
                _("school %(number)s is outside your scope: your role may not add it") % {"number": row.number},
                row.number,
            )
        kinds = row.figures.kinds() if row.year else []
        if all(self._may_all(Action.ADD, FIGURE_MODELS[kind]) for kind in kinds):
            return None
        # A probe for the permission check: the authority or operator may be unknown (django-stubs
        # types the columns of unsaved instances as not null).
        probe = School(authority_id=authority.id if authority else None, operator_id=operator_id)  # type: ignore[misc]
        return self._figure_refusal(row, probe, Action.ADD, kinds)

    def _refuse_update(self, row: SchoolRow, before: dict, changed: dict, differing: list[str]) -> tuple | None:
        if "operator_id" in changed and not self._may_all(Action.CHANGE, School):
            # Moving a school to another operator: the new operator must be inside the scope too.
            moved = School(authority_id=before["authority_id"], operator_id=row.fields["operator_id"])
            if not permits(self.actor, Action.CHANGE, moved):
                name = self._operator_names.get(row.operator_key, ("", "", ""))[0]
                return (
                    self.column_of.get("operator_name", self.column_of.get("operator_code", "")),
                    _("school %(number)s would move to the operator %(name)r, outside your scope")
                    % {"number": row.number, "name": name},
                    name,
                )
        probe = School(id=before["id"], authority_id=before["authority_id"], operator_id=before["operator_id"])
        return self._figure_refusal(row, probe, Action.CHANGE, differing)

    # -- summary columns and stored figures ----------------------------------------------------

    def _set_summary(self, row: SchoolRow, latest_year: str | None, before: dict | None) -> None:
        """Keep the school's summary columns on the newest year's figures."""
        newest = row.year and (latest_year is None or row.year >= latest_year)
        source = before or {}
        row.fields["pupils_total"] = source.get("pupils_total")
        row.fields["ses_value"] = source.get("ses_value")
        row.fields["ses_scale_id"] = source.get("ses_scale_id")
        if newest and row.figures.enrolment is not None:
            row.fields["pupils_total"] = sum(row.figures.enrolment.values())
        if newest and row.figures.ses is not None:
            row.fields["ses_scale_id"], row.fields["ses_value"] = row.figures.ses

    def _current_figures(self, school_ids: list[int], years: set[str], authority_ids: list[int]) -> "CurrentFigures":
        """The stored figures of these schools for these years, and each school's newest year.

        Many schools are read by their authorities (a few large queries, rows of other schools
        dropped here); a few by their ids.
        """
        current = CurrentFigures()
        if not school_ids:
            return current
        wanted = set(school_ids)
        if len(school_ids) > 2000:
            selections = [("school__authority_id__in", ids) for ids in chunked(authority_ids)]
        else:
            selections = [("school_id__in", ids) for ids in chunked(school_ids, 900)]
        for lookup, ids in selections:
            for model in (Enrolment, SocioEconomicIndex):
                for school_id, latest in (
                    model.objects.filter(**{lookup: ids})
                    .values("school_id")
                    .annotate(latest=Max("school_year"))
                    .values_list("school_id", "latest")
                ):
                    if school_id in wanted:
                        current.bump(school_id, latest)
            if not years:
                continue
            for school_id, year, level, grade, pupils in raw_rows(
                Enrolment.objects.filter(**{lookup: ids}, school_year__in=years).values_list(
                    "school_id", "school_year", "level", "grade", "pupils"
                )
            ):
                if school_id in wanted:
                    current.enrolment.setdefault((school_id, year), {})[(level, grade)] = pupils
            for school_id, year, teachers in raw_rows(
                StaffCount.objects.filter(**{lookup: ids}, school_year__in=years).values_list(
                    "school_id", "school_year", "teachers"
                )
            ):
                if school_id in wanted:
                    current.teachers[(school_id, year)] = teachers
            for school_id, year, scale_id, value in SocioEconomicIndex.objects.filter(
                **{lookup: ids}, school_year__in=years
            ).values_list("school_id", "school_year", "scale_id", "value"):
                if school_id in wanted:
                    current.ses[(school_id, year)] = (scale_id, value)
            for school_id, year, group_id, pupils in raw_rows(
                EligibleCount.objects.filter(**{lookup: ids}, school_year__in=years).values_list(
                    "school_id", "school_year", "group_id", "pupils"
                )
            ):
                if school_id in wanted:
                    current.eligible.setdefault((school_id, year), {})[group_id] = pupils
        return current

    # -- writing -------------------------------------------------------------------------------

    def commit(self, plan: Plan) -> None:
        data: SchoolPlan = plan.data
        changes: list[audit.Change] = []
        for code, details in data.new_authorities.items():
            authority = Authority.objects.create(
                code=code, name=details["name"], kind=details["kind"], country=details["country"]
            )
            self.authorities[code] = authority
            changes.append(audit.change_for("create", authority, after=audit.snapshot(authority)))
        changes += self._insert_operators(data.new_operators)
        for row in data.creates:
            row.fields["operator_id"] = self.operators[row.operator_key]
        for update in data.updates:
            operator_id = self.operators[update.row.operator_key]
            update.row.fields["operator_id"] = operator_id
            if "operator_id" in update.changed:
                update.changed["operator_id"] = operator_id
        self._insert_schools(data.creates)
        ids = self._school_ids({row.authority_code for row in data.creates})
        self._insert_main_sites([row for row in data.creates if not row.sites], ids)
        if self.sites is not None and self.sites.plan:
            school_ids = dict(ids)
            school_ids.update((update.row.key, update.school_id) for update in data.updates)
            write_sites(
                self.sites.plan,
                school_ids=school_ids,
                authority_ids={code: authority.id for code, authority in self.authorities.items()},
            )
        self._update_schools(data.updates)
        figure_rows = [(ids[(r.authority_code, r.number)], r) for r in data.creates if r.year]
        figure_rows += [(u.school_id, u.row) for u in data.updates if u.figures_changed]
        write_figures(figure_rows, replace=bool(data.updates))
        refresh_summaries([u.school_id for u in data.updates if u.figures_changed and u.row.figures.replaces_year])
        if len(data.creates) + len(data.updates) >= ANALYZE_AFTER_ROWS:
            analyze_registry_tables()
        if not changes and not data.creates and not data.updates:
            return  # nothing changed: re-importing the same file leaves no trace, not even in the audit trail
        summary = audit.Change(
            "import",
            "schools.import",
            self.profile.name,
            _("School registry import (%(profile)s)") % {"profile": self.profile.name},
            None,
            {
                "created": plan.created,
                "updated": plan.updated,
                "unchanged": plan.unchanged,
                "rejected": plan.rejected_lines,
            },
        )
        # One event per created or changed object, in chunks: the audit trail's JSON of 40,000
        # schools is never held at once.
        events = itertools.chain(changes, self._school_changes(data, ids), [summary])
        while chunk := list(itertools.islice(events, AUDIT_CHUNK)):
            audit.record_many(actor=self.actor, changes=chunk)

    def _school_changes(self, data: SchoolPlan, ids: dict[tuple[str, str], int]) -> Iterator[audit.Change]:
        """The audit events of the created and updated schools, with their figures and sites."""
        for row in data.creates:
            after = {"number": row.number, **row.fields.as_dict()}
            if row.year and row.figures.kinds():
                after["figures"] = {row.year: row.figures.as_json()}
            after.update(row.site_changes)
            yield audit.Change(
                "create",
                "schools.school",
                str(ids[(row.authority_code, row.number)]),
                f"{row.fields['name']} ({row.number})"[:300],
                None,
                after,
            )
        for update in data.updates:
            before, after = dict(update.before), dict(update.changed)
            if update.figures_changed:
                before["figures"] = {update.row.year: update.figures_before}
                after["figures"] = {update.row.year: update.row.figures.as_json(_audit_kinds(update.row.figures))}
            before.update(update.sites_before)
            after.update(update.row.site_changes)
            yield audit.Change(
                "update",
                "schools.school",
                str(update.school_id),
                f"{update.row.fields['name']} ({update.row.number})"[:300],
                before,
                after,
            )

    def _insert_operators(self, new_operators: dict[tuple[str, str], dict[str, Any]]) -> list[audit.Change]:
        """Insert the new operators in bulk; their audit events as ``audit.snapshot`` would give them."""
        if not new_operators:
            return []
        rows = [
            (self.authorities[authority_code].id, code, details["name"], details["kind"], details["region"])
            for (authority_code, code), details in new_operators.items()
        ]
        bulk_insert(SchoolOperator, ["authority", "code", "name", "kind", "region"], rows)
        authority_codes = {authority_code for authority_code, _code in new_operators}
        code_of = {self.authorities[code].id: code for code in authority_codes}
        for ids in chunked(list(code_of)):
            for operator_id, authority_id, code in SchoolOperator.objects.filter(authority_id__in=ids).values_list(
                "id", "authority_id", "code"
            ):
                self.operators[(code_of[authority_id], code)] = operator_id
        changes = []
        for authority_id, code, name, kind, region in rows:
            operator_id = self.operators[(code_of[authority_id], code)]
            changes.append(
                audit.Change(
                    "create",
                    "schools.schooloperator",
                    str(operator_id),
                    name[:300],
                    None,
                    {
                        "id": operator_id,
                        "authority": authority_id,
                        "code": code,
                        "name": name,
                        "kind": kind,
                        "region": region,
                    },
                )
            )
        return changes

    def _insert_schools(self, rows: list[SchoolRow]) -> None:
        names = [
            "authority",
            "number",
            *[name.removesuffix("_id") if name.endswith("_id") else name for name in SCHOOL_FIELDS],
            "created_at",
            "updated_at",
        ]
        now = timezone.now()
        bulk_insert(
            School,
            names,
            (
                (
                    self.authorities[row.authority_code].id,
                    row.number,
                    *_school_values(row.fields),
                    now,
                    now,
                )
                for row in rows
            ),
        )

    def _school_ids(self, authority_codes: set[str]) -> dict[tuple[str, str], int]:
        ids = {}
        for code in authority_codes:
            for number, school_id in School.objects.filter(authority=self.authorities[code]).values_list(
                "number", "id"
            ):
                ids[(code, number)] = school_id
        return ids

    def _insert_main_sites(self, rows: list[SchoolRow], ids) -> None:
        main_site = _("Main building")
        bulk_insert(
            Site,
            ["school", "name", "is_main", "street", "postal_code", "city", "latitude", "longitude"],
            (
                (
                    ids[(row.authority_code, row.number)],
                    main_site,
                    True,
                    row.fields["street"],
                    row.fields["postal_code"],
                    row.fields["city"],
                    row.fields["latitude"],
                    row.fields["longitude"],
                )
                for row in rows
            ),
        )

    def _update_schools(self, updates: list[SchoolUpdate]) -> None:
        """Write only the changed fields, grouped so each UPDATE sets the same columns."""
        now = timezone.now()
        by_fields: dict[tuple[str, ...], list[School]] = defaultdict(list)
        for update in updates:
            if not update.changed:
                continue
            school = School(id=update.school_id, updated_at=now)
            for name in update.changed:
                setattr(school, name, update.row.fields[name])
            names = tuple(sorted(name.removesuffix("_id") if name.endswith("_id") else name for name in update.changed))
            by_fields[names].append(school)
        for names, schools in by_fields.items():
            School.objects.bulk_update(schools, [*names, "updated_at"], batch_size=500)


# After a bulk write of this many schools, PostgreSQL gets fresh statistics of the tables it
# touched: autovacuum may be off (or not yet run) right after a large import, and without them the
# planner picks plans for empty tables.
ANALYZE_AFTER_ROWS = 1000
# Audit events written at a time: a chunk's events and their JSON cost some 3.5 kB each while
# written (1,000: 3.5 MB at the import's peak; 5,000 cost 17 MB more and were no faster).
AUDIT_CHUNK = 1000


def analyze_registry_tables() -> None:
    if connection.vendor != "postgresql":
        return
    models = [SchoolOperator, School, Site, SharedSite, Enrolment, StaffCount, SocioEconomicIndex, EligibleCount]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def raw_rows(queryset) -> Iterable[tuple]:
    """The rows of a ``values_list`` of integer and text columns, without Django's per-value converters."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10000):
            yield from batch


def refresh_summaries(school_ids: list[int]) -> None:
    """Put each school's newest pupil total and index back on its row, after figures were removed.

    The same rule as ``services.refresh_school_summary``: the newest year with enrolment gives the
    total, the newest index (by year, then scale code) the index.
    """
    for ids in chunked(school_ids):
        totals: dict[int, tuple[str, int]] = {}
        for school_id, year, pupils in Enrolment.objects.filter(school_id__in=ids).values_list(
            "school_id", "school_year", "pupils"
        ):
            stored_year, total = totals.get(school_id, ("", 0))
            if year > stored_year:
                totals[school_id] = (year, pupils)
            elif year == stored_year:
                totals[school_id] = (year, total + pupils)
        indices: dict[int, tuple[int, Decimal]] = {}
        for school_id, scale_id, value in (
            SocioEconomicIndex.objects.filter(school_id__in=ids)
            .order_by("school_id", "-school_year", "scale__code")
            .values_list("school_id", "scale_id", "value")
        ):
            indices.setdefault(school_id, (scale_id, value))
        schools = []
        for school_id in ids:
            ses_scale_id, ses_value = indices.get(school_id, (None, None))
            pupils_total = totals[school_id][1] if school_id in totals else None
            schools.append(
                School(id=school_id, pupils_total=pupils_total, ses_scale_id=ses_scale_id, ses_value=ses_value)
            )
        School.objects.bulk_update(schools, ["pupils_total", "ses_scale", "ses_value"])


def _audit_kinds(figures: Figures) -> list[str] | None:
    return list(FIGURE_MODELS) if figures.replaces_year else None


def permits_all(user, action: str, model) -> bool:
    """Whether one of the user's assignments grants ``action`` on every ``model`` (scope all)."""
    return any(a.scope_kind == "all" for a in assignments_for(user, action, model))


class CurrentFigures:
    """The figures already stored for the schools and years of an import."""

    def __init__(self) -> None:
        self.latest_year: dict[int, str] = {}
        self.enrolment: dict[tuple[int, str], dict] = {}
        self.teachers: dict[tuple[int, str], int] = {}
        self.ses: dict[tuple[int, str], tuple[int, Decimal]] = {}
        self.eligible: dict[tuple[int, str], dict] = {}

    def bump(self, school_id: int, year: str) -> None:
        if year and (school_id not in self.latest_year or year > self.latest_year[school_id]):
            self.latest_year[school_id] = year

    def stored(self, school_id: int, year: str, kinds: list[str]) -> Figures:
        key = (school_id, year)
        figures = Figures()
        if "enrolment" in kinds:
            figures.enrolment = self.enrolment.get(key, {})
        if "teachers" in kinds:
            figures.teachers = self.teachers.get(key)
        if "ses" in kinds:
            figures.ses = self.ses.get(key)
        if "eligible" in kinds:
            figures.eligible = self.eligible.get(key, {})
        return figures

    def differing_kinds(self, school_id: int, year: str, figures: Figures) -> list[str]:
        """The kinds of figures the row replaces that differ from what is stored for its year."""
        kinds = figures.replaced_kinds()
        stored = self.stored(school_id, year, kinds)
        return [kind for kind in kinds if figures.value(kind) != stored.value(kind)]

    def as_json(self, school_id: int, year: str, figures: Figures) -> dict[str, Any]:
        if figures.replaces_year:
            return self.stored(school_id, year, list(FIGURE_MODELS)).as_json(list(FIGURE_MODELS))
        return self.stored(school_id, year, figures.kinds()).as_json()


def write_figures(rows: list[tuple[int, SchoolRow]], *, replace: bool) -> None:
    """Store each school's figures for its year; what a row gives replaces what was stored."""
    if replace:
        by_year: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for school_id, row in rows:
            for kind in row.figures.replaced_kinds():
                by_year[row.year][kind].append(school_id)
        for year, kinds in by_year.items():
            for kind, school_ids in kinds.items():
                for ids in chunked(school_ids):
                    FIGURE_MODELS[kind].objects.filter(school_id__in=ids, school_year=year).delete()
    bulk_insert(
        Enrolment,
        ["school", "school_year", "level", "grade", "pupils"],
        (
            (school_id, row.year, level, grade, pupils)
            for school_id, row in rows
            if row.figures.enrolment
            for (level, grade), pupils in sorted_enrolment(row.figures.enrolment)
        ),
    )
    bulk_insert(
        StaffCount,
        ["school", "school_year", "teachers"],
        ((school_id, row.year, row.figures.teachers) for school_id, row in rows if row.figures.teachers is not None),
    )
    bulk_insert(
        SocioEconomicIndex,
        ["school", "school_year", "scale", "value"],
        ((school_id, row.year, *row.figures.ses) for school_id, row in rows if row.figures.ses is not None),
    )
    bulk_insert(
        EligibleCount,
        ["school", "school_year", "group", "pupils"],
        (
            (school_id, row.year, group_id, pupils)
            for school_id, row in rows
            if row.figures.eligible
            for group_id, pupils in sorted(row.figures.eligible.items())
        ),
    )


register_importer(SchoolImporter)
