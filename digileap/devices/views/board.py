"""Pages of the roll-out board: the programmes with a board, a programme's board (every school the
user sees at a glance, filtered and paged with htmx), starting the board for many schools at once,
one school's board with the three phases as columns of checklists, and its actions.

A board entry or step outside the user's scope is a 404; an action the role does not allow on a
visible one is a 403. Writes are POSTs that call ``services.board``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits
from digileap.programmes.selectors import programme_get
from digileap.schools.selectors import operators_for

from ..forms.board import BoardFilterForm, ChecklistAddForm, PhaseForm, RolloutForm, StartForm, StatusForm
from ..models import ChecklistItem, SchoolRollout
from ..selectors import board as selectors
from ..services import board as services

PER_PAGE = 50


@login_required
@require_GET
def schoolrollout_list(request):
    """The programmes whose board the user sees."""
    user = request.user
    if not can(user, Action.VIEW, SchoolRollout):
        raise PermissionDenied
    programmes = selectors.board_programmes(user)
    return render(request, "devices/schoolrollout_list.html", {"programmes": programmes})


def _start_operators(user, programme):
    return operators_for(user).filter(authority_id=programme.authority_id).order_by("name", "pk")


@login_required
@require_GET
def schoolrollout_board(request, programme_pk: int):
    """A programme's board: school, phase, status, checklist progress, devices, open tickets."""
    user = request.user
    if not can(user, Action.VIEW, SchoolRollout):
        raise PermissionDenied
    programme = programme_get(user, programme_pk)
    filter_form = BoardFilterForm(request.GET or None, operators=selectors.board_operators(user, programme))
    rows = selectors.board_rows(user, programme, **filter_form.values())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"programme": programme, "filter_form": filter_form, "page": page}
    if request.htmx and request.htmx.target == "board-rows":
        return render(request, "devices/_board_rows.html", context)
    can_start = can(user, Action.ADD, SchoolRollout)
    context.update(
        summary=selectors.board_summary(user, programme),
        can_start=can_start,
        startable=services.startable_schools(user, programme).count() if can_start else 0,
        start_form=StartForm(operators=_start_operators(user, programme)) if can_start else None,
    )
    return render(request, "devices/board_programme.html", context)


@login_required
@require_POST
def schoolrollout_start(request, programme_pk: int):
    """Start the board for every school of the programme (or of one operator) not on it yet."""
    user = request.user
    if not can(user, Action.ADD, SchoolRollout):
        raise PermissionDenied
    programme = programme_get(user, programme_pk)
    form = StartForm(request.POST, operators=_start_operators(user, programme))
    if not form.is_valid():
        messages.error(request, _("Choose an operator of this programme, or none for all schools."))
        return redirect("devices:schoolrollout-board", programme_pk=programme.pk)
    try:
        count = services.rollout_start_many(programme=programme, actor=user, operator=form.cleaned_data["operator"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext("%(count)d school was put on the board.", "%(count)d schools were put on the board.", count)
                % {"count": count},
            )
        else:
            messages.info(request, _("Every school you may start is already on the board."))
    return redirect("devices:schoolrollout-board", programme_pk=programme.pk)


def _detail_context(user, rollout: SchoolRollout, **extra) -> dict:
    can_change = permits(user, Action.CHANGE, rollout)
    next_phase = services.NEXT_PHASE.get(rollout.phase)
    context = {
        "rollout": selectors.rollout_figures(rollout),
        "columns": selectors.rollout_columns(rollout),
        "can_change": can_change and rollout.phase != SchoolRollout.Phase.CLOSED,
        "can_tick": can(user, Action.CHANGE, ChecklistItem) and rollout.phase != SchoolRollout.Phase.CLOSED,
        "can_add": can(user, Action.ADD, ChecklistItem) and rollout.phase != SchoolRollout.Phase.CLOSED,
        "next_phase": next_phase,
        "next_phase_label": SchoolRollout.Phase(next_phase).label if next_phase else "",
        "status_form": StatusForm(initial={"status": rollout.status}),
        "add_form": ChecklistAddForm(initial={"phase": rollout.phase}),
        "events": selectors.rollout_history(rollout)[:50],
    }
    context.update(extra)
    return context


@login_required
@require_GET
def schoolrollout_detail(request, pk: int):
    """One school's board: the three phases as columns of checklists, its figures and history."""
    rollout = selectors.rollout_get(request.user, pk)
    return render(request, "devices/schoolrollout_detail.html", _detail_context(request.user, rollout))


def _for_change(request, pk: int) -> SchoolRollout:
    rollout = selectors.rollout_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, rollout):
        raise PermissionDenied
    return rollout


@login_required
@require_POST
def schoolrollout_status(request, pk: int):
    rollout = _for_change(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.rollout_set_status(rollout=rollout, status=form.cleaned_data["status"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("devices:schoolrollout-detail", pk=rollout.pk)


@login_required
@require_http_methods(["GET", "POST"])
def schoolrollout_phase(request, pk: int):
    """Move the school to its next phase; open steps are listed and need force and a note."""
    rollout = _for_change(request, pk)
    next_phase = services.NEXT_PHASE.get(rollout.phase)
    form = PhaseForm(
        request.POST if request.method == "POST" else None,
        initial={"phase": next_phase, "aftercare_until": rollout.aftercare_until},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rollout_move_phase(rollout=rollout, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The school moved on to %(phase)s.")
                % {"phase": SchoolRollout.Phase(form.cleaned_data["phase"]).label},
            )
            return redirect("devices:schoolrollout-detail", pk=rollout.pk)
    still_open = services.open_steps(rollout, rollout.phase) if next_phase else []
    context = {
        "rollout": rollout,
        "form": form,
        "next_phase": next_phase,
        "next_phase_label": SchoolRollout.Phase(next_phase).label if next_phase else "",
        "open_steps": [services.step_label(item) for item in still_open],
    }
    return render(request, "devices/schoolrollout_phase.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def schoolrollout_update(request, pk: int):
    """Edit the OS image or profile, the end of aftercare, and the note."""
    rollout = _for_change(request, pk)
    form = RolloutForm(
        request.POST if request.method == "POST" else None,
        initial={"os_profile": rollout.os_profile, "aftercare_until": rollout.aftercare_until, "note": rollout.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rollout_update(rollout=rollout, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The school's board was saved."))
            return redirect("devices:schoolrollout-detail", pk=rollout.pk)
    return render(request, "devices/schoolrollout_form.html", {"rollout": rollout, "form": form})


@login_required
@require_POST
def schoolrollout_add_item(request, pk: int):
    """Add a step of the school's own to a phase."""
    rollout = selectors.rollout_get(request.user, pk)
    if not can(request.user, Action.ADD, ChecklistItem):
        raise PermissionDenied
    form = ChecklistAddForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_add(rollout=rollout, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The step was added."))
            return redirect("devices:schoolrollout-detail", pk=rollout.pk)
    context = _detail_context(request.user, rollout, add_form=form)
    return render(request, "devices/schoolrollout_detail.html", context, status=400)


@login_required
@require_POST
def checklistitem_tick(request, pk: int):
    """Tick a step off (``done=1``) or untick it (``done=0``); htmx swaps the one step."""
    item = selectors.checklist_item_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, item):
        raise PermissionDenied
    is_done = request.POST.get("done") == "1"
    error = None
    try:
        item = services.checklist_tick(item=item, actor=request.user, is_done=is_done)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        item = selectors.checklist_item_get(request.user, pk)
        context = {"item": item, "step_label": services.step_label(item), "can_tick": True, "error": error}
        # htmx swaps only successful responses: the refusal is shown in the swapped step.
        return render(request, "devices/_board_item.html", context)
    if error:
        messages.error(request, error)
    return redirect("devices:schoolrollout-detail", pk=item.rollout_id)
