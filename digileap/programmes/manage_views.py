"""Programme administration pages: a programme with its texts in five languages, its funding sources
and objectives, publishing its public page, and copying it as the start of a new one.

Who may change a programme (administrators, and programme owners within their authority) sees
these pages; whoever may read the programme but not change it gets a 403, and whoever may not read
it a 404 (``selectors.programme_get``). Writes go through ``services``, which authorise again,
validate with ``full_clean`` and audit; their ValidationErrors are shown on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from digileap.core.permissions import Action, can, permits

from . import selectors, services
from .forms import (
    FundingSourceForm,
    ObjectiveForm,
    ProgrammeCopyForm,
    ProgrammeForm,
    PublishForm,
    authorities_usable,
)
from .models import Programme

GET_AND_POST = ["GET", "POST"]


def _programme_to_change(user, pk: int) -> Programme:
    """The programme, if the user may change it: 404 when they may not read it, 403 when they may
    read but not change it."""
    programme = selectors.programme_get(user, pk)
    if not permits(user, Action.CHANGE, programme):
        raise PermissionDenied
    return programme


def _next_position(queryset) -> int:
    return (queryset.aggregate(highest=Max("position"))["highest"] or 0) + 1


@login_required
@require_http_methods(GET_AND_POST)
def programme_create(request):
    user = request.user
    authorities = authorities_usable(user, Action.ADD)
    if not can(user, Action.ADD, Programme) or not authorities.exists():
        raise PermissionDenied
    initial = {"status": Programme.Status.PLANNED}
    if authorities.count() == 1:
        only = authorities.get()
        initial["authority"] = only.pk
    form = ProgrammeForm(request.POST or None, user=user, action=Action.ADD, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=user, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The programme %(code)s was created. Add its funding sources and objectives next.")
                % {"code": programme.code},
            )
            return redirect("programmes:programme-detail", pk=programme.pk)
    return render(request, "programmes/manage/programme_form.html", {"form": form, "programme": None})


@login_required
@require_http_methods(GET_AND_POST)
def programme_update(request, pk: int):
    user = request.user
    programme = _programme_to_change(user, pk)
    form = ProgrammeForm(request.POST or None, user=user, action=Action.CHANGE, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=user, programme=programme, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("programmes:programme-detail", pk=programme.pk)
    return render(request, "programmes/manage/programme_form.html", {"form": form, "programme": programme})


# --- funding sources -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def programme_sources(request, pk: int):
    programme = _programme_to_change(request.user, pk)
    sources = selectors.funding_sources_for(request.user).filter(programme=programme).order_by("position", "id")
    context = {"programme": programme, "sources": sources, "total": sum(source.amount for source in sources)}
    return render(request, "programmes/manage/source_list.html", context)


@login_required
@require_http_methods(GET_AND_POST)
def programme_source_create(request, pk: int):
    user = request.user
    programme = _programme_to_change(user, pk)
    initial = {"position": _next_position(programme.funding_sources.all())}
    form = FundingSourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_source_create(actor=user, programme=programme, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The funding source was added."))
            return redirect("programmes:programme-sources", pk=programme.pk)
    context = {"form": form, "programme": programme, "source": None}
    return render(request, "programmes/manage/source_form.html", context)


@login_required
@require_http_methods(GET_AND_POST)
def fundingsource_update(request, pk: int):
    user = request.user
    source = get_object_or_404(selectors.funding_sources_for(user).select_related("programme__authority"), pk=pk)
    if not permits(user, Action.CHANGE, source):
        raise PermissionDenied
    form = FundingSourceForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_source_update(actor=user, source=source, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("programmes:programme-sources", pk=source.programme_id)
    context = {"form": form, "programme": source.programme, "source": source}
    return render(request, "programmes/manage/source_form.html", context)


# --- objectives ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def programme_objectives(request, pk: int):
    programme = _programme_to_change(request.user, pk)
    objectives = selectors.objectives_for(request.user).filter(programme=programme).order_by("position")
    return render(request, "programmes/manage/objective_list.html", {"programme": programme, "objectives": objectives})


@login_required
@require_http_methods(GET_AND_POST)
def programme_objective_create(request, pk: int):
    user = request.user
    programme = _programme_to_change(user, pk)
    initial = {"position": _next_position(programme.objectives.all())}
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_create(actor=user, programme=programme, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The objective was added."))
            return redirect("programmes:programme-objectives", pk=programme.pk)
    context = {"form": form, "programme": programme, "objective": None}
    return render(request, "programmes/manage/objective_form.html", context)


@login_required
@require_http_methods(GET_AND_POST)
def objective_update(request, pk: int):
    user = request.user
    objective = get_object_or_404(selectors.objectives_for(user).select_related("programme__authority"), pk=pk)
    if not permits(user, Action.CHANGE, objective):
        raise PermissionDenied
    form = ObjectiveForm(request.POST or None, objective=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(actor=user, objective=objective, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("programmes:programme-objectives", pk=objective.programme_id)
    context = {"form": form, "programme": objective.programme, "objective": objective}
    return render(request, "programmes/manage/objective_form.html", context)


# --- publishing and copying ----------------------------------------------------------------------


@login_required
@require_http_methods(GET_AND_POST)
def programme_publish(request, pk: int):
    """Asks before publishing or unpublishing the public page (GET), then does it (POST)."""
    user = request.user
    programme = _programme_to_change(user, pk)
    errors: list[str] = []
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            is_public = form.cleaned_data["is_public"]
            try:
                services.programme_publish(actor=user, programme=programme, is_public=is_public)
            except ValidationError as error:
                errors = error.messages
            else:
                if is_public:
                    messages.success(request, _("The public page of %(code)s is online.") % {"code": programme.code})
                else:
                    messages.success(request, _("The public page of %(code)s is offline.") % {"code": programme.code})
                return redirect("programmes:programme-detail", pk=programme.pk)
        else:
            errors = [_("Choose whether to publish or unpublish.")]
    return render(request, "programmes/manage/publish.html", {"programme": programme, "errors": errors})


@login_required
@require_http_methods(GET_AND_POST)
def programme_copy(request, pk: int):
    user = request.user
    programme = _programme_to_change(user, pk)
    if not permits(user, Action.ADD, Programme(authority=programme.authority)):
        raise PermissionDenied
    form = ProgrammeCopyForm(request.POST or None, initial={"code": f"{programme.code}-copy"[:40]})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.programme_copy(actor=user, programme=programme, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(code)s was copied to %(new)s. Check its texts, period and milestones.")
                % {"code": programme.code, "new": copy.code},
            )
            return redirect("programmes:programme-update", pk=copy.pk)
    counts = {
        "sources": programme.funding_sources.count(),
        "objectives": programme.objectives.count(),
        "targets": programme.targets.count(),
    }
    return render(request, "programmes/manage/copy.html", {"programme": programme, "form": form, "counts": counts})
