"""People services (docs/people.md): delegation rules for every role with exact outcomes, the
audit event of every change, invitations (expiry, reuse, withdrawal), and the identity provider's
roles."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts import services
from digileap.accounts.models import AccessRequest, Role, RoleAssignment, ScopeKind, User, UserInvitation
from digileap.accounts.selectors import people_for, reach_of
from digileap.accounts.tests.factories import UserFactory, assign_role, user_with_role
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

pytestmark = pytest.mark.django_db

OPERATOR_ADMIN = "operator_administrator"


def operator_admin(operator, username: str = "opadmin") -> User:
    user = UserFactory(username=username)
    RoleAssignment.objects.create(
        user=user, role=Role.OPERATOR_STAFF, scope_kind=ScopeKind.OPERATOR, operator=operator, is_administrator=True
    )
    return user


@pytest.fixture
def actors(world, role_users):
    return {**role_users, OPERATOR_ADMIN: operator_admin(world.operator)}


def grants(world) -> dict[str, tuple]:
    """What the tests try to grant: name → (role, scope kind, scope, operator administrator)."""
    sibling = OperatorFactory(authority=world.authority, name="INSIDE sibling operator")
    sibling_school = SchoolFactory(operator=sibling, name="INSIDE sibling school", number="1002")
    return {
        "administrator": (Role.ADMINISTRATOR, ScopeKind.ALL, None, False),
        "owner-in": (Role.PROGRAMME_OWNER, ScopeKind.AUTHORITY, world.authority, False),
        "owner-out": (Role.PROGRAMME_OWNER, ScopeKind.AUTHORITY, world.other_authority, False),
        "owner-all": (Role.PROGRAMME_OWNER, ScopeKind.ALL, None, False),
        "funding-in": (Role.FUNDING_ADMINISTRATOR, ScopeKind.AUTHORITY, world.authority, False),
        "auditor-in": (Role.AUDITOR, ScopeKind.AUTHORITY, world.authority, False),
        "dpo-in": (Role.DATA_PROTECTION_OFFICER, ScopeKind.AUTHORITY, world.authority, False),
        "dpo-out": (Role.DATA_PROTECTION_OFFICER, ScopeKind.AUTHORITY, world.other_authority, False),
        "opadmin-in": (Role.OPERATOR_STAFF, ScopeKind.OPERATOR, world.operator, True),
        "opstaff-in": (Role.OPERATOR_STAFF, ScopeKind.OPERATOR, world.operator, False),
        "opstaff-sibling": (Role.OPERATOR_STAFF, ScopeKind.OPERATOR, sibling, False),
        "opstaff-out": (Role.OPERATOR_STAFF, ScopeKind.OPERATOR, world.other_operator, False),
        "coordinator-in": (Role.SCHOOL_COORDINATOR, ScopeKind.SCHOOL, world.school, False),
        "coordinator-sibling": (Role.SCHOOL_COORDINATOR, ScopeKind.SCHOOL, sibling_school, False),
        "coordinator-out": (Role.SCHOOL_COORDINATOR, ScopeKind.SCHOOL, world.other_school, False),
        "supplier": (Role.SUPPLIER, ScopeKind.SUPPLIER, world.supplier, False),
    }


OWNER_GRANTS = {
    "owner-in",
    "funding-in",
    "auditor-in",
    "dpo-in",
    "opadmin-in",
    "opstaff-in",
    "opstaff-sibling",
    "coordinator-in",
    "coordinator-sibling",
}
EXPECTED = {
    Role.ADMINISTRATOR: "all",
    Role.PROGRAMME_OWNER: OWNER_GRANTS,
    OPERATOR_ADMIN: {"opadmin-in", "opstaff-in", "coordinator-in"},
    Role.FUNDING_ADMINISTRATOR: set(),
    Role.OPERATOR_STAFF: set(),  # without the operator-administrator flag
    Role.SCHOOL_COORDINATOR: set(),
    Role.SUPPLIER: set(),
    Role.AUDITOR: set(),
    Role.TEACHER: set(),
    Role.DATA_PROTECTION_OFFICER: set(),
}


@pytest.mark.parametrize("actor_role", list(EXPECTED))
def test_who_may_assign_which_role(actor_role, actors, world):
    actor = actors[actor_role]
    tried = grants(world)
    allowed = set()
    for name, (role, kind, scope, flag) in tried.items():
        target = UserFactory(username=f"target-{name}")
        try:
            assignment = services.assign_role(
                actor=actor, user=target, role=role, scope_kind=kind, scope=scope, is_administrator=flag
            )
        except PermissionDenied:
            assert not RoleAssignment.objects.filter(user=target).exists()
            continue
        allowed.add(name)
        event = AuditEvent.objects.filter(object_type="accounts.roleassignment", object_id=str(assignment.pk)).get()
        assert (event.action, event.actor_id, event.after["role"], event.after["user"]) == (
            "assign",
            actor.pk,
            role,
            target.pk,
        )
        assert assignment.granted_by_id == actor.pk and assignment.source == "manual"
    expected = set(tried) if EXPECTED[actor_role] == "all" else EXPECTED[actor_role]
    assert allowed == expected


@pytest.mark.parametrize("actor_role", list(EXPECTED))
def test_who_may_invite_for_which_role(actor_role, actors, world):
    actor = actors[actor_role]
    tried = grants(world)
    allowed = set()
    for name, (role, kind, scope, flag) in tried.items():
        try:
            invitation, token = services.invite_user(
                actor=actor, email=f"{name}@example.org", role=role, scope_kind=kind, scope=scope, is_administrator=flag
            )
        except PermissionDenied:
            continue
        allowed.add(name)
        event = AuditEvent.objects.get(object_type="accounts.userinvitation", object_id=str(invitation.pk))
        assert (event.action, event.actor_id) == ("invite", actor.pk)
        assert "token_hash" not in event.after and token not in str(event.after)
    expected = set(tried) if EXPECTED[actor_role] == "all" else EXPECTED[actor_role]
    assert allowed == expected
    assert len(mail.outbox) == len(expected)
    assert UserInvitation.objects.count() == len(expected)


def test_teachers_are_not_invited_here(actors, world):
    with pytest.raises(ValidationError) as error:
        services.invite_user(
            actor=actors[Role.ADMINISTRATOR],
            email="t@example.org",
            role=Role.TEACHER,
            scope_kind=ScopeKind.STAFF,
            scope=world.staff,
        )
    assert error.value.message_dict == {"role": ["Teachers are invited from their staff record in the training pages."]}


def test_the_operator_administrator_flag_is_only_for_operator_staff(actors, world):
    with pytest.raises(ValidationError) as error:
        services.assign_role(
            actor=actors[Role.ADMINISTRATOR],
            user=UserFactory(),
            role=Role.SCHOOL_COORDINATOR,
            scope_kind=ScopeKind.SCHOOL,
            scope=world.school,
            is_administrator=True,
        )
    assert list(error.value.message_dict) == ["is_administrator"]


def test_change_needs_both_the_old_and_the_new_role_in_reach(actors, world):
    owner, opadmin = actors[Role.PROGRAMME_OWNER], actors[OPERATOR_ADMIN]
    coordinator = assign_role(UserFactory(username="coord"), Role.SCHOOL_COORDINATOR, world.school)
    with pytest.raises(PermissionDenied):
        services.change_role(actor=owner, assignment=coordinator, scope_kind=ScopeKind.SCHOOL, scope=world.other_school)
    with pytest.raises(PermissionDenied):  # an operator administrator does not make programme owners
        services.change_role(
            actor=opadmin, assignment=coordinator, role=Role.PROGRAMME_OWNER, scope_kind=ScopeKind.AUTHORITY,
            scope=world.authority,
        )  # fmt: skip
    owners_role = RoleAssignment.objects.get(user=owner)
    with pytest.raises(PermissionDenied):  # nor touches a programme owner's role
        services.change_role(actor=opadmin, assignment=owners_role, role=Role.AUDITOR)
    changed = services.change_role(
        actor=opadmin, assignment=coordinator, role=Role.OPERATOR_STAFF, scope_kind=ScopeKind.OPERATOR,
        scope=world.operator, is_administrator=True,
    )  # fmt: skip
    assert (changed.role, changed.scope_kind, changed.operator_id, changed.school_id, changed.is_administrator) == (
        Role.OPERATOR_STAFF, ScopeKind.OPERATOR, world.operator.pk, None, True,
    )  # fmt: skip
    event = AuditEvent.objects.filter(object_type="accounts.roleassignment", action="change").get()
    assert event.actor_id == opadmin.pk
    assert event.before == {
        "user": coordinator.user_id, "role": "school_coordinator", "scope_kind": "school", "operator": None,
        "school": world.school.pk, "is_administrator": False,
    }  # fmt: skip
    assert event.after == {
        "user": coordinator.user_id, "role": "operator_staff", "scope_kind": "operator", "operator": world.operator.pk,
        "school": None, "is_administrator": True,
    }  # fmt: skip


def test_revoke_is_audited_and_nobody_revokes_their_last_managing_role(actors, world):
    owner = actors[Role.PROGRAMME_OWNER]
    coordinator = assign_role(UserFactory(username="coord"), Role.SCHOOL_COORDINATOR, world.school)
    services.revoke_role(actor=owner, assignment=coordinator)
    assert not RoleAssignment.objects.filter(pk=coordinator.pk).exists()
    event = AuditEvent.objects.get(object_type="accounts.roleassignment", action="revoke")
    assert (event.actor_id, event.before["role"], event.before["school"], event.after) == (
        owner.pk, "school_coordinator", world.school.pk, None,
    )  # fmt: skip
    own = RoleAssignment.objects.get(user=owner)
    with pytest.raises(ValidationError) as error:
        services.revoke_role(actor=owner, assignment=own)
    assert error.value.messages == [
        "You cannot revoke your own last role that manages people: ask another administrator."
    ]
    with pytest.raises(ValidationError):
        services.change_role(actor=owner, assignment=own, role=Role.AUDITOR)
    # With a second managing role, the first may go.
    services.assign_role(
        actor=actors[Role.ADMINISTRATOR], user=owner, role=Role.OPERATOR_STAFF, scope_kind=ScopeKind.OPERATOR,
        scope=world.operator, is_administrator=True,
    )  # fmt: skip
    services.revoke_role(actor=owner, assignment=own)
    assert list(RoleAssignment.objects.filter(user=owner).values_list("role", "is_administrator")) == [
        ("operator_staff", True)
    ]


def test_the_administrator_does_not_revoke_their_own_last_administrator_role(actors):
    admin = actors[Role.ADMINISTRATOR]
    with pytest.raises(ValidationError):
        services.revoke_role(actor=admin, assignment=RoleAssignment.objects.get(user=admin))


def test_deactivate_and_reactivate(actors, world):
    owner, opadmin = actors[Role.PROGRAMME_OWNER], actors[OPERATOR_ADMIN]
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="coord")
    services.deactivate_user(actor=opadmin, user=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.is_active is False
    services.reactivate_user(actor=owner, user=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.is_active is True
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(coordinator.pk)).order_by("id")
    assert [(e.action, e.actor_id, e.after) for e in events] == [
        ("deactivate", opadmin.pk, {"is_active": False}),
        ("activate", owner.pk, {"is_active": True}),
    ]
    # A role outside the reach, or one wider than the actor's: refused.
    assign_role(coordinator, Role.SCHOOL_COORDINATOR, world.other_school)
    with pytest.raises(PermissionDenied):
        services.deactivate_user(actor=owner, user=coordinator)
    with pytest.raises(PermissionDenied):
        services.deactivate_user(actor=opadmin, user=actors[Role.PROGRAMME_OWNER])
    with pytest.raises(ValidationError):
        services.deactivate_user(actor=owner, user=owner)
    for role in (Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.AUDITOR, Role.DATA_PROTECTION_OFFICER):
        with pytest.raises(PermissionDenied):
            services.deactivate_user(actor=actors[role], user=actors[Role.SCHOOL_COORDINATOR])
    services.deactivate_user(actor=actors[Role.ADMINISTRATOR], user=coordinator)
    assert AuditEvent.objects.filter(action="deactivate").count() == 2


def test_an_invitation_makes_the_account_and_grants_the_role(actors, world, settings):
    settings.DIGILEAP_BASE_URL = "https://digileap.example"
    owner = actors[Role.PROGRAMME_OWNER]
    invitation, token = services.invite_user(
        actor=owner, email=" Ops@Example.org ", role=Role.OPERATOR_STAFF, scope_kind=ScopeKind.OPERATOR,
        scope=world.operator, is_administrator=True, first_name="Olga", last_name="Operator",
    )  # fmt: skip
    assert invitation.email == "ops@example.org"
    assert invitation.token_hash == services.token_hash(token) and token not in invitation.token_hash
    assert round((invitation.expires_at - invitation.created_at) / datetime.timedelta(days=1), 3) == 14
    message = mail.outbox[0]
    assert message.to == ["ops@example.org"]
    assert message.subject == "Your invitation to Digileap"
    assert f"https://digileap.example/accounts/people/invitation/{token}/" in message.body
    assert "School operator staff (INSIDE operator)" in message.body

    user = services.accept_invitation(token=token, username="olga", password="a long enough passphrase 42")
    assert (user.email, user.first_name, user.last_name) == ("ops@example.org", "Olga", "Operator")
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.operator_id, assignment.is_administrator, assignment.granted_by_id) == (
        Role.OPERATOR_STAFF, world.operator.pk, True, owner.pk,
    )  # fmt: skip
    assert reach_of(user).operators == frozenset({world.operator.pk})
    events = AuditEvent.objects.filter(object_type__startswith="accounts.").order_by("id")
    assert [(e.action, e.object_type, e.actor_label) for e in events] == [
        ("invite", "accounts.userinvitation", owner.username),
        ("create", "accounts.user", "olga"),
        ("assign", "accounts.roleassignment", "olga"),
        ("accept", "accounts.userinvitation", "olga"),
    ]
    with pytest.raises(services.InvitationGone) as gone:
        services.accept_invitation(token=token, username="olga2", password="a long enough passphrase 42")
    assert gone.value.state == "accepted"


def test_expired_and_withdrawn_invitations_are_refused(actors, world, settings):
    settings.DIGILEAP_INVITATION_DAYS = 3
    owner = actors[Role.PROGRAMME_OWNER]
    expired, expired_token = services.invite_user(
        actor=owner, email="a@example.org", role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY, scope=world.authority
    )
    assert round((expired.expires_at - expired.created_at) / datetime.timedelta(days=1), 3) == 3
    UserInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(services.InvitationGone) as gone:
        services.accept_invitation(token=expired_token, username="a", password="a long enough passphrase 42")
    assert (gone.value.state, gone.value.messages) == (
        "expired",
        ["This invitation link has expired. Ask the person who invited you for a new one."],
    )
    withdrawn, withdrawn_token = services.invite_user(
        actor=owner, email="b@example.org", role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY, scope=world.authority
    )
    with pytest.raises(PermissionDenied):
        services.withdraw_invitation(actor=actors[OPERATOR_ADMIN], invitation=withdrawn)
    services.withdraw_invitation(actor=owner, invitation=withdrawn)
    event = AuditEvent.objects.get(
        object_type="accounts.userinvitation", object_id=str(withdrawn.pk), action="withdraw"
    )
    assert event.actor_id == owner.pk
    with pytest.raises(services.InvitationGone) as gone:
        services.accept_invitation(token=withdrawn_token, username="b", password="a long enough passphrase 42")
    assert gone.value.state == "withdrawn"
    with pytest.raises(ValidationError):
        services.withdraw_invitation(actor=owner, invitation=withdrawn)
    with pytest.raises(UserInvitation.DoesNotExist):
        services.accept_invitation(token="forged", username="c", password="a long enough passphrase 42")
    assert not User.objects.filter(username__in=["a", "b", "c"]).exists()


def test_an_invitation_to_an_existing_account(actors, world):
    owner = actors[Role.PROGRAMME_OWNER]
    existing = UserFactory(username="known", email="known@example.org")
    _, token = services.invite_user(
        actor=owner, email="KNOWN@example.org", role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY, scope=world.authority
    )
    with pytest.raises(services.InvitationGone) as gone:  # not signed in: sign in first
        services.accept_invitation(token=token, username="other", password="a long enough passphrase 42")
    assert gone.value.state == "has_account"
    with pytest.raises(ValidationError):  # signed in as someone else
        services.accept_invitation(token=token, user=actors[Role.SUPPLIER])
    assert services.accept_invitation(token=token, user=existing) == existing
    assert list(RoleAssignment.objects.filter(user=existing).values_list("role", "authority")) == [
        ("auditor", world.authority.pk)
    ]


def test_assigning_a_role_resolves_the_access_request(actors, world):
    waiting = UserFactory(username="waiting")
    request = AccessRequest.objects.create(user=waiting, authority=world.authority)
    owner = actors[Role.PROGRAMME_OWNER]
    assert waiting in people_for(owner)
    assert waiting not in people_for(actors[OPERATOR_ADMIN])
    services.assign_role(
        actor=owner, user=waiting, role=Role.SCHOOL_COORDINATOR, scope_kind=ScopeKind.SCHOOL, scope=world.school
    )
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert (
        AuditEvent.objects.filter(object_type="accounts.accessrequest", action="resolve", actor_id=owner.pk).count()
        == 1
    )


def test_sync_provider_roles_follows_the_provider_and_keeps_manual_roles(actors, world):
    user = UserFactory(username="sso")
    manual = services.assign_role(
        actor=actors[Role.ADMINISTRATOR], user=user, role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY,
        scope=world.authority,
    )  # fmt: skip
    services.sync_provider_roles(
        user=user,
        grants=[
            (Role.SCHOOL_COORDINATOR, ScopeKind.SCHOOL, world.school),
            (Role.AUDITOR, ScopeKind.AUTHORITY, world.authority),  # given in Digileap already: kept as it is
        ],
    )
    rows = set(RoleAssignment.objects.filter(user=user).values_list("role", "source"))
    assert rows == {("auditor", "manual"), ("school_coordinator", "identity_provider")}
    services.sync_provider_roles(user=user, grants=[(Role.OPERATOR_STAFF, ScopeKind.OPERATOR, world.operator)])
    rows = set(RoleAssignment.objects.filter(user=user).values_list("role", "source"))
    assert rows == {("auditor", "manual"), ("operator_staff", "identity_provider")}
    services.sync_provider_roles(user=user, grants=[])
    assert list(RoleAssignment.objects.filter(user=user)) == [manual]
    events = AuditEvent.objects.filter(actor_label="identity provider").order_by("id")
    assert [(e.action, (e.after or e.before)["role"]) for e in events] == [
        ("assign", "school_coordinator"),
        ("revoke", "school_coordinator"),
        ("assign", "operator_staff"),
        ("revoke", "operator_staff"),
    ]
    assert {e.actor_id for e in events} == {None}


def test_provider_roles_are_not_changed_by_hand(actors, world):
    user = UserFactory(username="sso")
    services.sync_provider_roles(user=user, grants=[(Role.SCHOOL_COORDINATOR, ScopeKind.SCHOOL, world.school)])
    assignment = RoleAssignment.objects.get(user=user)
    with pytest.raises(ValidationError):
        services.revoke_role(actor=actors[Role.ADMINISTRATOR], assignment=assignment)


def test_people_in_reach(actors, world):
    inside = user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="in-coord")
    outside = user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="out-coord")
    owner_sees = set(people_for(actors[Role.PROGRAMME_OWNER]).values_list("username", flat=True))
    opadmin_sees = set(people_for(actors[OPERATOR_ADMIN]).values_list("username", flat=True))
    assert inside.username in owner_sees and outside.username not in owner_sees
    # Teachers are shown (read-only) to those whose reach holds their staff record.
    assert owner_sees == {
        "programme_owner-user", "funding_administrator-user", "operator_staff-user", "school_coordinator-user",
        "auditor-user", "teacher-user", "data_protection_officer-user", "opadmin", "in-coord",
    }  # fmt: skip
    assert opadmin_sees == {"operator_staff-user", "school_coordinator-user", "teacher-user", "opadmin", "in-coord"}
    for role in (Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SUPPLIER, Role.AUDITOR, Role.TEACHER):
        assert not people_for(actors[role]).exists()
