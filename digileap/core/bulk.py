"""Fast inserts for imports: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, never one INSERT a row.

No model ``save()`` runs and no ids come back: callers look ids up by their natural keys afterwards.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    # Decimals pass as they are: psycopg sends them as numeric, and Django registers str() as
    # SQLite's adapter for Decimal; that is all DecimalField.get_db_prep_save does for a Decimal.
    models.DecimalField,
)


class RawJSON(str):
    """JSON text that is already serialised: stored as it is in a JSONField column."""


def _json_text(value: Any) -> str:
    if isinstance(value, RawJSON):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value becomes a database value for this field; None means unchanged.

    Calling ``get_db_prep_save`` per value is the slow part of a large insert, so the common field
    types get a direct conversion (and a repeated datetime, e.g. a shared ``created_at``, is
    converted once).
    """
    if isinstance(field, models.JSONField):
        return _json_text
    if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.DateTimeField) and connection.vendor == "postgresql":
        return None
    if isinstance(field, models.DateTimeField):
        return lru_cache(maxsize=4)(connection.ops.adapt_datetimefield_value)
    return lambda value: field.get_db_prep_save(value, connection)


def _prepared(converters, rows: Iterable[Sequence[Any]]):
    converting = [(index, convert) for index, convert in enumerate(converters) if convert is not None]
    if not converting:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for index, convert in converting:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
        yield row


def _column_field(model: type[models.Model], name: str) -> tuple[models.Field, str]:
    """The field ``name`` of ``model`` and its column. A name without a column of its own (a
    reverse relation, a ``ForeignObject`` or composite key) is the caller's mistake."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} has no column of its own; bulk_insert writes columns only.")
    return field, field.column


def bulk_insert(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (value tuples in ``field_names`` order, foreign keys as ids). Returns the count."""
    fields = [_column_field(model, name) for name in field_names]
    converters = [_converter(field) for field, _column in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for _field, column in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _prepared(converters, rows):
                    copy.write_row(values)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[list[Any]] = []
        for values in _prepared(converters, rows):
            batch.append(values)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def chunked(items: Sequence[Any], size: int = 900):
    """Slices small enough for an ``IN (...)`` list on any database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
