"""The Django admin shows users, role assignments, invitations and access requests read-only.

Every change to people goes through the People pages (``/accounts/people/``) or the API, whose
services authorise and audit it (docs/people.md); the admin would bypass both."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AccessRequest, RoleAssignment, User, UserInvitation


class ReadOnlyAdminMixin:
    """No adding, changing or deleting here; a note on each page points to the People pages."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _note(self, request) -> None:
        messages.info(
            request,
            _(
                "Read-only: invite people, give, change or revoke roles and deactivate users on the People pages (%(url)s)."
            )
            % {"url": reverse("people:user-list")},
        )

    def changelist_view(self, request, extra_context=None):
        self._note(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._note(request)
        return super().change_view(request, object_id, form_url, extra_context)


class RoleAssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "scope_kind", "authority", "operator", "school", "supplier", "staff", "is_administrator",
              "source", "granted_by", "created_at")  # fmt: skip
    readonly_fields = fields


@admin.register(User)
class DigileapUserAdmin(ReadOnlyAdminMixin, UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "roles"]

    @admin.display(description=gettext_lazy("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(str(a) for a in user.role_assignments.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "scope_kind", "is_administrator", "source", "granted_by", "created_at"]
    list_filter = ["role", "scope_kind", "source", "is_administrator"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "granted_by"]


@admin.register(UserInvitation)
class UserInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "role",
        "scope_kind",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "scope_kind"]
    search_fields = ["email"]
    exclude = ["token_hash"]


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "authority", "created_at", "resolved_at"]
    search_fields = ["user__username", "user__email"]
