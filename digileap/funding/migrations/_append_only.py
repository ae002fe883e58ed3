"""Triggers that make tables append-only: the database refuses UPDATE (SQLite and PostgreSQL).

Shared by migrations 0002 and 0005 (the migration loader skips modules whose name starts with an
underscore). Only UPDATE is refused: no code path deletes these rows (their parents protect them),
and test databases may be emptied with DELETE on SQLite.
"""


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


def creator(tables: list[str]):
    def create_triggers(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "sqlite":
                schema_editor.execute(_sqlite_create(table))
            elif vendor == "postgresql":
                for statement in _postgres_create(table):
                    schema_editor.execute(statement)

    return create_triggers


def dropper(tables: list[str]):
    def drop_triggers(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            elif vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_refuse_update();")

    return drop_triggers
