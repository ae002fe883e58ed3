"""The connectivity report as evidence: the PDF of a campaign's newest analysis stored as an
evidence document of one of the programme's milestones or targets (through the programmes app's
``evidence_document_upload``, which checks the right to add evidence, the file and the target's
programme, and records the audit event). A target whose indicator is "document approved" counts it,
and its evidence pack lists it, once someone other than the uploader approves it."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, authorize
from digileap.programmes.models import EvidenceDocument, Target
from digileap.programmes.services import evidence_document_upload

from ..models import Campaign
from ..report import ReportError, build_report, check_request, report_filename
from ..selectors.report import latest_run


@transaction.atomic
def report_attach(*, actor, campaign: Campaign, target: Target, language: str) -> EvidenceDocument:
    """Store the PDF report of ``campaign``'s newest analysis in ``language`` as an evidence
    document of ``target``. Raises ``ValidationError`` (on ``target`` or ``language``) when the target
    is of another programme, the language is unknown or the campaign has no analysis yet."""
    authorize(actor, Action.VIEW, campaign)
    try:
        check_request(language, "pdf")
    except ReportError as error:
        raise ValidationError({"language": str(error)}) from None
    if target.programme_id != campaign.programme_id:
        raise ValidationError({"target": _("The milestone or target belongs to another programme.")})
    run = latest_run(campaign)
    if run is None:
        raise ValidationError(_("This campaign has no analysis yet: run the analysis first."))
    data = build_report(run, language=language, fmt="pdf")
    title = _("Connectivity report %(programme)s/%(campaign)s as of %(day)s (%(language)s)") % {
        "programme": campaign.programme.code,
        "campaign": campaign.code,
        "day": run.as_of.isoformat(),
        "language": language,
    }
    return evidence_document_upload(
        actor=actor,
        programme=campaign.programme,
        title=title[:255],
        file=ContentFile(data, name=report_filename(run, language, "pdf")),
        target=target,
    )
