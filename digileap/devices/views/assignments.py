"""The scan loop that hands out a class's devices, and the return of a device.

The loop: scan (or type) a serial and press Enter; the page proposes the next pupil of the class
list without a device; Enter again confirms (Escape cancels). With htmx only the loop's panel is
swapped (the progress and the latest hand-outs with it, out of band); without JavaScript the same
forms post and the whole page comes back. Errors (unknown serial, a device already handed out or at
another school) show inline and the loop goes on.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, permits, restrict
from digileap.privacy.access import log_recipients_shown, recipients_in_context
from digileap.schools.models import School

from ..forms.recipients import HandoutConfirmForm, HandoutScanForm, ReturnForm
from ..models import Assignment, Device, Recipient
from ..selectors.assignments import (
    assignment_get,
    handout_progress,
    handout_propose,
    handout_recent,
)
from ..selectors.recipients import groups_at, schools_with_recipients
from ..services.assignments import DEFAULT_KIT, device_assign, device_return


def _handout_school(request, school_pk: int) -> School:
    """The school of the loop: 404 outside the scope, 403 for a role that does not hand out."""
    school = get_object_or_404(schools_with_recipients(request.user, Action.VIEW), pk=school_pk)
    if not permits(request.user, Action.ADD, Assignment(recipient=Recipient(school=school))):
        raise PermissionDenied
    return school


def _group(value: str) -> str:
    return " ".join((value or "").split())[:40]


def _kit(form) -> list[str]:
    return list(form.cleaned_data.get("kit") or []) if form.is_valid() else list(DEFAULT_KIT)


def _context(school: School, group: str, **extra) -> dict:
    handed_out, total = handout_progress(school=school, group=group)
    return {
        "school": school,
        "group": group,
        "handed_out": handed_out,
        "total": total,
        "recent": handout_recent(school=school, group=group),
        **extra,
    }


def _render(request, context: dict):
    """The panel alone for htmx (with the progress and the latest hand-outs out of band), else the page."""
    log_recipients_shown(request, recipients_in_context(context), school=context["school"])
    if request.htmx:
        return render(request, "devices/_handout_panel.html", {**context, "swap_oob": True})
    context["groups"] = groups_at(context["school"])
    return render(request, "devices/handout_loop.html", context)


@login_required
@require_GET
def assignment_handout(request, school_pk: int):
    """The scan loop of one class (``?group=5A``) or of the whole school."""
    school = _handout_school(request, school_pk)
    group = _group(request.GET.get("group", ""))
    scan_form = HandoutScanForm(initial={"group": group, "kit": list(DEFAULT_KIT)})
    return _render(request, _context(school, group, scan_form=scan_form))


@login_required
@require_POST
def assignment_handout_scan(request, school_pk: int):
    """A serial was scanned: propose the next recipient, or say what is wrong and scan again."""
    school = _handout_school(request, school_pk)
    form = HandoutScanForm(request.POST)
    kit = _kit(form)
    group = _group(form.cleaned_data.get("group", "")) if form.is_valid() else ""
    serial = form.cleaned_data.get("serial", "") if form.is_valid() else ""
    try:
        proposal = handout_propose(school=school, group=group, serial=serial, user=request.user)
    except ValidationError as error:
        scan_form = HandoutScanForm(initial={"group": group, "kit": kit})
        return _render(
            request,
            _context(school, group, scan_form=scan_form, error=error.messages[0], scanned=serial.strip()[:64]),
        )
    confirm_form = HandoutConfirmForm(
        initial={"device": proposal.device.pk, "recipient": proposal.recipient.pk, "group": group, "kit": kit}
    )
    return _render(
        request,
        _context(school, group, proposal=proposal, confirm_form=confirm_form, candidates=proposal.candidates, kit=kit),
    )


@login_required
@require_POST
def assignment_handout_confirm(request, school_pk: int):
    """The proposal was confirmed: hand the device out, then back to scanning."""
    school = _handout_school(request, school_pk)
    form = HandoutConfirmForm(request.POST)
    if not form.is_valid():
        group = _group(request.POST.get("group", ""))
        scan_form = HandoutScanForm(initial={"group": group, "kit": list(DEFAULT_KIT)})
        error = _("The hand-out was not understood; scan the device again.")
        return _render(request, _context(school, group, scan_form=scan_form, error=error))
    group = _group(form.cleaned_data["group"])
    kit = list(form.cleaned_data["kit"])
    scan_form = HandoutScanForm(initial={"group": group, "kit": kit})
    device = (
        restrict(Device.objects.filter(school=school), request.user, Action.CHANGE)
        .filter(pk=form.cleaned_data["device"])
        .first()
    )
    recipient = Recipient.objects.filter(school=school, pk=form.cleaned_data["recipient"]).first()
    if device is None or recipient is None:
        error = _("That device or pupil is not at %(school)s; scan the device again.") % {"school": school.name}
        return _render(request, _context(school, group, scan_form=scan_form, error=error))
    try:
        assignment = device_assign(device=device, recipient=recipient, actor=request.user, kit=kit)
    except ValidationError as error:
        return _render(request, _context(school, group, scan_form=scan_form, error=" ".join(error.messages)))
    done = _("%(serial)s handed out to %(reference)s.") % {"serial": device.serial, "reference": recipient.reference}
    return _render(request, _context(school, group, scan_form=scan_form, done=done, last=assignment))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_return(request, pk: int):
    """Record the return of a handed-out device: the kit that came back, the condition, a note."""
    assignment = assignment_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, assignment):
        raise PermissionDenied
    if assignment.returned_at is not None and request.method == "GET":
        raise Http404
    log_recipients_shown(request, [assignment.recipient])
    form = ReturnForm(request.POST or None, initial={"kit_returned": list(assignment.kit)})
    if request.method == "POST" and form.is_valid():
        try:
            device_return(
                assignment=assignment,
                actor=request.user,
                kit_returned=form.cleaned_data["kit_returned"],
                note=form.cleaned_data["note"],
                condition=form.cleaned_data["condition"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, texts in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, texts)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("The return of %(serial)s was recorded.") % {"serial": assignment.device.serial},
            )
            return redirect("devices:recipient-detail", pk=assignment.recipient_id)
    return render(request, "devices/assignment_return.html", {"assignment": assignment, "form": form})
