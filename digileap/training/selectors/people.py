"""Reads of staff records, restricted to what the acting user may see (docs/training-staff.md).

A school coordinator sees the staff of their school, operator staff those of their operator's
schools, a programme owner (and funding administrator, auditor) those of their authority, and a
teacher only their own record. ``display_name`` is how a person is named on every page: their
names where the installation keeps them (``DIGILEAP_TRAINING_STAFF_NAMES``), else their staff
reference; to an auditor their pseudonym.
"""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from digileap.accounts.invitations import token_hash
from digileap.accounts.models import Role
from digileap.core.permissions import Action, assignments_for, has_role, restrict
from digileap.schools.models import School, StaffCount

from ..models import CourseEnrolment, Invitation, Membership, StaffMember


def names_kept() -> bool:
    """Whether the installation keeps the names of staff members."""
    return bool(getattr(settings, "DIGILEAP_TRAINING_STAFF_NAMES", False))


def sees_pseudonyms(user) -> bool:
    """An auditor (with no other role) sees people by their pseudonym only."""
    return user is not None and has_role(user, Role.AUDITOR) and not has_role(user, *(set(Role) - {Role.AUDITOR}))


def display_name(staff: StaffMember, user=None) -> str:
    """The person's names when the installation keeps them and they are set, else their staff
    reference; their pseudonym for ``user`` when that user is an auditor."""
    if user is not None and sees_pseudonyms(user):
        return staff.pseudonym
    if names_kept():
        name = f"{staff.first_name} {staff.last_name}".strip()
        if name:
            return name
    return staff.reference


def staff_for(user, action: str = Action.VIEW) -> QuerySet[StaffMember]:
    """The staff records ``user`` may take ``action`` on."""
    return restrict(StaffMember.objects.select_related("authority", "user"), user, action)


def own_staff(user) -> StaffMember | None:
    """The teacher's own staff record (through their teacher role), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    ids = [a.staff_id for a in assignments_for(user, Action.VIEW, StaffMember) if a.role == Role.TEACHER]
    if not ids:
        return None
    return StaffMember.objects.select_related("authority").filter(pk__in=ids).order_by("pk").first()


def staff_get(user, pk: int, action: str = Action.VIEW) -> StaffMember:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(staff_for(user, action), pk=pk)


def staff_schools(user, action: str = Action.ADD) -> QuerySet[School]:
    """The schools at which ``user`` may ``action`` staff memberships (keep the staff list of)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, Membership):
        if assignment.scope_kind == "all":
            return School.objects.select_related("authority", "operator").order_by("name", "pk")
        if assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
        elif assignment.scope_kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(pk=assignment.scope_id)
    return School.objects.select_related("authority", "operator").filter(condition).order_by("name", "pk")


def visible_schools(user) -> QuerySet[School]:
    """The schools whose staff list ``user`` may read (the list's school filter)."""
    return staff_schools(user, Action.VIEW)


def memberships_of(staff: StaffMember, user) -> QuerySet[Membership]:
    """The schools of ``staff`` that ``user`` may see."""
    return (
        restrict(Membership.objects.filter(staff=staff), user)
        .select_related("school")
        .order_by("-is_active", "school__name")
    )


def latest_staff_count(school: School) -> StaffCount | None:
    """The registry's newest teacher count of ``school``: the denominator of shares."""
    return StaffCount.objects.filter(school=school).order_by("-school_year").first()


def open_invitation(staff: StaffMember) -> Invitation | None:
    """The staff member's latest invitation that can still be used."""
    return (
        Invitation.objects.filter(
            staff=staff, accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to (any state), or None for a forged token."""
    return Invitation.objects.select_related("staff", "staff__authority").filter(token_hash=token_hash(token)).first()


def invitation_state(invitation: Invitation) -> str:
    """``open``, ``accepted``, ``withdrawn``, ``expired`` or ``has_account`` (the person signs in)."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.withdrawn_at is not None:
        return "withdrawn"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if invitation.staff.user_id is not None:
        return "has_account"
    return "open"


def waiting_position(enrolment: CourseEnrolment) -> int | None:
    """The place of a waiting enrolment on its course's waiting list (1 = next to move up)."""
    if enrolment.state != CourseEnrolment.State.WAITING:
        return None
    ahead = CourseEnrolment.objects.filter(course_id=enrolment.course_id, state=CourseEnrolment.State.WAITING).filter(
        Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1
