"""Device events are append-only: the database itself refuses to change one.

Generated with ``makemigrations --empty``; the SQL differs per database, so it runs from Python.
Only UPDATE is refused: deleting rows is left to the database's owner (test databases are emptied
with DELETE on SQLite), and no code path of the application deletes an event (``Device`` protects them).
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS devices_deviceevent_no_update
BEFORE UPDATE ON devices_deviceevent
BEGIN
    SELECT RAISE(ABORT, 'device events are append-only');
END;
"""
POSTGRES_CREATE = [
    """
    CREATE OR REPLACE FUNCTION devices_deviceevent_refuse_update() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'device events are append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER devices_deviceevent_no_update
    BEFORE UPDATE ON devices_deviceevent
    FOR EACH ROW EXECUTE FUNCTION devices_deviceevent_refuse_update();
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS devices_deviceevent_no_update;"]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS devices_deviceevent_no_update ON devices_deviceevent;",
    "DROP FUNCTION IF EXISTS devices_deviceevent_refuse_update();",
]


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create_trigger(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_CREATE])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_trigger(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0002_devices"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
