from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["authority", "operator", "school", "supplier"]


@admin.register(User)
class DigileapUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "roles"]

    @admin.display(description="roles")
    def roles(self, user: User) -> str:
        return ", ".join(str(a) for a in user.role_assignments.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")
