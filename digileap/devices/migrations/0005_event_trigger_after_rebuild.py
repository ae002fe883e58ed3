"""The append-only trigger of device events, again: on SQLite, 0004 rebuilt ``devices_deviceevent``
(its device column lost its own index) and a rebuilt table loses its triggers.

Generated with ``makemigrations --empty``; the trigger SQL is 0003's. ``CREATE TRIGGER IF NOT
EXISTS`` and ``CREATE OR REPLACE`` make it a no-op where the trigger survived (PostgreSQL).
"""

import importlib

from django.db import migrations

append_only = importlib.import_module("digileap.devices.migrations.0003_device_events_append_only")


def recreate_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        append_only.create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0004_lean_device_indexes"),
    ]

    operations = [
        migrations.RunPython(recreate_trigger, migrations.RunPython.noop),
    ]
