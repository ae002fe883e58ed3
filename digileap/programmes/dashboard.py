"""The staff dashboard's data: key figures, burn-up series, the breakdown by school and by operator,
and the map's points. Every function takes the acting user and counts only what they may see (the
ledger through ``funding_transactions_for``, schools through the registry's selectors); targets'
values are the programme's (aggregates, as on the public page).

A school's progress on the map and in the breakdown is the share of the money committed to it that
has been paid: "not reached" without a commitment or payment, then below half, half or more, and
fully paid. (Allocations and devices add their own measures with issues 4 and 5.)
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Count, FloatField, Func, Min, Q, QuerySet, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from digileap.schools.selectors import operators_for, schools_for

from . import selectors
from .charts import BurnUp, MapPoint
from .models import FundingTransaction, IndicatorSnapshot, Programme
from .public import cents
from .status import target_start

PAID, COMMITTED = FundingTransaction.Kind.PAID, FundingTransaction.Kind.COMMITTED

BUCKETS = [
    ("none", _("not reached")),
    ("0", _("reached, under half paid")),
    ("1", _("half or more paid")),
    ("2", _("almost all paid (90 % or more)")),
    ("3", _("fully paid")),
]


def bucket_of(committed: Decimal, paid: Decimal) -> str:
    if not committed and not paid:
        return "none"
    if committed <= 0 or paid >= committed:
        return "3"
    share = paid / committed
    return "2" if share >= Decimal("0.9") else "1" if share >= Decimal("0.5") else "0"


def paid_share(committed: Decimal, paid: Decimal) -> Decimal | None:
    if committed <= 0:
        return None
    return (paid * 100 / committed).quantize(Decimal("0.1"))


class AmountInCents(Func):
    """An amount as a whole number of cents. Sums of these are exact on every database (SQLite
    sums decimal columns as floating point), so a share like "paid >= 90 % of committed" can be
    decided in integers, in the database."""

    template = "CAST(ROUND(%(expressions)s * 100) AS BIGINT)"
    output_field = BigIntegerField()


def _school_money(user, programme: Programme) -> QuerySet:
    """One row per school with entries the user may see: ``school_id``, ``committed_cents`` and
    ``paid_cents`` (0 when there are none). Ordered by school, so that PostgreSQL sums along the
    (programme, school) index instead of hashing 40,000 groups (which spills to disk)."""
    cents_of = AmountInCents("amount")
    return (
        _ledger(user, programme)
        .filter(school__isnull=False)
        .values("school_id")
        .annotate(
            committed_cents=Coalesce(Sum(cents_of, filter=Q(kind=COMMITTED)), 0),
            paid_cents=Coalesce(Sum(cents_of, filter=Q(kind=PAID)), 0),
        )
        .order_by("school_id")
    )


# ``bucket_of`` in SQL, on whole cents (c: committed, p: paid), over ``_school_money``'s rows.
BUCKET_SQL = """CASE
    WHEN c = 0 AND p = 0 THEN 'none'
    WHEN c <= 0 OR p >= c THEN '3'
    WHEN p * 10 >= c * 9 THEN '2'
    WHEN p * 2 >= c THEN '1'
    ELSE '0' END"""


def _ledger(user, programme: Programme) -> QuerySet[FundingTransaction]:
    return selectors.funding_transactions_for(user).filter(programme=programme).order_by()


def _programme_schools(user, programme: Programme) -> QuerySet:
    return schools_for(user).filter(authority_id=programme.authority_id).order_by()


def key_figures(
    user, programme: Programme, budget: list[dict], progress: list[dict], bucket_counts: dict[str, int]
) -> dict:
    by_status: dict[str, int] = {}
    for row in progress:
        if row["assessment"] is not None:
            by_status[row["assessment"].status] = by_status.get(row["assessment"].status, 0) + 1
    budget_total = sum((row["budget"] for row in budget), Decimal("0"))
    committed = sum((Decimal(row["committed"]) for row in budget), Decimal("0"))
    paid = sum((Decimal(row["paid"]) for row in budget), Decimal("0"))
    return {
        "budget": cents(budget_total),
        "committed": cents(committed),
        "paid": cents(paid),
        "paid_share": paid_share(budget_total, paid),
        "schools": bucket_counts["schools"],
        "schools_reached": bucket_counts["schools"] - bucket_counts["none"],
        "targets": len(progress),
        "achieved": by_status.get("achieved", 0),
        "on_track": by_status.get("on_track", 0),
        "at_risk": by_status.get("at_risk", 0),
        "late": by_status.get("late", 0),
    }


def burn_ups(progress: list[dict], today: datetime.date) -> list[dict]:
    """For each target with a value: the chart's data and a table of month-end values."""
    targets = [row["target"] for row in progress if row["value"] is not None]
    series: dict[int, list] = {target.pk: [] for target in targets}
    for target_id, day, value in (
        IndicatorSnapshot.objects.filter(target__in=targets, date__lt=today)
        .order_by("target_id", "date")
        .values_list("target_id", "date", "value")
    ):
        series[target_id].append((day, value))
    charts = []
    for row in progress:
        if row["value"] is None:
            continue
        target, assessment = row["target"], row["assessment"]
        actual = [*series[target.pk], (today, row["value"])]
        start = target_start(target) or actual[0][0]
        start = min(start, target.due_date)
        chart = BurnUp(
            title=str(target),
            start=start,
            due=target.due_date,
            today=today,
            baseline=target.baseline,
            target=target.target_value,
            actual=actual,
            forecast=assessment.forecast if assessment else None,
            unit=target.unit,
        )
        month_ends: dict[tuple[int, int], tuple[datetime.date, Decimal]] = {}
        for day, value in actual:
            month_ends[(day.year, day.month)] = (day, value)
        charts.append({"target": target, "assessment": assessment, "chart": chart, "table": list(month_ends.values())})
    return charts


@dataclass
class Breakdown:
    columns: list[str]
    headings: list
    rows: list[list]
    total_rows: int

    @property
    def display_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text, is a number): amounts grouped in the active language, codes and
        official numbers as they are, dates in ISO form."""
        return [[_display(cell) for cell in row] for row in self.rows]


def _display(cell) -> tuple[str, bool]:
    if cell is None:
        return "–", False
    if isinstance(cell, Decimal | int) and not isinstance(cell, bool):
        return number_format(cell, force_grouping=True), True
    if isinstance(cell, datetime.date):
        return cell.isoformat(), False
    return str(cell), False


def school_sums(user, programme: Programme) -> dict[int, Mapping[str, Any]]:
    """Committed and paid per school (the entries the user may see), and the first entry's day."""
    sums: dict[int, Mapping[str, Any]] = {}
    for row in (
        _ledger(user, programme)
        .filter(school__isnull=False)
        .values("school_id")
        .annotate(
            committed=Sum("amount", filter=Q(kind=COMMITTED)),
            paid=Sum("amount", filter=Q(kind=PAID)),
            first=Min("date"),
        )
    ):
        sums[row["school_id"]] = row
    return sums


SCHOOL_COLUMNS = [
    "school_number",
    "school_name",
    "operator",
    "committed_eur",
    "paid_eur",
    "paid_percent",
    "first_entry",
]
OPERATOR_COLUMNS = [
    "operator_code",
    "operator",
    "schools",
    "schools_reached",
    "committed_eur",
    "paid_eur",
    "paid_percent",
]


def school_breakdown(user, programme: Programme, *, limit: int | None = None) -> Breakdown:
    """Every school of the programme's authority the user may see, the most committed first.
    With ``limit``, the database ranks the schools with entries and returns only the top of the
    list (the page); ``total_rows`` then counts the schools with entries."""
    schools = _programme_schools(user, programme)
    if limit is not None:
        money = _school_money(user, programme)
        top = money.annotate(first=Min("date")).order_by("-committed_cents", "-paid_cents", "school_id")[:limit]
        sums: dict[int, Mapping[str, Any]] = {
            row["school_id"]: {
                "committed": Decimal(row["committed_cents"]) / 100,
                "paid": Decimal(row["paid_cents"]) / 100,
                "first": row["first"],
            }
            for row in top
        }
        schools = schools.filter(pk__in=list(sums))
        total = money.count()
    else:
        sums = school_sums(user, programme)
    records = list(schools.values_list("pk", "number", "name", "operator__name"))
    rows = []
    for pk, number, name, operator in records:
        entry = sums.get(pk, {})
        committed, paid = cents(entry.get("committed")), cents(entry.get("paid"))
        rows.append([number, name, operator, committed, paid, paid_share(committed, paid), entry.get("first")])
    rows.sort(key=lambda r: (-r[3], -r[4], r[0]))
    if limit is None:
        total = len(rows)
    headings = [
        _("Number"),
        _("School"),
        _("School operator"),
        _("Committed (EUR)"),
        _("Paid (EUR)"),
        _("Paid (%)"),
        _("First entry"),
    ]
    return Breakdown(SCHOOL_COLUMNS, headings, rows[:limit] if limit else rows, total)


def operator_breakdown(user, programme: Programme, *, limit: int | None = None) -> Breakdown:
    schools = dict(
        _programme_schools(user, programme)
        .values("operator_id")
        .annotate(n=Count("pk"))
        .values_list("operator_id", "n")
    )
    money: dict[int, Mapping[str, Any]] = {}
    for row in (
        _ledger(user, programme)
        .filter(school__isnull=False)
        .values("school__operator_id")
        .annotate(
            committed=Sum("amount", filter=Q(kind=COMMITTED)),
            paid=Sum("amount", filter=Q(kind=PAID)),
            reached=Count("school_id", distinct=True, filter=Q(amount__gt=0)),
        )
    ):
        money[row["school__operator_id"]] = row
    operators = operators_for(user).filter(pk__in=set(schools) | set(money)).values_list("pk", "code", "name")
    rows = []
    for pk, code, name in operators:
        entry = money.get(pk, {})
        committed, paid = cents(entry.get("committed")), cents(entry.get("paid"))
        rows.append(
            [code, name, schools.get(pk, 0), entry.get("reached", 0), committed, paid, paid_share(committed, paid)]
        )
    rows.sort(key=lambda r: (-r[4], -r[5], r[0]))
    headings = [
        _("Code"),
        _("School operator"),
        _("Schools"),
        _("Schools reached"),
        _("Committed (EUR)"),
        _("Paid (EUR)"),
        _("Paid (%)"),
    ]
    return Breakdown(OPERATOR_COLUMNS, headings, rows[:limit] if limit else rows, len(rows))


def school_buckets(user, programme: Programme) -> dict[int, str]:
    """The bucket of each school with entries the user may see, classified in the database."""
    money = _school_money(user, programme)
    sql, params = money.query.sql_with_params()
    with connections[money.db].cursor() as cursor:
        cursor.execute(
            f"SELECT school_id, {BUCKET_SQL} FROM "  # noqa: S608 - our own SQL
            f"(SELECT school_id, committed_cents AS c, paid_cents AS p FROM ({sql}) money) sums",
            params,
        )
        return dict(cursor.fetchall())


def map_points(user, programme: Programme) -> tuple[list[MapPoint], dict[str, int]]:
    """The schools the user may see with a position, and how many fall in each bucket."""
    buckets = school_buckets(user, programme)
    points, counts = [], {key: 0 for key, _label in BUCKETS}
    unplaced = 0
    # Positions as floats straight from the database: no Decimal for 40,000 schools.
    for pk, latitude, longitude in (
        _programme_schools(user, programme)
        .annotate(x=Cast("longitude", FloatField()), y=Cast("latitude", FloatField()))
        .values_list("pk", "y", "x")
    ):
        bucket = buckets.get(pk, "none")
        counts[bucket] += 1
        if latitude is None or longitude is None:
            unplaced += 1
            continue
        points.append(MapPoint(latitude, longitude, bucket))
    counts["unplaced"] = unplaced
    return points, counts


def bucket_counts(user, programme: Programme) -> dict[str, int]:
    """How many of the user's schools fall in each bucket, counted in the database: the schools
    with entries are classified there (one row per bucket comes back), the rest are "not reached"."""
    money = _school_money(user, programme)
    sql, params = money.query.sql_with_params()
    counts = {key: 0 for key, _label in BUCKETS}
    with connections[money.db].cursor() as cursor:
        cursor.execute(
            f"SELECT bucket, COUNT(*) FROM (SELECT {BUCKET_SQL} AS bucket "  # noqa: S608 - our own SQL
            f"FROM (SELECT school_id, committed_cents AS c, paid_cents AS p FROM ({sql}) money) sums) "
            "buckets GROUP BY bucket",
            params,
        )
        for bucket, count in cursor.fetchall():
            counts[bucket] = count
    schools = _programme_schools(user, programme)
    counts["schools"] = schools.count()
    counts["none"] = counts["schools"] - sum(counts[key] for key, _label in BUCKETS if key != "none")
    counts["unplaced"] = schools.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count()
    return counts
