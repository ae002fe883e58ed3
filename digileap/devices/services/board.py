"""The roll-out board: a school's way through the three phases of seed 002 (preparation, delivery,
aftercare until a set date), then closed; its status; and a checklist per phase.

Rules:
- ``rollout_start`` puts a school of the programme's authority on the board, in preparation, with
  the default checklist (``DEFAULT_CHECKLIST``). Default steps carry only their code: their labels
  are translatable strings looked up here (``step_label``), so each reader sees them in their
  language. Steps added by hand (``checklist_add``) carry their own label.
- Ticking and unticking a step records who and when, and an audit event.
- A school moves one phase on at a time. While steps of its current phase are open it moves on
  only with ``force`` and a note, which the audit event keeps with the open steps. Aftercare needs
  the date it lasts until. Closing sets the status to done.
- The status (not started, on track, at risk, blocked, done) is set by hand.

Every service locks the rows it changes, authorises first, writes nothing when it refuses, and
records one audit event per change.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.permissions import Action, assignments_for, authorize, can, permits
from digileap.schools.models import School

from ..models import ChecklistItem, SchoolRollout

Phase = SchoolRollout.Phase

# The default checklist of seed 002: (phase, code, label). Codes are stored, labels translated.
DEFAULT_CHECKLIST: list[tuple[str, str, object]] = [
    (Phase.PREPARATION, "counts_confirmed", gettext_lazy("Counts confirmed")),
    (Phase.PREPARATION, "os_profile_chosen", gettext_lazy("OS image or profile chosen for the school type")),
    (Phase.PREPARATION, "agreements_sent", gettext_lazy("User agreements sent")),
    (Phase.PREPARATION, "management_rules_agreed", gettext_lazy("Device-management rules agreed")),
    (Phase.DELIVERY, "delivery_received", gettext_lazy("Delivery received")),
    (Phase.DELIVERY, "delivery_accepted", gettext_lazy("Delivery accepted")),
    (Phase.DELIVERY, "devices_handed_out", gettext_lazy("Devices handed out")),
    (Phase.AFTERCARE, "aftercare_contact_known", gettext_lazy("Aftercare contact known")),
    (Phase.AFTERCARE, "first_check_in_done", gettext_lazy("First check-in done")),
]
STEP_LABELS = {code: label for _phase, code, label in DEFAULT_CHECKLIST}
# The order a school goes through; each phase's successor.
PHASE_ORDER: list[str] = [Phase.PREPARATION, Phase.DELIVERY, Phase.AFTERCARE, Phase.CLOSED]
NEXT_PHASE = dict(zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False))
CHECKLIST_PHASES = PHASE_ORDER[:-1]
CUSTOM_CODE = re.compile(r"^custom-(\d+)$")


def step_label(item: ChecklistItem) -> str:
    """What a person reads for a step: its own label (added by hand) or the default step's label."""
    return item.label or str(STEP_LABELS.get(item.code, item.code))


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked_rollout(rollout: SchoolRollout) -> SchoolRollout:
    return SchoolRollout.objects.select_for_update(of=("self",)).select_related("school").get(pk=rollout.pk)


def _checklist_rows(rollout: SchoolRollout) -> list[ChecklistItem]:
    return [
        ChecklistItem(rollout=rollout, phase=phase, code=code, position=position)
        for position, (phase, code, _label) in enumerate(DEFAULT_CHECKLIST, start=1)
    ]


def _check_school(programme, school: School) -> None:
    if school.authority_id != programme.authority_id:
        raise ValidationError(
            {
                "school": _("%(school)s belongs to another authority than the programme %(programme)s.")
                % {"school": school.name, "programme": programme.code}
            }
        )


@transaction.atomic
def rollout_start(*, programme, school: School, actor, os_profile: str = "") -> SchoolRollout:
    """Put ``school`` on the programme's board: in preparation, not started, with the default checklist."""
    rollout = SchoolRollout(programme=programme, school=school, os_profile=(os_profile or "").strip()[:120])
    authorize(actor, Action.ADD, rollout)
    _check_school(programme, school)
    if SchoolRollout.objects.filter(programme=programme, school=school).exists():
        raise ValidationError(
            {"school": _("%(school)s is already on the board of this programme.") % {"school": school.name}}
        )
    try:
        with transaction.atomic():
            rollout.save()
    except IntegrityError:
        # Started at the same moment by someone else.
        raise ValidationError(
            {"school": _("%(school)s is already on the board of this programme.") % {"school": school.name}}
        ) from None
    ChecklistItem.objects.bulk_create(_checklist_rows(rollout))
    after = audit.snapshot(rollout)
    after["checklist"] = [code for _phase, code, _label in DEFAULT_CHECKLIST]
    audit.record(actor=actor, action="create", instance=rollout, after=after)
    return rollout


def startable_schools(user, programme, operator=None):
    """Schools of the programme's authority that ``user`` may put on the board and that are not on it yet."""
    schools = School.objects.filter(authority_id=programme.authority_id).exclude(
        pk__in=SchoolRollout.objects.filter(programme=programme).values("school")
    )
    if operator is not None:
        schools = schools.filter(operator=operator)
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.ADD, SchoolRollout):
        if assignment.scope_kind == "all":
            return schools.order_by("name", "number", "pk")
        path = SchoolRollout.scope_paths.get(assignment.scope_kind)
        if path is None:
            continue
        school_path = "pk" if path == "school" else path.removeprefix("school__")
        condition |= Q(**{f"{school_path}__in": [assignment.scope_id]})
    return schools.filter(condition).order_by("name", "number", "pk")


@transaction.atomic
def rollout_start_many(*, programme, actor, operator=None) -> int:
    """Start the board for every school of the programme (of ``operator`` when given) that the actor
    may start and that is not on it yet. Returns how many schools were added."""
    if not can(actor, Action.ADD, SchoolRollout):
        raise PermissionDenied(_("You may not start the roll-out board."))
    if not permits(actor, Action.VIEW, programme):
        raise ValidationError({"programme": _("This programme is outside your scope.")})
    schools = list(startable_schools(actor, programme, operator))
    if not schools:
        return 0
    try:
        with transaction.atomic():
            rollouts = SchoolRollout.objects.bulk_create(
                [SchoolRollout(programme=programme, school=school) for school in schools], batch_size=1000
            )
    except IntegrityError:
        raise ValidationError(_("Some of these schools were put on the board at the same moment; try again.")) from None
    if any(rollout.pk is None for rollout in rollouts):
        # Databases that return no keys from a bulk insert (none we support, but be safe).
        rollouts = list(SchoolRollout.objects.filter(programme=programme, school__in=schools))
    ChecklistItem.objects.bulk_create(
        [row for rollout in rollouts for row in _checklist_rows(rollout)], batch_size=2000
    )
    codes = [code for _phase, code, _label in DEFAULT_CHECKLIST]
    audit.record_many(
        actor=actor,
        changes=[
            audit.change_for("create", rollout, after={**audit.snapshot(rollout), "checklist": codes})
            for rollout in rollouts
        ],
    )
    return len(rollouts)


@transaction.atomic
def checklist_tick(*, item: ChecklistItem, actor, is_done: bool = True) -> ChecklistItem:
    """Tick a step off (``is_done``) or untick it, recording who and when."""
    item = ChecklistItem.objects.select_for_update(of=("self",)).select_related("rollout").get(pk=item.pk)
    authorize(actor, Action.CHANGE, item)
    if item.rollout.phase == Phase.CLOSED:
        raise ValidationError(_("The board of this school is closed: its steps cannot change."))
    if item.is_done == is_done:
        message = _("This step is already done.") if is_done else _("This step is not done yet.")
        raise ValidationError({"is_done": message})
    before = audit.snapshot(item, ["is_done", "done_by", "done_at"])
    item.is_done = is_done
    item.done_by = _user_or_none(actor) if is_done else None
    item.done_at = timezone.now() if is_done else None
    item.save(update_fields=["is_done", "done_by", "done_at"])
    after = audit.snapshot(item, ["is_done", "done_by", "done_at"])
    after.update(code=item.code, phase=item.phase)
    audit.record(actor=actor, action="tick" if is_done else "untick", instance=item, before=before, after=after)
    return item


@transaction.atomic
def checklist_add(*, rollout: SchoolRollout, phase: str, label: str, actor) -> ChecklistItem:
    """Add a step of the school's own to a phase's checklist (at its end)."""
    rollout = _locked_rollout(rollout)
    item = ChecklistItem(rollout=rollout, phase=phase)
    authorize(actor, Action.ADD, item)
    if rollout.phase == Phase.CLOSED:
        raise ValidationError(_("The board of this school is closed: no steps can be added."))
    errors = {}
    label = (label or "").strip()
    if phase not in CHECKLIST_PHASES:
        errors["phase"] = _("Choose preparation, delivery or aftercare.")
    if not label:
        errors["label"] = _("Describe the step.")
    elif len(label) > 200:
        errors["label"] = _("Describe the step in at most 200 characters (this has %(count)d).") % {"count": len(label)}
    if errors:
        raise ValidationError(errors)
    numbers = [
        int(match.group(1))
        for code in ChecklistItem.objects.filter(rollout=rollout, code__startswith="custom-").values_list(
            "code", flat=True
        )
        if (match := CUSTOM_CODE.match(code))
    ]
    last = ChecklistItem.objects.filter(rollout=rollout, phase=phase).aggregate(last=Max("position"))["last"] or 0
    item.code = f"custom-{max(numbers, default=0) + 1}"
    item.label = label
    item.position = last + 1
    item.save()
    audit.record(actor=actor, action="create", instance=item, after=audit.snapshot(item))
    return item


def open_steps(rollout: SchoolRollout, phase: str) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(rollout=rollout, phase=phase, is_done=False).order_by("position", "pk"))


@transaction.atomic
def rollout_move_phase(
    *,
    rollout: SchoolRollout,
    phase: str,
    actor,
    force: bool = False,
    note: str = "",
    aftercare_until: datetime.date | None = None,
) -> SchoolRollout:
    """Move the school to the next phase. Open steps of the current phase block it unless ``force``
    with a ``note``; aftercare needs ``aftercare_until`` (or the date already set)."""
    rollout = _locked_rollout(rollout)
    authorize(actor, Action.CHANGE, rollout)
    current = rollout.phase
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Unknown phase %(phase)r.") % {"phase": phase}})
    expected = NEXT_PHASE.get(current)
    if expected is None:
        raise ValidationError({"phase": _("The board of this school is closed: it has no next phase.")})
    if phase != expected:
        raise ValidationError(
            {
                "phase": _("A school in %(current)s moves on to %(next)s, not to %(phase)s.")
                % {
                    "current": Phase(current).label,
                    "next": Phase(expected).label,
                    "phase": Phase(phase).label,
                }
            }
        )
    note = (note or "").strip()
    errors = {}
    still_open = open_steps(rollout, current)
    if still_open and not force:
        errors["phase"] = _("%(count)d step(s) of %(phase)s are still open: %(steps)s.") % {
            "count": len(still_open),
            "phase": Phase(current).label,
            "steps": "; ".join(step_label(item) for item in still_open),
        }
    elif still_open and not note:
        errors["note"] = _("Say why the school moves on while steps are still open.")
    until = aftercare_until or rollout.aftercare_until
    if phase == Phase.AFTERCARE and until is None:
        errors["aftercare_until"] = _("Set the date aftercare lasts until.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(rollout, ["phase", "status", "aftercare_until"])
    rollout.phase = phase
    if phase == Phase.AFTERCARE:
        rollout.aftercare_until = until
    if phase == Phase.CLOSED:
        rollout.status = SchoolRollout.Status.DONE
    rollout.save(update_fields=["phase", "status", "aftercare_until", "updated_at"])
    after = audit.snapshot(rollout, ["phase", "status", "aftercare_until"])
    if still_open:
        after.update(forced=True, note=note, open_steps=[item.code for item in still_open])
    elif note:
        after["note"] = note
    audit.record(actor=actor, action="phase", instance=rollout, before=before, after=after)
    return rollout


@transaction.atomic
def rollout_set_status(*, rollout: SchoolRollout, status: str, actor) -> SchoolRollout:
    """Set the school's status on the board."""
    rollout = _locked_rollout(rollout)
    authorize(actor, Action.CHANGE, rollout)
    if status not in SchoolRollout.Status.values:
        raise ValidationError(
            {"status": _("Choose one of: %(choices)s.") % {"choices": ", ".join(SchoolRollout.Status.values)}}
        )
    if status == rollout.status:
        raise ValidationError(
            {"status": _("The status is already %(status)s.") % {"status": SchoolRollout.Status(status).label}}
        )
    before = rollout.status
    rollout.status = status
    rollout.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="status", instance=rollout, before={"status": before}, after={"status": status})
    return rollout


@transaction.atomic
def rollout_update(
    *, rollout: SchoolRollout, actor, os_profile: str, aftercare_until: datetime.date | None, note: str
) -> SchoolRollout:
    """Edit the school's OS image or profile, the date aftercare lasts until, and the note."""
    rollout = _locked_rollout(rollout)
    authorize(actor, Action.CHANGE, rollout)
    os_profile = (os_profile or "").strip()
    errors = {}
    if len(os_profile) > 120:
        errors["os_profile"] = _("Name the OS image or profile in at most 120 characters.")
    if aftercare_until is None and rollout.phase == Phase.AFTERCARE:
        errors["aftercare_until"] = _("A school in aftercare needs the date aftercare lasts until.")
    if errors:
        raise ValidationError(errors)
    fields = ["os_profile", "aftercare_until", "note"]
    before = audit.snapshot(rollout, fields)
    rollout.os_profile = os_profile
    rollout.aftercare_until = aftercare_until
    rollout.note = (note or "").strip()
    rollout.save(update_fields=[*fields, "updated_at"])
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(rollout, fields))
    if changed_after:
        audit.record(actor=actor, action="update", instance=rollout, before=changed_before, after=changed_after)
    return rollout
