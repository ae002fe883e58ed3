"""Who may see and manage whom (docs/people.md): an actor's *reach*, the people, role assignments,
invitations and access requests inside it, and a person's history from the audit trail.

Reach comes from the actor's own role assignments:

- an administrator (scope everything) reaches everyone and every scope;
- a programme owner reaches their authority, its school operators and its schools;
- operator staff with the "operator administrator" flag reach their operator and its schools.

Nobody else manages people. A role may be granted only where the actor reaches (``may_grant``):
authority-wide roles over a reached authority, operator staff over a reached operator, school
coordinators over a reached school; administrators, suppliers and scope "everything" only by an
administrator; teachers never here (the training app invites them). Teachers' roles are *shown*
read-only when their staff record lies in the reach.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor

from .models import AccessRequest, Role, RoleAssignment, ScopeKind, User, UserInvitation

# The scopes each role may be given here. Teachers are the training app's (scope: a staff record).
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.ADMINISTRATOR: (ScopeKind.ALL,),
    Role.PROGRAMME_OWNER: (ScopeKind.AUTHORITY, ScopeKind.ALL),
    Role.FUNDING_ADMINISTRATOR: (ScopeKind.AUTHORITY, ScopeKind.ALL),
    Role.AUDITOR: (ScopeKind.AUTHORITY, ScopeKind.ALL),
    Role.DATA_PROTECTION_OFFICER: (ScopeKind.AUTHORITY, ScopeKind.ALL),
    Role.OPERATOR_STAFF: (ScopeKind.OPERATOR,),
    Role.SCHOOL_COORDINATOR: (ScopeKind.SCHOOL,),
    Role.SUPPLIER: (ScopeKind.SUPPLIER,),
}
SCOPE_FIELDS = {
    ScopeKind.AUTHORITY: "authority",
    ScopeKind.OPERATOR: "operator",
    ScopeKind.SCHOOL: "school",
    ScopeKind.SUPPLIER: "supplier",
    ScopeKind.STAFF: "staff",
}


@dataclass(frozen=True)
class Reach:
    """Where an actor manages people: everything, or these authorities and operators (and their schools)."""

    everything: bool = False
    authorities: frozenset[int] = field(default_factory=frozenset)
    operators: frozenset[int] = field(default_factory=frozenset)

    @property
    def manages_people(self) -> bool:
        return self.everything or bool(self.authorities or self.operators)


def is_manager(assignment: Any) -> bool:
    """An assignment that lets its holder manage people."""
    return (
        assignment.role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)
        or assignment.role == Role.OPERATOR_STAFF
        and bool(assignment.is_administrator)
        and assignment.scope_kind == ScopeKind.OPERATOR
    )


def manages_people(user: Any) -> bool:
    """Whether the user manages people at all (menus and buttons; from the cached assignments)."""
    from digileap.core.permissions import _assignments

    return any(is_manager(a) for a in _assignments(user))


def reach_of(actor: Any) -> Reach:
    """The actor's reach, from their role assignments (read fresh, not from a cache)."""
    Authority = apps.get_model("schools", "Authority")
    SchoolOperator = apps.get_model("schools", "SchoolOperator")

    if isinstance(actor, SystemActor):
        return Reach(everything=True)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Reach()
    authorities: set[int] = set()
    operators: set[int] = set()
    for assignment in RoleAssignment.objects.filter(user_id=actor.pk):
        if assignment.role == Role.ADMINISTRATOR and assignment.scope_kind == ScopeKind.ALL:
            return Reach(everything=True)
        if assignment.role == Role.PROGRAMME_OWNER:
            if assignment.scope_kind == ScopeKind.ALL:
                authorities.update(Authority._default_manager.values_list("pk", flat=True))
            elif assignment.scope_kind == ScopeKind.AUTHORITY and assignment.authority_id is not None:
                authorities.add(assignment.authority_id)
        elif is_manager(assignment) and assignment.operator_id is not None:
            operators.add(assignment.operator_id)
    if authorities:
        operators.update(
            SchoolOperator._default_manager.filter(authority_id__in=authorities).values_list("pk", flat=True)
        )
    return Reach(everything=False, authorities=frozenset(authorities), operators=frozenset(operators))


def _school_operator(school_id: int | None) -> int | None:
    School = apps.get_model("schools", "School")

    if school_id is None:
        return None
    return School._default_manager.filter(pk=school_id).values_list("operator_id", flat=True).first()


def _staff_reached(reach: Reach, staff_id: int | None) -> bool:
    Membership = apps.get_model("training", "Membership")
    StaffMember = apps.get_model("training", "StaffMember")

    if staff_id is None:
        return False
    if StaffMember._default_manager.filter(pk=staff_id, authority_id__in=reach.authorities).exists():
        return True
    return Membership._default_manager.filter(staff_id=staff_id, school__operator_id__in=reach.operators).exists()


def _ids(values: Mapping[str, Any]) -> dict[str, int | None]:
    """Scope ids from an assignment, an invitation or an audit snapshot (``authority`` or ``authority_id``)."""
    ids: dict[str, int | None] = {}
    for name in SCOPE_FIELDS.values():
        value = values.get(f"{name}_id", values.get(name))
        ids[name] = getattr(value, "pk", value)
    return ids


def _as_mapping(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    return {
        "role": obj.role,
        "scope_kind": obj.scope_kind,
        "is_administrator": getattr(obj, "is_administrator", False),
        **{f"{name}_id": getattr(obj, f"{name}_id", None) for name in SCOPE_FIELDS.values()},
    }


def scope_reached(reach: Reach, scope_kind: str, ids: Mapping[str, int | None]) -> bool:
    """Whether a scope lies in the reach (everything and suppliers: only for administrators)."""
    if reach.everything:
        return True
    if scope_kind == ScopeKind.AUTHORITY:
        return ids.get("authority") in reach.authorities
    if scope_kind == ScopeKind.OPERATOR:
        return ids.get("operator") in reach.operators
    if scope_kind == ScopeKind.SCHOOL:
        return _school_operator(ids.get("school")) in reach.operators
    if scope_kind == ScopeKind.STAFF:
        return _staff_reached(reach, ids.get("staff"))
    return False


def may_grant(reach: Reach, obj: Any) -> bool:
    """Whether an actor with ``reach`` may grant (or change, revoke, withdraw) this role and scope:
    an assignment, an invitation, or a mapping with role, scope_kind and the scope's id."""
    values = _as_mapping(obj)
    role, scope_kind = values.get("role"), values.get("scope_kind")
    if role == Role.TEACHER or scope_kind not in ROLE_SCOPES.get(str(role), ()):
        return False
    if values.get("is_administrator") and not (role == Role.OPERATOR_STAFF and scope_kind == ScopeKind.OPERATOR):
        return False
    if reach.everything:
        return True
    if role in (Role.ADMINISTRATOR, Role.SUPPLIER) or scope_kind in (ScopeKind.ALL, ScopeKind.SUPPLIER):
        return False
    if scope_kind == ScopeKind.AUTHORITY and not reach.authorities:
        return False
    return scope_reached(reach, str(scope_kind), _ids(values))


def may_see(reach: Reach, obj: Any) -> bool:
    """Whether an assignment (or its audit snapshot) is shown: what may be granted, and teachers in the reach."""
    values = _as_mapping(obj)
    if reach.everything:
        return True
    if values.get("role") == Role.TEACHER:
        return values.get("scope_kind") == ScopeKind.STAFF and scope_reached(reach, ScopeKind.STAFF, _ids(values))
    return may_grant(reach, values)


def assignments_q(reach: Reach) -> Q | None:
    """The condition for role assignments in the reach (``None``: all of them)."""
    Membership = apps.get_model("training", "Membership")

    if reach.everything:
        return None
    authority_roles = [role for role, kinds in ROLE_SCOPES.items() if ScopeKind.AUTHORITY in kinds]
    staff_at_schools = Membership._default_manager.filter(
        staff_id=OuterRef("staff_id"), school__operator_id__in=reach.operators
    )
    return (
        Q(scope_kind=ScopeKind.AUTHORITY, authority_id__in=reach.authorities, role__in=authority_roles)
        | Q(scope_kind=ScopeKind.OPERATOR, operator_id__in=reach.operators, role=Role.OPERATOR_STAFF)
        | Q(scope_kind=ScopeKind.SCHOOL, school__operator_id__in=reach.operators, role=Role.SCHOOL_COORDINATOR)
        | Q(scope_kind=ScopeKind.STAFF, role=Role.TEACHER, staff__authority_id__in=reach.authorities)
        | (Q(scope_kind=ScopeKind.STAFF, role=Role.TEACHER) & Q(Exists(staff_at_schools)))
    )


def assignments_in_reach(actor: Any, queryset: QuerySet[RoleAssignment] | None = None) -> QuerySet[RoleAssignment]:
    queryset = RoleAssignment.objects.all() if queryset is None else queryset
    reach = reach_of(actor)
    if not reach.manages_people:
        return queryset.none()
    condition = assignments_q(reach)
    return queryset if condition is None else queryset.filter(condition)


def open_requests(actor: Any) -> QuerySet[AccessRequest]:
    """Open access requests (users who signed in and wait for a role) of the actor's authorities."""
    reach = reach_of(actor)
    queryset = AccessRequest.objects.filter(resolved_at__isnull=True, user__is_active=True).select_related(
        "user", "authority"
    )
    if reach.everything:
        return queryset
    if not reach.authorities:
        return queryset.none()
    return queryset.filter(authority_id__in=reach.authorities)


def people_for(actor: Any) -> QuerySet[User]:
    """The users an actor may see on the people pages: those with a role in their reach, and those
    who wait for a role in their authority. Administrators see everyone."""
    reach = reach_of(actor)
    if reach.everything:
        return User.objects.all()
    if not reach.manages_people:
        return User.objects.none()
    in_reach = assignments_in_reach(actor, RoleAssignment.objects.filter(user_id=OuterRef("pk")))
    waiting = open_requests(actor).filter(user_id=OuterRef("pk"))
    return User.objects.filter(Q(Exists(in_reach)) | Q(Exists(waiting)))


def person_get(actor: Any, pk: int) -> User:
    """One user the actor may see; ``User.DoesNotExist`` otherwise (the page answers 404)."""
    return people_for(actor).get(pk=pk)


def roles_of(actor: Any, user: User) -> list[RoleAssignment]:
    """A person's role assignments that the actor may see."""
    queryset = RoleAssignment.objects.filter(user=user).select_related(
        "authority", "operator", "school", "supplier", "staff", "granted_by"
    )
    return list(assignments_in_reach(actor, queryset).order_by("created_at", "pk"))


def hidden_role_count(actor: Any, user: User) -> int:
    return RoleAssignment.objects.filter(user=user).count() - len(roles_of(actor, user))


def invitations_q(reach: Reach) -> Q | None:
    if reach.everything:
        return None
    condition = Q(scope_kind=ScopeKind.OPERATOR, operator_id__in=reach.operators) | Q(
        scope_kind=ScopeKind.SCHOOL, school__operator_id__in=reach.operators
    )
    if reach.authorities:
        condition |= Q(scope_kind=ScopeKind.AUTHORITY, authority_id__in=reach.authorities)
    return condition


def invitations_for(actor: Any, *, pending_only: bool = True) -> QuerySet[UserInvitation]:
    """Invitations whose role and scope the actor may grant; by default those not yet accepted nor withdrawn."""
    reach = reach_of(actor)
    queryset = UserInvitation.objects.select_related("authority", "operator", "school", "supplier", "invited_by")
    if pending_only:
        queryset = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    if not reach.manages_people:
        return queryset.none()
    condition = invitations_q(reach)
    return queryset if condition is None else queryset.filter(condition)


def invitation_state(invitation: UserInvitation, now: Any = None) -> str:
    """``open``, ``accepted``, ``withdrawn`` or ``expired``."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "withdrawn"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def history_of(actor: Any, user: User) -> list[AuditEvent]:
    """The audit events about a person: their account, their role assignments (also revoked ones)
    and the invitations they accepted; newest first. Events about roles outside the actor's reach
    are left out."""
    reach = reach_of(actor)
    invitations = list(UserInvitation.objects.filter(accepted_by=user).values_list("pk", flat=True))
    condition = (
        Q(object_type="accounts.user", object_id=str(user.pk))
        | Q(object_type="accounts.roleassignment", after__user=user.pk)
        | Q(object_type="accounts.roleassignment", before__user=user.pk)
        | Q(object_type="accounts.accessrequest", after__user=user.pk)
    )
    if invitations:
        condition |= Q(object_type="accounts.userinvitation", object_id__in=[str(pk) for pk in invitations])
    events = list(AuditEvent.objects.filter(condition).order_by("-occurred_at", "-id")[:200])
    if reach.everything:
        return events
    shown = []
    for event in events:
        if event.object_type == "accounts.roleassignment":
            snapshots = [s for s in (event.before, event.after) if isinstance(s, dict) and "role" in s]
            if not snapshots or not all(may_see(reach, s) for s in snapshots):
                continue
        if event.object_type == "accounts.userinvitation" and not may_grant(
            reach, UserInvitation.objects.get(pk=int(event.object_id))
        ):
            continue
        shown.append(event)
    return shown


def managed_scope_choices(actor: Any) -> dict[str, QuerySet]:
    """The scopes the actor may grant roles over, per kind (for the forms' pickers)."""
    Supplier = apps.get_model("devices", "Supplier")
    Authority = apps.get_model("schools", "Authority")
    School = apps.get_model("schools", "School")
    SchoolOperator = apps.get_model("schools", "SchoolOperator")

    reach = reach_of(actor)
    if reach.everything:
        return {
            "authority": Authority._default_manager.order_by("name"),
            "operator": SchoolOperator._default_manager.order_by("name"),
            "school": School._default_manager.order_by("name", "number"),
            "supplier": Supplier._default_manager.order_by("name"),
        }
    return {
        "authority": Authority._default_manager.filter(pk__in=reach.authorities).order_by("name"),
        "operator": SchoolOperator._default_manager.filter(pk__in=reach.operators).order_by("name"),
        "school": School._default_manager.filter(operator_id__in=reach.operators).order_by("name", "number"),
        "supplier": Supplier._default_manager.none(),
    }


def grantable_roles(actor: Any) -> list[str]:
    """The roles the actor may grant somewhere, in the order of ``Role``."""
    reach = reach_of(actor)
    if reach.everything:
        return [role for role in Role if role != Role.TEACHER]
    roles: list[str] = []
    if reach.authorities:
        roles += [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.DATA_PROTECTION_OFFICER]
    if reach.operators:
        roles += [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR]
    return [role for role in Role if role in roles]


def ids_of(objects: Iterable[Any]) -> list[int]:
    return [obj.pk for obj in objects]
