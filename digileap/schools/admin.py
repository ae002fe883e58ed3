"""The admin lists registry objects for lookups (role assignments pick scopes from them).

Registry changes go through the pages and the API, which call the services and write the audit
trail; the admin is read-only here so nothing bypasses them.
"""

from django.contrib import admin

from .models import Authority, EligibilityGroup, School, SchoolOperator, SocioEconomicScale


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyAdmin):
    search_fields = ["code", "name"]
    list_display = ["code", "name", "kind", "country"]


@admin.register(SchoolOperator)
class SchoolOperatorAdmin(ReadOnlyAdmin):
    search_fields = ["code", "name"]
    list_display = ["name", "code", "authority", "kind"]
    list_select_related = ["authority"]


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    search_fields = ["number", "name", "city"]
    list_display = ["number", "name", "operator", "city"]
    list_select_related = ["operator"]


@admin.register(SocioEconomicScale)
class SocioEconomicScaleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "minimum", "maximum", "is_higher_more_disadvantaged"]


@admin.register(EligibilityGroup)
class EligibilityGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
