"""Serializers of the people API: users (read-only), role assignments (create and revoke through
the services) and invitations (create and withdraw). Every field is described for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException

from .. import services
from ..invitations import InvitationMailError
from ..models import Role, RoleAssignment, ScopeKind, User, UserInvitation
from ..selectors import managed_scope_choices, people_for

# accounts knows no domain app by import (portal/tests/test_structure.py): the scope models by label.
Authority = apps.get_model("schools", "Authority")
SchoolOperator = apps.get_model("schools", "SchoolOperator")
School = apps.get_model("schools", "School")
Supplier = apps.get_model("devices", "Supplier")

ROLE_HELP = _(
    "The role: administrator, programme_owner, funding_administrator, operator_staff, "
    "school_coordinator, supplier, auditor, teacher or data_protection_officer."
)
SCOPE_HELP = _("What the role covers: all, authority, operator, school, supplier or staff (a teacher's own record).")


class _ScopeField(serializers.PrimaryKeyRelatedField):
    """An authority, operator, school or supplier the requesting user may grant roles over."""

    def __init__(self, kind: str, **kwargs: Any):
        self.kind = kind
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return managed_scope_choices(request.user)[self.kind]


class _PersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return User.objects.none()
        return people_for(request.user)


def _scope_fields() -> dict[str, serializers.Field]:
    return {
        "authority": _ScopeField(
            "authority", queryset=Authority._default_manager.none(), required=False, allow_null=True, default=None,
            help_text=_("The authority, for scope authority."),
        ),
        "operator": _ScopeField(
            "operator", queryset=SchoolOperator._default_manager.none(), required=False, allow_null=True, default=None,
            help_text=_("The school operator, for scope operator."),
        ),
        "school": _ScopeField(
            "school", queryset=School._default_manager.none(), required=False, allow_null=True, default=None,
            help_text=_("The school, for scope school."),
        ),
        "supplier": _ScopeField(
            "supplier", queryset=Supplier._default_manager.none(), required=False, allow_null=True, default=None,
            help_text=_("The supplier, for scope supplier."),
        ),
    }  # fmt: skip


class MailUnavailable(APIException):
    """503: the mail server did not take the invitation e-mail; nothing was saved."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "mail_unavailable"


def _scope_of(data: dict) -> Any:
    kind = data.get("scope_kind")
    return data.get(kind) if kind in ("authority", "operator", "school", "supplier") else None


class RoleAssignmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The role assignment's id."))
    user: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The user who holds the role.")
    )
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text=ROLE_HELP)
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, read_only=True, help_text=SCOPE_HELP)
    authority: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The authority, for scope authority; else null.")
    )
    operator: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The school operator, for scope operator; else null.")
    )
    school: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The school, for scope school; else null.")
    )
    supplier: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The supplier, for scope supplier; else null.")
    )
    staff: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The teacher's staff record, for scope staff; else null.")
    )
    scope_label = serializers.CharField(
        read_only=True, help_text=_("The scope in words: the authority's, operator's, school's or supplier's name.")
    )
    is_administrator = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Operator staff only: an operator administrator manages the operator's staff and its schools' coordinators."
        ),
    )
    granted_by: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("The user who granted the role; null when unknown or granted by the identity provider."),
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=[("manual", "manual"), ("identity_provider", "identity_provider")],
        read_only=True,
        help_text=_("manual: granted in Digileap; identity_provider: from the identity provider's groups."),
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When the role was granted."))

    class Meta:
        model = RoleAssignment
        fields = ["id", "user", "role", "scope_kind", "authority", "operator", "school", "supplier", "staff",
                  "scope_label", "is_administrator", "granted_by", "source", "created_at"]  # fmt: skip


class RoleAssignmentCreateSerializer(serializers.Serializer):
    """Grant a role: ``user``, ``role``, ``scope_kind`` and the one scope field it names."""

    user = _PersonField(queryset=User.objects.none(), help_text=_("A user you may see on the people pages."))
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, help_text=SCOPE_HELP)
    is_administrator = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Operator staff with scope operator only: make them operator administrator."),
    )

    def get_fields(self):
        return {**super().get_fields(), **_scope_fields()}

    def create(self, validated_data):
        return services.assign_role(
            actor=self.context["request"].user,
            user=validated_data["user"],
            role=validated_data["role"],
            scope_kind=validated_data["scope_kind"],
            scope=_scope_of(validated_data),
            is_administrator=validated_data["is_administrator"],
        )

    def to_representation(self, instance):
        return RoleAssignmentSerializer(instance, context=self.context).data


class UserSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The user's id."))
    username = serializers.CharField(read_only=True, help_text=_("The name the user signs in with."))
    first_name = serializers.CharField(read_only=True, help_text=_("First name; may be empty."))
    last_name = serializers.CharField(read_only=True, help_text=_("Last name; may be empty."))
    email = serializers.CharField(read_only=True, help_text=_("E-mail address; may be empty."))
    is_active = serializers.BooleanField(read_only=True, help_text=_("false: deactivated, cannot sign in."))
    last_login = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("The last sign-in; null if never.")
    )
    roles = RoleAssignmentSerializer(
        source="visible_roles", many=True, read_only=True, help_text=_("The user's roles that you may see.")
    )

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "last_login", "roles"]


class UserInvitationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The invitation's id."))
    email = serializers.CharField(read_only=True, help_text=_("Where the one-time link was sent."))
    first_name = serializers.CharField(read_only=True, help_text=_("The invitee's first name; may be empty."))
    last_name = serializers.CharField(read_only=True, help_text=_("The invitee's last name; may be empty."))
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text=ROLE_HELP)
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, read_only=True, help_text=SCOPE_HELP)
    authority: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The authority, for scope authority; else null.")
    )
    operator: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The school operator, for scope operator; else null.")
    )
    school: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The school, for scope school; else null.")
    )
    supplier: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The supplier, for scope supplier; else null.")
    )
    is_administrator = serializers.BooleanField(
        read_only=True, help_text=_("Whether the role is operator administrator.")
    )
    invited_by: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The user who sent the invitation.")
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When the invitation was sent."))
    expires_at = serializers.DateTimeField(read_only=True, help_text=_("Until when the link works."))
    accepted_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When it was accepted; null if not yet.")
    )
    revoked_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When it was withdrawn; null if not.")
    )

    class Meta:
        model = UserInvitation
        fields = ["id", "email", "first_name", "last_name", "role", "scope_kind", "authority", "operator", "school",
                  "supplier", "is_administrator", "invited_by", "created_at", "expires_at", "accepted_at",
                  "revoked_at"]  # fmt: skip


class UserInvitationCreateSerializer(serializers.Serializer):
    """Invite someone: the one-time link goes by e-mail (the token is never in the response)."""

    email = serializers.EmailField(help_text=_("Where the one-time link goes."))
    first_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150, help_text=_("Optional.")
    )
    last_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150, help_text=_("Optional.")
    )
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)
    scope_kind = serializers.ChoiceField(choices=ScopeKind.choices, help_text=SCOPE_HELP)
    is_administrator = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Operator staff with scope operator only: make them operator administrator."),
    )
    language = serializers.ChoiceField(
        choices=[],
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The e-mail's language; by default yours."),
    )

    def get_fields(self):
        from django.conf import settings

        fields = {**super().get_fields(), **_scope_fields()}
        fields["language"].choices = [code for code, _name in settings.LANGUAGES]
        return fields

    def create(self, validated_data):
        actor = self.context["request"].user
        try:
            invitation, _token = services.invite_user(
                actor=actor,
                email=validated_data["email"],
                role=validated_data["role"],
                scope_kind=validated_data["scope_kind"],
                scope=_scope_of(validated_data),
                is_administrator=validated_data["is_administrator"],
                first_name=validated_data["first_name"],
                last_name=validated_data["last_name"],
                language=validated_data["language"],
                base_url=self.context["request"].build_absolute_uri("/"),
            )
        except InvitationMailError as error:
            raise MailUnavailable(error.messages[0]) from None
        return invitation

    def to_representation(self, instance):
        return UserInvitationSerializer(instance, context=self.context).data
