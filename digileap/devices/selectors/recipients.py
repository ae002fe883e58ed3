"""Reads of recipients, restricted to the acting user's scope."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.schools.models import School

from ..models import Assignment, Recipient


def open_assignment_exists() -> Exists:
    """Whether the recipient of the outer query holds a device now (index ``assignment_recipient_idx``)."""
    return Exists(Assignment.objects.filter(recipient=OuterRef("pk"), returned_at__isnull=True))


def recipients_for(user, action: str = Action.VIEW) -> QuerySet[Recipient]:
    """The recipients the user may take ``action`` on, with ``has_device`` (an open assignment)."""
    return restrict(
        Recipient.objects.select_related("school").annotate(has_device=open_assignment_exists()), user, action
    )


def recipient_get(user, pk: int, action: str = Action.VIEW) -> Recipient:
    """The recipient, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(recipients_for(user, action), pk=pk)


def schools_with_recipients(user, action: str = Action.ADD, model=Recipient) -> QuerySet[School]:
    """The schools where the user may take ``action`` on ``model`` (recipients, or assignments for
    the hand-out), in name order."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        if assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
        elif assignment.scope_kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(pk=assignment.scope_id)
    return School.objects.filter(condition).order_by("name", "number", "pk")


def groups_at(school: School) -> list[str]:
    """The classes or groups of the school's active recipients, in order."""
    return list(
        Recipient.objects.filter(school=school, is_active=True)
        .exclude(group="")
        .order_by("group")
        .values_list("group", flat=True)
        .distinct()
    )
