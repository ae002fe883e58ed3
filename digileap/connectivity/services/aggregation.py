"""Daily aggregates of the raw measurements, and the retention of raw rows.

A day is a calendar day in the installation's time zone (``settings.TIME_ZONE``). For each school,
site (or none) and day with at least one measurement, ``DailyAggregate`` holds the count and the
median and 95th percentile of download, upload and latency (upload and latency over the rows that
have them; none: empty).

**Percentiles** are continuous, by linear interpolation between the closest ranks: for ``n``
sorted values ``v[0..n-1]`` and a fraction ``q``, ``h = q·(n-1)``, ``i = floor(h)`` and the result
is ``v[i] + (h-i)·(v[i+1]-v[i])`` (``v[i]`` when ``i = n-1``). This is PostgreSQL's
``percentile_cont`` and numpy's default ``linear`` method. PostgreSQL computes it in SQL; SQLite
reads the rows and computes it with numpy in the same floating-point steps as PostgreSQL, so both
databases store the same numbers (``tests/test_aggregation.py``).

``aggregate_days`` recomputes the aggregates of the days it is given from the raw rows: it is
idempotent, and what it deletes and writes depends on nothing but the raw rows. ``purge_measurements``
deletes raw rows older than the retention (``DIGILEAP_MEASUREMENT_RETENTION_DAYS``), whole days at a
time, after recomputing those days' aggregates from their complete rows.
"""

import datetime
from collections.abc import Iterable
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import DailyAggregate, Measurement

# Above this many schools, a day is recomputed for every school (one scan instead of long IN lists).
SCHOOL_LIST_LIMIT = 2000
METRICS = ("download_mbps", "upload_mbps", "latency_ms")
AGGREGATE_COLUMNS = (
    "school_id",
    "site_id",
    "day",
    "tests",
    "download_median",
    "download_p95",
    "upload_median",
    "upload_p95",
    "latency_median",
    "latency_p95",
)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the installation's time zone, as an aware time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_default_timezone())


def _utc_text(moment: datetime.datetime) -> str:
    """A time as SQLite holds Django's DateTimeField: naive UTC, ``YYYY-MM-DD HH:MM:SS``."""
    return str(moment.astimezone(datetime.UTC).replace(tzinfo=None))


def _school_ids(schools) -> list[int] | None:
    if schools is None:
        return None
    return sorted({school if isinstance(school, int) else school.pk for school in schools})


@transaction.atomic
def aggregate_days(*, start: datetime.date, end: datetime.date, schools=None) -> int:
    """Recompute the DailyAggregate rows of the days ``start`` to ``end`` (both included) from the
    raw measurements, for ``schools`` (schools or ids; None: every school). Returns how many
    aggregate rows it wrote. Idempotent: run twice, the second run writes the same rows."""
    if end < start:
        raise ValueError("end before start")
    ids = _school_ids(schools)
    if ids is not None and not ids:
        return 0
    since, until = local_midnight(start), local_midnight(end + datetime.timedelta(days=1))
    deleted = DailyAggregate.objects.filter(day__gte=start, day__lte=end)
    if ids is not None:
        deleted = deleted.filter(school_id__in=ids)
    deleted._raw_delete(deleted.db)
    if connection.vendor == "postgresql":
        return _aggregate_sql(since, until, ids)
    return _aggregate_numpy(since, until, ids)


def _aggregate_sql(since: datetime.datetime, until: datetime.datetime, ids: list[int] | None) -> int:
    measurements = Measurement._meta.db_table
    aggregates = DailyAggregate._meta.db_table
    percentiles = ", ".join(
        f"percentile_cont({q}) WITHIN GROUP (ORDER BY {metric})" for metric in METRICS for q in ("0.5", "0.95")
    )
    where = "measured_at >= %s AND measured_at < %s"
    params: list = [settings.TIME_ZONE, since, until]
    if ids is not None:
        where += " AND school_id = ANY(%s)"
        params.append(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {aggregates} ({", ".join(AGGREGATE_COLUMNS)})
            SELECT school_id, site_id, (measured_at AT TIME ZONE %s)::date AS day, count(*), {percentiles}
            FROM {measurements} WHERE {where}
            GROUP BY school_id, site_id, day""",
            params,
        )
        return cursor.rowcount


def grouped_percentiles(groups: np.ndarray, values: np.ndarray, count: int, fractions: Iterable[float]) -> list:
    """Per group (0 to ``count``-1), the continuous percentiles of ``values`` at ``fractions``,
    ignoring NaN; NaN for a group without values. PostgreSQL's ``percentile_cont`` arithmetic."""
    present = ~np.isnan(values)
    groups, values = groups[present], values[present]
    order = np.lexsort((values, groups))
    values = values[order]
    sizes = np.bincount(groups, minlength=count)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    has = sizes > 0
    results = []
    for fraction in fractions:
        result = np.full(count, np.nan)
        position = fraction * (sizes[has] - 1).astype(np.float64)
        first = np.floor(position)
        proportion = position - first
        low = starts[has] + first.astype(np.int64)
        high = starts[has] + np.minimum(first.astype(np.int64) + 1, sizes[has] - 1)
        result[has] = values[low] + proportion * (values[high] - values[low])
        results.append(result)
    return results


def _aggregate_numpy(since: datetime.datetime, until: datetime.datetime, ids: list[int] | None) -> int:
    measurements = Measurement._meta.db_table
    # ``measured_at || ''`` reads the stored text as it is (no conversion to datetime per row).
    select = (
        f"SELECT school_id, COALESCE(site_id, 0), measured_at || '', {', '.join(METRICS)} FROM {measurements} "
        "WHERE measured_at >= %s AND measured_at < %s"
    )
    params: list = [_utc_text(since), _utc_text(until)]
    with connection.cursor() as cursor:
        if ids is not None:
            rows = []
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(f"{select} AND school_id IN ({', '.join(['%s'] * len(chunk))})", params + chunk)
                rows.extend(cursor.fetchall())
        else:
            cursor.execute(select, params)
            rows = cursor.fetchall()
    if not rows:
        return 0
    school, site, moment, download, upload, latency = zip(*rows, strict=True)
    del rows
    school_ids = np.asarray(school, dtype=np.int64)
    site_ids = np.asarray(site, dtype=np.int64)
    # Casts to timestamps give timestamp arrays (pyarrow-stubs type them as any array, and want
    # local_timestamp without a time zone).
    stamps = pc.assume_timezone(
        cast(pa.TimestampArray, pc.cast(pa.array(moment, pa.string()), pa.timestamp("us"))), timezone="UTC"
    )
    local = pc.local_timestamp(cast(pa.TimestampArray, stamps.cast(pa.timestamp("us", tz=settings.TIME_ZONE))))
    day = pc.cast(local, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(np.int64)
    keys = np.stack([school_ids, site_ids, day], axis=1)
    unique, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.reshape(-1)
    count = len(unique)
    tests = np.bincount(group, minlength=count)
    columns = [
        unique[:, 0].tolist(),
        [site_id or None for site_id in unique[:, 1].tolist()],
        [day.isoformat() for day in unique[:, 2].astype("datetime64[D]").tolist()],
        tests.tolist(),
    ]
    for metric in (download, upload, latency):
        values = np.asarray(metric, dtype=np.float64)  # None becomes NaN
        for result in grouped_percentiles(group, values, count, (0.5, 0.95)):
            listed = result.tolist()
            if np.isnan(result).any():
                listed = [None if number != number else number for number in listed]
            columns.append(listed)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DailyAggregate._meta.db_table} ({', '.join(AGGREGATE_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(AGGREGATE_COLUMNS))})",
            zip(*columns, strict=True),  # type: ignore[arg-type]  # Django takes any iterable of rows (stubs: Sequence)
        )
    return count


def aggregate_school_days(days: dict[int, set[datetime.date]]) -> int:
    """Recompute the aggregates of the days each school had new rows on (what an import touched):
    consecutive days are recomputed together, for the schools that had rows on them."""
    by_day: dict[datetime.date, set[int]] = {}
    for school_id, school_days in days.items():
        for day in school_days:
            by_day.setdefault(day, set()).add(school_id)
    written = 0
    run: list[datetime.date] = []
    for next_day in [*sorted(by_day), None]:
        if run and (next_day is None or next_day != run[-1] + datetime.timedelta(days=1)):
            schools = set().union(*(by_day[d] for d in run))
            written += aggregate_days(
                start=run[0], end=run[-1], schools=None if len(schools) > SCHOOL_LIST_LIMIT else schools
            )
            run = []
        if next_day is not None:
            run.append(next_day)
    return written


def retention_cutoff(before: datetime.date | datetime.datetime | None = None) -> datetime.date:
    """The first day whose raw rows are kept: ``before`` (its local date), or today minus the
    retention."""
    if before is None:
        return timezone.localdate() - datetime.timedelta(days=settings.DIGILEAP_MEASUREMENT_RETENTION_DAYS)
    if isinstance(before, datetime.datetime):
        return timezone.localdate(before) if timezone.is_aware(before) else before.date()
    return before


def purgeable(before: datetime.date | datetime.datetime | None = None):
    """The raw rows ``purge_measurements`` would delete."""
    return Measurement.objects.filter(measured_at__lt=local_midnight(retention_cutoff(before)))


@transaction.atomic
def purge_measurements(*, before: datetime.date | datetime.datetime | None = None) -> int:
    """Delete the raw measurements of the days before ``before`` (default: older than
    ``DIGILEAP_MEASUREMENT_RETENTION_DAYS``), whole local days at a time. Those days' aggregates
    are first recomputed from their complete rows (so a day never aggregated, such as browser tests
    of the last days, is not lost); the aggregates stay. Returns how many raw rows were deleted."""
    cutoff = retention_cutoff(before)
    rows = purgeable(cutoff)
    oldest = rows.order_by("measured_at").values_list("measured_at", flat=True).first()
    if oldest is None:
        return 0
    first_day = timezone.localdate(oldest)
    last_day = cutoff - datetime.timedelta(days=1)
    if first_day <= last_day:
        aggregate_days(start=first_day, end=last_day)
    deleted = rows._raw_delete(rows.db)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Measurement._meta.db_table}")
    return deleted
