"""Helpers the Ghent, Latvian and Mecklenburg-Vorpommern scenarios share, beside ``base.py``:

- :func:`load_schools`: a registry drawn with ``base.generate_registry`` and then adjusted (operators
  and places that belong together, exact counts per operator), written through the import engine
  like ``base.load_registry``;
- :func:`ensure_person`: the named people a history needs where a service refuses the system (a
  paper agreement is recorded by a person, a change request is filed by one, a document is
  approved by someone other than who uploaded it). Scenario users get no usable password;
- :func:`import_rows`: a CSV of rows through the import engine (deliveries without an order name
  their supplier through the engine's overrides; class lists go to the recipients target).
"""

import csv
import io
from collections.abc import Sequence
from itertools import groupby

from .base import RegistrySchool, RegistrySpec, Run, clock, registry_csv

SCENARIO_EMAIL_DOMAIN = "scenario.digileap.example"


def load_schools(run: Run, spec: RegistrySpec, schools: Sequence[RegistrySchool]) -> int:
    """Write ``schools`` (of ``spec``) through the import engine's generic school profile; returns
    how many schools were created."""
    from digileap.core.tabular.engine import run_import

    result = run_import(
        target="schools",
        profile="generic",
        source=io.BytesIO(registry_csv(spec, schools)),
        actor=run.actor,
        filename=f"scenario-{run.scenario.name}-{run.scale.name}.csv",
    )
    return result.created


def import_rows(
    run: Run,
    *,
    target: str,
    profile: str,
    rows: Sequence[dict[str, str]],
    filename: str,
    overrides: dict | None = None,
):
    """``rows`` (dicts with the same keys) as a CSV file through the import engine; the result."""
    from digileap.core.tabular.engine import run_import

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return run_import(
        target=target,
        profile=profile,
        source=io.BytesIO(out.getvalue().encode("utf-8")),
        actor=run.actor,
        filename=filename,
        overrides=overrides,
    )


def ensure_person(run: Run, *, username: str, first_name: str, last_name: str, role: str, scope_kind: str, scope=None):
    """The user ``username`` with the role ``role`` on ``scope`` (an authority, operator, school or
    supplier; None for scope all), created with an unusable password and audited the first time."""
    from digileap.accounts.models import RoleAssignment, User
    from digileap.core import audit

    changes = []
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@{SCENARIO_EMAIL_DOMAIN}",
        )
        user.set_unusable_password()
        user.save()
        changes.append(
            audit.change_for(
                "create", user, after=audit.snapshot(user, ["username", "first_name", "last_name", "email"])
            )
        )
        run.add("users", 1)
    lookup = {"user": user, "role": role, "scope_kind": scope_kind}
    if scope_kind != "all":
        lookup[scope_kind] = scope
    if not RoleAssignment.objects.filter(**lookup).exists():
        assignment = RoleAssignment(**lookup)
        assignment.full_clean()
        assignment.save()
        fields = ["user", "role", "scope_kind"] + ([scope_kind] if scope_kind != "all" else [])
        changes.append(audit.change_for("create", assignment, after=audit.snapshot(assignment, fields)))
        run.add("role assignments", 1)
    audit.record_many(actor=run.actor, changes=changes)
    return user


def hand_out_in_bulk(
    *,
    pairs: Sequence[tuple[int, int]],
    at,
    by,
    template,
    accepted: dict[int, tuple] | None = None,
    kit: Sequence[str] = ("charger", "bag"),
) -> dict[int, int]:
    """Hand a class's laptops out at once, the way ``device_assign`` does one device, for the
    sizes where one service call a device would take too long (the devices demo writes hand-outs
    the same way): ``pairs`` of (device id, recipient id), all at ``at`` by ``by``. Each device gets
    its assignment, its ``deployed`` event (``lifecycle``'s event rows) and status, and its user
    agreement in ``template``; ``accepted`` maps a device id to (time, signed by) for agreements
    accepted in the app, the others wait. Every assignment, agreement and acceptance is an audit
    event, as the services record them. Returns the assignment id of each device."""
    from django.utils import timezone

    from digileap.core import audit
    from digileap.core.audit import _actor_fields
    from digileap.core.bulk import bulk_insert
    from digileap.devices.models import Assignment, Device, DeviceEvent, UserAgreement
    from digileap.devices.services.agreements import ACCEPTANCE_FIELDS, AUDITED_FIELDS, IN_APP_ACTOR, new_token
    from digileap.devices.services.assignments import AUDITED_FIELDS as ASSIGNMENT_FIELDS

    accepted = accepted or {}
    device_ids = [device_id for device_id, _recipient in pairs]
    by_id = getattr(by, "pk", None)
    bulk_insert(
        Assignment,
        ["device", "recipient", "kit", "assigned_at", "assigned_by", "kit_returned", "return_note"],
        ((device_id, recipient_id, list(kit), at, by_id, [], "") for device_id, recipient_id in pairs),
    )
    assignments = {
        assignment.device_id: assignment
        for assignment in Assignment.objects.filter(device_id__in=device_ids, returned_at__isnull=True)
    }
    for assignment in assignments.values():
        assignment.assigned_at = at  # the same moment, in the caller's time zone, as the service records it
    actor_id, actor_label = _actor_fields(by)
    bulk_insert(
        DeviceEvent,
        ["device_id", "status", "previous_status", "occurred_at", "actor_id", "actor_label", "reason", "data"],
        (
            (device_id, "deployed", "delivered", at, actor_id, actor_label, "Handed out",
             {"assignment": assignments[device_id].pk})
            for device_id in device_ids
        ),
    )  # fmt: skip
    Device.objects.filter(pk__in=device_ids, status="delivered").update(
        status="deployed", status_changed_at=at, first_deployed_on=timezone.localdate(at)
    )
    rows = []
    for device_id in device_ids:
        when, signer = accepted.get(device_id, (None, ""))
        rows.append(
            (
                assignments[device_id].pk,
                template.pk,
                "accepted" if when else "pending",
                new_token(),
                at,
                when,
                "in_app" if when else "",
                signer,
                "",
                "",
                None,
                0,
                None,
            )
        )
    bulk_insert(
        UserAgreement,
        ["assignment", "template", "status", "token", "sent_at", "accepted_at", "accepted_via", "signed_by", "scan",
         "scan_sha256", "recorded_by", "reminder_count", "last_reminded_at"],
        rows,
    )  # fmt: skip
    device_of = {assignment.pk: device_id for device_id, assignment in assignments.items()}
    agreements = list(UserAgreement.objects.filter(assignment__in=list(device_of)))
    for agreement in agreements:
        agreement.sent_at = at
        if agreement.accepted_at is not None:
            agreement.accepted_at = accepted[device_of[agreement.assignment_id]][0]
    changes = [audit.change_for("create", a, after=audit.snapshot(a, ASSIGNMENT_FIELDS)) for a in assignments.values()]
    acceptances = []
    for agreement in agreements:
        issued_acceptance = {"status": "pending", "accepted_at": None, "accepted_via": "", "signed_by": ""}
        issued = {**audit.snapshot(agreement, AUDITED_FIELDS), **issued_acceptance}
        changes.append(audit.change_for("create", agreement, after=issued))
        if agreement.status == "accepted":
            change = audit.change_for(
                "accept",
                agreement,
                before={**issued_acceptance, "scan": "", "scan_sha256": "", "recorded_by": None},
                after=audit.snapshot(agreement, ACCEPTANCE_FIELDS),
            )
            assert agreement.accepted_at is not None  # an accepted agreement has its moment
            acceptances.append((agreement.accepted_at, change))
    audit.record_many(actor=by, changes=changes)
    for when, group in groupby(sorted(acceptances, key=lambda item: item[0]), key=lambda item: item[0]):
        with clock(when):
            audit.record_many(actor=IN_APP_ACTOR, changes=[change for _when, change in group])
    return {device_id: assignment.pk for device_id, assignment in assignments.items()}
