"""The report page of a campaign (docs/connectivity-report.md): choose a language and a format and
download the report of the campaign's newest analysis, or attach its PDF to a milestone or target
of the programme as evidence.

For programme owners, funding administrators, auditors and administrators, for the campaigns in
their scope (another campaign is a 404). Operator staff, school coordinators and suppliers get a
403: the report totals and ranks every school of the campaign (see ``selectors.report``).
Attaching needs the right to add evidence documents (programme owners, funding administrators).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.forms import model_choice_field
from digileap.core.permissions import Action, permits, restrict
from digileap.programmes.models import EvidenceDocument, Target

from .report import CONTENT_TYPES, FORMATS, build_report, languages, report_filename, report_filename_prefix
from .selectors.report import latest_run, may_read_reports, report_campaigns
from .services.reports import report_attach

FORMAT_LABELS = {"pdf": gettext_lazy("PDF"), "xlsx": gettext_lazy("Spreadsheet (XLSX)")}


def language_choices() -> list[tuple[str, str]]:
    from django.conf import settings

    return [(code, str(name)) for code, name in settings.LANGUAGES]


def default_language() -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return language if language in languages() else "en"


class ReportFileForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=language_choices)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=[(code, FORMAT_LABELS[code]) for code in FORMATS])


class ReportAttachForm(forms.Form):
    target = forms.ModelChoiceField(label=gettext_lazy("Milestone or target"), queryset=Target.objects.none())
    language = forms.ChoiceField(label=gettext_lazy("Language of the report"), choices=language_choices)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "target").queryset = targets
        model_choice_field(self, "target").label_from_instance = lambda target: target.display_title


def _campaign_or_404(request, pk: int):
    if not may_read_reports(request.user):
        raise PermissionDenied
    return get_object_or_404(report_campaigns(request.user), pk=pk)


def _targets(user, campaign):
    return restrict(Target.objects.filter(programme_id=campaign.programme_id), user).order_by("position", "pk")


def _may_attach(user, campaign) -> bool:
    return permits(user, Action.ADD, EvidenceDocument(programme=campaign.programme))


@login_required
@require_GET
def campaign_report(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    run = latest_run(campaign)
    may_attach = _may_attach(request.user, campaign)
    return render(
        request,
        "connectivity/report_page.html",
        {
            "campaign": campaign,
            "run": run,
            "file_form": ReportFileForm(initial={"language": default_language(), "format": "pdf"}),
            "attach_form": ReportAttachForm(
                targets=_targets(request.user, campaign), initial={"language": default_language()}
            )
            if may_attach
            else None,
            "documents": _attached(request.user, campaign),
        },
    )


def _attached(user, campaign) -> list[EvidenceDocument]:
    """The evidence documents that are this campaign's reports (by the file name report_attach gives)."""
    prefix = report_filename_prefix(campaign)
    documents = EvidenceDocument.objects.filter(programme=campaign.programme, file__contains=f"/{prefix}")
    return list(restrict(documents, user).select_related("target").order_by("-uploaded_at", "-id")[:20])


@login_required
@require_GET
def campaign_reportfile(request, pk: int):
    """The report as a file: ``?language=lv&format=pdf`` (default: the page's language, PDF)."""
    campaign = _campaign_or_404(request, pk)
    form = ReportFileForm(
        {"language": request.GET.get("language") or default_language(), "format": request.GET.get("format") or "pdf"}
    )
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{field}: {' '.join(str(error) for error in errors)}" for field, errors in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    run = latest_run(campaign)
    if run is None:
        return HttpResponse(
            _("This campaign has no analysis yet: run the analysis first."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    language, fmt = form.cleaned_data["language"], form.cleaned_data["format"]
    response = HttpResponse(build_report(run, language=language, fmt=fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report_filename(run, language, fmt)}"'
    return response


@login_required
@require_http_methods(["POST"])
def campaign_reportattach(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    if not _may_attach(request.user, campaign):
        raise PermissionDenied
    form = ReportAttachForm(request.POST, targets=_targets(request.user, campaign))
    if form.is_valid():
        try:
            document = report_attach(
                actor=request.user,
                campaign=campaign,
                target=form.cleaned_data["target"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            assert document.target is not None  # attached to the target the form names
            messages.success(
                request,
                _("The report was attached to %(target)s as “%(title)s”. It counts once someone else approves it.")
                % {"target": document.target.display_title, "title": document.title},
            )
            return redirect("connectivity:campaign-report", pk=campaign.pk)
    return render(
        request,
        "connectivity/report_page.html",
        {
            "campaign": campaign,
            "run": latest_run(campaign),
            "file_form": ReportFileForm(initial={"language": default_language(), "format": "pdf"}),
            "attach_form": form,
            "documents": _attached(request.user, campaign),
        },
        status=400,
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)
