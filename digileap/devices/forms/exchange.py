"""Forms of the exchange with device-management tools: the Autopilot group tag and the upload of a
management tool's device export. Choices come from the selectors, so nothing outside the user's
scope can be chosen (it is "not one of the available choices")."""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field

from ..exchange import GROUP_TAG_MAX_LENGTH, clean_group_tag
from ..models import ManagementReport
from ..selectors.exchange import operators_for_upload, school_requires_school, schools_for_upload

if TYPE_CHECKING:
    from digileap.schools.models import SchoolOperator


class AutopilotForm(forms.Form):
    group_tag = forms.CharField(
        label=_("Group tag"),
        required=False,
        max_length=GROUP_TAG_MAX_LENGTH,
        help_text=_(
            "Intune puts devices with the same group tag in the same dynamic group (and so the same "
            "Autopilot profile). Letters, digits, spaces and punctuation without commas or quotes."
        ),
    )

    def clean_group_tag(self):
        try:
            return clean_group_tag(self.cleaned_data["group_tag"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.number}, {obj.operator.name})"


class ManagementReportUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("Exported from"), choices=ManagementReport.Source.choices)
    operator: "forms.ModelChoiceField[SchoolOperator]" = forms.ModelChoiceField(
        label=_("School operator"), queryset=None
    )
    school = SchoolChoiceField(
        label=_("School"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when the export covers all schools of the operator."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "The CSV exported from Intune (Devices, All devices, Export) or from the Google Admin "
            "console (Devices, Chrome, Devices, Download). UTF-8, with or without byte-order mark."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    skip_invalid = forms.BooleanField(label=_("Skip rejected rows and import the others"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operator").queryset = operators_for_upload(user)
        model_choice_field(self, "school").queryset = schools_for_upload(user)
        if school_requires_school(user):
            self.fields["school"].required = True
            self.fields["school"].help_text = _("Your role imports reports for its own school.")

    def clean(self):
        data = super().clean()
        operator, school = data.get("operator"), data.get("school")
        if operator is not None and school is not None and school.operator_id != operator.pk:
            self.add_error(
                "school",
                _("%(school)s is not a school of %(operator)s.") % {"school": school.name, "operator": operator.name},
            )
        return data


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: by field where it names one, else on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} ({obj.supplier.name})"


class AutopilotChooseForm(forms.Form):
    """Where an Autopilot export starts: one school, or one order."""

    school = SchoolChoiceField(label=_("School"), queryset=None, required=False)
    order = OrderChoiceField(label=_("Order"), queryset=None, required=False)

    def __init__(self, *args, schools, orders, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools
        model_choice_field(self, "order").queryset = orders
