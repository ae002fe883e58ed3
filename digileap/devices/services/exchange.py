"""Writes of the exchange with device-management tools: importing an Intune or Google Admin
device export as a management report, and the Autopilot export (an audited event: who took which
devices' hardware hashes out, and when)."""

import dataclasses
import hashlib
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize, permits
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import ProfileError, get_profile
from digileap.schools.models import School, SchoolOperator

from ..exchange import AutopilotBatch, AutopilotDownload, autopilot_download, clean_group_tag, skipped_csv
from ..importers.management import TARGET, ReportPlan, collecting_reports
from ..models import ManagementReport, PurchaseOrder
from ..selectors.exchange import autopilot_batch, may_export_autopilot

MAX_ERRORS_SHOWN = 20


def _file_checks(file) -> tuple[str, str]:
    """The upload's name and SHA-256; a ValidationError on ``file`` when it is empty or too large."""
    if file is None:
        raise ValidationError({"file": _("Choose the file exported from the management tool.")})
    size = getattr(file, "size", None)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size is not None and size > settings.IMPORT_MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest file this installation accepts is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_FILE_BYTES)}
            }
        )
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return os.path.basename(getattr(file, "name", "") or "upload.csv")[:255], digest.hexdigest()


@transaction.atomic
def managementreport_import(
    *,
    actor,
    source: str,
    operator: SchoolOperator,
    school: School | None = None,
    file,
    skip_invalid: bool = False,
) -> tuple[ManagementReport, ReportPlan]:
    """Read a device export of ``source`` (``intune`` or ``google``) for ``operator`` (or one of
    its schools), match it with the funded devices and store the report. All or nothing.

    Returns the report and the plan (with the rows skipped: no serial, listed twice, deprovisioned).
    The same export again, when the scope's latest report already holds exactly its rows and count
    of devices not enrolled, returns that report: nothing is written, nothing is recorded.
    Errors are ValidationErrors on ``source``, ``school`` or ``file`` (encoding, missing columns,
    rejected rows with their line numbers)."""
    authorize(actor, Action.ADD, ManagementReport(source=source, operator=operator, school=school))
    if source not in ManagementReport.Source.values:
        raise ValidationError({"source": _("Unknown tool %(source)r.") % {"source": source}})
    if school is not None and school.operator_id != operator.pk:
        raise ValidationError(
            {"school": _("%(school)s is not a school of %(operator)s.") % {"school": school, "operator": operator}}
        )
    filename, sha256 = _file_checks(file)
    try:
        profile = get_profile(TARGET, source)
    except ProfileError as error:
        raise ValidationError({"source": str(error)}) from None
    constants = {
        **profile.constants,
        "source": source,
        "operator_id": operator.pk,
        "school_id": school.pk if school is not None else None,
        "original_filename": filename,
        "sha256": sha256,
    }
    profile = dataclasses.replace(profile, constants=constants)
    with collecting_reports() as created:
        try:
            run_import(
                target=TARGET, source=file, profile=profile, actor=actor, filename=filename, skip_invalid=skip_invalid
            )
        except ImportFileError as error:
            raise ValidationError({"file": error.describe()}) from None
        except ImportRejected as rejected:
            errors = rejected.result.errors
            messages = [str(rejected)] + [error.describe() for error in errors[:MAX_ERRORS_SHOWN]]
            if len(errors) > MAX_ERRORS_SHOWN:
                messages.append(_("… and %(count)s more.") % {"count": len(errors) - MAX_ERRORS_SHOWN})
            raise ValidationError({"file": messages}) from None
    return created[0]


# -- Autopilot ----------------------------------------------------------------------------------


def _authorize_autopilot(actor, target: School | PurchaseOrder) -> None:
    if not permits(actor, Action.VIEW, target) or not may_export_autopilot(actor):
        raise PermissionDenied(_("Your role may not export devices for Windows Autopilot."))


def autopilot_basename(target: School | PurchaseOrder) -> str:
    kind = "school" if isinstance(target, School) else "order"
    return slugify(f"autopilot-{kind}-{target.number}") or f"autopilot-{kind}-{target.pk}"


def default_group_tag(target: School | PurchaseOrder) -> str:
    """The school's official number, or the order number; empty when it could not be a tag."""
    try:
        return clean_group_tag(target.number)
    except ValueError:
        return ""


def _batch(actor, target: School | PurchaseOrder) -> AutopilotBatch:
    if isinstance(target, School):
        return autopilot_batch(actor, school=target)
    return autopilot_batch(actor, order=target)


@transaction.atomic
def autopilot_export(
    *, actor, target: School | PurchaseOrder, group_tag: str
) -> tuple[AutopilotDownload, AutopilotBatch]:
    """The Autopilot file(s) for the devices of a school or an order that the actor may change,
    and the devices skipped (no hardware hash, ...). Records the export in the audit trail."""
    _authorize_autopilot(actor, target)
    try:
        tag = clean_group_tag(group_tag)
    except ValueError as error:
        raise ValidationError({"group_tag": str(error)}) from None
    batch = _batch(actor, target)
    download = autopilot_download(batch.exported, group_tag=tag, basename=autopilot_basename(target))
    audit.record(
        actor=actor,
        action="export",
        instance=target,
        after={
            "export": "autopilot",
            "group_tag": tag,
            "devices": len(batch.exported),
            "files": download.files,
            "skipped": len(batch.skipped),
            "filename": download.filename,
            "sha256": hashlib.sha256(download.content).hexdigest(),
        },
    )
    return download, batch


@transaction.atomic
def autopilot_skipped_export(*, actor, target: School | PurchaseOrder) -> tuple[str, bytes]:
    """The devices left out of the Autopilot file, with the reason, as CSV (audited)."""
    _authorize_autopilot(actor, target)
    batch = _batch(actor, target)
    audit.record(
        actor=actor,
        action="export",
        instance=target,
        after={"export": "autopilot-skipped", "devices": len(batch.skipped)},
    )
    return f"{autopilot_basename(target)}-skipped.csv", skipped_csv(batch.skipped)
