"""Triggers that make audit events append-only: the database refuses UPDATE and DELETE (SQLite and
PostgreSQL). Used by migration 0007 and by the ``flush`` command (the migration loader skips modules
whose name starts with an underscore).

Emptying the whole table stays possible for the database's owner: on PostgreSQL TRUNCATE fires no row
trigger (Django's ``flush``, and so the test suite, truncates); on SQLite ``flush`` deletes, so it
drops the DELETE trigger around the flush (``digileap/core/management/commands/flush.py``). Either
way ``verify_audit --anchor`` notices a trail that was emptied.

On SQLite a migration that rebuilds ``core_auditevent`` (most ALTERs) drops its triggers: such a
migration must call ``create_triggers`` again (as devices 0005 does for device events).
"""

TABLE = "core_auditevent"
MESSAGE = "audit events are append-only: {operation} refused"

SQLITE_CREATE = {
    operation: f"""
CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{operation.lower()}
BEFORE {operation} ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE.format(operation=operation)}');
END;
"""
    for operation in ("UPDATE", "DELETE")
}
POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};",
    f"""
    CREATE TRIGGER {TABLE}_no_update
    BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change();
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete ON {TABLE};",
    f"""
    CREATE TRIGGER {TABLE}_no_delete
    BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change();
    """,
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;"]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse_change();",
]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = list(SQLITE_CREATE.values())
    elif vendor == "postgresql":
        statements = POSTGRES_CREATE
    else:
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)  # no placeholders: RAISE uses %


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []
    for statement in statements:
        schema_editor.execute(statement, params=None)  # no placeholders: RAISE uses %
