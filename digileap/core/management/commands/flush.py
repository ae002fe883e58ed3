"""Django's ``flush``, able to empty the append-only audit trail.

On SQLite Django empties tables with DELETE, which the audit events' trigger refuses: the trigger is
dropped for the flush and created again afterwards (in a ``finally``). PostgreSQL truncates, which
fires no row trigger. Test databases are flushed this way after every transactional test.
"""

import importlib

from django.core.management.commands import flush
from django.db import connections

triggers = importlib.import_module("digileap.core.migrations._audit_triggers")


class Command(flush.Command):
    def handle(self, **options) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or triggers.TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {triggers.TABLE}_no_delete;")
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(triggers.SQLITE_CREATE["DELETE"])
