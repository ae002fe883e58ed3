import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AuditEvent, ImportProfile
from .tabular.profiles import ProfileError, profile_from_dict


class ImportProfileForm(forms.ModelForm):
    class Meta:
        model = ImportProfile
        fields = ["name", "target", "definition"]

    def clean(self):
        cleaned = super().clean()
        definition = cleaned.get("definition")
        if isinstance(definition, str):
            definition = json.loads(definition)
        if definition is not None:
            try:
                profile_from_dict(definition, is_builtin=False)
            except ProfileError as error:
                raise ValidationError({"definition": str(error)}) from None
            if definition.get("name") != cleaned.get("name") or definition.get("target") != cleaned.get("target"):
                raise ValidationError(
                    {"definition": _("The definition's name and target must match the fields above.")}
                )
        return cleaned


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    form = ImportProfileForm
    list_display = ["name", "target", "updated_at"]
    list_filter = ["target"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["id", "occurred_at", "actor_label", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_label", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
