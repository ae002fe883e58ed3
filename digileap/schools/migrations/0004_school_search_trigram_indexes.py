"""PostgreSQL only: indexes for the registry search (the ``q`` filter of the list page and API).

The search is ``name__icontains | number__iexact | city__icontains``, which Django writes on
PostgreSQL as ``UPPER(col::text) LIKE UPPER(%s)`` and ``UPPER(col::text) = UPPER(%s)``. Without an
index every search evaluates UPPER on three columns of every school (about 30 ms at 40,000
schools). Trigram (pg_trgm) GIN indexes on exactly those expressions, and a B-tree on the upper-case
number, let PostgreSQL combine the three in one bitmap: a rare term (a number, a town) then costs
well under a millisecond, a common one ("Grund") about half of the scan.

Written by hand, because an index that exists on one database only cannot be declared in
``Meta.indexes`` (SQLite has no GIN). On SQLite this migration does nothing: there the search
scans the table, about 10 ms at 40,000 schools. If the database user may not create the pg_trgm
extension, the trigram indexes are skipped (the search still works, by scanning) and the B-tree is
created; ``CREATE EXTENSION pg_trgm`` by a privileged user and re-running this migration adds them.
See docs/architecture.md, "Long lists".
"""

from django.db import migrations, transaction

TRIGRAM_INDEXES = {
    "school_name_trgm_idx": "USING gin (UPPER(name::text) gin_trgm_ops)",
    "school_city_trgm_idx": "USING gin (UPPER(city::text) gin_trgm_ops)",
}
NUMBER_INDEX = ("school_number_upper_idx", "(UPPER(number::text))")


def _has_trigram_extension(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: go on without trigram indexes
        return False
    return True


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    indexes = dict([NUMBER_INDEX])
    if _has_trigram_extension(schema_editor):
        indexes.update(TRIGRAM_INDEXES)
    for name, definition in indexes.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON schools_school {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM_INDEXES, NUMBER_INDEX[0]]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0003_school_operator_city_idx"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
