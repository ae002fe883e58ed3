"""What a round reads from the registry: the eligible schools of the programme's authority with
their pupils, index and declared need for the round's school year (``SchoolInput`` rows)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.db.models.expressions import Col
from django.utils.translation import gettext as _

from digileap.schools.models import EligibleCount, Enrolment, School, SocioEconomicIndex, SocioEconomicScale

from .formula import Formula, FormulaError, SchoolInput, _decimal, _int_list
from .models import AllocationRound, AllocationVersion, NeedLine

KNOWN_ELIGIBILITY_KEYS = {
    "levels",
    "grades",
    "school_types",
    "operators",
    "sectors",
    "statuses",
    "index_min",
    "index_max",
    "eligible_groups",
    "min_pupils",
}


@dataclass(frozen=True)
class Eligibility:
    levels: tuple[int, ...] = ()
    grades: tuple[int, ...] = ()
    school_types: tuple[str, ...] = ()
    operators: tuple[int, ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = (School.Status.OPEN,)
    index_min: Decimal | None = None
    index_max: Decimal | None = None
    eligible_groups: tuple[str, ...] = ()
    min_pupils: int = 1


def _strings(value: Any, path: str, allowed: set[str] | None = None) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or any(not isinstance(v, str) or not v for v in value):
        raise FormulaError(path, _("give a list of texts"))
    if allowed is not None:
        for v in value:
            if v not in allowed:
                raise FormulaError(
                    path, _("%(value)r is not one of %(allowed)s") % {"value": v, "allowed": ", ".join(sorted(allowed))}
                )
    return tuple(sorted(set(value)))


def parse_eligibility(data: dict) -> Eligibility:
    if not isinstance(data, dict):
        raise FormulaError("eligibility", _("give an object"))
    unknown = sorted(set(data) - KNOWN_ELIGIBILITY_KEYS)
    if unknown:
        raise FormulaError(f"eligibility.{unknown[0]}", _("unknown setting"))
    operators = data.get("operators") or []
    if not isinstance(operators, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in operators):
        raise FormulaError("eligibility.operators", _("give a list of operator ids"))
    min_pupils = data.get("min_pupils", 1)
    if isinstance(min_pupils, bool) or not isinstance(min_pupils, int) or min_pupils < 0:
        raise FormulaError("eligibility.min_pupils", _("give a whole number of at least 0"))
    result = Eligibility(
        levels=_int_list(data.get("levels"), "eligibility.levels", 0, 4),
        grades=_int_list(data.get("grades"), "eligibility.grades", 1, 13),
        school_types=_strings(data.get("school_types"), "eligibility.school_types"),
        operators=tuple(sorted(set(operators))),
        sectors=_strings(data.get("sectors"), "eligibility.sectors", set(School.Sector.values)),
        statuses=_strings(data.get("statuses"), "eligibility.statuses", set(School.Status.values))
        or (School.Status.OPEN,),
        index_min=None
        if data.get("index_min") in (None, "")
        else _decimal(data["index_min"], "eligibility.index_min", minimum=None),
        index_max=None
        if data.get("index_max") in (None, "")
        else _decimal(data["index_max"], "eligibility.index_max", minimum=None),
        eligible_groups=_strings(data.get("eligible_groups"), "eligibility.eligible_groups"),
        min_pupils=min_pupils,
    )
    if result.index_min is not None and result.index_max is not None and result.index_min > result.index_max:
        raise FormulaError("eligibility.index_min", _("the lowest index is above the highest"))
    return result


def candidate_schools(allocation_round: AllocationRound, eligibility: Eligibility):
    """The programme authority's schools that pass the filters on the school itself."""
    schools = School.objects.filter(
        authority_id=allocation_round.programme.authority_id, status__in=eligibility.statuses
    )
    if eligibility.school_types:
        schools = schools.filter(type_code__in=eligibility.school_types)
    if eligibility.operators:
        schools = schools.filter(operator_id__in=eligibility.operators)
    if eligibility.sectors:
        schools = schools.filter(sector__in=eligibility.sectors)
    return schools


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _registry_rows(allocation_round: AllocationRound, eligibility: Eligibility) -> list[tuple]:
    """One aggregated query: per candidate school its id, number and operator, its enrolment in the
    round's year as one text "level:grade,...;pupils,..." (level -1: none given; NULL: no
    enrolment), and its socio-economic index with the scale's direction (a school with indexes on
    several scales has a row for each, with the index row's id; none: NULLs)."""
    quote = connection.ops.quote_name
    candidates, params = _sql(
        candidate_schools(allocation_round, eligibility).order_by().values("id", "number", "operator_id")
    )
    year = allocation_round.school_year
    conditions = ["e.school_id = s.id", "e.school_year = %s"]
    enrolment_params: list = [year]
    for column, values in (("level", eligibility.levels), ("grade", eligibility.grades)):
        if values:
            conditions.append(f"e.{column} IN ({', '.join(['%s'] * len(values))})")
            enrolment_params.extend(values)
    enrolment = quote(Enrolment._meta.db_table)
    index = quote(SocioEconomicIndex._meta.db_table)
    scale = quote(SocioEconomicScale._meta.db_table)
    flag = "is_higher_more_disadvantaged"
    if connection.vendor == "postgresql":
        # A hash join of the schools with their enrolment grouped by school. The two aggregates of
        # a group read its rows in the same order, so keys and pupils stay aligned; no sort.
        sql = f"""
            SELECT s.id, s.number, s.operator_id, e.pupils, i.id, i.value, sc.{flag}
            FROM ({candidates}) s
            LEFT JOIN (
                SELECT e.school_id,
                       string_agg(COALESCE(e.level, -1)::text || ':' || e.grade::text, ',')
                       || ';' || string_agg(e.pupils::text, ',') AS pupils
                FROM {enrolment} e WHERE {" AND ".join(conditions[1:])} GROUP BY e.school_id
            ) e ON e.school_id = s.id
            LEFT JOIN {index} i ON i.school_id = s.id AND i.school_year = %s
            LEFT JOIN {scale} sc ON sc.id = i.scale_id"""
        params = (*params, *enrolment_params, year)
    else:
        # SQLite: one look-up of the unique index (school, year, level, grade) per school.
        sql = f"""
            SELECT s.id, s.number, s.operator_id,
                   (SELECT group_concat(COALESCE(e.level, -1) || ':' || e.grade, ',') || ';'
                           || group_concat(e.pupils, ',')
                    FROM {enrolment} e WHERE {" AND ".join(conditions)}),
                   i.id, i.value, sc.{flag}
            FROM ({candidates}) s
            LEFT JOIN {index} i ON i.school_id = s.id AND i.school_year = %s
            LEFT JOIN {scale} sc ON sc.id = i.scale_id
            ORDER BY s.number, s.id"""
        params = (*enrolment_params, *params, year)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _index_converter() -> Callable[[Any], Any]:
    """The ORM's conversion of an index value as the database returns it (SQLite: a float), once per value."""
    field = SocioEconomicIndex._meta.get_field("value")
    column = Col("i", field)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    converted: dict = {}

    def convert(value: Any) -> Any:
        result = converted.get(value)
        if result is None:
            result = value
            for converter in converters:
                result = converter(result, column, connection)
            converted[value] = result
        return result

    return convert


def load_inputs(
    allocation_round: AllocationRound, formula: Formula, eligibility: Eligibility
) -> tuple[list[SchoolInput], dict[str, int]]:
    """The eligible schools' inputs, and how many schools each filter left out (for the version).

    The schools, their enrolment and their index come from one aggregated query (one row per
    school); declared needs and eligible-group counts, when the formula uses them, from one more
    query each."""
    year = allocation_round.school_year
    convert = _index_converter()
    keys_of: dict[str, tuple] = {}
    schools: dict[int, SchoolInput] = {}
    newest: dict[int, int] = {}  # school -> id of the index row it has (the newest, of several scales)
    for pk, number, operator_id, enrolment, index_id, value, higher_is_worse in _registry_rows(
        allocation_round, eligibility
    ):
        school = schools.get(pk)
        if school is None:
            breakdown = {}
            if enrolment:
                keys, pupils = enrolment.split(";")
                parsed = keys_of.get(keys)
                if parsed is None:
                    parsed = keys_of[keys] = tuple(
                        (None if level == -1 else level, grade)
                        for level, grade in (map(int, key.split(":")) for key in keys.split(","))
                    )
                breakdown = dict(zip(parsed, map(int, pupils.split(",")), strict=True))
            school = schools[pk] = SchoolInput(school_id=pk, number=number, operator_id=operator_id, pupils=breakdown)
        if value is not None and index_id > newest.get(pk, 0):
            newest[pk] = index_id
            value = convert(value)
            school.index = value
            school.disadvantage = value if higher_is_worse else -value
    excluded: dict[str, int] = defaultdict(int)
    candidates = candidate_schools(allocation_round, eligibility).order_by().values("pk")
    if formula.pupils == "eligible_groups" or eligibility.eligible_groups:
        counts = EligibleCount.objects.filter(school_id__in=candidates, school_year=year)
        if eligibility.eligible_groups:
            counts = counts.filter(group__code__in=eligibility.eligible_groups)
        for school_id, pupils in (
            counts.values_list("school_id").annotate(total=Sum("pupils")).values_list("school_id", "total")
        ):
            schools[school_id].eligible_group_pupils = pupils or 0
    if formula.need != "none":
        lines = NeedLine.objects.filter(declaration__school_id__in=candidates, declaration__school_year=year)
        if allocation_round.device_type:
            lines = lines.filter(device_type=allocation_round.device_type)
        declared = set(
            NeedLine.objects.filter(declaration__school_id__in=candidates, declaration__school_year=year).values_list(
                "declaration__school_id", flat=True
            )
        )
        for school_id in declared:
            schools[school_id].need_units = 0
        for school_id, needed in (
            lines.values_list("declaration__school_id")
            .annotate(n=Sum("needed"))
            .values_list("declaration__school_id", "n")
        ):
            schools[school_id].need_units = needed or 0

    result = []
    for school in schools.values():
        if school.index is None:
            if eligibility.index_min is not None or eligibility.index_max is not None:
                excluded["no_index"] += 1
                continue
        elif (eligibility.index_min is not None and school.index < eligibility.index_min) or (
            eligibility.index_max is not None and school.index > eligibility.index_max
        ):
            excluded["index"] += 1
            continue
        uses_groups = formula.pupils == "eligible_groups" or bool(eligibility.eligible_groups)
        pupils = school.eligible_group_pupils if uses_groups else sum(school.pupils.values())
        if pupils < eligibility.min_pupils:
            excluded["no_pupils"] += 1
            continue
        if formula.need == "weight" and not school.need_units:
            excluded["no_need"] += 1
            continue
        result.append(school)
    return result, dict(excluded)


def operator_bases(allocation_round: AllocationRound, formula: Formula) -> dict[int, Decimal] | None:
    """Per operator, the total its operator cap is a percentage of: its schools' lines in the
    approved version of the round the formula names. None when the cap is of this round's total."""
    if formula.operator_cap is None or formula.operator_cap.of_round is None:
        return None
    code = formula.operator_cap.of_round
    version = (
        AllocationVersion.objects.filter(
            round__programme_id=allocation_round.programme_id,
            round__code=code,
            status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED],
        )
        .exclude(round=allocation_round)
        .first()
    )
    if version is None:
        raise FormulaError(
            "formula.operator_cap.of_round",
            _("round %(code)r of this programme has no approved version") % {"code": code},
        )
    return {
        operator_id: total
        for operator_id, total in version.lines.values_list("school__operator_id")
        .annotate(total=Sum("amount"))
        .values_list("school__operator_id", "total")
    }
