"""Writes to programmes. Each service checks the actor's role and scope, validates, writes, audits.

Snapshots are derived data (recomputable from the records at any time) and are not audited; every
record they are computed from is.
"""

import datetime
import hashlib
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.uploads import check_upload

from .indicators import get_kind, require_kind
from .models import (
    EvidenceDocument,
    EvidencePack,
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    IndicatorSnapshot,
    ManualValue,
    Objective,
    Programme,
    Target,
)
from .status import assess, target_start
from .translation import translations

PROGRAMME_FIELDS = [
    "code",
    "name",
    "description",
    "authority",
    "country",
    "region",
    "period_start",
    "period_end",
    "status",
    "is_public",
    "climate_contribution",
    "digital_contribution",
    "sdgs",
    "tags",
    "gender_equality_impact",
    "end_goal",
    "source_url",
]
TRANSLATED_FIELDS = {"name", "description", "gender_equality_impact", "end_goal", "title", "verification", "note"}
FUNDING_SOURCE_FIELDS = ["kind", "name", "amount", "cofinancing_rate", "position", "note"]
OBJECTIVE_FIELDS = ["position", "title", "description"]
TARGET_FIELDS = [
    "kind",
    "position",
    "number",
    "title",
    "description",
    "baseline",
    "target_value",
    "unit",
    "accumulation",
    "period_start",
    "due_date",
    "due_label",
    "verification",
    "reported_status",
]

M = TypeVar("M", bound=models.Model)


def _apply(instance: models.Model, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in data.items():
        if name in TRANSLATED_FIELDS:
            value = translations(value)
        elif name == "sdgs" and isinstance(value, list | tuple):
            value = sorted(value) if all(isinstance(v, int) for v in value) else list(value)
        setattr(instance, name, value)


def _create(actor, instance: M) -> M:
    authorize(actor, Action.ADD, instance)
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


def _update(actor, model: type[M], pk: int, data: dict[str, Any], allowed: list[str]) -> M:
    instance = model._default_manager.select_for_update().get(pk=pk)
    authorize(actor, Action.CHANGE, instance)
    before = audit.snapshot(instance)
    _apply(instance, data, allowed)
    authorize(actor, Action.CHANGE, instance)  # still within the scope after the change
    instance.full_clean()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(instance))
    if not changed_after:
        return instance  # nothing to write (``updated_at`` keeps its meaning)
    instance.save()
    audit.record(actor=actor, action="update", instance=instance, before=changed_before, after=changed_after)
    return instance


# --- programmes --------------------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor, data: dict[str, Any]) -> Programme:
    programme = Programme()
    _apply(programme, data, PROGRAMME_FIELDS)
    if not programme.name:
        raise ValidationError({"name": _("A programme needs a name in at least one language.")})
    return _create(actor, programme)


@transaction.atomic
def programme_update(*, actor, programme: Programme, data: dict[str, Any]) -> Programme:
    if "name" in data and not translations(data["name"]):
        raise ValidationError({"name": _("A programme needs a name in at least one language.")})
    return _update(actor, Programme, programme.pk, data, PROGRAMME_FIELDS)


@transaction.atomic
def programme_publish(*, actor, programme: Programme, is_public: bool) -> Programme:
    """Show (``is_public``) or hide the programme's public page. Audited as ``publish`` or ``unpublish``."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    authorize(actor, Action.CHANGE, programme)
    if programme.is_public == is_public:
        return programme
    before = audit.snapshot(programme, ["is_public"])
    programme.is_public = is_public
    programme.save(update_fields=["is_public", "updated_at"])
    audit.record(
        actor=actor,
        action="publish" if is_public else "unpublish",
        instance=programme,
        before=before,
        after=audit.snapshot(programme, ["is_public"]),
    )
    return programme


# What a copy takes from the programme it starts from. Not copied: the records indicators count
# (funding transactions, manual values, evidence documents), snapshots and evidence packs, which
# belong to the original's history; the copy starts planned and not public.
COPIED_TARGET_FIELDS = [name for name in TARGET_FIELDS if name != "reported_status"]


@transaction.atomic
def programme_copy(*, actor, programme: Programme, code: str) -> Programme:
    """A new programme under ``code`` with the texts, funding sources, objectives, milestones and
    targets of ``programme`` and their indicator definitions, as the start of a new one.

    One audit event ``copy`` for the new programme (naming the original) and one ``create`` per
    copied row."""
    original = Programme.objects.get(pk=programme.pk)
    authorize(actor, Action.VIEW, original)
    copy = Programme(
        **{name: getattr(original, name) for name in PROGRAMME_FIELDS if name not in {"code", "status", "is_public"}},
        code=(code or "").strip(),
        status=Programme.Status.PLANNED,
        is_public=False,
    )
    authorize(actor, Action.ADD, copy)
    copy.full_clean()
    copy.save()
    after = audit.snapshot(copy)
    after["copied_from"] = {"id": original.pk, "code": original.code}
    changes = [audit.change_for("copy", copy, after=after)]

    def add(instance: M) -> M:
        authorize(actor, Action.ADD, instance)
        instance.full_clean()
        instance.save()
        changes.append(audit.change_for("create", instance, after=audit.snapshot(instance)))
        return instance

    for source in original.funding_sources.order_by("position", "id"):
        add(FundingSource(programme=copy, **{name: getattr(source, name) for name in FUNDING_SOURCE_FIELDS}))
    for objective in original.objectives.order_by("position"):
        add(Objective(programme=copy, **{name: getattr(objective, name) for name in OBJECTIVE_FIELDS}))
    indicators: dict[int, IndicatorDefinition] = {}
    for target in original.targets.select_related("indicator").order_by("position"):
        if target.indicator_id is not None and target.indicator_id not in indicators:
            indicator = target.defined_indicator  # the target has an indicator: its id is set
            indicators[indicator.pk] = add(
                IndicatorDefinition(programme=copy, kind=indicator.kind, parameters=indicator.parameters)
            )
        add(
            Target(
                programme=copy,
                indicator=indicators.get(target.indicator_id) if target.indicator_id is not None else None,
                **{name: getattr(target, name) for name in COPIED_TARGET_FIELDS},
            )
        )
    audit.record_many(actor=actor, changes=changes)
    return copy


@transaction.atomic
def funding_source_create(*, actor, programme: Programme, data: dict[str, Any]) -> FundingSource:
    source = FundingSource(programme=programme)
    _apply(source, data, FUNDING_SOURCE_FIELDS)
    return _create(actor, source)


@transaction.atomic
def funding_source_update(*, actor, source: FundingSource, data: dict[str, Any]) -> FundingSource:
    return _update(actor, FundingSource, source.pk, data, FUNDING_SOURCE_FIELDS)


@transaction.atomic
def objective_create(*, actor, programme: Programme, data: dict[str, Any]) -> Objective:
    objective = Objective(programme=programme)
    _apply(objective, data, OBJECTIVE_FIELDS)
    return _create(actor, objective)


@transaction.atomic
def objective_update(*, actor, objective: Objective, data: dict[str, Any]) -> Objective:
    return _update(actor, Objective, objective.pk, data, OBJECTIVE_FIELDS)


# --- milestones, targets and their indicators -----------------------------------------------------


@transaction.atomic
def target_create(*, actor, programme: Programme, data: dict[str, Any]) -> Target:
    target = Target(programme=programme)
    _apply(target, data, TARGET_FIELDS)
    return _create(actor, target)


@transaction.atomic
def target_update(*, actor, target: Target, data: dict[str, Any]) -> Target:
    return _update(actor, Target, target.pk, data, TARGET_FIELDS)


@transaction.atomic
def indicator_define(*, actor, target: Target, kind: str, parameters: dict | None = None) -> IndicatorDefinition:
    """Say how the target's value is computed. Changing the kind or parameters of an indicator that
    already has manual values starts a new indicator, so the values keep their meaning."""
    parameters = parameters or {}
    require_kind(kind).validate_parameters(parameters)
    target = Target.objects.select_for_update().get(pk=target.pk)
    authorize(actor, Action.CHANGE, target)
    current = target.indicator
    if current is not None and current.kind == kind and current.parameters == parameters:
        return current
    # Reusable: no manual value counts for the current indicator and no other target shares it.
    if (
        current is not None
        and not current.manual_values.exists()
        and not current.targets.exclude(pk=target.pk).exists()
    ):
        before = audit.snapshot(current)
        current.kind, current.parameters = kind, parameters
        current.save()
        audit.record(actor=actor, action="update", instance=current, before=before, after=audit.snapshot(current))
        return current
    indicator = _create(actor, IndicatorDefinition(programme=target.programme, kind=kind, parameters=parameters))
    before = audit.snapshot(target, ["indicator"])
    target.indicator = indicator
    target.save(update_fields=["indicator"])
    audit.record(
        actor=actor, action="update", instance=target, before=before, after=audit.snapshot(target, ["indicator"])
    )
    return indicator


# --- the records indicators count ----------------------------------------------------------------


def _sha256(file) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def evidence_document_upload(
    *, actor, programme: Programme, title: str, file: File, target: Target | None = None
) -> EvidenceDocument:
    if target is not None and target.programme_id != programme.pk:
        raise ValidationError({"target": _("The milestone belongs to another programme.")})
    document = EvidenceDocument(
        programme=programme,
        target=target,
        title=title,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=timezone.now(),
    )
    authorize(actor, Action.ADD, document)
    check_upload(file, field="file")  # by content: a PDF, an image or an office file, within the size limit
    document.sha256 = _sha256(file)
    # Everything but the file is checked before the file is stored: a refused document leaves no
    # file behind. If the row cannot be written after all, the stored file is removed again.
    document.full_clean(exclude=["file"])
    # ``check_upload`` refuses a file without a name (it has no extension to check), so it has one.
    assert file.name is not None
    document.file.save(file.name.rsplit("/", 1)[-1], file, save=False)
    try:
        document.save()
        audit.record(actor=actor, action="create", instance=document, after=audit.snapshot(document))
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def evidence_document_approve(*, actor, document: EvidenceDocument) -> EvidenceDocument:
    document = EvidenceDocument.objects.select_for_update().get(pk=document.pk)
    authorize(actor, Action.CHANGE, document)
    if document.is_approved:
        raise ValidationError(_("This document is already approved."))
    if getattr(actor, "pk", None) is not None and document.uploaded_by_id == actor.pk:
        raise ValidationError(_("A document is approved by someone other than the person who uploaded it."))
    before = audit.snapshot(document, ["approved_by", "approved_at"])
    document.approved_by = actor if getattr(actor, "pk", None) else None
    document.approved_at = timezone.now()
    document.save(update_fields=["approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="approve",
        instance=document,
        before=before,
        after=audit.snapshot(document, ["approved_by", "approved_at"]),
    )
    return document


@transaction.atomic
def manual_value_record(*, actor, target: Target, value: Decimal, as_of: datetime.date, note: str = "") -> ManualValue:
    """Record a value for an indicator declared manual (and only for those)."""
    indicator = target.indicator
    kind = get_kind(indicator.kind) if indicator else None
    if kind is None or not kind.is_manual:
        raise ValidationError(_("Values are entered by hand only for indicators declared manual."))
    manual = ManualValue(
        indicator=indicator,
        as_of=as_of,
        value=value,
        note=note,
        entered_by=actor if getattr(actor, "pk", None) else None,
        entered_at=timezone.now(),
    )
    return _create(actor, manual)


@transaction.atomic
def funding_transaction_record(
    *,
    actor,
    programme: Programme,
    source: FundingSource,
    kind: str,
    amount: Decimal,
    date: datetime.date,
    school=None,
    reference: str = "",
) -> FundingTransaction:
    if source.programme_id != programme.pk:
        raise ValidationError({"source": _("The funding source belongs to another programme.")})
    if school is not None and school.authority_id != programme.authority_id:
        raise ValidationError({"school": _("The school belongs to another authority.")})
    entry = FundingTransaction(
        programme=programme,
        source=source,
        kind=kind,
        amount=amount,
        date=date,
        school=school,
        reference=reference,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=timezone.now(),
    )
    return _create(actor, entry)


# --- snapshots ---------------------------------------------------------------------------------


def target_value(target: Target, as_of: datetime.date) -> Decimal | None:
    """The target's indicator value on ``as_of``, or None when it has no indicator of a known kind."""
    indicator = target.indicator
    kind = get_kind(indicator.kind) if indicator is not None else None
    if kind is None:
        return None
    return kind.compute(target, as_of)


@transaction.atomic
def snapshot_record(*, target: Target, as_of: datetime.date, history: list | None = None) -> IndicatorSnapshot | None:
    """Compute and store the target's value and status on ``as_of`` (replacing that day's snapshot).

    ``history`` is the (day, value) list of earlier snapshots, when the caller has it in memory."""
    value = target_value(target, as_of)
    if value is None:
        return None
    if history is None:
        since = as_of - datetime.timedelta(days=60)
        history = list(target.snapshots.filter(date__gte=since, date__lt=as_of).values_list("date", "value"))
    assessment = assess(
        value=value,
        baseline=target.baseline,
        target_value=target.target_value,
        due_date=target.due_date,
        as_of=as_of,
        start=target_start(target),
        snapshots=history,
    )
    snapshot, _created = IndicatorSnapshot.objects.update_or_create(
        target=target,
        date=as_of,
        defaults={"value": value, "status": assessment.status, "computed_at": timezone.now()},
    )
    return snapshot


def snapshots_record(*, as_of: datetime.date, programmes=None) -> int:
    """Today's snapshot for every target with a computable indicator. Returns how many were written."""
    targets = Target.objects.filter(indicator__isnull=False).select_related("indicator", "programme")
    if programmes is not None:
        targets = targets.filter(programme__in=programmes)
    return sum(1 for target in targets if snapshot_record(target=target, as_of=as_of) is not None)


def snapshots_backfill(*, start: datetime.date, end: datetime.date, programmes=None) -> int:
    """Recompute the snapshots of each day from ``start`` to ``end``, for kinds whose data keep their
    dates (``has_history``). Returns how many snapshots were written."""
    written = 0
    targets = Target.objects.filter(indicator__isnull=False).select_related("indicator", "programme")
    if programmes is not None:
        targets = targets.filter(programme__in=programmes)
    for target in targets:
        kind = get_kind(target.defined_indicator.kind)  # the query takes targets with an indicator only
        if kind is None or not kind.has_history:
            continue
        since = start - datetime.timedelta(days=60)
        history = list(target.snapshots.filter(date__gte=since, date__lt=start).values_list("date", "value"))
        day = start
        while day <= end:
            snapshot = snapshot_record(target=target, as_of=day, history=history)
            # The target's indicator is of a known kind (checked above), so a value and a snapshot exist.
            assert snapshot is not None
            history.append((day, snapshot.value))
            written += 1
            day += datetime.timedelta(days=1)
    return written


# --- evidence packs ------------------------------------------------------------------------------


@transaction.atomic
def evidence_pack_request(*, actor, target: Target, as_of: datetime.date, language: str = "en") -> EvidencePack:
    """Ask for an evidence pack to be prepared in the background; the worker calls ``evidence_pack_build``."""
    from .tasks import build_evidence_pack

    indicator = target.indicator
    if get_kind(indicator.kind if indicator is not None else "") is None:
        raise ValidationError(_("This milestone or target has no indicator Digileap can compute."))
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": _("An evidence pack cannot be made for a day in the future.")})
    pack = EvidencePack(
        target=target,
        as_of=as_of,
        language=language,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=timezone.now(),
    )
    authorize(actor, Action.ADD, pack)
    pack.full_clean()
    pack.save()
    # Not audit.snapshot(pack): it cannot read an empty FileField yet (core/audit.py's to_jsonable).
    fields = ["target", "as_of", "language", "status", "requested_by", "requested_at"]
    audit.record(actor=actor, action="create", instance=pack, after=audit.snapshot(pack, fields))
    transaction.on_commit(lambda: build_evidence_pack.enqueue(pack.pk))
    return pack


def evidence_pack_build(*, pack: EvidencePack) -> EvidencePack:
    """Make the pack's ZIP (run by the worker). Progress is written as the work advances, outside
    any long transaction, so the page that polls it sees it move."""
    from django.core.files.base import ContentFile
    from django.utils import translation

    from digileap.core.jobs import JobStopped, beat

    from .evidence import build_pack, pack_filename, sha256

    # Each progress write is the pack's heartbeat; a pack cancelled (or marked failed) meanwhile stops.
    alive = (EvidencePack.Status.QUEUED, EvidencePack.Status.RUNNING)
    try:
        beat(EvidencePack, pack.pk, alive=alive, status=EvidencePack.Status.RUNNING, progress=1)
    except JobStopped:
        pack.refresh_from_db()
        return pack

    def progress(percent: int) -> None:
        beat(EvidencePack, pack.pk, alive=(EvidencePack.Status.RUNNING,), progress=min(percent, 99))

    target = Target.objects.select_related("programme__authority", "indicator").get(pk=pack.target_id)
    try:
        with translation.override(pack.language):
            data = build_pack(target, pack.as_of, progress)
    except JobStopped:
        pack.refresh_from_db()
        return pack
    except Exception as error:  # noqa: BLE001 - any failure is shown on the pack's page
        with translation.override(pack.language):
            reason = _("The pack could not be prepared: %(error)s") % {"error": f"{type(error).__name__}: {error}"}
        EvidencePack.objects.filter(pk=pack.pk, status=EvidencePack.Status.RUNNING).update(
            status=EvidencePack.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
        )
        pack.refresh_from_db()
        return pack
    pack.refresh_from_db()
    if pack.status != EvidencePack.Status.RUNNING:
        return pack
    pack.file.save(pack_filename(target, pack.as_of), ContentFile(data), save=False)
    pack.sha256 = sha256(data)
    pack.size_bytes = len(data)
    pack.status = EvidencePack.Status.DONE
    pack.progress = 100
    pack.finished_at = timezone.now()
    pack.save(update_fields=["file", "sha256", "size_bytes", "status", "progress", "finished_at"])
    return pack
