"""The audit trail: every service records its changes here; ``verify_chain`` proves nothing was altered.

Each entry's hash covers its content and the previous entry's hash, so editing, inserting or
deleting any row breaks the chain from that row on. The chain head is locked while appending.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .bulk import RawJSON
from .context import current_request_id
from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


_JSON_SCALARS = (str, int, float, bool, type(None))


def to_jsonable(value: Any) -> Any:
    if type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        scalars = _JSON_SCALARS
        return {str(k): v if type(v) in scalars else to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, FieldFile):  # an empty one has no url: ask for its name only
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data (foreign keys as ids)."""
    names = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        data[field.name] = to_jsonable(getattr(instance, field.attname))
    return data


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(payload: dict[str, Any]) -> bytes:
    return _dumps(payload).encode()


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": _timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    """The hash an event must carry: over its content and the previous event's hash."""
    return hashlib.sha256(_canonical(_payload(event))).hexdigest()


@dataclass(frozen=True)
class Change:
    """One change to record: what happened to which object, with the state before and after."""

    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before: dict | None = None
    after: dict | None = None


def change_for(action: str, instance: models.Model, before: dict | None = None, after: dict | None = None) -> Change:
    return Change(
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor[:200]
    return actor.pk, (actor.get_username() if hasattr(actor, "get_username") else str(actor))[:200]


EVENT_FIELDS = [
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "request_id",
    "previous_hash",
    "entry_hash",
]


@transaction.atomic
def _append(*, actor, changes: list[Change]) -> AuditEvent | None:
    """Append ``changes`` to the chain in order, holding the chain head's lock. Returns the last event
    when one was appended alone (the ORM path); large batches go through ``bulk_insert``."""
    from .bulk import bulk_insert

    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_event_id": None}
    )
    actor_id, actor_label = _actor_fields(actor)
    now = timezone.now()
    occurred_at = _timestamp(now)
    request_id = current_request_id()
    previous = head.last_hash
    rows = []
    fixed = _dumps(actor_id), _dumps(actor_label), _dumps(occurred_at), _dumps(request_id)
    for change in changes:
        before_json = _dumps(to_jsonable(change.before))
        after_json = _dumps(to_jsonable(change.after))
        object_repr = change.object_repr[:300]
        object_id = str(change.object_id)
        # The same bytes as _canonical(_payload(event)) for the stored event, composed from the
        # pieces so that before/after are serialised once (they are stored as this JSON, too).
        canonical = (
            f'{{"action":{_dumps(change.action)},"actor_id":{fixed[0]},"actor_label":{fixed[1]},'
            f'"after":{after_json},"before":{before_json},"object_id":{_dumps(object_id)},'
            f'"object_repr":{_dumps(object_repr)},"object_type":{_dumps(change.object_type)},'
            f'"occurred_at":{fixed[2]},"previous_hash":{_dumps(previous)},"request_id":{fixed[3]}}}'
        )
        entry_hash = hashlib.sha256(canonical.encode()).hexdigest()
        rows.append(
            {
                "occurred_at": now,
                "actor_id": actor_id,
                "actor_label": actor_label,
                "action": change.action,
                "object_type": change.object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "before": RawJSON(before_json),
                "after": RawJSON(after_json),
                "request_id": request_id,
                "previous_hash": previous,
                "entry_hash": entry_hash,
            }
        )
        previous = entry_hash
    event = None
    if len(rows) == 1:
        row = rows[0]
        row["before"], row["after"] = json.loads(row["before"]), json.loads(row["after"])
        event = AuditEvent.objects.create(**row)
        last_id = event.pk
    else:
        bulk_insert(AuditEvent, EVENT_FIELDS, ([row[name] for name in EVENT_FIELDS] for row in rows))
        last_id = AuditEvent.objects.filter(entry_hash=previous).values_list("id", flat=True).get()
    head.last_hash = previous
    head.last_event_id = last_id
    head.save(update_fields=["last_hash", "last_event_id"])
    return event


def record_many(*, actor, changes: Iterable[Change]) -> int:
    """Append events for ``changes`` to the chain, in order, in one locked step. Returns how many."""
    changes = list(changes)
    if changes:
        _append(actor=actor, changes=changes)
    return len(changes)


def record(
    *, actor, action: str, instance: models.Model, before: dict | None = None, after: dict | None = None
) -> AuditEvent:
    """Append one event about ``instance`` and return it."""
    event = _append(actor=actor, changes=[change_for(action, instance, before, after)])
    assert event is not None
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    is_intact: bool
    first_broken_id: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH


def verify_chain() -> ChainReport:
    """Recompute every hash in order. Names the first entry that does not match."""
    previous = GENESIS_HASH
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        if event.previous_hash != previous:
            return ChainReport(checked, False, event.id, "previous hash does not match the entry before it")
        if compute_hash(event) != event.entry_hash:
            return ChainReport(checked, False, event.id, "content does not match its hash")
        previous = event.entry_hash
        last_id = event.id
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.last_event_id != last_id):
        return ChainReport(checked, False, head.last_event_id, "the newest entries are missing")
    return ChainReport(checked, True, head_hash=previous)


def chain_head_hash() -> str:
    head = AuditChainHead.objects.filter(pk=1).first()
    return head.last_hash if head else GENESIS_HASH


def history_for(instance: models.Model):
    """The audit events about one object, newest first."""
    return AuditEvent.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
