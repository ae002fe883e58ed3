"""The audit trail: every service records its changes here; ``verify_chain`` proves nothing was altered.

Each entry's hash covers its content and the previous entry's hash, so editing, inserting or
deleting any row breaks the chain from that row on. The chain head is locked while appending.

The hash is an HMAC-SHA256 with a secret that lives outside the database
(``DIGILEAP_AUDIT_KEY``, its id ``DIGILEAP_AUDIT_KEY_ID`` stored on the entry), so whoever can
write the database cannot recompute the chain after editing it. Entries made without a key
(``key_id`` empty) carry a plain SHA-256 and stay verifiable. Anchors (``audit_anchor``) copy the
chain head out of the database; ``verify_chain(anchors)`` proves nothing up to them changed.
Database triggers refuse UPDATE and DELETE on the entries (migration 0007). See docs/audit.md.
"""

import datetime
import decimal
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .audit_actions import check_action
from .bulk import RawJSON
from .context import current_request_id
from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
KEY_ID_MAX_LENGTH = 32


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


# -- keys ------------------------------------------------------------------------------------------


class MissingKeyError(LookupError):
    """An entry was made with a key that is neither the current key nor a previous one."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id


def _check_key_id(key_id: str, setting: str) -> str:
    if not key_id or len(key_id) > KEY_ID_MAX_LENGTH or any(c in key_id for c in ":, \t\n"):
        raise ImproperlyConfigured(
            f"{setting}: a key id is 1 to {KEY_ID_MAX_LENGTH} characters without ':', ',' or spaces, not {key_id!r}"
        )
    return key_id


@lru_cache(maxsize=16)
def _parse_keys(current_id: str, current: str, previous: str) -> tuple[str, bytes | None, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    for item in previous.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, separator, secret = item.partition(":")
        key_id = _check_key_id(key_id.strip(), "DIGILEAP_AUDIT_PREVIOUS_KEYS")
        if not separator or not secret:
            raise ImproperlyConfigured(f"DIGILEAP_AUDIT_PREVIOUS_KEYS: key {key_id!r} has no secret (id:secret)")
        if key_id in keys:
            raise ImproperlyConfigured(f"DIGILEAP_AUDIT_PREVIOUS_KEYS: key {key_id!r} is listed twice")
        keys[key_id] = secret.encode()
    if not current:
        return "", None, keys
    current_id = _check_key_id(current_id, "DIGILEAP_AUDIT_KEY_ID")
    if current_id in keys and keys[current_id] != current.encode():
        raise ImproperlyConfigured(
            f"DIGILEAP_AUDIT_PREVIOUS_KEYS: key {current_id!r} is the current key id with another secret"
        )
    keys[current_id] = current.encode()
    return current_id, current.encode(), keys


def _keys() -> tuple[str, bytes | None, dict[str, bytes]]:
    """(current key id, current secret, every known secret by id); ("", None, …) without a key."""
    return _parse_keys(
        getattr(settings, "DIGILEAP_AUDIT_KEY_ID", "") or "k1",
        getattr(settings, "DIGILEAP_AUDIT_KEY", "") or "",
        getattr(settings, "DIGILEAP_AUDIT_PREVIOUS_KEYS", "") or "",
    )


def signing_key_id() -> str:
    """The id of the key new entries are made with; empty without a key (plain SHA-256)."""
    return _keys()[0]


_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


@lru_cache(maxsize=16)
def _hmac_pads(secret: bytes) -> tuple[Any, Any]:
    """SHA-256 states with the key's inner and outer pads already hashed (RFC 2104), so that an
    HMAC costs two ``copy()``s and the message, not a key set-up per entry."""
    if len(secret) > _BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(_BLOCK, b"\0")
    return hashlib.sha256(secret.translate(_IPAD)), hashlib.sha256(secret.translate(_OPAD))


def _digest(secret: bytes | None, canonical: bytes) -> str:
    """HMAC-SHA256 of ``canonical`` with ``secret`` (the same as ``hmac.new(secret, canonical,
    sha256)``); plain SHA-256 without a secret."""
    if secret is None:
        return hashlib.sha256(canonical).hexdigest()
    inner_pad, outer_pad = _hmac_pads(secret)
    inner = inner_pad.copy()
    inner.update(canonical)
    outer = outer_pad.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


def compute_hash(event: AuditEvent, keys: dict[str, bytes] | None = None) -> str:
    """The hash an event must carry: over its content and the previous event's hash, keyed with the
    secret of its ``key_id`` (plain SHA-256 when that is empty). ``MissingKeyError`` when that key is
    not configured."""
    key_id = event.key_id or ""
    if not key_id:
        return _digest(None, _canonical(_payload(event)))
    known = _keys()[2] if keys is None else keys
    if key_id not in known:
        raise MissingKeyError(key_id)
    return _digest(known[key_id], _canonical(_payload(event)))


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
    "key_id",
]


@transaction.atomic
def _append(*, actor, changes: list[Change]) -> AuditEvent | None:
    """Append ``changes`` to the chain in order, holding the chain head's lock. Returns the last event
    when one was appended alone (the ORM path); large batches go through ``bulk_insert``."""
    from .bulk import bulk_insert

    key_id, secret, _known = _keys()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_event_id": None}
    )
    actor_id, actor_label = _actor_fields(actor)
    now = timezone.now()
    occurred_at = _timestamp(now)
    request_id = current_request_id()
    previous = head.last_hash
    rows: list[dict[str, Any]] = []
    fixed = _dumps(actor_id), _dumps(actor_label), _dumps(occurred_at), _dumps(request_id)
    for change in changes:
        before_json = _dumps(to_jsonable(change.before))
        after_json = _dumps(to_jsonable(change.after))
        object_repr = change.object_repr[:300]
        object_id = str(change.object_id)
        action = str(change.action)  # an AuditAction member is stored as its value
        # The same bytes as _canonical(_payload(event)) for the stored event, composed from the
        # pieces so that before/after are serialised once (they are stored as this JSON, too).
        canonical = (
            f'{{"action":{_dumps(action)},"actor_id":{fixed[0]},"actor_label":{fixed[1]},'
            f'"after":{after_json},"before":{before_json},"object_id":{_dumps(object_id)},'
            f'"object_repr":{_dumps(object_repr)},"object_type":{_dumps(change.object_type)},'
            f'"occurred_at":{fixed[2]},"previous_hash":{_dumps(previous)},"request_id":{fixed[3]}}}'
        )
        entry_hash = _digest(secret, canonical.encode())
        rows.append(
            {
                "occurred_at": now,
                "actor_id": actor_id,
                "actor_label": actor_label,
                "action": action,
                "object_type": change.object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "before": RawJSON(before_json),
                "after": RawJSON(after_json),
                "request_id": request_id,
                "previous_hash": previous,
                "entry_hash": entry_hash,
                "key_id": key_id,
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
    for change in changes:
        check_action(change.action)
    if changes:
        _append(actor=actor, changes=changes)
    return len(changes)


def record(
    *, actor, action: str, instance: models.Model, before: dict | None = None, after: dict | None = None
) -> AuditEvent:
    """Append one event about ``instance`` and return it. ``action`` must be an ``AuditAction``."""
    check_action(action)
    event = _append(actor=actor, changes=[change_for(action, instance, before, after)])
    assert event is not None
    return event


@dataclass(frozen=True)
class Anchor:
    """A copy of the chain head kept outside the database (one JSON line of ``audit_anchor``)."""

    last_event_id: int | None
    count: int
    hash: str
    key_id: str = ""
    anchored_at: str = ""
    line: int = 0

    def describe(self) -> str:
        where = f"line {self.line}" if self.line else "the anchor"
        return f"anchor on {where} ({self.anchored_at or 'no time'})"

    def as_json(self) -> str:
        return _dumps(
            {
                "last_event_id": self.last_event_id,
                "count": self.count,
                "hash": self.hash,
                "key_id": self.key_id,
                "anchored_at": self.anchored_at,
            }
        )


def parse_anchors(lines: Iterable[str]) -> list[Anchor]:
    """The anchors of an anchor file, one JSON object a line (blank lines skipped); ``ValueError``
    naming the line that is not one."""
    anchors = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            last_event_id = data["last_event_id"]
            count = data["count"]
            entry_hash = data["hash"]
            valid = (
                (last_event_id is None or (type(last_event_id) is int and last_event_id > 0))
                and type(count) is int
                and count >= 0
                and isinstance(entry_hash, str)
                and len(entry_hash) == 64
            )
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise ValueError(f"line {number} is not an anchor (a JSON object with last_event_id, count and hash)")
        anchors.append(
            Anchor(
                last_event_id=last_event_id,
                count=count,
                hash=entry_hash,
                key_id=str(data.get("key_id") or ""),
                anchored_at=str(data.get("anchored_at") or ""),
                line=number,
            )
        )
    return anchors


@transaction.atomic
def make_anchor() -> Anchor:
    """The chain head as an anchor: the newest entry's id and hash, how many entries there are up to
    it, and its key. Appending waits while the head is read (its row is locked), so the three agree."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    now = _timestamp(timezone.now())
    if head is None or head.last_event_id is None:
        return Anchor(last_event_id=None, count=0, hash=GENESIS_HASH, anchored_at=now)
    newest = AuditEvent.objects.filter(pk=head.last_event_id).values("entry_hash", "key_id").first()
    if newest is None or newest["entry_hash"] != head.last_hash:
        raise ValueError(
            f"the chain head names entry {head.last_event_id}, which is missing or has another hash: run verify_audit"
        )
    return Anchor(
        last_event_id=head.last_event_id,
        count=AuditEvent.objects.filter(pk__lte=head.last_event_id).count(),
        hash=head.last_hash,
        key_id=newest["key_id"],
        anchored_at=now,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    is_intact: bool
    first_broken_id: int | None = None
    reason: str = ""
    head_hash: str = GENESIS_HASH
    anchors_checked: int = 0


def _unkeyed_until() -> int | None:
    value = getattr(settings, "DIGILEAP_AUDIT_UNKEYED_UNTIL", None)
    return None if value in (None, "") else int(value)


def verify_chain(anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Recompute every hash in order and compare the entries with ``anchors``. Names the first entry
    that does not match (or that an anchor names and is missing)."""
    _current_id, _secret, keys = _keys()
    unkeyed_until = _unkeyed_until()
    pending = sorted((a for a in anchors if a.last_event_id is not None), key=lambda a: a.last_event_id or 0)
    next_anchor = 0
    previous = GENESIS_HASH
    checked = 0
    last_id = None
    first_keyed_id: int | None = None

    def broken(event_id: int | None, reason: str) -> ChainReport:
        return ChainReport(checked, False, event_id, reason, anchors_checked=next_anchor)

    def missing(anchor: Anchor) -> ChainReport:
        return broken(anchor.last_event_id, f"{anchor.describe()} names this entry, and it is missing")

    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        if next_anchor < len(pending) and (pending[next_anchor].last_event_id or 0) < event.id:
            return missing(pending[next_anchor])
        if event.previous_hash != previous:
            return broken(event.id, "previous hash does not match the entry before it")
        if not event.key_id:
            if first_keyed_id is not None:
                return broken(
                    event.id, f"it has no key, but entry {first_keyed_id} before it has one (keyed entries only)"
                )
            if unkeyed_until is not None and event.id > unkeyed_until:
                return broken(
                    event.id, f"it has no key, and DIGILEAP_AUDIT_UNKEYED_UNTIL says keys begin after {unkeyed_until}"
                )
        elif first_keyed_id is None:
            first_keyed_id = event.id
        try:
            expected = compute_hash(event, keys)
        except MissingKeyError as error:
            return broken(
                event.id,
                f"its key {error.key_id!r} is not configured (DIGILEAP_AUDIT_KEY or DIGILEAP_AUDIT_PREVIOUS_KEYS)",
            )
        if not hmac.compare_digest(expected, event.entry_hash):
            return broken(event.id, "content does not match its hash")
        while next_anchor < len(pending) and pending[next_anchor].last_event_id == event.id:
            anchor = pending[next_anchor]
            if anchor.hash != event.entry_hash:
                return broken(event.id, f"{anchor.describe()} holds another hash for this entry")
            if anchor.count != checked + 1:
                return broken(
                    event.id,
                    f"{anchor.describe()} counted {anchor.count} entries up to this one, there are {checked + 1}",
                )
            next_anchor += 1
        previous = event.entry_hash
        last_id = event.id
        checked += 1
    if next_anchor < len(pending):
        return missing(pending[next_anchor])
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.last_event_id != last_id):
        return broken(head.last_event_id, "the newest entries are missing")
    if head is None and checked:
        return broken(last_id, "the chain head is missing")
    return ChainReport(checked, True, head_hash=previous, anchors_checked=len(anchors))


def chain_head_hash() -> str:
    head = AuditChainHead.objects.filter(pk=1).first()
    return head.last_hash if head else GENESIS_HASH


def history_for(instance: models.Model):
    """The audit events about one object, newest first."""
    return AuditEvent.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
