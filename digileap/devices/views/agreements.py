"""Pages of user agreements: the templates per programme and language (programme owners write them,
with a preview), the agreements of each school with counts and the overdue ones marked, one agreement
with its PDF and the record of a paper acceptance (the signed scan), the printing of a class's
pending agreements at hand-out, and the public acceptance page reached through the printed link.

An object outside the user's scope is a 404; an action the role does not allow on a visible object
is a 403. The public page needs no sign-in: its token (256 random bits) is the proof.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits
from digileap.privacy.access import Channel, log_recipients_shown, recipient_of

from .. import agreements_pdf
from ..forms.agreements import (
    AgreementFilterForm,
    AgreementTemplateForm,
    InAppAcceptanceForm,
    PaperAcceptanceForm,
    PrintForm,
    TemplateTextForm,
)
from ..models import AgreementTemplate, UserAgreement
from ..selectors import agreements as selectors
from ..services import agreements as services

PER_PAGE = 50
# The public page: at most this many requests per client address in the window (the tokens cannot
# be guessed; this only keeps a script from hammering the page).
PUBLIC_LIMIT = 30
PUBLIC_WINDOW_SECONDS = 600


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def accept_url(request, agreement: UserAgreement) -> str:
    return request.build_absolute_uri(reverse("devices:useragreement-accept", kwargs={"token": agreement.token}))


def _printable_url(request, changeable: set[int]):
    """The in-app link is printed only for who may record acceptance (who hands the agreement out),
    only while it is pending and the device still handed out: the link lets its holder accept."""

    def url(agreement: UserAgreement) -> str:
        if (
            agreement.pk in changeable
            and agreement.status == UserAgreement.Status.PENDING
            and agreement.assignment.returned_at is None
        ):
            return accept_url(request, agreement)
        return ""

    return url


# Templates.


def _preview(body: str) -> dict:
    """The text filled with made-up values, or what is wrong with its placeholders."""
    problems = services.placeholder_errors(body) if body else []
    if problems or not body:
        return {"problems": problems, "preview": []}
    values = agreements_pdf.sample_values()
    return {"problems": [], "preview": agreements_pdf.paragraphs(services.fill_placeholders(body, values))}


@login_required
def agreement_template_list(request):
    user = request.user
    if not can(user, Action.VIEW, AgreementTemplate):
        raise PermissionDenied
    templates = selectors.agreement_templates_for(user).order_by("programme__code", "language", "-version", "pk")
    page = Paginator(templates, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "can_add": can(user, Action.ADD, AgreementTemplate)}
    return render(request, "devices/agreementtemplate_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_template_create(request):
    user = request.user
    if not can(user, Action.ADD, AgreementTemplate):
        raise PermissionDenied
    programmes = selectors.template_programmes_for(user)
    form = AgreementTemplateForm(
        request.POST if request.method == "POST" else None,
        programmes=programmes,
        initial={"programme": request.GET.get("programme"), "language": request.GET.get("language")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = services.agreement_template_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The agreement template was saved and is in use."))
            return redirect("devices:agreementtemplate-detail", pk=template.pk)
    context = {"form": form, "programmes": programmes, **_preview(request.POST.get("body", ""))}
    return render(request, "devices/agreementtemplate_form.html", context)


@login_required
def agreement_template_detail(request, pk: int):
    user = request.user
    template = selectors.agreement_template_get(user, pk)
    values = agreements_pdf.sample_values(template.programme, template.language)
    context = {
        "template": template,
        "preview": agreements_pdf.paragraphs(services.fill_placeholders(template.body, values)),
        "versions": selectors.template_versions(template, user),
        "events": selectors.agreement_template_history(template)[:50],
        "can_change": permits(user, Action.CHANGE, template),
    }
    return render(request, "devices/agreementtemplate_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_template_edit(request, pk: int):
    user = request.user
    template = selectors.agreement_template_get(user, pk)
    if not permits(user, Action.CHANGE, template):
        raise PermissionDenied
    form = TemplateTextForm(request.POST or None, initial={"title": template.title, "body": template.body})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_template_update(actor=user, template=template, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if saved.pk != template.pk:
                messages.success(
                    request,
                    _("Agreements already use version %(old)s, so the change was saved as version %(new)s.")
                    % {"old": template.version, "new": saved.version},
                )
            else:
                messages.success(request, _("The agreement template was saved."))
            return redirect("devices:agreementtemplate-detail", pk=saved.pk)
    body = request.POST.get("body", "") if request.method == "POST" else template.body
    context = {"form": form, "template": template, "in_use_by": template.agreements_count, **_preview(body)}
    return render(request, "devices/agreementtemplate_form.html", context)


@login_required
@require_POST
def agreement_template_preview(request):
    """The text with made-up values, as the form is typed (htmx); nothing is saved."""
    if not can(request.user, Action.VIEW, AgreementTemplate):
        raise PermissionDenied
    return render(request, "devices/_agreement_preview.html", _preview(request.POST.get("body", "")))


@login_required
def agreement_template_pdf(request, pk: int):
    template = selectors.agreement_template_get(request.user, pk)
    data = agreements_pdf.template_preview_pdf(template)
    return _pdf_response(data, f"agreement-template-{template.pk}-v{template.version}-preview.pdf")


def _set_active(request, pk: int, is_active: bool):
    user = request.user
    template = selectors.agreement_template_get(user, pk)
    if not permits(user, Action.CHANGE, template):
        raise PermissionDenied
    try:
        services.agreement_template_set_active(actor=user, template=template, is_active=is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The template is in use for new hand-outs.")
            if is_active
            else _("The template is no longer used for new hand-outs."),
        )
    return redirect("devices:agreementtemplate-detail", pk=template.pk)


@login_required
@require_POST
def agreement_template_activate(request, pk: int):
    return _set_active(request, pk, True)


@login_required
@require_POST
def agreement_template_deactivate(request, pk: int):
    return _set_active(request, pk, False)


# Agreements.


def _filtered(form: AgreementFilterForm, agreements, now):
    if not form.is_valid():
        return agreements
    data = form.cleaned_data
    if data.get("school"):
        agreements = agreements.filter(assignment__recipient__school=data["school"])
    if data.get("group"):
        agreements = agreements.filter(assignment__recipient__group=data["group"].strip())
    if data.get("status"):
        agreements = agreements.filter(status=data["status"])
    if data.get("overdue"):
        agreements = agreements.filter(selectors.overdue_q(now))
    return agreements


@login_required
def user_agreement_list(request):
    user = request.user
    if not can(user, Action.VIEW, UserAgreement):
        raise PermissionDenied
    now = timezone.now()
    schools = selectors.agreement_schools_for(user)
    form = AgreementFilterForm(request.GET or None, schools=schools)
    agreements = _filtered(form, selectors.user_agreements_for(user), now).order_by(
        "assignment__recipient__school__name", "assignment__recipient__group", "assignment__recipient__reference", "pk"
    )
    page = Paginator(agreements, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    school = form.cleaned_data.get("school") if form.is_valid() else None
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": selectors.agreement_counts(agreements, now),
        "overdue_before": selectors.overdue_before(now),
        "overdue_days": selectors.OVERDUE_DAYS,
        "school": school,
        "groups": selectors.agreement_groups(
            selectors.user_agreements_for(user).filter(assignment__recipient__school=school)
        )
        if school
        else [],
        "group": form.cleaned_data.get("group", "").strip() if form.is_valid() else "",
    }
    log_recipients_shown(request, map(recipient_of, page))
    return render(request, "devices/agreement_list.html", context)


@login_required
def user_agreement_detail(request, pk: int):
    user = request.user
    agreement = selectors.user_agreement_get(user, pk)
    log_recipients_shown(request, [agreement.assignment.recipient])
    can_change = permits(user, Action.CHANGE, agreement)
    is_pending = agreement.status == UserAgreement.Status.PENDING
    now = timezone.now()
    context = {
        "agreement": agreement,
        "assignment": agreement.assignment,
        "recipient": agreement.assignment.recipient,
        "device": agreement.assignment.device,
        "kit": agreements_pdf.kit_text(agreement.assignment.kit),
        "is_pending": is_pending,
        "is_overdue": is_pending and agreement.sent_at <= selectors.overdue_before(now),
        "can_record": can_change and is_pending and agreement.assignment.returned_at is None,
        "accept_url": _printable_url(request, {agreement.pk} if can_change else set())(agreement),
        "events": selectors.user_agreement_history(agreement)[:50],
    }
    return render(request, "devices/agreement_detail.html", context)


@login_required
def user_agreement_pdf(request, pk: int):
    user = request.user
    agreement = selectors.user_agreement_get(user, pk)
    changeable = {agreement.pk} if permits(user, Action.CHANGE, agreement) else set()
    data = agreements_pdf.agreements_pdf([agreement], accept_url=_printable_url(request, changeable))
    log_recipients_shown(request, [agreement.assignment.recipient], channel=Channel.EXPORT)
    return _pdf_response(data, f"agreement-{agreement.pk}-{agreement.assignment.recipient.reference}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def user_agreement_record(request, pk: int):
    """Record a paper acceptance: who signed, and the signed scan."""
    user = request.user
    agreement = selectors.user_agreement_get(user, pk)
    if not permits(user, Action.CHANGE, agreement):
        raise PermissionDenied
    log_recipients_shown(request, [agreement.assignment.recipient])
    signers = services.allowed_signers(agreement.assignment.recipient)
    form = PaperAcceptanceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        signers=signers,
    )
    already = agreement.status == UserAgreement.Status.ACCEPTED
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_accept_paper(actor=user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The signed agreement was recorded."))
            return redirect("devices:useragreement-detail", pk=agreement.pk)
    context = {"form": form, "agreement": agreement, "already": already}
    return render(request, "devices/agreement_record.html", context)


@login_required
def user_agreement_scan(request, pk: int):
    agreement = selectors.user_agreement_get(request.user, pk)
    name = agreement.scan.name  # a file field without a name is empty (False)
    if not name:
        raise Http404(_("No scan was recorded for this agreement."))
    extension = name.rsplit(".", 1)[-1]
    return FileResponse(
        agreement.scan.open("rb"),
        as_attachment=True,
        filename=f"agreement-{agreement.pk}-signed.{extension}",
    )


@login_required
def user_agreement_print(request):
    """The pending agreements of a school (and class or group) in one PDF, one page each."""
    user = request.user
    if not can(user, Action.VIEW, UserAgreement):
        raise PermissionDenied
    schools = selectors.agreement_schools_for(user)
    form = PrintForm(request.GET if request.GET.get("school") else None, schools=schools)
    empty = False
    if form.is_bound and form.is_valid():
        group = form.cleaned_data["group"].strip() or None
        agreements = list(selectors.agreements_to_print(user, school=form.cleaned_data["school"], group=group))
        if agreements:
            changeable = set(
                selectors.user_agreements_for(user, Action.CHANGE)
                .filter(pk__in=[a.pk for a in agreements])
                .values_list("pk", flat=True)
            )
            data = agreements_pdf.agreements_pdf(agreements, accept_url=_printable_url(request, changeable))
            log_recipients_shown(request, map(recipient_of, agreements), channel=Channel.EXPORT)
            school = form.cleaned_data["school"]
            label = f"{school.number}-{group}" if group else school.number
            return _pdf_response(data, f"agreements-{label}.pdf".replace(" ", "_"))
        empty = True
    return render(request, "devices/agreement_print.html", {"form": form, "empty": empty})


# The public acceptance page.


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _over_limit(request) -> bool:
    key = f"agreements:public:{_client_address(request)}"
    if cache.add(key, 1, PUBLIC_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW_SECONDS)
        return False
    return count > PUBLIC_LIMIT


def _public(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep it out of other sites' logs, of search engines and caches.
    # "same-origin", not "no-referrer": with no-referrer Chromium posts the form with "Origin: null",
    # which Django's CSRF check refuses (403); same-origin still sends no referrer to another site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def user_agreement_accept(request, token: str):
    """Accept an agreement through the link printed on it: no sign-in, POST with CSRF, once."""
    if _over_limit(request):
        response = render(request, "devices/agreement_accept.html", {"limited": True}, status=429)
        response["Retry-After"] = str(PUBLIC_WINDOW_SECONDS)
        return _public(response)
    agreement = selectors.user_agreement_by_token(token)
    signers = services.allowed_signers(agreement.assignment.recipient)
    form = InAppAcceptanceForm(request.POST if request.method == "POST" else None, signers=signers)
    accepted_now = False
    if request.method == "POST" and agreement.status == UserAgreement.Status.PENDING and form.is_valid():
        try:
            result = services.agreement_accept_in_app(token=token, signed_by=form.cleaned_data["signed_by"])
        except UserAgreement.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            form.add_service_error(error)
        else:
            agreement, accepted_now = result.agreement, result.is_new
    values = agreements_pdf.placeholder_values(agreement)
    log_recipients_shown(request, [agreement.assignment.recipient], path="")  # the address holds the token
    context = {
        "agreement": agreement,
        "form": form,
        "accepted_now": accepted_now,
        "is_accepted": agreement.status == UserAgreement.Status.ACCEPTED,
        "already_message": services.already_accepted_message(agreement)
        if agreement.status == UserAgreement.Status.ACCEPTED and not accepted_now
        else "",
        "is_returned": agreement.assignment.returned_at is not None,
        "paragraphs": agreements_pdf.paragraphs(services.fill_placeholders(agreement.template.body, values)),
        "values": values,
        "asset_tag": agreement.assignment.device.asset_tag,
    }
    return _public(render(request, "devices/agreement_accept.html", context))
