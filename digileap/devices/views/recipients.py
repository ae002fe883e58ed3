"""Pages of recipients: the list per school with filters, a recipient with its devices, entering
and editing by hand, deactivating. Reads go through the selectors, so a recipient outside the
user's scope is a 404; writes go through ``services.recipients``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.audit import history_for
from digileap.core.permissions import Action, can, permits
from digileap.privacy.access import log_recipients_shown

from ..forms.recipients import RecipientFilterForm, RecipientForm
from ..models import Assignment, Recipient
from ..selectors.recipients import recipient_get, recipients_for
from ..services.recipients import recipient_activate, recipient_create, recipient_deactivate, recipient_update
from ..services.recipients import store_names as names_are_stored

PER_PAGE = 50
LIST_ORDER = ("school__name", "school_id", "group", "reference", "pk")


def _may_hand_out(user, school) -> bool:
    return permits(user, Action.ADD, Assignment(recipient=Recipient(school=school)))


@login_required
@require_GET
def recipient_list(request):
    filter_form = RecipientFilterForm(request.GET or None, user=request.user)
    open_serial = Assignment.objects.filter(recipient=OuterRef("pk"), returned_at__isnull=True).values(
        "device__serial"
    )[:1]
    recipients = (
        filter_form.filter(recipients_for(request.user))
        .annotate(device_serial=Subquery(open_serial))
        .order_by(*LIST_ORDER)
    )
    page = Paginator(recipients, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    school = filter_form.cleaned_data.get("school") if filter_form.is_bound and filter_form.is_valid() else None
    if school is None and not request.GET.get("school"):
        # One school in scope (a coordinator): its hand-out is offered without filtering first.
        only = list(filter_form.fields["school"].queryset[:2])
        school = only[0] if len(only) == 1 else None
    valid = filter_form.is_bound and filter_form.is_valid()
    group = " ".join((filter_form.cleaned_data.get("group") or "").split()) if school and valid else ""
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_add": can(request.user, Action.ADD, Recipient),
        "can_import": can(request.user, Action.ADD, Recipient),
        "school": school,
        "group": group,
        "can_hand_out": school is not None and _may_hand_out(request.user, school),
        "names_are_stored": names_are_stored(),
    }
    log_recipients_shown(request, page)
    return render(request, "devices/recipient_list.html", context)


@login_required
@require_GET
def recipient_detail(request, pk: int):
    recipient = recipient_get(request.user, pk)
    log_recipients_shown(request, [recipient])
    assignments = list(
        Assignment.objects.filter(recipient=recipient)
        .select_related("device", "assigned_by", "returned_by")
        .order_by("-assigned_at", "-id")
    )
    may_change = permits(request.user, Action.CHANGE, recipient)
    context = {
        "recipient": recipient,
        "assignments": assignments,
        "events": history_for(recipient)[:50],
        "can_edit": may_change,
        "can_return": may_change and permits(request.user, Action.CHANGE, Assignment(recipient=recipient)),
        "can_hand_out": _may_hand_out(request.user, recipient.school),
        "names_are_stored": names_are_stored(),
    }
    return render(request, "devices/recipient_detail.html", context)


def _edit(request, recipient: Recipient | None, initial: dict):
    form = RecipientForm(request.POST or None, user=request.user, recipient=recipient, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if recipient is None:
                saved = recipient_create(actor=request.user, school=form.cleaned_data["school"], **form.service_data())
            else:
                saved = recipient_update(actor=request.user, recipient=recipient, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(reference)s was saved.") % {"reference": saved.reference})
            return redirect("devices:recipient-detail", pk=saved.pk)
    return render(request, "devices/recipient_form.html", {"form": form, "recipient": recipient})


@login_required
@require_http_methods(["GET", "POST"])
def recipient_create_view(request):
    """Enter a pupil or teacher by hand. ``?school=&group=`` pre-fill the form."""
    if not can(request.user, Action.ADD, Recipient):
        raise PermissionDenied
    initial = {"kind": Recipient.Kind.PUPIL, "group": request.GET.get("group", "")[:40]}
    school = request.GET.get("school", "")
    if school.isdigit():
        initial["school"] = int(school)
    return _edit(request, None, initial)


@login_required
@require_http_methods(["GET", "POST"])
def recipient_edit(request, pk: int):
    recipient = recipient_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, recipient):
        raise PermissionDenied
    log_recipients_shown(request, [recipient])
    initial = {
        name: getattr(recipient, name)
        for name in ("reference", "kind", "grade", "group", "isced_level", "eligibility_group", "display_name")
    }
    return _edit(request, recipient, initial)


def _set_active(request, pk: int, service, done_message: str):
    recipient = recipient_get(request.user, pk, Action.CHANGE)
    try:
        service(actor=request.user, recipient=recipient)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message % {"reference": recipient.reference})
    return redirect("devices:recipient-detail", pk=recipient.pk)


@login_required
@require_POST
def recipient_deactivate_view(request, pk: int):
    return _set_active(request, pk, recipient_deactivate, _("%(reference)s is no longer active."))


@login_required
@require_POST
def recipient_activate_view(request, pk: int):
    return _set_active(request, pk, recipient_activate, _("%(reference)s is active again."))
