# ruff: noqa: F811 (the review fixtures are imported from review_fixtures and used as arguments)
"""The review services: reviewers and their scoping, set-up, conflict of interest, checklist,
scores, four eyes, decision and amendment; each refusal writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor

from ..models import (
    CallReviewer,
    ConflictDeclaration,
    CriterionScore,
    Decision,
    DecisionLine,
    Grant,
    LetterTemplate,
    ReviewAnswer,
    ReviewItem,
    ScoringCriterion,
)
from ..selectors.applications import applications_for
from ..selectors.review import decisions_for
from ..services import review as review_services
from .factories import ApplicationFactory, CallFactory
from .review_fixtures import in_review, lines_of, make_in_review  # noqa: F401

pytestmark = pytest.mark.django_db


def declare(user, application):
    return review_services.conflict_declare(actor=user, application=application, has_conflict=False)


def counts():
    return (
        Decision.objects.count(),
        DecisionLine.objects.count(),
        Grant.objects.count(),
        ConflictDeclaration.objects.count(),
        ReviewAnswer.objects.count(),
    )


# Reviewers and scoping.


def test_assign_only_funding_administrators_of_the_authority(mv_call, owner, funding_admin, world, role_users):
    reviewer = review_services.call_reviewer_assign(actor=owner, call=mv_call, user=funding_admin)
    assert (reviewer.call, reviewer.user, reviewer.assigned_by) == (mv_call, funding_admin, owner)
    outsider = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="outside-admin")
    for user in (role_users[Role.OPERATOR_STAFF], outsider, owner):
        with pytest.raises(ValidationError) as error:
            review_services.call_reviewer_assign(actor=owner, call=mv_call, user=user)
        assert error.value.message_dict == {
            "user": ["Only a funding administrator of the call's authority can review its applications."]
        }
    with pytest.raises(ValidationError):
        review_services.call_reviewer_assign(actor=owner, call=mv_call, user=funding_admin)
    assert CallReviewer.objects.count() == 1
    with pytest.raises(PermissionDenied):
        review_services.call_reviewer_assign(actor=role_users[Role.AUDITOR], call=mv_call, user=funding_admin)
    review_services.call_reviewer_remove(actor=funding_admin, reviewer=reviewer)
    assert CallReviewer.objects.count() == 0


def test_a_funding_administrator_sees_only_applications_of_calls_they_review(
    in_review, mv_call, world, owner, funding_admin, role_users
):
    other_call = CallFactory(programme=mv_call.programme, funding_source=mv_call.funding_source, code="OTHER")
    other = ApplicationFactory(call=other_call, operator=world.operator, number=1)
    assert list(applications_for(funding_admin).order_by("pk")) == [in_review]
    assert set(applications_for(owner)) == {in_review, other}
    assert set(applications_for(role_users[Role.AUDITOR])) == {in_review, other}
    assert set(applications_for(role_users[Role.OPERATOR_STAFF])) == {in_review, other}
    assert set(applications_for(role_users[Role.ADMINISTRATOR])) >= {in_review, other}
    # Not assigned any more: nothing.
    CallReviewer.objects.filter(user=funding_admin).delete()
    assert list(applications_for(funding_admin)) == []
    with pytest.raises(PermissionDenied):
        declare(funding_admin, in_review)
    assert ConflictDeclaration.objects.count() == 0


# Set-up.


def test_review_items_criteria_and_templates(mv_call, owner):
    item = review_services.review_item_create(
        actor=owner,
        call=mv_call,
        data={
            "stage": "application",
            "code": "mep-valid",
            "text": {"en": "MEP valid?", "de": "MEP gültig?"},
            "position": 1,
        },
    )
    assert (item.stage, item.code, item.text["de"]) == ("application", "mep-valid", "MEP gültig?")
    with pytest.raises(ValidationError) as error:
        review_services.review_item_create(
            actor=owner, call=mv_call, data={"stage": "application", "code": "mep-valid", "text": {"en": "again"}}
        )
    assert error.value.message_dict == {"code": ["The code mep-valid is used already at this stage."]}
    with pytest.raises(ValidationError) as error:
        review_services.review_item_create(
            actor=owner, call=mv_call, data={"stage": "nonsense", "code": "x", "text": {"en": "x"}}
        )
    assert "stage" in error.value.message_dict
    review_services.review_item_update(actor=owner, item=item, data={"text": {"en": "MEP present and valid?"}})
    item.refresh_from_db()
    assert item.text == {"en": "MEP present and valid?"}

    criterion = review_services.scoring_criterion_create(
        actor=owner, call=mv_call, data={"code": "quality", "name": {"en": "Quality"}, "max_score": 10, "weight": "2"}
    )
    assert (criterion.max_score, criterion.weight) == (10, Decimal("2"))
    with pytest.raises(ValidationError) as error:
        review_services.scoring_criterion_create(
            actor=owner, call=mv_call, data={"code": "bad", "name": {"en": "Bad"}, "max_score": 0, "weight": "-1"}
        )
    assert set(error.value.message_dict) == {"max_score", "weight"}

    template = review_services.letter_template_create(
        actor=owner, call=mv_call, language="de", body="Bescheid für {operator}: {approved_total} EUR\n\n{lines}"
    )
    assert template.language == "de"
    with pytest.raises(ValidationError) as error:
        review_services.letter_template_create(actor=owner, call=mv_call, language="en", body="Hello {nobody}")
    assert error.value.message_dict["body"][0].startswith("Unknown placeholders: {nobody}.")
    with pytest.raises(ValidationError):
        review_services.letter_template_create(actor=owner, call=mv_call, language="de", body="twice")
    assert LetterTemplate.objects.count() == 1
    review_services.letter_template_delete(actor=owner, template=template)
    review_services.review_item_delete(actor=owner, item=item)
    review_services.scoring_criterion_delete(actor=owner, criterion=criterion)
    assert (ReviewItem.objects.count(), ScoringCriterion.objects.count(), LetterTemplate.objects.count()) == (0, 0, 0)


def test_used_items_and_criteria_cannot_be_deleted(in_review, mv_call, owner, funding_admin):
    item = ReviewItem.objects.create(call=mv_call, stage="application", code="mep", text={"en": "MEP?"})
    criterion = ScoringCriterion.objects.create(call=mv_call, code="q", name={"en": "Q"}, max_score=5)
    declare(funding_admin, in_review)
    review_services.review_answers_save(
        actor=funding_admin, application=in_review, answers=[{"item": item, "answer": "yes", "note": ""}]
    )
    review_services.criterion_scores_save(
        actor=funding_admin, application=in_review, scores=[{"criterion": criterion, "score": 4}]
    )
    with pytest.raises(ValidationError):
        review_services.review_item_delete(actor=owner, item=item)
    with pytest.raises(ValidationError):
        review_services.scoring_criterion_delete(actor=owner, criterion=criterion)
    with pytest.raises(ValidationError) as error:
        review_services.scoring_criterion_update(actor=owner, criterion=criterion, data={"max_score": 3})
    assert error.value.message_dict == {"max_score": ["Some applications are scored higher than 3 already."]}
    assert (
        ReviewItem.objects.filter(pk=item.pk).exists() and ScoringCriterion.objects.get(pk=criterion.pk).max_score == 5
    )


# Conflict of interest.


def test_a_reviewer_with_a_role_at_the_operator_is_refused(in_review, mv_call, world):
    reviewer = user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="double-hat")
    CallReviewer.objects.create(call=mv_call, user=reviewer, assigned_at=timezone.now())
    from digileap.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=reviewer, role=Role.SCHOOL_COORDINATOR, scope_kind="school", school=world.school)
    with pytest.raises(ValidationError) as error:
        declare(reviewer, in_review)
    assert error.value.messages == [
        "You hold a role at INSIDE operator, which made this application: you cannot review it (conflict of interest)."
    ]
    assert ConflictDeclaration.objects.count() == 0
    with pytest.raises(ValidationError):
        review_services.application_decide(actor=reviewer, application=in_review, lines=lines_of(in_review))
    assert counts() == (0, 0, 0, 0, 0)
    assert review_services.clearance(reviewer, in_review).is_clear is False


def test_a_reviewer_with_operator_scope_is_refused(in_review, mv_call, world):
    reviewer = user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="staff-too")
    CallReviewer.objects.create(call=mv_call, user=reviewer, assigned_at=timezone.now())
    from digileap.accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=reviewer, role=Role.OPERATOR_STAFF, scope_kind="operator", operator=world.operator
    )
    assert review_services.holds_role_at_operator(reviewer, world.operator.pk) is True
    with pytest.raises(ValidationError):
        declare(reviewer, in_review)
    assert ConflictDeclaration.objects.count() == 0


def test_a_declared_conflict_keeps_the_reviewer_out(in_review, funding_admin):
    with pytest.raises(ValidationError) as error:
        review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=True)
    assert error.value.message_dict == {"statement": ["Say briefly what the conflict of interest is."]}
    declaration = review_services.conflict_declare(
        actor=funding_admin, application=in_review, has_conflict=True, statement="My sister runs the school."
    )
    assert declaration.has_conflict is True
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    assert error.value.messages == ["You declared a conflict of interest with this application: you cannot review it."]
    with pytest.raises(ValidationError):
        declare(funding_admin, in_review)  # once only
    assert Decision.objects.count() == 0


def test_undeclared_reviewers_cannot_answer(in_review, mv_call, funding_admin):
    item = ReviewItem.objects.create(call=mv_call, stage="application", code="mep", text={"en": "MEP?"})
    with pytest.raises(ValidationError) as error:
        review_services.review_answers_save(
            actor=funding_admin, application=in_review, answers=[{"item": item, "answer": "yes"}]
        )
    assert error.value.messages == ["Declare first whether you have a conflict of interest with this application."]


# Checklist and scores.


def test_checklist_and_scores(in_review, mv_call, funding_admin):
    item = ReviewItem.objects.create(call=mv_call, stage="application", code="mep", text={"en": "MEP?"})
    claim_item = ReviewItem.objects.create(call=mv_call, stage="claim", code="invoices", text={"en": "Invoices?"})
    criterion = ScoringCriterion.objects.create(call=mv_call, code="q", name={"en": "Quality"}, max_score=5, weight=2)
    declare(funding_admin, in_review)
    with pytest.raises(ValidationError) as error:
        review_services.review_answers_save(
            actor=funding_admin,
            application=in_review,
            answers=[{"item": item, "answer": "maybe"}, {"item": claim_item, "answer": "yes"}],
        )
    assert error.value.messages == [
        "mep: answer yes, no or not applicable.",
        "invoices is not a question of this call's application checklist.",
    ]
    assert ReviewAnswer.objects.count() == 0
    review_services.review_answers_save(
        actor=funding_admin, application=in_review, answers=[{"item": item, "answer": "no", "note": "MEP expired"}]
    )
    answer = ReviewAnswer.objects.get()
    assert (answer.answer, answer.note, answer.answered_by) == ("no", "MEP expired", funding_admin)
    with pytest.raises(ValidationError) as error:
        review_services.criterion_scores_save(
            actor=funding_admin, application=in_review, scores=[{"criterion": criterion, "score": 6}]
        )
    assert error.value.messages == ["Quality: the score is a whole number from 0 to 5."]
    review_services.criterion_scores_save(
        actor=funding_admin, application=in_review, scores=[{"criterion": criterion, "score": 4, "note": "good"}]
    )
    assert CriterionScore.objects.get().score == 4
    from ..selectors.review import weighted_score

    assert weighted_score(in_review) == Decimal("8")


# Four eyes.


def test_who_moved_it_into_review_cannot_decide(in_review, mv_call, owner):
    declare(owner, in_review)
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=owner, application=in_review, lines=lines_of(in_review))
    assert error.value.messages == [
        "Four eyes: you answered this application's checklist or moved it into review, so someone else must decide it."
    ]
    assert counts()[:3] == (0, 0, 0)
    in_review.refresh_from_db()
    assert in_review.state == "review"


def test_who_answered_the_checklist_cannot_decide(in_review, mv_call, funding_admin):
    item = ReviewItem.objects.create(call=mv_call, stage="application", code="mep", text={"en": "MEP?"})
    declare(funding_admin, in_review)
    review_services.review_answers_save(
        actor=funding_admin, application=in_review, answers=[{"item": item, "answer": "yes"}]
    )
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    assert "Four eyes" in error.value.messages[0]
    assert Decision.objects.count() == 0


# The decision.


def test_decide_with_a_reduced_line(in_review, funding_admin):
    declare(funding_admin, in_review)
    decision = review_services.application_decide(
        actor=funding_admin,
        application=in_review,
        lines=lines_of(in_review, p2=("3600.00", "Four displays are enough.")),
        conditions="Order through the framework contract.",
        language="de",
    )
    in_review.refresh_from_db()
    assert in_review.state == "partly_approved"
    assert (decision.number, decision.outcome, decision.requested_total, decision.approved_total) == (
        1,
        "partly_approved",
        Decimal("13500.00"),
        Decimal("12600.00"),
    )
    assert list(decision.lines.order_by("cost_line__position").values_list("requested", "approved", "reason")) == [
        (Decimal("9000.00"), Decimal("9000.00"), ""),
        (Decimal("4500.00"), Decimal("3600.00"), "Four displays are enough."),
    ]
    assert len(decision.letter_sha256) == 64
    assert decision.letter.read()[:5] == b"%PDF-"
    event = in_review.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        "review",
        "partly_approved",
        funding_admin,
        "line 2: Four displays are enough.",
    )
    assert AuditEvent.objects.filter(object_type="funding.decision", action="decide").count() == 1
    assert list(decisions_for(funding_admin)) == [decision]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("3600.00", ""), "Line 2: the funding approved is lower than requested; give the reason."),
        (("4600.00", "more"), "Line 2: the funding approved (EUR 4600.00) is more than requested (EUR 4500.00)."),
        (("-1", "x"), "Line 2: the funding approved cannot be negative."),
        (("abc", "x"), "Line 2: the funding approved must be an amount in euros with at most two decimals."),
        (("10.001", "x"), "Line 2: the funding approved must be an amount in euros with at most two decimals."),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(in_review, funding_admin, given, message):
    declare(funding_admin, in_review)
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(
            actor=funding_admin, application=in_review, lines=lines_of(in_review, p2=given)
        )
    assert error.value.message_dict == {"lines": [message]}
    in_review.refresh_from_db()
    assert in_review.state == "review"
    assert counts() == (0, 0, 0, 1, 0)


def test_a_rejection_needs_a_reason_and_creates_no_grant(in_review, funding_admin):
    declare(funding_admin, in_review)
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=funding_admin, application=in_review, reject=True)
    assert error.value.message_dict == {"reason": ["Give the reason for the rejection."]}
    decision = review_services.application_decide(
        actor=funding_admin, application=in_review, reject=True, reason="No media concept.", language="en"
    )
    assert (decision.outcome, decision.approved_total) == ("rejected", Decimal("0.00"))
    assert Grant.objects.count() == 0
    in_review.refresh_from_db()
    assert in_review.state == "rejected"


def test_a_transition_not_allowed_is_refused(in_review, funding_admin):
    in_review.state = "formal_check"
    in_review.save()
    declare(funding_admin, in_review)
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    assert error.value.message_dict == {"state": ["An application that is formal check cannot become approved."]}
    assert counts()[:3] == (0, 0, 0)


def test_deciding_twice_is_refused(in_review, funding_admin):
    declare(funding_admin, in_review)
    review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    with pytest.raises(ValidationError) as error:
        review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    assert error.value.messages == ["The application is decided already: amend the decision instead."]
    assert Decision.objects.count() == 1


def test_decisions_are_append_only(in_review, funding_admin):
    from django.db import IntegrityError, transaction
    from django.db.utils import DatabaseError

    declare(funding_admin, in_review)
    decision = review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(conditions="changed")


def test_the_system_decides_without_declaration(in_review):
    decision = review_services.application_decide(
        actor=SystemActor("seed"), application=in_review, lines=lines_of(in_review), language="en"
    )
    assert decision.decided_by is None and decision.outcome == "approved"


def test_amendment(in_review, funding_admin, mv_call):
    declare(funding_admin, in_review)
    first = review_services.application_decide(
        actor=funding_admin, application=in_review, lines=lines_of(in_review, p2=("3600.00", "Four are enough."))
    )
    with pytest.raises(ValidationError) as error:
        review_services.decision_amend(actor=funding_admin, application=in_review, lines=lines_of(in_review), reason="")
    assert error.value.message_dict == {"reason": ["Give the reason for the amendment."]}
    second = review_services.decision_amend(
        actor=funding_admin,
        application=in_review,
        lines=lines_of(in_review, p1=("8000.00", "Cabling cheaper.")),
        reason="Revised offer.",
    )
    assert (second.number, second.outcome, second.approved_total) == (2, "partly_approved", Decimal("12500.00"))
    grant = Grant.objects.get()
    assert (grant.decision, grant.approved_amount) == (second, Decimal("12500.00"))
    assert list(grant.lines.order_by("position").values_list("approved", flat=True)) == [
        Decimal("8000.00"),
        Decimal("4500.00"),
    ]
    from digileap.programmes.models import FundingTransaction

    assert list(
        FundingTransaction.objects.filter(programme=mv_call.programme)
        .order_by("id")
        .values_list("kind", "amount", "reference")
    ) == [
        ("committed", Decimal("12600.00"), f"DP-2026-{in_review.operator.code}-1"),
        ("committed", Decimal("-100.00"), f"DP-2026-{in_review.operator.code}-1/D2"),
    ]
    assert Decision.objects.get(pk=first.pk).approved_total == Decimal("12600.00")
    assert first.letter_sha256 != second.letter_sha256
