"""Fast inserts for imports: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, never one INSERT a row.

No model ``save()`` runs and no ids come back: callers look ids up by their natural keys afterwards.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _columns(model: type[models.Model], field_names: Sequence[str]):
    fields = [model._meta.get_field(name) for name in field_names]
    plain = [isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.JSONField) for field in fields]
    return fields, plain


def _prepared(fields, plain, rows: Iterable[Sequence[Any]]):
    for row in rows:
        yield [
            value if is_plain or value is None else field.get_db_prep_save(value, connection)
            for field, is_plain, value in zip(fields, plain, row, strict=True)
        ]


def bulk_insert(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (value tuples in ``field_names`` order, foreign keys as ids). Returns the count."""
    fields, plain = _columns(model, field_names)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _prepared(fields, plain, rows):
                    copy.write_row(values)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        batch: list[list[Any]] = []
        for values in _prepared(fields, plain, rows):
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
