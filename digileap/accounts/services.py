"""Every write to users, role assignments and invitations (docs/people.md).

Each function authorises first against the actor's reach (``selectors.reach_of``; a
``PermissionDenied`` when the role or scope is outside it), validates (a ``ValidationError``,
nothing written), writes, records an audit event (``digileap.core.audit``) and forgets the cached
role assignments of the user it changed. Nobody grants a role wider than their own; nobody
revokes or deactivates themselves out of their last role that manages people.

Invitations: ``invite_user`` e-mails a one-time link, valid ``DIGILEAP_INVITATION_DAYS`` days
(default 14); only the SHA-256 of its token is stored, and the token is never audited.
``accept_invitation`` makes the account (or completes the signed-in one with that e-mail address)
and grants the role. ``sync_provider_roles`` keeps the roles the identity provider's groups give.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import forget_cached_assignments

from . import invitations
from .invitations import InvitationGone, token_hash
from .models import AccessRequest, Role, RoleAssignment, ScopeKind, User, UserInvitation
from .selectors import ROLE_SCOPES, SCOPE_FIELDS, Reach, invitation_state, is_manager, may_grant, may_see, reach_of

PROVIDER_ACTOR = "identity provider"
ASSIGNMENT_AUDIT_FIELDS = (
    "user",
    "role",
    "scope_kind",
    "authority",
    "operator",
    "school",
    "supplier",
    "staff",
    "is_administrator",
    "granted_by",
    "source",
)
# What the audit trail keeps of an invitation: never its token's hash.
INVITATION_AUDIT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "role",
    "scope_kind",
    "authority",
    "operator",
    "school",
    "supplier",
    "is_administrator",
    "invited_by",
    "expires_at",
)
USER_AUDIT_FIELDS = ("username", "email", "first_name", "last_name", "preferred_language", "is_active")
SCOPE_MODELS = {
    ScopeKind.AUTHORITY: "schools.authority",
    ScopeKind.OPERATOR: "schools.schooloperator",
    ScopeKind.SCHOOL: "schools.school",
    ScopeKind.SUPPLIER: "devices.supplier",
}
_UNCHANGED: Any = object()


# Why a link no longer works (``InvitationGone.state``).
GONE_MESSAGES = {
    "accepted": invitations.used_message,
    "withdrawn": lambda: _("This invitation was withdrawn. Ask the person who invited you for a new one."),
    "expired": lambda: _("This invitation link has expired. Ask the person who invited you for a new one."),
    "has_account": lambda: _(
        "An account with this e-mail address exists already: sign in with it, then open the link again."
    ),
}


def invitation_days() -> int:
    return int(getattr(settings, "DIGILEAP_INVITATION_DAYS", 14))


def _assignment_audit(assignment: RoleAssignment) -> dict:
    return audit.snapshot(assignment, ASSIGNMENT_AUDIT_FIELDS)


def _scope_fields(role: str, scope_kind: str, scope: Any, is_administrator: bool) -> dict[str, Any]:
    """The scope's foreign key for a role; a ``ValidationError`` when role, scope and flag do not fit."""
    if role not in ROLE_SCOPES:
        if role == Role.TEACHER:
            raise ValidationError({"role": [_("Teachers are invited from their staff record in the training pages.")]})
        raise ValidationError({"role": [_("Choose a role.")]})
    if scope_kind not in ROLE_SCOPES[role]:
        raise ValidationError(
            {
                "scope_kind": [
                    _("A %(role)s cannot have the scope “%(scope)s”.")
                    % {
                        "role": Role(role).label,
                        "scope": ScopeKind(scope_kind).label if scope_kind in ScopeKind.values else scope_kind,
                    }
                ]
            }
        )
    if is_administrator and not (role == Role.OPERATOR_STAFF and scope_kind == ScopeKind.OPERATOR):
        raise ValidationError(
            {
                "is_administrator": [
                    _("Only school operator staff with one operator as scope can be operator administrators.")
                ]
            }
        )
    if scope_kind == ScopeKind.ALL:
        if scope is not None:
            raise ValidationError(
                {"scope": [_("The scope “everything” names no authority, operator, school or supplier.")]}
            )
        return {}
    field_name = SCOPE_FIELDS[ScopeKind(scope_kind)]
    label = getattr(scope, "_meta", None)
    if scope is None or label is None or label.label_lower != SCOPE_MODELS[ScopeKind(scope_kind)]:
        messages = {
            "authority": _("Choose the authority."),
            "operator": _("Choose the school operator."),
            "school": _("Choose the school."),
            "supplier": _("Choose the supplier."),
        }
        raise ValidationError({field_name: [messages[field_name]]})
    return {field_name: scope}


def _authorize_grant(actor: Any, values: dict[str, Any], reach: Reach | None = None) -> Reach:
    reach = reach if reach is not None else reach_of(actor)
    if not may_grant(reach, values):
        raise PermissionDenied("this role and scope are outside what the actor may grant")
    return reach


def _grant_values(role: str, scope_kind: str, fields: dict[str, Any], is_administrator: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"role": role, "scope_kind": scope_kind, "is_administrator": is_administrator}
    for name in SCOPE_FIELDS.values():
        values[f"{name}_id"] = fields[name].pk if name in fields else None
    return values


def _managing_assignments_left(
    user: User, without: RoleAssignment | None = None, replaced_by: dict | None = None
) -> int:
    count = 0
    for assignment in RoleAssignment.objects.filter(user=user):
        if without is not None and assignment.pk == without.pk:
            if replaced_by is not None and is_manager(_Values(replaced_by)):
                count += 1
            continue
        if is_manager(assignment):
            count += 1
    return count


class _Values:
    def __init__(self, values: dict[str, Any]):
        self.role = values.get("role")
        self.scope_kind = values.get("scope_kind")
        self.is_administrator = values.get("is_administrator", False)


def _is_self(actor: Any, user: User) -> bool:
    return isinstance(actor, User) and actor.pk == user.pk


def _resolve_request(actor: Any, user: User) -> None:
    request = AccessRequest.objects.filter(user=user, resolved_at__isnull=True).first()
    if request is None:
        return
    request.resolved_at = timezone.now()
    request.save(update_fields=["resolved_at"])
    audit.record(
        actor=actor,
        action="resolve",
        instance=request,
        before={"user": user.pk, "resolved_at": None},
        after={"user": user.pk, "resolved_at": request.resolved_at},
    )


def _forget(user: User, actor: Any = None) -> None:
    forget_cached_assignments(user)
    if actor is not None and isinstance(actor, User) and actor.pk == user.pk:
        forget_cached_assignments(actor)


# Invitations.


def invitation_url(token: str, base_url: str = "") -> str:
    """The link in the e-mail (``invitations.link``)."""
    return invitations.link("people:userinvitation-accept", token, base_url)


def _send_invitation(invitation: UserInvitation, token: str, language: str, base_url: str = "") -> None:
    invitations.send_invitation(
        to=invitation.email,
        language=language,
        subject=lambda: _("Your invitation to Digileap"),
        template="accounts/people/emails/invitation.txt",
        context=lambda: {
            "invitation": invitation,
            "role": invitation.get_role_display(),
            "scope": scope_label(invitation),
            "inviter": invitation.invited_by,
            "url": invitation_url(token, base_url),
        },
        expires_at=invitation.expires_at,
    )


def scope_label(obj: Any) -> str:
    target = getattr(obj, SCOPE_FIELDS.get(obj.scope_kind, ""), None) if obj.scope_kind in SCOPE_FIELDS else None
    return str(target) if target is not None else str(ScopeKind(obj.scope_kind).label)


@transaction.atomic
def invite_user(
    *,
    actor: Any,
    email: str,
    role: str,
    scope_kind: str,
    scope: Any = None,
    is_administrator: bool = False,
    first_name: str = "",
    last_name: str = "",
    language: str | None = None,
    base_url: str = "",
) -> tuple[UserInvitation, str]:
    """E-mail a one-time link that grants ``role`` over ``scope``; returns the invitation and the
    link's token (shown nowhere else: only its SHA-256 is kept). ``base_url``: the installation's
    address as the request saw it, for the link when ``DIGILEAP_BASE_URL`` is not set.
    ``InvitationMailError`` when the mail server does not take the e-mail: nothing is kept."""
    fields = _scope_fields(role, scope_kind, scope, is_administrator)
    _authorize_grant(actor, _grant_values(role, scope_kind, fields, is_administrator))
    address = invitations.clean_address(email)
    existing = User.objects.filter(email__iexact=address, is_active=True).first()
    if (
        existing is not None
        and RoleAssignment.objects.filter(user=existing, role=role, scope_kind=scope_kind, **fields).exists()
    ):
        raise ValidationError({"email": [_("%(email)s has this role already.") % {"email": address}]})
    if not isinstance(actor, User):
        raise PermissionDenied("an invitation names the person who sent it")
    now = timezone.now()
    token, hashed = invitations.new_token()
    invitation = UserInvitation.objects.create(
        email=address,
        first_name=(first_name or "").strip()[:150],
        last_name=(last_name or "").strip()[:150],
        role=role,
        scope_kind=scope_kind,
        is_administrator=is_administrator,
        token_hash=hashed,
        invited_by=actor,
        expires_at=now + datetime.timedelta(days=invitation_days()),
        **fields,
    )
    audit.record(
        actor=actor, action="invite", instance=invitation, after=audit.snapshot(invitation, INVITATION_AUDIT_FIELDS)
    )
    chosen = invitations.choose_language(
        language or "", getattr(existing, "preferred_language", "") or "", actor.preferred_language or ""
    )
    # Raises InvitationMailError when the mail server does not take it: the transaction rolls back.
    _send_invitation(invitation, token, chosen, base_url)
    return invitation, token


def invitation_by_token(token: str) -> UserInvitation | None:
    return (
        UserInvitation.objects.select_related("authority", "operator", "school", "supplier", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _new_user(invitation: UserInvitation, username: str, password: str, preferred_language: str) -> User:
    username = invitations.check_new_account(invitation.email, username, password)
    user = User(
        username=username,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        preferred_language=invitations.choose_language(preferred_language) if preferred_language else "",
    )
    invitations.save_new_account(user, password)
    audit.record(actor=user, action="create", instance=user, after=audit.snapshot(user, USER_AUDIT_FIELDS))
    return user


@transaction.atomic
def accept_invitation(
    *, token: str, username: str = "", password: str = "", user: Any = None, preferred_language: str = ""
) -> User:
    """Follow an invitation link. Signed in (``user``) with the invitation's e-mail address: the
    role is added to that account. Otherwise a new account is made (``username``, ``password``
    checked by Django's password validators). ``UserInvitation.DoesNotExist`` for a forged token;
    ``InvitationGone`` for a used, withdrawn or expired link, or an address that has an account
    whose owner is not signed in."""
    invitation = UserInvitation.objects.select_for_update().get(token_hash=token_hash(token))
    state = invitation_state(invitation)
    if state != "open":
        raise InvitationGone(GONE_MESSAGES[state](), state)
    if user is not None and getattr(user, "is_authenticated", False):
        if (user.email or "").lower() != invitation.email.lower():
            raise ValidationError(
                _(
                    "You are signed in as %(username)s, whose e-mail address is not the one invited. Sign out and open the link again."
                )
                % {"username": user.get_username()}
            )
        account = User.objects.select_for_update().get(pk=user.pk)
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationGone(GONE_MESSAGES["has_account"](), "has_account")
        account = _new_user(invitation, username, password, preferred_language)
    fields: dict[str, Any] = {}
    if invitation.scope_kind in SCOPE_FIELDS:
        name = SCOPE_FIELDS[ScopeKind(invitation.scope_kind)]
        fields[name] = getattr(invitation, name)
    assignment = RoleAssignment.objects.filter(
        user=account, role=invitation.role, scope_kind=invitation.scope_kind, **fields
    ).first()
    if assignment is None:
        assignment = RoleAssignment(
            user=account,
            role=invitation.role,
            scope_kind=invitation.scope_kind,
            is_administrator=invitation.is_administrator,
            granted_by=invitation.invited_by,
            source="manual",
            **fields,
        )
        assignment.full_clean()
        assignment.save()
        audit.record(actor=account, action="assign", instance=assignment, after=_assignment_audit(assignment))
    now = timezone.now()
    invitation.accepted_at = now
    invitation.accepted_by = account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=account,
        action="accept",
        instance=invitation,
        before={"accepted_at": None, "accepted_by": None},
        after={"accepted_at": now, "accepted_by": account.pk},
    )
    _resolve_request(account, account)
    _forget(account, user)
    return account


@transaction.atomic
def withdraw_invitation(*, actor: Any, invitation: UserInvitation) -> UserInvitation:
    invitation = UserInvitation.objects.select_for_update().get(pk=invitation.pk)
    _authorize_grant(actor, invitation.__dict__)
    state = invitation_state(invitation)
    if state in ("accepted", "withdrawn"):
        raise ValidationError(GONE_MESSAGES[state]())
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="withdraw",
        instance=invitation,
        before={"revoked_at": None},
        after={"revoked_at": invitation.revoked_at},
    )
    return invitation


# Role assignments.


@transaction.atomic
def assign_role(
    *, actor: Any, user: User, role: str, scope_kind: str, scope: Any = None, is_administrator: bool = False
) -> RoleAssignment:
    """Give ``user`` a role over a scope (and close their open access request)."""
    fields = _scope_fields(role, scope_kind, scope, is_administrator)
    _authorize_grant(actor, _grant_values(role, scope_kind, fields, is_administrator))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("%(name)s is deactivated: reactivate them first.") % {"name": user})
    if RoleAssignment.objects.filter(user=user, role=role, scope_kind=scope_kind, **fields).exists():
        raise ValidationError(_("%(name)s has this role with this scope already.") % {"name": user})
    assignment = RoleAssignment(
        user=user,
        role=role,
        scope_kind=scope_kind,
        is_administrator=is_administrator,
        granted_by=actor if isinstance(actor, User) else None,
        source="manual",
        **fields,
    )
    assignment.full_clean()
    assignment.save()
    audit.record(actor=actor, action="assign", instance=assignment, after=_assignment_audit(assignment))
    _resolve_request(actor, user)
    _forget(user, actor)
    return assignment


def _check_provider(assignment: RoleAssignment) -> None:
    if assignment.source == "identity_provider":
        raise ValidationError(
            _("This role comes from the identity provider's groups: change it there, not in Digileap.")
        )


@transaction.atomic
def change_role(
    *,
    actor: Any,
    assignment: RoleAssignment,
    role: str | None = None,
    scope_kind: str | None = None,
    scope: Any = _UNCHANGED,
    is_administrator: bool | None = None,
) -> RoleAssignment:
    """Change an assignment's role, scope or operator-administrator flag. The actor must be able to
    grant both the role as it is and as it becomes."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    reach = reach_of(actor)
    _authorize_grant(actor, assignment.__dict__, reach)
    _check_provider(assignment)
    new_role = role if role is not None else assignment.role
    new_kind = scope_kind if scope_kind is not None else assignment.scope_kind
    if scope is _UNCHANGED:
        scope = getattr(assignment, SCOPE_FIELDS[ScopeKind(new_kind)]) if new_kind in SCOPE_FIELDS else None
    new_flag = is_administrator if is_administrator is not None else assignment.is_administrator
    if new_role != Role.OPERATOR_STAFF:
        new_flag = False if is_administrator is None else new_flag
    fields = _scope_fields(new_role, new_kind, scope, new_flag)
    values = _grant_values(new_role, new_kind, fields, new_flag)
    _authorize_grant(actor, values, reach)
    if _is_self(actor, assignment.user) and not _managing_assignments_left(assignment.user, assignment, values):
        raise ValidationError(
            _("You cannot change away your own last role that manages people: ask another administrator.")
        )
    if (
        RoleAssignment.objects.filter(user_id=assignment.user_id, role=new_role, scope_kind=new_kind, **fields)
        .exclude(pk=assignment.pk)
        .exists()
    ):
        raise ValidationError(_("%(name)s has this role with this scope already.") % {"name": assignment.user})
    before = _assignment_audit(assignment)
    assignment.role, assignment.scope_kind, assignment.is_administrator = new_role, new_kind, new_flag
    for name in SCOPE_FIELDS.values():
        setattr(assignment, name, fields.get(name))
    assignment.full_clean()
    assignment.save()
    changed_before, changed_after = audit.changed_fields(before, _assignment_audit(assignment))
    audit.record(
        actor=actor,
        action="change",
        instance=assignment,
        before={
            "user": assignment.user_id,
            "role": before["role"],
            "scope_kind": before["scope_kind"],
            **changed_before,
        },
        after={"user": assignment.user_id, "role": new_role, "scope_kind": new_kind, **changed_after},
    )
    _forget(assignment.user, actor)
    return assignment


@transaction.atomic
def revoke_role(*, actor: Any, assignment: RoleAssignment) -> None:
    assignment = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    _authorize_grant(actor, assignment.__dict__)
    _check_provider(assignment)
    if _is_self(actor, assignment.user) and not _managing_assignments_left(assignment.user, assignment):
        raise ValidationError(_("You cannot revoke your own last role that manages people: ask another administrator."))
    before = _assignment_audit(assignment)
    audit.record(actor=actor, action="revoke", instance=assignment, before=before)
    user = assignment.user
    assignment.delete()
    _forget(user, actor)


# Users.


def may_manage_user(actor: Any, user: User, reach: Reach | None = None) -> bool:
    """Whether the actor may deactivate or reactivate ``user``: administrators anyone but
    themselves; others a user all of whose roles lie in their reach, none of them wider than theirs."""
    reach = reach if reach is not None else reach_of(actor)
    if _is_self(actor, user) or not reach.manages_people:
        return False
    if reach.everything:
        return True
    assignments = list(RoleAssignment.objects.filter(user=user))
    if not assignments:
        return False
    return all(may_see(reach, a) and (a.role == Role.TEACHER or may_grant(reach, a)) for a in assignments) and any(
        a.role != Role.TEACHER for a in assignments
    )


def _set_active(actor: Any, user: User, active: bool, action: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if _is_self(actor, user):
        raise ValidationError(_("You cannot deactivate yourself: ask another administrator."))
    if not may_manage_user(actor, user):
        raise PermissionDenied("the user has roles outside what the actor manages")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action=action, instance=user, before={"is_active": not active}, after={"is_active": active}
    )
    _forget(user)
    return user


@transaction.atomic
def deactivate_user(*, actor: Any, user: User) -> User:
    """The user can no longer sign in (their sessions and API tokens stop working); roles are kept."""
    return _set_active(actor, user, False, "deactivate")


@transaction.atomic
def reactivate_user(*, actor: Any, user: User) -> User:
    return _set_active(actor, user, True, "activate")


# The identity provider.


def _grant_key(role: str, scope_kind: str, scope: Any) -> tuple[str, str, int | None]:
    return (str(role), str(scope_kind), getattr(scope, "pk", None))


@transaction.atomic
def sync_provider_roles(*, user: User, grants: Iterable[tuple[str, str, Any]]) -> None:
    """Make the user's roles from the identity provider exactly ``grants`` (role, scope kind, scope
    object or None): add the missing ones, revoke the others. Roles given in Digileap are kept.
    Audited with the actor "identity provider"."""
    wanted: dict[tuple[str, str, int | None], tuple[str, str, dict[str, Any]]] = {}
    for role, scope_kind, scope in grants:
        fields = _scope_fields(role, scope_kind, scope, False)
        wanted[_grant_key(role, scope_kind, scope)] = (role, scope_kind, fields)
    current = list(RoleAssignment.objects.select_for_update().filter(user=user))
    have: dict[tuple[str, str, int | None], RoleAssignment] = {(a.role, a.scope_kind, a.scope_id): a for a in current}
    changed = False
    for assignment in current:
        key = (assignment.role, assignment.scope_kind, assignment.scope_id)
        if assignment.source == "identity_provider" and key not in wanted:
            audit.record(
                actor=PROVIDER_ACTOR, action="revoke", instance=assignment, before=_assignment_audit(assignment)
            )
            assignment.delete()
            changed = True
    for key, (role, scope_kind, fields) in wanted.items():
        if key in have:
            continue  # given already, by the provider or in Digileap
        assignment = RoleAssignment(user=user, role=role, scope_kind=scope_kind, source="identity_provider", **fields)
        assignment.full_clean()
        assignment.save()
        audit.record(actor=PROVIDER_ACTOR, action="assign", instance=assignment, after=_assignment_audit(assignment))
        changed = True
    if wanted:
        _resolve_request(PROVIDER_ACTOR, user)
    if changed:
        _forget(user)
