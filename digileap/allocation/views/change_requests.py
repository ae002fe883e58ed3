"""Pages of change requests to roll-out plans: the list, one request with its way through the
committee, filing (operator staff), scheduling and deciding (funding administrators), withdrawing.

A request outside the user's scope is a 404; an action the role does not allow on a visible request is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from digileap.core.permissions import Action, can, permits

from ..forms.change_requests import ChangeRequestFilterForm, ChangeRequestForm, DecideForm, PlanChoiceForm, ScheduleForm
from ..models import ChangeRequest
from ..selectors import change_requests as selectors
from ..services import change_requests as services
from ..services.change_requests import OPEN_STATUSES

PER_PAGE = 50


def _url_or_none(name: str, pk: int) -> str | None:
    """A link to a plan page when that page exists (the plan pages are their own area)."""
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


@login_required
def change_request_list(request):
    user = request.user
    if not can(user, Action.VIEW, ChangeRequest):
        raise PermissionDenied
    filter_form = ChangeRequestFilterForm(request.GET or None, plans=selectors.plans_for(user).order_by("code", "pk"))
    change_requests = filter_form.filter(selectors.change_requests_for(user))
    page = Paginator(change_requests, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_file": can(user, Action.ADD, ChangeRequest),
    }
    return render(request, "allocation/changerequest_list.html", context)


def _current_plan(request, plans):
    """The plan named by the form (POST) or the link (GET); the only plan when there is one."""
    raw = request.POST.get("plan") if request.method == "POST" else request.GET.get("plan")
    if raw:
        return plans.filter(pk=raw).first() if str(raw).isdigit() else None
    return plans.first() if plans.count() == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def change_request_create(request):
    user = request.user
    if not can(user, Action.ADD, ChangeRequest):
        raise PermissionDenied
    plans = selectors.fileable_plans(user)
    plan = _current_plan(request, plans)
    if plan is None:
        plan_form = PlanChoiceForm(request.GET if request.GET.get("plan") else request.POST or None, plans=plans)
        if plan_form.is_bound:
            plan_form.is_valid()  # shows why the plan is not one to file for
        return render(request, "allocation/changerequest_form.html", {"plan_form": plan_form, "plans": plans})
    form = ChangeRequestForm(
        request.POST if request.method == "POST" else None,
        plan=plan,
        entries=selectors.fileable_entries(user, plan),
        initial={"school": request.GET.get("school"), "kind": request.GET.get("kind") or ChangeRequest.Kind.MOVE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_request = services.change_request_file(actor=user, plan=plan, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your change request #%(number)s was filed.") % {"number": change_request.pk})
            return redirect("allocation:changerequest-detail", pk=change_request.pk)
    return render(request, "allocation/changerequest_form.html", {"form": form, "plan": plan, "plans": plans})


@login_required
def change_request_detail(request, pk: int):
    user = request.user
    change_request = selectors.change_request_get(user, pk)
    entry = selectors.entry_in_force(change_request)
    context = {
        "change_request": change_request,
        "entry": entry,
        "timeline": selectors.change_request_timeline(change_request),
        "events": selectors.change_request_history(change_request)[:50],
        "plan_url": _url_or_none("allocation:rolloutplan-detail", change_request.plan_id),
        "version_url": change_request.resulting_version_id
        and _url_or_none("allocation:rolloutversion-detail", change_request.resulting_version_id),
        "is_open": change_request.status in OPEN_STATUSES,
        "can_schedule": change_request.status in OPEN_STATUSES and permits(user, Action.CHANGE, change_request),
        "can_decide": change_request.status == ChangeRequest.Status.ON_AGENDA
        and permits(user, Action.CHANGE, change_request),
        "can_withdraw": change_request.status in OPEN_STATUSES and permits(user, Action.ADD, change_request),
    }
    return render(request, "allocation/changerequest_detail.html", context)


def _for_change(request, pk: int, action: str) -> ChangeRequest:
    change_request = selectors.change_request_get(request.user, pk)
    if not permits(request.user, action, change_request):
        raise PermissionDenied
    return change_request


@login_required
@require_http_methods(["GET", "POST"])
def change_request_schedule(request, pk: int):
    change_request = _for_change(request, pk, Action.CHANGE)
    form = ScheduleForm(
        request.POST or None,
        initial={"committee": change_request.committee, "meeting_date": change_request.meeting_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_schedule(actor=request.user, change_request=change_request, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The request is on the committee's agenda."))
            return redirect("allocation:changerequest-detail", pk=change_request.pk)
    context = {"form": form, "change_request": change_request, "entry": selectors.entry_in_force(change_request)}
    return render(request, "allocation/changerequest_schedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_request_decide(request, pk: int):
    change_request = _for_change(request, pk, Action.CHANGE)
    today = timezone.localdate()
    meeting_date = change_request.meeting_date
    # The committee usually decides at its meeting; a meeting still ahead has no decision yet.
    form = DecideForm(
        request.POST or None, initial={"decided_on": meeting_date if meeting_date and meeting_date <= today else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.change_request_decide(
                actor=request.user, change_request=change_request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if decided.status == ChangeRequest.Status.APPROVED:
                # change_request_decide links an approval to the version it adopts.
                assert decided.resulting_version is not None
                messages.success(
                    request,
                    _("The request was approved: version %(number)s of the plan is now in force.")
                    % {"number": decided.resulting_version.number},
                )
            else:
                messages.success(request, _("The request was rejected; the plan stays as it is."))
            return redirect("allocation:changerequest-detail", pk=change_request.pk)
    entry = selectors.entry_in_force(change_request)
    over_cap = services.over_cap_loads(change_request)
    context = {
        "form": form,
        "change_request": change_request,
        "entry": entry,
        "effect": selectors.change_request_effect(change_request, entry),
        "over_cap_warning": services.over_cap_message(over_cap) if over_cap else "",
    }
    return render(request, "allocation/changerequest_decide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_request_withdraw(request, pk: int):
    change_request = _for_change(request, pk, Action.ADD)
    errors = []
    if request.method == "POST":
        try:
            services.change_request_withdraw(actor=request.user, change_request=change_request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The request was withdrawn."))
            return redirect("allocation:changerequest-detail", pk=change_request.pk)
    context = {"change_request": change_request, "errors": errors}
    return render(request, "allocation/changerequest_withdraw.html", context)
