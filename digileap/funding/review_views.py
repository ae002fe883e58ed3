"""Pages of the review: the call's reviewers and review set-up, an application's review (declaration
first, then checklist, scores and the decision form), the decision with its letter and grant, and
the amendment form.

Reads go through the selectors: a call or application outside the user's scope (for a funding
administrator: of a call they do not review) is a 404; a role without the right a 403. Writes are
POSTs that call ``services.review``; a ``ValidationError`` goes back onto the form and nothing is
written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits, restrict

from .forms import add_service_errors
from .forms_review import (
    AmendForm,
    ChecklistForm,
    CriterionForm,
    DecisionForm,
    DeclarationForm,
    LetterTemplateForm,
    ReviewerForm,
    ReviewItemForm,
    ScoresForm,
    placeholder_help,
)
from .letters import PLACEHOLDERS
from .models import Application, CallReviewer, LetterTemplate, ReviewItem, ScoringCriterion
from .selectors import applications_for, calls_for
from .selectors import review as review_selectors
from .services import review as review_services


def _call_or_404(request, pk: int):
    return get_object_or_404(calls_for(request.user).select_related("programme"), pk=pk)


def _require(user, action: str, model) -> None:
    if not can(user, action, model):
        raise PermissionDenied


# The call's reviewers.


@login_required
@require_http_methods(["GET", "POST"])
def call_reviewers(request, pk: int):
    call = _call_or_404(request, pk)
    _require(request.user, Action.VIEW, CallReviewer)
    can_change = permits(request.user, Action.CHANGE, call)
    form = ReviewerForm(request.POST or None, call=call)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                reviewer = review_services.call_reviewer_assign(
                    actor=request.user, call=call, user=form.cleaned_data["user"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(user)s now reviews this call.") % {"user": reviewer.user.get_username()})
                return redirect("funding:call-reviewers", pk=call.pk)
    return render(
        request,
        "funding/review/reviewers.html",
        {
            "call": call,
            "reviewers": review_selectors.call_reviewers(call),
            "form": form,
            "can_change": can_change,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def callreviewer_delete(request, pk: int):
    reviewer = get_object_or_404(
        restrict(CallReviewer.objects.select_related("call", "user"), request.user, Action.VIEW), pk=pk
    )
    review_services.call_reviewer_remove(actor=request.user, reviewer=reviewer)
    messages.success(request, _("%(user)s no longer reviews this call.") % {"user": reviewer.user.get_username()})
    return redirect("funding:call-reviewers", pk=reviewer.call_id)


# The call's review set-up.


def _setup_page(request, call, *, item_form=None, criterion_form=None, letter_form=None, status=200):
    _require(request.user, Action.VIEW, ReviewItem)
    return render(
        request,
        "funding/review/setup.html",
        {
            "call": call,
            "items": review_selectors.review_items(call),
            "criteria": ScoringCriterion.objects.filter(call=call).order_by("position", "id"),
            "templates": review_selectors.letter_templates(call),
            "item_form": item_form or ReviewItemForm(),
            "criterion_form": criterion_form or CriterionForm(),
            "letter_form": letter_form or LetterTemplateForm(initial={"language": get_language()}),
            "can_change": permits(request.user, Action.CHANGE, call),
            "placeholders": PLACEHOLDERS,
            "placeholder_help": placeholder_help(),
        },
        status=status,
    )


@login_required
@require_GET
def call_reviewsetup(request, pk: int):
    return _setup_page(request, _call_or_404(request, pk))


@login_required
@require_POST
def call_reviewitemadd(request, pk: int):
    call = _call_or_404(request, pk)
    form = ReviewItemForm(request.POST)
    if form.is_valid():
        try:
            review_services.review_item_create(actor=request.user, call=call, data=form.item_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("funding:call-reviewsetup", pk=call.pk)
    return _setup_page(request, call, item_form=form, status=400)


@login_required
@require_POST
def call_criterionadd(request, pk: int):
    call = _call_or_404(request, pk)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            review_services.scoring_criterion_create(actor=request.user, call=call, data=form.criterion_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The criterion was added."))
            return redirect("funding:call-reviewsetup", pk=call.pk)
    return _setup_page(request, call, criterion_form=form, status=400)


@login_required
@require_POST
def call_letteradd(request, pk: int):
    call = _call_or_404(request, pk)
    form = LetterTemplateForm(request.POST)
    if form.is_valid():
        try:
            review_services.letter_template_create(
                actor=request.user, call=call, language=form.cleaned_data["language"], body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The letter template was saved."))
            return redirect("funding:call-reviewsetup", pk=call.pk)
    return _setup_page(request, call, letter_form=form, status=400)


def _setup_object(request, model, pk: int):
    return get_object_or_404(
        restrict(model.objects.select_related("call"), request.user, Action.VIEW).filter(
            call__in=calls_for(request.user).values("pk")
        ),
        pk=pk,
    )


def _edit_page(request, *, obj, form, kind: str, status=200):
    return render(
        request,
        "funding/review/setup_edit.html",
        {"call": obj.call, "object": obj, "form": form, "kind": kind, "placeholder_help": placeholder_help()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reviewitem_update(request, pk: int):
    item = _setup_object(request, ReviewItem, pk)
    form = ReviewItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_item_update(actor=request.user, item=item, data=form.item_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("funding:call-reviewsetup", pk=item.call_id)
    return _edit_page(request, obj=item, form=form, kind="item", status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def scoringcriterion_update(request, pk: int):
    criterion = _setup_object(request, ScoringCriterion, pk)
    form = CriterionForm(request.POST or None, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            review_services.scoring_criterion_update(
                actor=request.user, criterion=criterion, data=form.criterion_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The criterion was saved."))
            return redirect("funding:call-reviewsetup", pk=criterion.call_id)
    return _edit_page(
        request, obj=criterion, form=form, kind="criterion", status=400 if request.method == "POST" else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def lettertemplate_update(request, pk: int):
    template = _setup_object(request, LetterTemplate, pk)
    form = LetterTemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            review_services.letter_template_update(
                actor=request.user, template=template, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The letter template was saved."))
            return redirect("funding:call-reviewsetup", pk=template.call_id)
    return _edit_page(request, obj=template, form=form, kind="letter", status=400 if request.method == "POST" else 200)


def _delete(request, model, pk: int, service, keyword: str, done: str):
    obj = _setup_object(request, model, pk)
    try:
        service(actor=request.user, **{keyword: obj})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("funding:call-reviewsetup", pk=obj.call_id)


@login_required
@require_POST
def reviewitem_delete(request, pk: int):
    return _delete(request, ReviewItem, pk, review_services.review_item_delete, "item", _("The question was removed."))


@login_required
@require_POST
def scoringcriterion_delete(request, pk: int):
    return _delete(
        request,
        ScoringCriterion,
        pk,
        review_services.scoring_criterion_delete,
        "criterion",
        _("The criterion was removed."),
    )


@login_required
@require_POST
def lettertemplate_delete(request, pk: int):
    return _delete(
        request,
        LetterTemplate,
        pk,
        review_services.letter_template_delete,
        "template",
        _("The letter template was removed; the shipped default is used again."),
    )


# An application's review.


def _application_or_404(request, pk: int) -> Application:
    application = get_object_or_404(applications_for(request.user).select_related("call__programme"), pk=pk)
    _require(request.user, Action.VIEW, ReviewItem)  # operator staff never see the review's papers
    return application


def _review_page(
    request,
    application: Application,
    *,
    declaration_form=None,
    checklist_form=None,
    scores_form=None,
    decision_form=None,
    status=200,
):
    user = request.user
    clearance = review_services.clearance(user, application)
    checklist_rows = review_selectors.checklist(application)
    score_rows = review_selectors.scoring(application)
    decision = application.decisions.order_by("-number").first()
    is_checker = review_services.is_person(user) and user.pk in review_services.checkers_of(application)
    can_work = clearance.is_clear and application.state in review_services.REVIEW_STATES
    return render(
        request,
        "funding/review/review.html",
        {
            "application": application,
            "call": application.call,
            "clearance": clearance,
            "operator_role_message": review_services.operator_role_message(application)
            if clearance.holds_operator_role
            else "",
            "declaration_form": declaration_form or DeclarationForm(),
            "checklist_rows": checklist_rows,
            "score_rows": score_rows,
            "weighted_score": review_selectors.weighted_score(application),
            "checklist_form": checklist_form or ChecklistForm(rows=checklist_rows),
            "scores_form": scores_form or ScoresForm(rows=score_rows),
            "decision_form": decision_form
            or DecisionForm(application=application, initial={"language": get_language()}),
            "can_work": can_work,
            "can_decide": can_work and application.state == "review" and not is_checker and decision is None,
            "is_checker": is_checker,
            "four_eyes_message": review_services.four_eyes_message(),
            "decision": decision,
            "lines": application.cost_lines.select_related("category", "school").order_by("position"),
        },
        status=status,
    )


@login_required
@require_GET
def application_review(request, pk: int):
    return _review_page(request, _application_or_404(request, pk))


@login_required
@require_POST
def application_declare(request, pk: int):
    application = _application_or_404(request, pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            review_services.conflict_declare(
                actor=request.user,
                application=application,
                has_conflict=form.cleaned_data["has_conflict"],
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.info(
                    request, _("Your conflict of interest is recorded: someone else reviews this application.")
                )
            else:
                messages.success(request, _("Your declaration is recorded."))
            return redirect("funding:application-review", pk=application.pk)
    return _review_page(request, application, declaration_form=form, status=400)


@login_required
@require_POST
def application_checklist(request, pk: int):
    application = _application_or_404(request, pk)
    form = ChecklistForm(request.POST, rows=review_selectors.checklist(application))
    if form.is_valid():
        try:
            review_services.review_answers_save(actor=request.user, application=application, answers=form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The checklist was saved."))
            return redirect("funding:application-review", pk=application.pk)
    return _review_page(request, application, checklist_form=form, status=400)


@login_required
@require_POST
def application_scores(request, pk: int):
    application = _application_or_404(request, pk)
    form = ScoresForm(request.POST, rows=review_selectors.scoring(application))
    if form.is_valid():
        try:
            review_services.criterion_scores_save(actor=request.user, application=application, scores=form.scores())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The scores were saved."))
            return redirect("funding:application-review", pk=application.pk)
    return _review_page(request, application, scores_form=form, status=400)


def _grant_message(request, decision) -> None:
    grant = getattr(decision.application, "grant", None)
    if grant is not None and grant.rollout_note:
        messages.info(request, grant.rollout_note)


@login_required
@require_POST
def application_decide(request, pk: int):
    application = _application_or_404(request, pk)
    form = DecisionForm(request.POST, application=application)
    if form.is_valid():
        try:
            decision = review_services.application_decide(
                actor=request.user,
                application=application,
                lines=form.line_entries(),
                reject=form.cleaned_data["outcome"] == "reject",
                conditions=form.cleaned_data["conditions"],
                reason=form.cleaned_data["reason"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The application is %(outcome)s.") % {"outcome": decision.get_outcome_display().lower()}
            )
            _grant_message(request, decision)
            return redirect("funding:decision-detail", pk=decision.pk)
    return _review_page(request, application, decision_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def decision_amend(request, pk: int):
    """Amend the application's decision (the latest one, whichever of its decisions ``pk`` names)."""
    decision = get_object_or_404(review_selectors.decisions_for(request.user), pk=pk)
    application = decision.application
    _require(request.user, Action.VIEW, ReviewItem)
    latest = application.decisions.order_by("-number").first()
    form = AmendForm(request.POST or None, application=application, decision=latest)
    if request.method == "POST" and form.is_valid():
        try:
            decision = review_services.decision_amend(
                actor=request.user,
                application=application,
                lines=form.line_entries(),
                reason=form.cleaned_data["reason"],
                conditions=form.cleaned_data["conditions"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision %(number)s amends the earlier one.") % {"number": decision.number})
            return redirect("funding:decision-detail", pk=decision.pk)
    return render(
        request,
        "funding/review/amend.html",
        {
            "application": application,
            "call": application.call,
            "decision": latest,
            "form": form,
            "clearance": review_services.clearance(request.user, application),
        },
        status=400 if request.method == "POST" else 200,
    )


# Decisions.


@login_required
@require_GET
def decision_detail(request, pk: int):
    decision = get_object_or_404(review_selectors.decisions_for(request.user), pk=pk)
    application = decision.application
    grant = getattr(application, "grant", None)
    return render(
        request,
        "funding/review/decision.html",
        {
            "decision": decision,
            "application": application,
            "call": application.call,
            "lines": decision.lines.select_related("cost_line__category", "cost_line__school").order_by(
                "cost_line__position"
            ),
            "decisions": application.decisions.order_by("number"),
            "grant": grant,
            "grant_lines": grant.lines.select_related("school", "category").order_by("position") if grant else [],
            "proof": getattr(grant, "proof_of_use", None) if grant else None,
            "can_amend": grant is not None
            and review_services.clearance(request.user, application).is_clear
            and permits(request.user, Action.ADD, decision),
            "can_review": can(request.user, Action.VIEW, ReviewItem),
        },
    )


@login_required
@require_GET
def decision_letter(request, pk: int):
    """The decision letter as PDF: operator staff only for their own operator's applications."""
    decision = get_object_or_404(review_selectors.decisions_for(request.user), pk=pk)
    if not decision.letter:
        raise Http404
    response = FileResponse(
        decision.letter.open("rb"),
        as_attachment=True,
        filename=(decision.letter.name or "").rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = decision.letter_sha256
    return response
