"""Pages of the self-assessment (docs/training-self-assessment.md): the rounds, a new round and
its edit, a round's page, the teacher's questionnaire and personal report, and the group
results with their CSV.

Rounds outside the user's scope are a 404. The questionnaire and the personal report are the
requesting teacher's own: they are keyed by the round and always read the user's own staff
record, so there is no address for another person's answers; a user without a staff record (an
administrator, a programme owner) gets a 403 there. Group results show only groups of at least
``DIGILEAP_TRAINING_MIN_GROUP`` teachers who answered.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.exports import csv_response
from digileap.core.permissions import Action, can, permits
from digileap.programmes.translation import localized

from .charts import AreaBar, area_levels_svg
from .forms_selfassessment import QuestionnaireForm, ResultsForm, RoundForm
from .models import AssessmentRound, Membership, SelfAssessment, StaffMember
from .selectors import selfassessment as selectors
from .services import selfassessment as services


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _round(request, pk: int, action: str = Action.VIEW) -> AssessmentRound:
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if action != Action.VIEW and not permits(request.user, action, round_):
        raise PermissionDenied
    return round_


def _own_staff_for(request, round_: AssessmentRound) -> StaffMember:
    """The requesting user's own staff record, when it may answer ``round_`` (same authority)."""
    staff = selectors.own_staff(request.user)
    if staff is None or staff.authority_id != round_.programme.authority_id:
        raise PermissionDenied
    return staff


@login_required
@require_GET
def round_list(request):
    if not can(request.user, Action.VIEW, AssessmentRound):
        raise PermissionDenied
    rounds = list(selectors.rounds_for(request.user).order_by("-opens_on", "code", "pk"))
    staff = selectors.own_staff(request.user)
    answered = set()
    if staff is not None:
        answered = set(SelfAssessment.objects.filter(staff=staff).values_list("round_id", flat=True))
    may_results = selectors.may_read_results(request.user)
    rows = [
        {
            "round": round_,
            "is_open": selectors.round_is_open(round_),
            "answered": round_.pk in answered,
            "may_answer": staff is not None and staff.authority_id == round_.programme.authority_id,
            "count": selectors.answered_count(round_, request.user) if may_results else None,
        }
        for round_ in rounds
    ]
    return render(
        request,
        "training/selfassessment/round_list.html",
        {
            "rows": rows,
            "may_results": may_results,
            "can_add": selectors.programmes_for_rounds(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    programmes = selectors.programmes_for_rounds(request.user)
    if not programmes.exists():
        raise PermissionDenied
    form = RoundForm(
        request.POST or None, programmes=programmes, frameworks=selectors.frameworks_for_rounds(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(
                actor=request.user, programme=form.cleaned_data["programme"], **form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The self-assessment round %(code)s was made.") % {"code": round_.code})
            return redirect("training:assessmentround-detail", pk=round_.pk)
    return render(
        request, "training/selfassessment/round_form.html", {"form": form, "round": None}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_update(request, pk: int):
    round_ = _round(request, pk, Action.CHANGE)
    form = RoundForm(
        request.POST or None,
        frameworks=selectors.frameworks_for_rounds(request.user, round_.programme),
        round_=round_,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_round(actor=request.user, round=round_, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The round was saved."))
            return redirect("training:assessmentround-detail", pk=round_.pk)
    return render(
        request, "training/selfassessment/round_form.html", {"form": form, "round": round_}, status=_status(form)
    )


@login_required
@require_GET
def round_detail(request, pk: int):
    round_ = _round(request, pk)
    staff = selectors.own_staff(request.user)
    is_teacher = staff is not None and staff.authority_id == round_.programme.authority_id
    may_results = selectors.may_read_results(request.user)
    return render(
        request,
        "training/selfassessment/round_detail.html",
        {
            "round": round_,
            "framework_name": localized(round_.framework.name) or round_.framework.code,
            "is_open": selectors.round_is_open(round_),
            "can_change": permits(request.user, Action.CHANGE, round_),
            "may_results": may_results,
            "count": selectors.answered_count(round_, request.user) if may_results else None,
            "is_teacher": is_teacher,
            "has_answered": is_teacher and SelfAssessment.objects.filter(round=round_, staff=staff).exists(),
            "competences": round_.framework.competences.count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_answer(request, pk: int):
    """The teacher's questionnaire: one item per competence, grouped by area."""
    round_ = _round(request, pk)
    staff = _own_staff_for(request, round_)
    existing = SelfAssessment.objects.filter(round=round_, staff=staff).first()
    context = {"round": round_, "existing": existing, "is_open": selectors.round_is_open(round_)}
    if not context["is_open"]:
        if request.method == "POST":
            messages.error(request, _("This round is not open: it takes no answers."))
        return render(
            request,
            "training/selfassessment/answer.html",
            {**context, "form": None},
            status=400 if request.method == "POST" else 200,
        )
    schools = [
        membership.school
        for membership in Membership.objects.filter(
            staff=staff, is_active=True, school__authority_id=round_.programme.authority_id
        )
        .select_related("school")
        .order_by("pk")
    ]
    initial = dict(existing.answers.values_list("competence_id", "rank")) if existing else {}
    form = QuestionnaireForm(
        request.POST or None,
        areas=selectors.questionnaire(round_.framework),
        schools=schools,
        initial_ranks=initial,
        initial={"school": existing.school_id} if existing and existing.school_id else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_self_assessment(
                actor=request.user, round=round_, staff=staff, answers=form.answers(), school=form.school()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Your answers were saved; they replace those you gave before.")
                if existing
                else _("Your answers were saved."),
            )
            return redirect("training:assessmentround-report", pk=round_.pk)
    return render(request, "training/selfassessment/answer.html", {**context, "form": form}, status=_status(form))


def _level_bars(rows, earlier: dict | None = None) -> list[AreaBar]:
    earlier = earlier or {}
    return [
        AreaBar(
            label=f"{row.area.code} {row.name}".strip(),
            mean=row.mean,
            level=row.label,
            earlier=earlier.get(row.area.pk),
        )
        for row in rows
    ]


def _course_url(course) -> str:
    try:
        return reverse("training:course-detail", kwargs={"pk": course.pk})
    except NoReverseMatch:  # the courses part is not installed
        return ""


@login_required
@require_GET
def round_report(request, pk: int):
    """The teacher's own report: level per area, a chart, the weakest areas, suggested courses,
    and the change since an earlier round."""
    round_ = _round(request, pk)
    staff = _own_staff_for(request, round_)
    report = selectors.personal_report(staff, round_)
    chart = None
    if report["areas"]:
        levels = report["levels"]
        earlier = {change["area"].pk: change["before"].mean for change in report["changes"]}
        chart = area_levels_svg(
            _level_bars(report["areas"], earlier),
            highest=max((level.rank for level in levels), default=1),
            title=_("Your level per area"),
            element_id="report-chart",
        )
    return render(
        request,
        "training/selfassessment/report.html",
        {
            "round": round_,
            "report": report,
            "chart": chart,
            "is_open": selectors.round_is_open(round_),
            "course_rows": [(course, covered, _course_url(course)) for course, covered in report["courses"]],
            "weakest_names": ", ".join(f"{row.area.code} {row.name}".strip() for row in report["weakest"]),
        },
    )


def _results(request, round_: AssessmentRound) -> dict:
    if not selectors.may_read_results(request.user):
        raise PermissionDenied
    kinds = selectors.group_kinds_for(request.user)
    earlier_rounds = list(selectors.earlier_rounds(round_, request.user))
    form = ResultsForm(request.GET or None, kinds=kinds, earlier_rounds=earlier_rounds)
    group_by, earlier = kinds[0], None
    if form.is_bound and form.is_valid():
        group_by = form.cleaned_data["group_by"] or group_by
        if form.cleaned_data["earlier"]:
            earlier = next(item for item in earlier_rounds if item.pk == form.cleaned_data["earlier"])
    groups = selectors.group_results(round_, group_by, request.user)
    changes = selectors.group_changes(round_, earlier, group_by, request.user) if earlier else None
    levels = selectors.Levels(round_.framework).ordered
    return {
        "round": round_,
        "form": form,
        "group_by": group_by,
        "group_label": ResultsForm.GROUP_LABELS[group_by],
        "groups": groups,
        "earlier": earlier,
        "changes": changes,
        "levels": levels,
        "minimum": selectors.min_group(),
        "highest": max((level.rank for level in levels), default=1),
    }


@login_required
@require_GET
def round_results(request, pk: int):
    round_ = _round(request, pk)
    context = _results(request, round_)
    charts = {}
    for index, group in enumerate(context["groups"]):
        if group.shown and (context["group_by"] == "all" or len(context["groups"]) <= 12):
            charts[index] = area_levels_svg(
                _level_bars(group.areas),
                highest=context["highest"],
                title=_("Mean level per area: %(group)s") % {"group": group.label},
                element_id=f"group-chart-{index}",
            )
    context["sections"] = [(group, charts.get(index)) for index, group in enumerate(context["groups"])]
    context["shown_count"] = sum(1 for group in context["groups"] if group.shown)
    return render(request, "training/selfassessment/results.html", context)


@login_required
@require_GET
def round_results_csv(request, pk: int):
    """The group results as CSV, with the same suppression as the page."""
    round_ = _round(request, pk)
    context = _results(request, round_)
    levels = context["levels"]
    suppressed = _("fewer than %(count)s answers: not shown") % {"count": context["minimum"]}
    headers = [
        _("Grouping"),
        _("Group"),
        _("Teachers who answered"),
        _("Area"),
        _("Area name"),
        _("Mean level"),
        _("Level"),
        *[_("Teachers at %(level)s") % {"level": level.code} for level in levels],
    ]
    changes = {}
    if context["changes"] is not None:
        headers += [_("Mean in %(round)s") % {"round": context["earlier"].code}, _("Change")]
        for change in context["changes"]:
            for area in change["areas"]:
                changes[(change["group"].key, area["area"].pk)] = area

    def rows():
        kind = str(context["group_label"])
        for group in context["groups"]:
            if not group.shown:
                yield [kind, group.label, suppressed]
                continue
            for entry in group.areas:
                row = [
                    kind,
                    group.label,
                    group.teachers,
                    entry.area.code,
                    entry.name,
                    entry.mean,
                    entry.label,
                    *[entry.distribution.get(level.rank, 0) for level in levels],
                ]
                if context["changes"] is not None:
                    change = changes.get((group.key, entry.area.pk))
                    row += [change["before"].mean, change["change"]] if change else ["", ""]
                yield row

    return csv_response(f"{round_.code}-self-assessment-results", headers, rows())
