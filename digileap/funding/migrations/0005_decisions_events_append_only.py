"""Decisions, conflict-of-interest declarations and grant events are append-only: the database
refuses to change one (the pattern and SQL of 0002). A decision's letter is therefore rendered
before its row is written; an amendment is a new decision."""

from django.db import migrations

from digileap.funding.migrations import _append_only

TABLES = ["funding_decision", "funding_conflictdeclaration", "funding_grantevent"]


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0004_review_grants_claims"),
    ]

    operations = [
        migrations.RunPython(_append_only.creator(TABLES), _append_only.dropper(TABLES)),
    ]
