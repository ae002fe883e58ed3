"""Pages of allocation rounds: the list, the definition form, a round with its versions, a version's
lines (searchable, paged with htmx), one school's line with its explanation, two versions side by
side, and a version's export to CSV or XLSX.

Reads go through ``selectors.rounds``: a round, version or line the user may not see is a 404
(operator staff and school coordinators see published versions and their own schools' lines only).
Writes are POSTs that call ``services.rounds``; a ValidationError becomes a message or a form error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits
from digileap.programmes.models import Programme
from digileap.schools.selectors import operators_for, schools_for

from ..forms.rounds import ComputeForm, RoundForm
from ..models import AllocationLine, AllocationRound, AllocationVersion
from ..selectors import rounds as selectors
from ..services import rounds as services
from ..templatetags.allocation_explain import excluded_text, unallocated_amount

PER_PAGE = 50
COMPARE_PER_PAGE = 100
SORTS = {"number": ("school__number", "school_id"), "amount": ("-amount", "school__number", "school_id")}


@dataclass(frozen=True)
class VersionRow:
    """A version in the round's list: the one before it (to compare with) and what the user may do."""

    version: AllocationVersion
    previous: AllocationVersion | None
    can_approve: bool
    can_publish: bool


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _operator_names(user, allocation_round_or_parameters) -> dict[int, str]:
    """Names of the operators a round's eligibility lists, those the user may see."""
    eligibility = getattr(allocation_round_or_parameters, "eligibility", None)
    if eligibility is None:
        eligibility = (allocation_round_or_parameters or {}).get("eligibility") or {}
    ids = [pk for pk in (eligibility or {}).get("operators") or [] if isinstance(pk, int)]
    if not ids:
        return {}
    return dict(operators_for(user).filter(pk__in=ids).values_list("pk", "name"))


def _version_warnings(version: AllocationVersion | None) -> dict:
    if version is None:
        return {"unallocated": 0, "excluded": []}
    return {
        "unallocated": unallocated_amount(version.parameters),
        "excluded": excluded_text((version.parameters or {}).get("excluded") or {}),
    }


@login_required
@require_GET
def allocationround_list(request) -> HttpResponse:
    user = request.user
    rounds = selectors.rounds_for(user).order_by("programme__code", "code")
    programmes = Programme.objects.filter(pk__in=rounds.values("programme_id")).order_by("code")
    programme_id = _int_or_none(request.GET.get("programme"))
    if programme_id is not None:
        rounds = rounds.filter(programme_id=programme_id)
    status = request.GET.get("status") if request.GET.get("status") in AllocationRound.Status.values else ""
    if status:  # the home page's "rounds to approve" links here with status=computed
        rounds = rounds.filter(status=status)
    page = Paginator(rounds, PER_PAGE).get_page(request.GET.get("page"))
    latest: dict[int, AllocationVersion] = {}
    for version in selectors.all_versions_for(user).filter(round__in=[r.pk for r in page]).order_by("round", "-number"):
        latest.setdefault(version.round_id, version)
    context = {
        "page": page,
        "rows": [(r, latest.get(r.pk)) for r in page],
        "programmes": programmes,
        "programme_id": programme_id,
        "status": status,
        "statuses": AllocationRound.Status.choices,
        "can_add": can(user, Action.ADD, AllocationRound) and selectors.programmes_for_rounds(user).exists(),
    }
    return render(request, "allocation/round_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def allocationround_create(request):
    user = request.user
    programmes = selectors.programmes_for_rounds(user, Action.ADD)
    if not can(user, Action.ADD, AllocationRound) or not programmes.exists():
        raise PermissionDenied
    initial = {
        "programme": _int_or_none(request.GET.get("programme")),
        "pupils": "enrolment",
        "need": "none",
        "min_pupils": 1,
    }
    form = RoundForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            allocation_round = services.round_create(
                actor=user, programme=form.cleaned_data["programme"], data=form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The round %(code)s was created.") % {"code": allocation_round.code})
            return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
    return render(request, "allocation/round_form.html", {"form": form, "round": None})


@login_required
@require_http_methods(["GET", "POST"])
def allocationround_update(request, pk: int):
    user = request.user
    allocation_round = selectors.round_get(user, pk)
    if not permits(user, Action.CHANGE, allocation_round):
        raise PermissionDenied
    if allocation_round.is_locked:
        messages.error(request, _("The round is approved: it cannot be changed any more."))
        return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
    form = RoundForm(request.POST or None, programmes=None, allocation_round=allocation_round)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not data:
            messages.info(request, _("Nothing was changed."))
            return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
        try:
            services.round_update(actor=user, allocation_round=allocation_round, data=data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved. Compute the round again to see their effect."))
            return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
    return render(request, "allocation/round_form.html", {"form": form, "round": allocation_round})


@login_required
@require_GET
def allocationround_detail(request, pk: int):
    user = request.user
    allocation_round = selectors.round_get(user, pk)
    versions = list(selectors.versions_for(user, allocation_round).select_related("computed_by", "approved_by"))
    latest = versions[0] if versions else None
    can_change = permits(user, Action.CHANGE, allocation_round)
    approvable = (
        latest is not None
        and can_change
        and not allocation_round.is_locked
        and allocation_round.status == AllocationRound.Status.COMPUTED
        and latest.status == AllocationVersion.Status.COMPUTED
    )
    version_rows = [
        VersionRow(
            version=version,
            previous=versions[index + 1] if index + 1 < len(versions) else None,
            can_approve=approvable and version is latest,
            can_publish=can_change and version.status == AllocationVersion.Status.APPROVED,
        )
        for index, version in enumerate(versions)
    ]
    sees_unpublished = selectors.sees_unpublished(user, allocation_round)
    published = next((v for v in versions if v.status == AllocationVersion.Status.PUBLISHED), None)
    own_lines = []
    if not sees_unpublished and published is not None:
        own_lines = list(selectors.lines_for(user, published)[:PER_PAGE])
    context = {
        "round": allocation_round,
        "versions": versions,
        "version_rows": version_rows,
        "latest": latest,
        "warnings": _version_warnings(latest),
        "operator_names": _operator_names(user, allocation_round),
        "can_edit": can_change and not allocation_round.is_locked,
        "can_compute": can_change and not allocation_round.is_locked,
        "compute_form": ComputeForm(),
        "sees_unpublished": sees_unpublished,
        "published": published,
        "own_lines": own_lines,
    }
    return render(request, "allocation/round_detail.html", context)


@login_required
@require_POST
def allocationround_compute(request, pk: int):
    user = request.user
    allocation_round = selectors.round_get(user, pk)
    if not permits(user, Action.CHANGE, allocation_round):
        raise PermissionDenied
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(message) for message in form.errors.get("note", [])) or _("The note could not be read."),
        )
        return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
    try:
        version = services.round_compute(actor=user, allocation_round=allocation_round, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _("The round could not be computed: %(reason)s") % {"reason": " ".join(error.messages)})
        return redirect("allocation:allocationround-detail", pk=allocation_round.pk)
    messages.success(
        request,
        _("Version %(number)s was computed: %(schools)s schools.")
        % {"number": version.number, "schools": version.schools_count},
    )
    return redirect("allocation:allocationversion-detail", pk=version.pk)


def _version_write(request, pk: int, service, success: str):
    user = request.user
    version = selectors.version_get(user, pk)
    if not permits(user, Action.CHANGE, version):
        raise PermissionDenied
    try:
        if service is services.version_approve:
            selectors.refuse_outdated_approval(version)
        service(actor=user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"number": version.number})
    return redirect("allocation:allocationround-detail", pk=version.round_id)


@login_required
@require_POST
def allocationversion_approve(request, pk: int):
    return _version_write(
        request, pk, services.version_approve, _("Version %(number)s is approved; the round is now locked.")
    )


@login_required
@require_POST
def allocationversion_publish(request, pk: int):
    return _version_write(
        request,
        pk,
        services.version_publish,
        _("Version %(number)s is published: operators and schools now see their own lines."),
    )


@login_required
@require_GET
def allocationversion_detail(request, pk: int):
    user = request.user
    version = selectors.version_get(user, pk)
    allocation_round = AllocationRound.objects.select_related("programme__authority").get(pk=version.round_id)
    lines = selectors.lines_for(user, version)
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        lines = lines.filter(Q(school__number__icontains=query) | Q(school__name__icontains=query))
    bound = request.GET.get("bound")
    if bound in AllocationLine.Bound.values and bound:
        lines = lines.filter(bound=bound)
    elif bound == "none":
        lines = lines.filter(bound="")
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "number"
    lines = lines.order_by(*SORTS[sort])
    page = Paginator(lines, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "version": version,
        "round": allocation_round,
        "page": page,
        "query": query,
        "bound": bound or "",
        "sort": sort,
        "bounds": [("none", _("the formula"))] + [(v, label) for v, label in AllocationLine.Bound.choices if v],
        "warnings": _version_warnings(version),
        "operator_names": _operator_names(user, version.parameters),
        "other_versions": list(selectors.versions_for(user, allocation_round).exclude(pk=version.pk)),
    }
    if request.htmx and request.htmx.target == "allocation-lines":
        return render(request, "allocation/_round_lines.html", context)
    return render(request, "allocation/version_detail.html", context)


@login_required
@require_GET
def allocationversion_compare(request, pk: int):
    """This version and another side by side: ``?with=<version>`` (default: the one before it, or
    the newest other); ``?all=1`` shows unchanged schools too."""
    user = request.user
    version = selectors.version_get(user, pk)
    allocation_round = AllocationRound.objects.select_related("programme__authority").get(pk=version.round_id)
    candidates = list(selectors.versions_for(user, allocation_round).exclude(pk=version.pk))
    other_id = _int_or_none(request.GET.get("with"))
    other: AllocationVersion | None
    if other_id is not None:
        other = selectors.version_get(user, other_id)
    else:
        other = next((v for v in candidates if v.number < version.number), None) or (
            candidates[0] if candidates else None
        )
    show_all = request.GET.get("all") == "1"
    context = {
        "version": version,
        "round": allocation_round,
        "other": other,
        "candidates": candidates,
        "show_all": show_all,
        "comparison": None,
    }
    if other is not None:
        a, b = (
            (other, version)
            if (other.round_id, other.number) < (version.round_id, version.number)
            else (version, other)
        )
        comparison = selectors.compare_versions(user, a, b)
        rows = comparison.rows if show_all else comparison.changed
        context.update(
            comparison=comparison,
            page=Paginator(rows, COMPARE_PER_PAGE).get_page(request.GET.get("page")),
            changed_count=len(comparison.changed),
            only_in_a=len(comparison.only_in_a),
            only_in_b=len(comparison.only_in_b),
        )
    return render(request, "allocation/version_compare.html", context)


def _pupil_column(key: str) -> str:
    level, _slash, grade = key.partition("/")
    return f"pupils_isced{level}" if grade in ("", "0") else f"pupils_isced{level}_grade{grade}"


def _version_export(request, pk: int, file_format: str):
    """One row per school the user may see: its inputs, formula value, amount and the limit that bound it."""
    user = request.user
    version = selectors.version_get(user, pk)
    allocation_round = version.round
    rows = list(
        selectors.lines_for(user, version).values_list(
            "school__number",
            "school__name",
            "school__operator__code",
            "school__operator__name",
            "eligible_pupils",
            "claim",
            "amount",
            "bound",
            "explanation",
        )
    )
    pupil_keys: set[str] = set()
    for row in rows:
        pupil_keys.update(((row[8] or {}).get("inputs") or {}).get("pupils") or {})
    pupil_keys_sorted = sorted(pupil_keys, key=lambda key: tuple(int(part or 0) for part in key.split("/")))
    is_priority = (version.parameters or {}).get("distribution") == AllocationRound.Distribution.PRIORITY
    headers = [
        "school_number",
        "school_name",
        "operator_code",
        "operator_name",
        *[_pupil_column(key) for key in pupil_keys_sorted],
        "eligible_pupils",
        "index",
        "need_units",
        "claim",
        "amount",
        "bound",
        *(["priority_rank"] if is_priority else []),
    ]

    def lines():
        for number, name, operator_code, operator_name, eligible, claim, amount, bound, explanation in rows:
            explanation = explanation or {}
            inputs = explanation.get("inputs") or {}
            pupils = inputs.get("pupils") or {}
            row = [
                number,
                name,
                operator_code,
                operator_name,
                *[pupils.get(key, 0) for key in pupil_keys_sorted],
                eligible,
                None if inputs.get("index") is None else Decimal(str(inputs["index"])),
                inputs.get("need_units"),
                claim,
                amount,
                bound,
            ]
            if is_priority:
                row.append((explanation.get("share") or {}).get("rank"))
            yield row

    filename = f"{allocation_round.code}-v{version.number}"
    return export_response(file_format, filename, headers, lines())


@login_required
@require_GET
def allocationversion_export(request, pk: int):
    return _version_export(request, pk, "csv")


@login_required
@require_GET
def allocationversion_export_xlsx(request, pk: int):
    return _version_export(request, pk, "xlsx")


@login_required
@require_GET
def allocationline_detail(request, pk: int):
    user = request.user
    line = selectors.line_get(user, pk)
    version = line.version
    allocation_round = version.round
    context = {
        "line": line,
        "version": version,
        "round": allocation_round,
        "school_visible": schools_for(user).filter(pk=line.school_id).exists(),
    }
    return render(request, "allocation/line_detail.html", context)
