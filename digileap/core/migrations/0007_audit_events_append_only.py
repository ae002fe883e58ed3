"""Audit events are append-only: the database refuses UPDATE and DELETE (issue 15).

Generated with ``makemigrations --empty``; the SQL differs per database and lives in
``_audit_triggers.py`` (shared with the ``flush`` command). Reversing drops the triggers.
"""

import importlib

from django.db import migrations

triggers = importlib.import_module("digileap.core.migrations._audit_triggers")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_auditevent_key_id_importjob_heartbeat_at_and_more"),
    ]

    operations = [
        migrations.RunPython(triggers.create_triggers, triggers.drop_triggers),
    ]
