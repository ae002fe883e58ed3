"""Application events and versions are append-only: the database refuses to change one.

Generated with ``makemigrations --empty``; the SQL differs per database, so it runs from Python
(the pattern of devices' 0003). Only UPDATE is refused: no code path deletes an event or a version
(``Application`` protects them), and test databases may be emptied with DELETE on SQLite.
"""

from django.db import migrations

TABLES = ["funding_applicationevent", "funding_applicationversion"]


def _sqlite_create(table: str) -> str:
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_no_update
BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} rows are append-only');
END;
"""


def _postgres_create(table: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_refuse_update() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{table} rows are append-only';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER {table}_no_update
        BEFORE UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update();
        """,
    ]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(_sqlite_create(table))
        elif vendor == "postgresql":
            for statement in _postgres_create(table):
                schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_update();")


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
