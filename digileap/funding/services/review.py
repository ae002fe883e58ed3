"""Writes of the review: reviewers of a call, the call's review set-up (checklist items, scored
criteria, letter templates), conflict-of-interest declarations, checklist answers, scores, the
decision and its amendments.

Who:
- Programme owners and funding administrators of the call's authority (``change`` on the call)
  assign reviewers and keep the set-up. Only users with the funding-administrator role of that
  authority can be assigned.
- Reviewing an application (declaring, answering, scoring, deciding) needs ``change`` on its call
  and the application within ``selectors.applications_for``: a funding administrator only on the
  calls they are assigned to. Before anything else, a person declares on the application
  (``conflict_declare``). Whoever holds a role at the applying operator (operator scope, or a school
  of it) is refused; a declared conflict keeps the reviewer out for good.
- Four eyes: whoever answered the application's checklist, or moved it into review (the
  ``formal_check``/``resubmitted`` → ``review`` event), cannot decide it.

The decision (``application_decide``) approves funding per cost line (at most the requested
funding; lower only with a reason), moves the application through the state machine
(``services.applications``), renders the decision letter *before* inserting the ``Decision`` row
(the database refuses to update it), and on approval creates the grant (``services.grants``).
An amendment (``decision_amend``) is decision n+1; it changes the grant's lines and amount and
records the difference as a further commitment.

The installation itself (``SystemActor``: seed data, demo) is not a person: the declaration and
four-eyes rules apply to people only.
"""

import datetime
import hashlib
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.accounts.models import Role, RoleAssignment
from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, authorize, permits
from digileap.core.services import create_audited, update_audited
from digileap.programmes.translation import validate_translations

from ..models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    Call,
    CallReviewer,
    ConflictDeclaration,
    CostLine,
    CriterionScore,
    Decision,
    DecisionLine,
    LetterTemplate,
    ReviewAnswer,
    ReviewItem,
    ReviewStage,
    ScoringCriterion,
)
from ..selectors.applications import applications_for
from .applications import _lock, _move, check_transition

S = ApplicationState
CENT = Decimal("0.01")
# The states in which the checklist is answered and scores are given.
REVIEW_STATES = frozenset({S.FORMAL_CHECK, S.RESUBMITTED, S.REVIEW})
DECIDED_STATES = frozenset({S.APPROVED, S.PARTLY_APPROVED, S.REJECTED})
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def is_person(actor) -> bool:
    return getattr(actor, "pk", None) is not None


# Reviewers.


def assignable_reviewers(call: Call):
    """Users with the funding-administrator role of the call's authority (or of every authority)."""
    authority_id = call.programme.authority_id
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role=Role.FUNDING_ADMINISTRATOR)
        .filter(
            Q(role_assignments__scope_kind="authority", role_assignments__authority_id=authority_id)
            | Q(role_assignments__scope_kind="all")
        )
        .distinct()
        .order_by("username")
    )


def _authorize_call(actor, call: Call) -> None:
    if not permits(actor, Action.CHANGE, call):
        raise PermissionDenied("the call's review needs change on the call")


@transaction.atomic
def call_reviewer_assign(*, actor, call: Call, user) -> CallReviewer:
    """Assign ``user`` (a funding administrator of the call's authority) to review the call."""
    call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
    _authorize_call(actor, call)
    if user is None or not assignable_reviewers(call).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": [_("Only a funding administrator of the call's authority can review its applications.")]}
        )
    if CallReviewer.objects.filter(call=call, user=user).exists():
        raise ValidationError({"user": [_("%(user)s already reviews this call.") % {"user": user.get_username()}]})
    return create_audited(
        actor=actor,
        instance=CallReviewer(
            call=call, user=user, assigned_by=actor if is_person(actor) else None, assigned_at=timezone.now()
        ),
    )


@transaction.atomic
def call_reviewer_remove(*, actor, reviewer: CallReviewer) -> None:
    reviewer = CallReviewer.objects.select_for_update().select_related("call", "user").get(pk=reviewer.pk)
    authorize(actor, Action.DELETE, reviewer)
    audit.record(actor=actor, action="delete", instance=reviewer, before=audit.snapshot(reviewer))
    reviewer.delete()


# The call's review set-up.


def _clean_code(value) -> str:
    return str(value or "").strip()


def _check_texts(field: str, value) -> None:
    if not isinstance(value, dict) or not any(str(text).strip() for text in value.values()):
        raise ValidationError({field: [_("Give the text in at least one language.")]})
    validate_translations(value)


ITEM_FIELDS = ["stage", "code", "text", "position"]


def _check_item(item: ReviewItem) -> None:
    item.code = _clean_code(item.code)
    if item.stage not in ReviewStage.values:
        raise ValidationError({"stage": [_("Choose the stage: application, claim or proof of use.")]})
    _check_texts("text", item.text)
    clash = ReviewItem.objects.filter(call_id=item.call_id, stage=item.stage, code=item.code).exclude(pk=item.pk)
    if clash.exists():
        raise ValidationError({"code": [_("The code %(code)s is used already at this stage.") % {"code": item.code}]})


@transaction.atomic
def review_item_create(*, actor, call: Call, data: dict[str, Any]) -> ReviewItem:
    """A question of the call's checklist for one stage, in up to five languages."""
    return create_audited(
        actor=actor, instance=ReviewItem(call=call), data=data, allowed=ITEM_FIELDS, check=_check_item
    )


@transaction.atomic
def review_item_update(*, actor, item: ReviewItem, data: dict[str, Any]) -> ReviewItem:
    """Change a question; its stage and code are fixed once it is answered."""

    def check(instance: ReviewItem) -> None:
        if instance.answers.exists():
            original = ReviewItem.objects.get(pk=instance.pk)
            if (original.stage, original.code) != (instance.stage, _clean_code(instance.code)):
                raise ValidationError(
                    {"code": [_("The question is answered already: its stage and code cannot change.")]}
                )
        _check_item(instance)

    return update_audited(actor=actor, instance=item, data=data, allowed=ITEM_FIELDS, check=check)


@transaction.atomic
def review_item_delete(*, actor, item: ReviewItem) -> None:
    """Remove a question that nobody answered yet."""
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, Action.DELETE, item)
    if item.answers.exists():
        raise ValidationError(
            _("The question %(code)s is answered already: it cannot be removed.") % {"code": item.code}
        )
    audit.record(actor=actor, action="delete", instance=item, before=audit.snapshot(item))
    item.delete()


CRITERION_FIELDS = ["code", "name", "max_score", "weight", "position"]


def _check_criterion(criterion: ScoringCriterion) -> None:
    criterion.code = _clean_code(criterion.code)
    _check_texts("name", criterion.name)
    errors = {}
    try:
        max_score = int(criterion.max_score)
    except (TypeError, ValueError):
        max_score = 0
    if max_score < 1:
        errors["max_score"] = [_("The highest score is a whole number of at least 1.")]
    else:
        criterion.max_score = max_score
        if criterion.pk and criterion.scores.filter(score__gt=max_score).exists():
            errors["max_score"] = [_("Some applications are scored higher than %(max)s already.") % {"max": max_score}]
    try:
        weight = Decimal(str(criterion.weight))
    except (InvalidOperation, ValueError):
        weight = Decimal(-1)
    if not weight.is_finite() or weight < 0:
        errors["weight"] = [_("The weight is a number of at least 0.")]
    else:
        criterion.weight = weight
    if (
        ScoringCriterion.objects.filter(call_id=criterion.call_id, code=criterion.code)
        .exclude(pk=criterion.pk)
        .exists()
    ):
        errors["code"] = [_("The code %(code)s is used already.") % {"code": criterion.code}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scoring_criterion_create(*, actor, call: Call, data: dict[str, Any]) -> ScoringCriterion:
    return create_audited(
        actor=actor,
        instance=ScoringCriterion(call=call),
        data=data,
        allowed=CRITERION_FIELDS,
        check=_check_criterion,
    )


@transaction.atomic
def scoring_criterion_update(*, actor, criterion: ScoringCriterion, data: dict[str, Any]) -> ScoringCriterion:
    return update_audited(actor=actor, instance=criterion, data=data, allowed=CRITERION_FIELDS, check=_check_criterion)


@transaction.atomic
def scoring_criterion_delete(*, actor, criterion: ScoringCriterion) -> None:
    """Remove a criterion no application is scored on yet."""
    criterion = ScoringCriterion.objects.select_for_update().get(pk=criterion.pk)
    authorize(actor, Action.DELETE, criterion)
    if criterion.scores.exists():
        raise ValidationError(
            _("Applications are scored on %(code)s already: it cannot be removed.") % {"code": criterion.code}
        )
    audit.record(actor=actor, action="delete", instance=criterion, before=audit.snapshot(criterion))
    criterion.delete()


def placeholder_errors(body: str) -> list[str]:
    """Unknown or malformed placeholders of a letter template (``letters.PLACEHOLDERS``)."""
    from ..letters import PLACEHOLDERS

    try:
        names = [name for _literal, name, _spec, _conversion in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return [_("A brace is not closed: write placeholders as {name}, and a brace itself as {{ or }}.")]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        return [
            _("Unknown placeholders: %(names)s. Known: %(known)s.")
            % {"names": ", ".join("{" + name + "}" for name in unknown), "known": ", ".join(sorted(PLACEHOLDERS))}
        ]
    return []


def _check_template(template: LetterTemplate) -> None:
    errors = {}
    template.body = (template.body or "").strip()
    if template.language not in LANGUAGES:
        errors["language"] = [_("Choose one of the languages of the installation.")]
    if not template.body:
        errors["body"] = [_("Write the letter's text.")]
    else:
        problems = placeholder_errors(template.body)
        if problems:
            errors["body"] = problems
    clash = LetterTemplate.objects.filter(call_id=template.call_id, language=template.language).exclude(pk=template.pk)
    if "language" not in errors and clash.exists():
        errors["language"] = [_("The call has a letter template in this language already: edit that one.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def letter_template_create(*, actor, call: Call, language: str, body: str) -> LetterTemplate:
    """The call's decision letter in one language (placeholders: ``letters.PLACEHOLDERS``)."""
    return create_audited(
        actor=actor,
        instance=LetterTemplate(call=call),
        data={"language": language, "body": body},
        allowed=["language", "body"],
        check=_check_template,
    )


@transaction.atomic
def letter_template_update(*, actor, template: LetterTemplate, body: str) -> LetterTemplate:
    return update_audited(actor=actor, instance=template, data={"body": body}, allowed=["body"], check=_check_template)


@transaction.atomic
def letter_template_delete(*, actor, template: LetterTemplate) -> None:
    """Remove a template; the call's letters in that language use the shipped default again
    (letters already made keep their text: they are stored files)."""
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    authorize(actor, Action.DELETE, template)
    audit.record(actor=actor, action="delete", instance=template, before=audit.snapshot(template))
    template.delete()


# Access to an application's review.


def holds_role_at_operator(user, operator_id: int) -> bool:
    """Whether ``user`` has any role at the operator: scoped to it, or to one of its schools."""
    if not is_person(user):
        return False
    return RoleAssignment.objects.filter(
        Q(scope_kind="operator", operator_id=operator_id) | Q(scope_kind="school", school__operator_id=operator_id),
        user_id=user.pk,
    ).exists()


def may_review(user, application: Application) -> bool:
    """``change`` on the call and the application within what the user sees (assigned reviewer)."""
    return permits(user, Action.CHANGE, application.call) and applications_for(user).filter(pk=application.pk).exists()


@dataclass(frozen=True)
class Clearance:
    """Where a user stands on reviewing one application."""

    may_review: bool  # role, scope and assignment
    declaration: ConflictDeclaration | None
    holds_operator_role: bool

    @property
    def is_clear(self) -> bool:
        return (
            self.may_review
            and not self.holds_operator_role
            and (self.declaration is not None and not self.declaration.has_conflict)
        )

    @property
    def needs_declaration(self) -> bool:
        return self.may_review and self.declaration is None


def clearance(user, application: Application) -> Clearance:
    if not is_person(user):
        return Clearance(
            may_review=True, declaration=ConflictDeclaration(has_conflict=False), holds_operator_role=False
        )
    return Clearance(
        may_review=may_review(user, application),
        declaration=ConflictDeclaration.objects.filter(application=application, reviewer_id=user.pk).first(),
        holds_operator_role=holds_role_at_operator(user, application.operator_id),
    )


def operator_role_message(application: Application) -> str:
    return _(
        "You hold a role at %(operator)s, which made this application: you cannot review it (conflict of interest)."
    ) % {"operator": application.operator.name}


def require_clearance(actor, application: Application) -> None:
    """Refuse unless ``actor`` may review the application and has declared no conflict."""
    state = clearance(actor, application)
    if not state.may_review:
        raise PermissionDenied("reviewing needs change on the call and an assignment as its reviewer")
    if state.holds_operator_role:
        raise ValidationError(operator_role_message(application))
    if state.declaration is None:
        raise ValidationError(_("Declare first whether you have a conflict of interest with this application."))
    if state.declaration.has_conflict:
        raise ValidationError(_("You declared a conflict of interest with this application: you cannot review it."))


@transaction.atomic
def conflict_declare(
    *, actor, application: Application, has_conflict: bool, statement: str = ""
) -> ConflictDeclaration:
    """The reviewer's declaration before opening the application; made once. Someone with a role at
    the applying operator cannot declare "no conflict": they are refused and nothing is written."""
    application = _lock(application)
    if not may_review(actor, application):
        raise PermissionDenied("declaring needs change on the call and an assignment as its reviewer")
    statement = (statement or "").strip()
    if not has_conflict and holds_role_at_operator(actor, application.operator_id):
        raise ValidationError(operator_role_message(application))
    if has_conflict and not statement:
        raise ValidationError({"statement": [_("Say briefly what the conflict of interest is.")]})
    if ConflictDeclaration.objects.filter(application=application, reviewer_id=actor.pk).exists():
        raise ValidationError(_("You have declared on this application already."))
    return create_audited(
        actor=actor,
        instance=ConflictDeclaration(
            application=application,
            reviewer=actor,
            has_conflict=bool(has_conflict),
            statement=statement,
            declared_at=timezone.now(),
        ),
    )


def _require_review_state(application: Application) -> None:
    if application.state not in REVIEW_STATES:
        raise ValidationError(
            _("The application is %(state)s: the checklist and scores are kept during formal check and review.")
            % {"state": S(application.state).label.lower()}
        )


@transaction.atomic
def review_answers_save(*, actor, application: Application, answers: list[dict[str, Any]]) -> list[ReviewAnswer]:
    """Answer the call's application checklist: ``[{"item": ReviewItem, "answer": "yes", "note": ""}]``.
    Every answer is checked before anything is written."""
    application = _lock(application)
    require_clearance(actor, application)
    _require_review_state(application)
    errors = []
    for entry in answers:
        item = entry["item"]
        if item.call_id != application.call_id or item.stage != ReviewStage.APPLICATION:
            errors.append(_("%(code)s is not a question of this call's application checklist.") % {"code": item.code})
        elif entry.get("answer") not in ReviewAnswer.Answer.values:
            errors.append(_("%(code)s: answer yes, no or not applicable.") % {"code": item.code})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    for entry in answers:
        answer = ReviewAnswer.objects.select_for_update().filter(item=entry["item"], application=application).first()
        data = {
            "answer": entry["answer"],
            "note": (entry.get("note") or "").strip(),
            "answered_by": actor if is_person(actor) else None,
            "answered_at": now,
        }
        if answer is None:
            saved.append(
                create_audited(
                    actor=actor,
                    instance=ReviewAnswer(item=entry["item"], application=application),
                    data=data,
                    allowed=list(data),
                )
            )
        elif (answer.answer, answer.note) != (data["answer"], data["note"]):
            saved.append(update_audited(actor=actor, instance=answer, data=data, allowed=list(data)))
        else:
            saved.append(answer)
    return saved


@transaction.atomic
def criterion_scores_save(*, actor, application: Application, scores: list[dict[str, Any]]) -> list[CriterionScore]:
    """Score the application: ``[{"criterion": ScoringCriterion, "score": 7, "note": ""}]``, each
    from 0 to the criterion's highest score."""
    application = _lock(application)
    require_clearance(actor, application)
    _require_review_state(application)
    errors = []
    for entry in scores:
        criterion = entry["criterion"]
        if criterion.call_id != application.call_id:
            errors.append(_("%(code)s is not a criterion of this call.") % {"code": criterion.code})
            continue
        try:
            value = int(str(entry.get("score")).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not 0 <= value <= criterion.max_score:
            errors.append(
                _("%(criterion)s: the score is a whole number from 0 to %(max)s.")
                % {"criterion": criterion.display_name, "max": criterion.max_score}
            )
        else:
            entry["score"] = value
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    for entry in scores:
        data = {
            "score": entry["score"],
            "note": (entry.get("note") or "").strip(),
            "scored_by": actor if is_person(actor) else None,
            "scored_at": now,
        }
        existing = (
            CriterionScore.objects.select_for_update()
            .filter(application=application, criterion=entry["criterion"])
            .first()
        )
        if existing is None:
            saved.append(
                create_audited(
                    actor=actor,
                    instance=CriterionScore(application=application, criterion=entry["criterion"]),
                    data=data,
                    allowed=list(data),
                )
            )
        elif (existing.score, existing.note) != (data["score"], data["note"]):
            saved.append(update_audited(actor=actor, instance=existing, data=data, allowed=list(data)))
        else:
            saved.append(existing)
    return saved


# Four eyes.


def checkers_of(application: Application) -> set[int]:
    """The people who checked the application: answered its checklist (now or before an answer was
    changed, from the audit trail) or moved it into review."""
    answers = ReviewAnswer.objects.filter(application=application)
    people = set(answers.exclude(answered_by=None).values_list("answered_by_id", flat=True))
    answer_ids = [str(pk) for pk in answers.values_list("pk", flat=True)]
    if answer_ids:
        people |= {
            actor_id
            for actor_id in AuditEvent.objects.filter(object_type="funding.reviewanswer", object_id__in=answer_ids)
            .exclude(actor_id=None)
            .values_list("actor_id", flat=True)
            if actor_id is not None
        }
    people |= set(
        ApplicationEvent.objects.filter(
            application=application, to_state=S.REVIEW, from_state__in=[S.FORMAL_CHECK, S.RESUBMITTED]
        )
        .exclude(actor=None)
        .values_list("actor_id", flat=True)
    )
    return people


def four_eyes_message() -> str:
    return _(
        "Four eyes: you answered this application's checklist or moved it into review, so someone else must decide it."
    )


def require_four_eyes(actor, application: Application) -> None:
    if is_person(actor) and actor.pk in checkers_of(application):
        raise ValidationError(four_eyes_message())


# The decision.


@dataclass
class LinePlan:
    """The decision on one cost line, checked."""

    cost_line: CostLine
    requested: Decimal
    approved: Decimal
    reason: str

    @property
    def is_reduced(self) -> bool:
        return self.approved < self.requested


def _amount(value) -> Decimal | None:
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value if value is not None else "").strip().replace(" ", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    try:
        if not number.is_finite() or number != number.quantize(CENT):
            return None
    except InvalidOperation:
        return None
    return number


def plan_lines(
    application: Application, entries: dict[int, dict[str, Any]], *, rejected: bool, reason: str
) -> list[LinePlan]:
    """Check the approved funding of every cost line (``{cost_line_id: {"approved": ..., "reason": ...}}``).
    Each problem names the line and the rule; nothing is decided when there is one."""
    lines = list(application.cost_lines.order_by("position"))
    errors = []
    plans = []
    for line in lines:
        if rejected:
            plans.append(LinePlan(line, line.funding, Decimal("0.00"), reason))
            continue
        entry = entries.get(line.pk)
        if entry is None:
            errors.append(_("Line %(line)s: give the funding approved.") % {"line": line.position})
            continue
        approved = _amount(entry.get("approved"))
        line_reason = (entry.get("reason") or "").strip()
        if approved is None:
            errors.append(
                _("Line %(line)s: the funding approved must be an amount in euros with at most two decimals.")
                % {"line": line.position}
            )
            continue
        if approved < 0:
            errors.append(_("Line %(line)s: the funding approved cannot be negative.") % {"line": line.position})
            continue
        if approved > line.funding:
            errors.append(
                _("Line %(line)s: the funding approved (EUR %(approved)s) is more than requested (EUR %(requested)s).")
                % {"line": line.position, "approved": approved, "requested": line.funding}
            )
            continue
        if approved < line.funding and not line_reason:
            errors.append(
                _("Line %(line)s: the funding approved is lower than requested; give the reason.")
                % {"line": line.position}
            )
            continue
        plans.append(LinePlan(line, line.funding, approved.quantize(CENT), line_reason))
    unknown = set(entries) - {line.pk for line in lines}
    if unknown and not rejected:
        errors.append(_("Some lines are not lines of this application."))
    if not lines:
        errors.append(_("The application has no cost lines."))
    if errors:
        raise ValidationError({"lines": errors})
    return plans


def _outcome(plans: list[LinePlan], rejected: bool) -> str:
    if rejected:
        return Decision.Outcome.REJECTED
    if any(plan.is_reduced for plan in plans):
        return Decision.Outcome.PARTLY_APPROVED
    return Decision.Outcome.APPROVED


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationError({"language": [_("Choose the language of the letter.")]})
    return language


def _reduced_summary(plans: list[LinePlan]) -> str:
    return "; ".join(
        _("line %(line)s: %(reason)s") % {"line": plan.cost_line.position, "reason": plan.reason}
        for plan in plans
        if plan.is_reduced
    )


def _make_decision(
    *,
    actor,
    application: Application,
    number: int,
    outcome: str,
    plans: list[LinePlan],
    conditions: str,
    reason: str,
    language: str,
) -> Decision:
    """Render the letter, then insert the decision (never updated afterwards) and its lines."""
    from ..letters import decision_letter_pdf

    decision = Decision(
        application=application,
        number=number,
        outcome=outcome,
        conditions=conditions,
        reason=reason,
        requested_total=sum((plan.requested for plan in plans), Decimal("0.00")),
        approved_total=sum((plan.approved for plan in plans), Decimal("0.00")),
        language=language,
        decided_by=actor if is_person(actor) else None,
        decided_at=timezone.now(),
    )
    authorize(actor, Action.ADD, decision)
    pdf = decision_letter_pdf(decision, plans)
    decision.letter_sha256 = hashlib.sha256(pdf).hexdigest()
    decision.letter.save(
        f"decision-{application.call.code}-{application.operator.code}-{application.number}-{number}.pdf",
        ContentFile(pdf),
        save=False,
    )
    decision.save()
    DecisionLine.objects.bulk_create(
        DecisionLine(
            decision=decision,
            cost_line=plan.cost_line,
            requested=plan.requested,
            approved=plan.approved,
            reason=plan.reason,
        )
        for plan in plans
    )
    audit.record(
        actor=actor,
        action="decide" if number == 1 else "amend",
        instance=decision,
        after={
            **audit.snapshot(decision),
            "lines": [
                {
                    "line": plan.cost_line.position,
                    "requested": str(plan.requested),
                    "approved": str(plan.approved),
                    "reason": plan.reason,
                }
                for plan in plans
            ],
        },
    )
    return decision


@transaction.atomic
def application_decide(
    *,
    actor,
    application: Application,
    lines: dict[int, dict[str, Any]] | None = None,
    reject: bool = False,
    conditions: str = "",
    reason: str = "",
    language: str = "de",
) -> Decision:
    """Decide an application in review: per cost line the funding approved (``{cost_line_id:
    {"approved": "900.00", "reason": ""}}``), or ``reject`` with a reason. The outcome follows:
    approved, partly approved (a line reduced) or rejected. An approval creates the grant."""
    from .grants import grant_create

    application = _lock(application)
    require_clearance(actor, application)
    require_four_eyes(actor, application)
    language = _check_language(language)
    conditions, reason = (conditions or "").strip(), (reason or "").strip()
    if application.decisions.exists():
        raise ValidationError(_("The application is decided already: amend the decision instead."))
    if reject and not reason:
        raise ValidationError({"reason": [_("Give the reason for the rejection.")]})
    plans = plan_lines(application, lines or {}, rejected=reject, reason=reason)
    outcome = _outcome(plans, reject)
    check_transition(application.state, outcome)
    if outcome != Decision.Outcome.REJECTED and not any(plan.approved > 0 for plan in plans):
        raise ValidationError({"lines": [_("Nothing is approved: reject the application instead.")]})
    decision = _make_decision(
        actor=actor,
        application=application,
        number=1,
        outcome=outcome,
        plans=plans,
        conditions=conditions,
        reason=reason,
        language=language,
    )
    move_reason = reason
    if outcome == Decision.Outcome.PARTLY_APPROVED and not move_reason:
        move_reason = _reduced_summary(plans)
    _move(application=application, new=outcome, actor=actor, reason=move_reason)
    if outcome != Decision.Outcome.REJECTED:
        grant_create(actor=actor, decision=decision, plans=plans)
    return decision


@transaction.atomic
def decision_amend(
    *,
    actor,
    application: Application,
    lines: dict[int, dict[str, Any]],
    reason: str,
    conditions: str | None = None,
    language: str | None = None,
) -> Decision:
    """Amend the decision of an approved application: decision n+1 with new line amounts (each at
    most the requested funding, lower with a reason, at least what is claimed on it). The grant
    follows, and the difference is committed (or released) as a further ledger entry."""
    from .grants import grant_amend

    application = _lock(application)
    require_clearance(actor, application)
    require_four_eyes(actor, application)
    latest = application.decisions.order_by("-number").first()
    if latest is None or latest.outcome == Decision.Outcome.REJECTED or not hasattr(application, "grant"):
        raise ValidationError(_("Only the decision on an approved application with a grant can be amended."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the amendment.")]})
    language = _check_language(language or latest.language)
    conditions = latest.conditions if conditions is None else conditions.strip()
    plans = plan_lines(application, lines, rejected=False, reason="")
    if not any(plan.approved > 0 for plan in plans):
        raise ValidationError({"lines": [_("Nothing is approved: an amendment keeps some funding.")]})
    grant = application.grant
    from ..selectors.review import claimed_by_line

    claimed = claimed_by_line(grant)
    problems = [
        _("Line %(line)s: EUR %(claimed)s is claimed on it already; approve at least that.")
        % {"line": plan.cost_line.position, "claimed": claimed[plan.cost_line.pk]}
        for plan in plans
        if plan.approved < claimed.get(plan.cost_line.pk, Decimal("0"))
    ]
    if problems:
        raise ValidationError({"lines": problems})
    decision = _make_decision(
        actor=actor,
        application=application,
        number=latest.number + 1,
        outcome=_outcome(plans, False),
        plans=plans,
        conditions=conditions,
        reason=reason,
        language=language,
    )
    grant_amend(actor=actor, grant=grant, decision=decision, plans=plans)
    return decision


def decided_on(decision: Decision) -> datetime.date:
    return timezone.localdate(decision.decided_at)
