from django.contrib import admin

from .models import (
    AllocationRound,
    AllocationVersion,
    ChangeRequest,
    NeedDeclaration,
    RolloutPlan,
    RolloutVersion,
)


@admin.register(AllocationRound)
class AllocationRoundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "programme", "resource", "status"]
    list_filter = ["resource", "status"]


@admin.register(AllocationVersion)
class AllocationVersionAdmin(admin.ModelAdmin):
    list_display = ["round", "number", "status", "total", "schools_count", "computed_at"]
    list_filter = ["status"]


@admin.register(NeedDeclaration)
class NeedDeclarationAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "classrooms_without_wifi", "declared_at"]
    raw_id_fields = ["school"]


@admin.register(RolloutPlan)
class RolloutPlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "programme"]


@admin.register(RolloutVersion)
class RolloutVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "status", "created_at"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["plan", "school", "kind", "status", "requested_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["school"]
