"""The people API (docs/people.md): ``/api/users/`` (read), ``/api/role-assignments/`` (read,
create, delete = revoke) and ``/api/user-invitations/`` (read, create, ``withdraw``). Only those who
manage people reach it (administrators, programme owners, operator administrators); lists hold
what lies in their reach, and every write goes through ``digileap.accounts.services``."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet

from .. import services
from ..models import RoleAssignment, User, UserInvitation
from ..selectors import assignments_in_reach, invitations_for, people_for, reach_of
from .serializers import (
    RoleAssignmentCreateSerializer,
    RoleAssignmentSerializer,
    UserInvitationCreateSerializer,
    UserInvitationSerializer,
    UserSerializer,
)


class ManagesPeople(BasePermission):
    """Signed in, with a role that manages people; the services check each write's role and scope."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and reach_of(request.user).manages_people)


def _users(user, action):
    roles = assignments_in_reach(
        user, RoleAssignment.objects.select_related("authority", "operator", "school", "supplier", "staff")
    ).order_by("created_at", "pk")
    return people_for(user).prefetch_related(Prefetch("role_assignments", queryset=roles, to_attr="visible_roles"))


def _assignments(user, action):
    return assignments_in_reach(
        user, RoleAssignment.objects.select_related("authority", "operator", "school", "supplier", "staff")
    )


def _invitations(user, action):
    return invitations_for(user, pending_only=False)


class UserViewSet(ScopedReadOnlyViewSet):
    """People with a role in your reach (or waiting for one in your authority), with those roles.
    Filter by ``is_active``."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    permission_classes = [ManagesPeople]
    filterset_fields = ["is_active"]
    ordering = ["username", "id"]
    selector = staticmethod(_users)


class RoleAssignmentViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet):
    """Role assignments in your reach. POST grants one, DELETE revokes it (roles from the identity
    provider are changed there). Filter by ``user``, ``role``, ``scope_kind``."""

    queryset = RoleAssignment.objects.all()
    serializer_class = RoleAssignmentSerializer
    permission_classes = [ManagesPeople]
    filterset_fields = ["user", "role", "scope_kind"]
    ordering = ["id"]
    selector = staticmethod(_assignments)

    def get_serializer_class(self):
        return RoleAssignmentCreateSerializer if getattr(self, "action", None) == "create" else RoleAssignmentSerializer

    @extend_schema(request=RoleAssignmentCreateSerializer, responses={201: RoleAssignmentSerializer})
    def create(self, request, *args, **kwargs):
        """Grant a role over a scope you may grant (403 otherwise)."""
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.revoke_role(actor=self.request.user, assignment=instance)


class UserInvitationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Invitations for roles in your reach. POST sends one (the link goes by e-mail only);
    ``withdraw`` ends an open one. Filter by ``role``."""

    queryset = UserInvitation.objects.all()
    serializer_class = UserInvitationSerializer
    permission_classes = [ManagesPeople]
    filterset_fields = ["role"]
    ordering = ["-created_at", "-id"]
    selector = staticmethod(_invitations)

    def get_serializer_class(self):
        if getattr(self, "action", None) == "create":
            return UserInvitationCreateSerializer
        return UserInvitationSerializer

    @extend_schema(
        request=UserInvitationCreateSerializer,
        responses={
            201: UserInvitationSerializer,
            503: OpenApiResponse(
                description="The mail server did not take the invitation e-mail: nothing was saved; try again later."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Send an invitation for a role and scope you may grant (403 otherwise; 503 when the mail
        server does not take the e-mail, and then nothing is saved)."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses=UserInvitationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an invitation not yet accepted: its link stops working."""
        invitation = services.withdraw_invitation(actor=request.user, invitation=self.get_object())
        return Response(
            UserInvitationSerializer(invitation, context=self.get_serializer_context()).data, status=status.HTTP_200_OK
        )
