"""Application events and versions are append-only: the database refuses to change one.

Generated with ``makemigrations --empty``; the SQL differs per database, so it runs from Python
(``_append_only``, the pattern of devices' 0003). Only UPDATE is refused: no code path deletes an
event or a version (``Application`` protects them), and test databases may be emptied with DELETE
on SQLite.
"""

from django.db import migrations

from digileap.funding.migrations import _append_only

TABLES = ["funding_applicationevent", "funding_applicationversion"]


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_append_only.creator(TABLES), _append_only.dropper(TABLES)),
    ]
