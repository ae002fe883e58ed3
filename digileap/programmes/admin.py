"""The admin lists programmes for lookups; changes go through the pages, the API and the services,
which write the audit trail, so the admin is read-only. Its "Add" leads to the programme pages
(it used to answer 403, issue 11)."""

from django.contrib import admin
from django.shortcuts import redirect

from .models import FundingSource, FundingTransaction, IndicatorSnapshot, Programme, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("programmes:programme-list")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FundingSourceInline(admin.TabularInline):
    model = FundingSource
    extra = 0
    fields = ["position", "kind", "name", "amount", "cofinancing_rate"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["code", "display_name", "authority", "status", "is_public"]
    list_filter = ["status", "is_public"]
    search_fields = ["code"]
    list_select_related = ["authority"]
    inlines = [FundingSourceInline]

    def has_add_permission(self, request):
        return True  # the button leads to the programme pages, which check the role and scope

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("programmes:programme-create")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["programme", "number", "display_title", "target_value", "due_date", "reported_status"]
    list_filter = ["kind", "reported_status"]
    list_select_related = ["programme"]


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["target", "date", "value", "status"]
    date_hierarchy = "date"


@admin.register(FundingTransaction)
class FundingTransactionAdmin(ReadOnlyAdmin):
    list_display = ["programme", "source", "kind", "amount", "date", "school", "reference"]
    list_filter = ["kind"]
    list_select_related = ["programme", "source", "school"]
