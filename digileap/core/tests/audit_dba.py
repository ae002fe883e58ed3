"""What a database administrator can do to the audit trail behind the application's back: switch the
append-only triggers off (drop them on SQLite, ``DISABLE TRIGGER`` on PostgreSQL), rewrite entries
and recompute their hashes, and move the chain head."""

import hashlib
import hmac
import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from digileap.core import audit
from digileap.core.models import AuditChainHead, AuditEvent

triggers = importlib.import_module("digileap.core.migrations._audit_triggers")


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in triggers.SQLITE_DROP:
                cursor.execute(statement)
        else:
            cursor.execute(f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER {triggers.TABLE}_no_update")
            cursor.execute(f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER {triggers.TABLE}_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for statement in triggers.SQLITE_CREATE.values():
                    cursor.execute(statement)
            else:
                cursor.execute(f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER {triggers.TABLE}_no_update")
                cursor.execute(f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER {triggers.TABLE}_no_delete")


def plain_sha256(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def hmac_with(secret: bytes):
    return lambda canonical: hmac.new(secret, canonical, hashlib.sha256).hexdigest()


def rewrite_from(first_id: int, digest, key_id: str | None = None) -> None:
    """Recompute the hash of every entry from ``first_id`` on with ``digest`` (and set their key id,
    when given), relink them, and move the head: a rewrite that leaves no broken link behind."""
    events = list(AuditEvent.objects.order_by("id"))
    previous = audit.GENESIS_HASH
    with triggers_bypassed():
        for event in events:
            if event.id >= first_id:
                if key_id is not None:
                    event.key_id = key_id
                event.previous_hash = previous
                event.entry_hash = digest(audit._canonical(audit._payload(event)))
                AuditEvent.objects.filter(pk=event.pk).update(
                    previous_hash=event.previous_hash, entry_hash=event.entry_hash, key_id=event.key_id
                )
            previous = event.entry_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous, last_event_id=events[-1].id if events else None)
