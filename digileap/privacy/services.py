"""Pupils' rights: everything about one recipient in one file (GDPR art. 15, ``export_recipient``
and ``export_recipient_pdf``), and the erasure of their personal data (art. 17,
``erase_recipient``). See docs/privacy.md.

Who may do it:

- erase: the data-protection officer of the recipient's authority and administrators (the
  ``add`` grant on ``privacy.erasure``);
- export: those, and whoever keeps the recipient's record (the ``change`` grant on
  ``devices.recipient``: the school's coordinator and its operator's staff). Programme owners,
  funding administrators and auditors read recipients in lists but do not export a pupil's file:
  an export gathers one person's whole record, which is the data-protection officer's business or
  the school's, which answers the pupil.

What "related" means: the recipient's assignments (with their devices, returns and agreements),
the tickets of those devices opened while the pupil held the device (from the hand-out to the
return, plus ``TICKET_GRACE`` after it, but never past the device's next hand-out: a device
returned damaged gets its ticket a day or two later), the device events of those assignments, the
audit entries about the recipient, its assignments and agreements, and the reads of the
pupil-data access log whose pupils include the recipient. The access log is searched with a JSON
containment query on PostgreSQL; on SQLite, which has none, the rows of the recipient's authority
(and those without one) are read and filtered in Python: one pass over that authority's log
(about 200 bytes a row; a million reads cost a few seconds, acceptable for a request a pupil
makes rarely).

Erasure anonymises in place: the recipient row stays as a tombstone so that device events,
assignments and the indicators that count them keep their rows. See ``erase_recipient``.
"""

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, assignments_for, authorize, permits, scope_q
from digileap.devices.models import Assignment, DeviceEvent, Recipient, Ticket, UserAgreement
from digileap.devices.services.agreements import new_token

from .access import Channel, log_pupil_read
from .models import Erasure, PupilDataAccess

EXPORT_FORMAT = "digileap-pupil-export"
EXPORT_FORMAT_VERSION = 1
TOMBSTONE_PREFIX = "ERASED-"
# What replaces free text about an erased pupil (ticket descriptions and resolutions).
REDACTED = "[erased]"
TICKET_GRACE = datetime.timedelta(days=7)


# --- who may ------------------------------------------------------------------------------------


def _erasable_condition(actor: Any) -> Q | None:
    """Recipients the actor may erase, as a condition on ``Recipient`` (None: every one): the
    scope paths of ``Erasure`` without their leading ``recipient__``."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(actor, Action.ADD, Erasure):
        if assignment.scope_kind == "all":
            return None
        path = Erasure.scope_paths.get(assignment.scope_kind)
        if path:
            condition |= Q(**{path.removeprefix("recipient__"): assignment.scope_id})
    return condition


def exportable_recipients(actor: Any) -> QuerySet[Recipient]:
    """The recipients whose file ``actor`` may export (see the module's docstring)."""
    keepers = scope_q(actor, Action.CHANGE, Recipient)
    erasers = _erasable_condition(actor)
    queryset = Recipient.objects.select_related("school")
    if keepers is None or erasers is None:
        return queryset
    return queryset.filter(keepers | erasers)


def may_export(actor: Any, recipient: Recipient) -> bool:
    return exportable_recipients(actor).filter(pk=recipient.pk).exists()


def may_erase(actor: Any, recipient: Recipient) -> bool:
    """Whether ``actor`` may erase ``recipient`` (whether or not it is erased already)."""
    return permits(actor, Action.ADD, Erasure(recipient=recipient))


# --- what belongs to a recipient --------------------------------------------------------------


@dataclass
class Related:
    """The rows that are about one recipient."""

    assignments: list[Assignment]
    agreements: list[UserAgreement]
    tickets: list[Ticket]
    device_events: list[DeviceEvent]


def _ticket_windows(assignments: list[Assignment]) -> Q:
    """Tickets of the assignments' devices opened while the recipient held them (see the module)."""
    condition = Q(pk__in=[])
    for assignment in assignments:
        end = None
        if assignment.returned_at is not None:
            end = assignment.returned_at + TICKET_GRACE
            following = (
                Assignment.objects.filter(device_id=assignment.device_id, assigned_at__gt=assignment.assigned_at)
                .order_by("assigned_at", "pk")
                .values_list("assigned_at", flat=True)
                .first()
            )
            if following is not None and following < end:
                end = following
        window = Q(device_id=assignment.device_id, opened_at__gte=assignment.assigned_at)
        if end is not None:
            window &= Q(opened_at__lt=end) if end != assignment.returned_at else Q(opened_at__lte=end)
        condition |= window
    return condition


def related_rows(recipient: Recipient) -> Related:
    assignments = list(
        Assignment.objects.filter(recipient=recipient)
        .select_related("device__device_model", "assigned_by", "returned_by")
        .order_by("assigned_at", "pk")
    )
    agreements = list(
        UserAgreement.objects.filter(assignment__recipient=recipient)
        .select_related("template", "recorded_by")
        .order_by("sent_at", "pk")
    )
    tickets = (
        list(
            Ticket.objects.filter(_ticket_windows(assignments))
            .select_related("device", "replacement_device", "supplier")
            .order_by("opened_at", "pk")
        )
        if assignments
        else []
    )
    assignment_ids = {assignment.pk for assignment in assignments}
    events = [
        event
        for event in DeviceEvent.objects.filter(device_id__in={a.device_id for a in assignments}).order_by(
            "occurred_at", "pk"
        )
        if isinstance(event.data, dict) and event.data.get("assignment") in assignment_ids
    ]
    return Related(assignments=assignments, agreements=agreements, tickets=tickets, device_events=events)


def access_log_rows(recipient: Recipient) -> list[PupilDataAccess]:
    """The reads of the pupil-data access log that showed ``recipient`` (see the module's docstring
    for the cost on SQLite)."""
    rows = PupilDataAccess.objects.order_by("occurred_at", "pk")
    if connection.vendor == "postgresql":
        return list(rows.filter(recipient_ids__contains=[recipient.pk]))
    authority_id = recipient.school.authority_id
    candidates = rows.filter(Q(authority_id=authority_id) | Q(authority__isnull=True))
    return [row for row in candidates.iterator() if recipient.pk in (row.recipient_ids or [])]


def _audit_rows(recipient: Recipient, related: Related) -> list[AuditEvent]:
    condition = Q(object_type=Recipient._meta.label_lower, object_id=str(recipient.pk))
    for model, rows in ((Assignment, related.assignments), (UserAgreement, related.agreements)):
        if rows:
            condition |= Q(object_type=model._meta.label_lower, object_id__in=[str(row.pk) for row in rows])
    return list(AuditEvent.objects.filter(condition).order_by("occurred_at", "pk"))


# --- export (art. 15) ---------------------------------------------------------------------------


def _moment(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _log_export(*, actor: Any, recipient: Recipient, file_format: str, path: str) -> None:
    """The export is a read of pupil data: one row in the access log, and an audit event."""
    log_pupil_read(
        user=actor,
        channel=Channel.EXPORT,
        what=f"privacy:recipient-export-{file_format}",
        recipient_ids=[recipient.pk],
        path=path,
        school=recipient.school,
    )
    audit.record(actor=actor, action="export", instance=recipient, after={"format": file_format})


def recipient_data(recipient: Recipient) -> dict[str, Any]:
    """Everything about ``recipient``, as JSON-safe data (no permission check, nothing logged)."""
    related = related_rows(recipient)
    school = recipient.school
    erasure = Erasure.objects.filter(recipient=recipient).first()
    agreements = {agreement.assignment_id: agreement for agreement in related.agreements}

    def device(assignment: Assignment) -> dict[str, Any]:
        item = assignment.device
        return {
            "id": item.pk,
            "serial": item.serial,
            "manufacturer": item.manufacturer,
            "model": item.device_model.name if item.device_model_id else None,
            "device_type": item.device_type,
            "condition": item.condition,
            "asset_tag": item.asset_tag,
        }

    return {
        "recipient": {
            "id": recipient.pk,
            "reference": recipient.reference,
            "display_name": recipient.display_name,
            "kind": recipient.kind,
            "school": {"id": school.pk, "number": school.number, "name": school.name},
            "grade": recipient.grade,
            "group": recipient.group,
            "isced_level": recipient.isced_level,
            "eligibility_group": recipient.eligibility_group,
            "source": recipient.source,
            "is_active": recipient.is_active,
            "created_at": _moment(recipient.created_at),
            "erased_at": _moment(recipient.erased_at),
        },
        "erasure": (
            {
                "tombstone": erasure.tombstone,
                "reason": erasure.reason,
                "erased_at": _moment(erasure.erased_at),
                "erased_by": _username(erasure.erased_by),
            }
            if erasure is not None
            else None
        ),
        "assignments": [
            {
                "id": assignment.pk,
                "device": device(assignment),
                "kit": assignment.kit,
                "assigned_at": _moment(assignment.assigned_at),
                "assigned_by": _username(assignment.assigned_by),
                "returned_at": _moment(assignment.returned_at),
                "agreement": agreements[assignment.pk].pk if assignment.pk in agreements else None,
            }
            for assignment in related.assignments
        ],
        "returns": [
            {
                "assignment": assignment.pk,
                "serial": assignment.device.serial,
                "returned_at": _moment(assignment.returned_at),
                "returned_by": _username(assignment.returned_by),
                "kit_returned": assignment.kit_returned,
                "note": assignment.return_note,
            }
            for assignment in related.assignments
            if assignment.returned_at is not None
        ],
        "agreements": [
            {
                "id": agreement.pk,
                "assignment": agreement.assignment_id,
                "template": {
                    "title": agreement.template.title,
                    "language": agreement.template.language,
                    "version": agreement.template.version,
                },
                "status": agreement.status,
                "sent_at": _moment(agreement.sent_at),
                "accepted_at": _moment(agreement.accepted_at),
                "accepted_via": agreement.accepted_via,
                "signed_by": agreement.signed_by,
                "has_signed_scan": bool(agreement.scan),
                "scan_sha256": agreement.scan_sha256,
                "recorded_by": _username(agreement.recorded_by),
                "reminder_count": agreement.reminder_count,
                "last_reminded_at": _moment(agreement.last_reminded_at),
            }
            for agreement in related.agreements
        ],
        "tickets": [
            {
                "id": ticket.pk,
                "serial": ticket.device.serial,
                "category": ticket.category,
                "status": ticket.status,
                "description": ticket.description,
                "opened_at": _moment(ticket.opened_at),
                "responded_at": _moment(ticket.responded_at),
                "resolved_at": _moment(ticket.resolved_at),
                "closed_at": _moment(ticket.closed_at),
                "resolution": ticket.resolution,
                "replacement_serial": ticket.replacement_device.serial if ticket.replacement_device else None,
                "supplier": ticket.supplier.name if ticket.supplier else None,
            }
            for ticket in related.tickets
        ],
        "device_events": [
            {
                "id": event.pk,
                "device": event.device_id,
                "status": event.status,
                "previous_status": event.previous_status,
                "occurred_at": _moment(event.occurred_at),
                "by": event.actor_label,
                "reason": event.reason,
                "assignment": event.data.get("assignment"),
            }
            for event in related.device_events
        ],
        "history": [
            {
                "id": event.pk,
                "occurred_at": _moment(event.occurred_at),
                "by": event.actor_label,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "before": event.before,
                "after": event.after,
            }
            for event in _audit_rows(recipient, related)
        ],
        "access_log": [
            {
                "id": row.pk,
                "occurred_at": _moment(row.occurred_at),
                "by": row.actor_label,
                "channel": row.channel,
                "what": row.what,
                "what_label": row.what_label,
                "pupils_shown": row.rows,
            }
            for row in access_log_rows(recipient)
        ],
    }


def _refuse_unless_exporter(actor: Any, recipient: Recipient) -> None:
    if not may_export(actor, recipient):
        raise PermissionDenied("export of a recipient is outside the user's role or scope")


@transaction.atomic
def export_recipient(*, actor: Any, recipient: Recipient, path: str = "") -> dict[str, Any]:
    """Everything about ``recipient`` (GDPR art. 15) as JSON-safe data, with the format and who
    exported it when. Logged as a pupil read (channel "export") and audited (action "export").
    Raises ``PermissionDenied`` unless the actor may export the recipient."""
    _refuse_unless_exporter(actor, recipient)
    recipient = Recipient.objects.select_related("school").get(pk=recipient.pk)
    _log_export(actor=actor, recipient=recipient, file_format="json", path=path)
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _moment(timezone.now()),
        "exported_by": actor.get_username() if hasattr(actor, "get_username") else str(actor),
        **recipient_data(recipient),
    }


PDF_TEMPLATE = "privacy/pdf/recipient_export.html"


@transaction.atomic
def export_recipient_pdf(*, actor: Any, recipient: Recipient, language: str | None = None, path: str = "") -> bytes:
    """The same as ``export_recipient``, as a PDF (WeasyPrint) in ``language`` (default: the
    active one). Logged and audited in the same way."""
    from digileap.devices.agreements_pdf import render_pdf

    _refuse_unless_exporter(actor, recipient)
    recipient = Recipient.objects.select_related("school").get(pk=recipient.pk)
    _log_export(actor=actor, recipient=recipient, file_format="pdf", path=path)
    data = recipient_data(recipient)
    language = language or translation.get_language()
    with translation.override(language):
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "data": data,
                "language": language,
                "moment": timezone.now().replace(microsecond=0).isoformat(),
                "exported_by": actor.get_username() if hasattr(actor, "get_username") else str(actor),
            },
        )
    return render_pdf(html)


# --- erasure (art. 17) --------------------------------------------------------------------------


def _new_tombstone() -> str:
    while True:
        tombstone = f"{TOMBSTONE_PREFIX}{secrets.token_hex(6).upper()}"
        if not Erasure.objects.filter(tombstone=tombstone).exists():
            return tombstone


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


@transaction.atomic
def erase_recipient(*, actor: Any, recipient: Recipient, reason: str, note: str = "") -> Erasure:
    """Erase ``recipient``'s personal data (GDPR art. 17), anonymising in place:

    - the recipient: reference → a tombstone ``ERASED-<12 hex>``, name and class or group
      cleared, no longer active, ``erased_at`` set. Kept: school, pupil or teacher, grade, ISCED
      level, eligibility group and source, which the indicators and evidence packs count by and
      which do not single a pupil out;
    - assignments: kept (the devices' history and the indicators need them), the return note cleared;
    - user agreements: the signed scan and its SHA-256 cleared (the file is deleted from storage
      once the transaction commits), the acceptance link's token replaced; status, dates, who
      signed (parent, pupil, teacher) and how stay;
    - tickets opened while the pupil held the device: description and resolution replaced by
      ``REDACTED``; category, status and dates stay (service levels).

    One ``Erasure`` row and one audit event (action "erase") holding only the recipient's id, the
    tombstone, the reason and how many rows were changed; never the erased reference, name or
    texts. ``note`` is the officer's own; it may not contain the erased reference or name.

    Raises ``PermissionDenied`` unless the actor is the data-protection officer of the recipient's
    authority or an administrator; ``ValidationError`` (keys ``recipient``, ``reason``, ``note``)
    when the recipient is erased already, still holds a device, or the reason or note is wrong.
    """
    authorize(actor, Action.ADD, Erasure(recipient=recipient))
    locked = Recipient.objects.select_for_update().select_related("school").get(pk=recipient.pk)
    if locked.erased_at is not None or Erasure.objects.filter(recipient=locked).exists():
        raise ValidationError({"recipient": [_("This person's data was erased already.")]})
    if reason not in Erasure.Reason.values:
        raise ValidationError({"reason": [_("Choose why the data is erased.")]})
    note = " ".join((note or "").split())
    limit = Erasure._meta.get_field("note").max_length or 500
    errors = []
    if len(note) > limit:
        errors.append(_("At most %(limit)s characters.") % {"limit": limit})
    lowered = note.casefold()
    if any(secret and secret.casefold() in lowered for secret in (locked.reference, locked.display_name)):
        errors.append(_("The note may not contain the reference or name that is erased."))
    if errors:
        raise ValidationError({"note": errors})
    holding = (
        Assignment.objects.filter(recipient=locked, returned_at__isnull=True)
        .select_related("device")
        .order_by("assigned_at")
        .first()
    )
    if holding is not None:
        raise ValidationError(
            {
                "recipient": [
                    _("%(reference)s still has device %(serial)s. Record its return first, then erase.")
                    % {"reference": locked.reference, "serial": holding.device.serial}
                ]
            }
        )
    related = related_rows(locked)
    tombstone = _new_tombstone()

    locked.reference = tombstone
    locked.display_name = ""
    locked.group = ""
    locked.is_active = False
    locked.erased_at = timezone.now()
    locked.save(update_fields=["reference", "display_name", "group", "is_active", "erased_at"])

    Assignment.objects.filter(recipient=locked).exclude(return_note="").update(return_note="")

    scans: list[str] = []
    storage: Storage | None = None
    for agreement in related.agreements:
        if agreement.scan and agreement.scan.name:
            scans.append(agreement.scan.name)
            storage = agreement.scan.storage
        agreement.scan = ""
        agreement.scan_sha256 = ""
        agreement.token = new_token()
        agreement.save(update_fields=["scan", "scan_sha256", "token"])

    redacted = 0
    for ticket in related.tickets:
        ticket.description = REDACTED
        ticket.resolution = REDACTED if ticket.resolution else ""
        ticket.save(update_fields=["description", "resolution"])
        redacted += 1

    erasure = Erasure.objects.create(
        recipient=locked,
        tombstone=tombstone,
        reason=reason,
        note=note,
        erased_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="erase",
        instance=locked,
        after={
            "recipient": locked.pk,
            "tombstone": tombstone,
            "reason": reason,
            "assignments": len(related.assignments),
            "agreements": len(related.agreements),
            "signed_scans_deleted": len(scans),
            "tickets_redacted": redacted,
        },
    )
    if scans and storage is not None:
        files_storage = storage
        transaction.on_commit(lambda: _delete_files(files_storage, scans))
    recipient.reference, recipient.display_name, recipient.group = tombstone, "", ""
    recipient.is_active, recipient.erased_at = False, locked.erased_at
    return erasure
