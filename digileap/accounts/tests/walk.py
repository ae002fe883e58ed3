"""INSIDE and OUTSIDE objects of the people pages and API for the permission walk
(digileap/core/tests/test_permission_walk.py): per side a school coordinator of the side's school
(user and role assignment), an open invitation for that school, and a user waiting for a role in
the side's authority. OUTSIDE ones carry the marker."""

import datetime
import secrets

from django.utils import timezone

from ..models import AccessRequest, Role, ScopeKind, UserInvitation
from ..services import token_hash
from .factories import UserFactory, assign_role


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school in (
        ("INSIDE", world.authority, world.school),
        ("OUTSIDE", world.other_authority, world.other_school),
    ):
        person = UserFactory(username=f"{side}-person", first_name=side, last_name="person")
        assignment = assign_role(person, Role.SCHOOL_COORDINATOR, school)
        invitation = UserInvitation.objects.create(
            email=f"{side.lower()}-invitee@example.org",
            first_name=f"{side} invitee",
            role=Role.SCHOOL_COORDINATOR,
            scope_kind=ScopeKind.SCHOOL,
            school=school,
            token_hash=token_hash(secrets.token_urlsafe(16)),
            invited_by=role_users[Role.ADMINISTRATOR],
            expires_at=timezone.now() + datetime.timedelta(days=14),
        )
        waiting = UserFactory(username=f"{side}-waiting", first_name=side, last_name="waiting")
        request = AccessRequest.objects.create(user=waiting, authority=authority)
        made = {
            "accounts.user": person,
            "accounts.roleassignment": assignment,
            "accounts.userinvitation": invitation,
            "accounts.accessrequest": request,
        }
        for label, instance in made.items():
            objects.setdefault(label, []).append(instance)
    return {label: tuple(pair) for label, pair in objects.items()}
