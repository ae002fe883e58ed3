"""Forms of the survey page: the answer (internal network and problems) and its uplinks as a
formset. The service (``services.survey.response_save``) checks every rule; its errors are put on
the field (``uplinks-<n>-<field>`` on the n-th filled uplink row)."""

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import ErrorList
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Cabling, Problem, SurveyResponse, Uplink
from .services.survey import RESPONSE_FIELDS, UPLINK_FIELDS

UPLINK_ERROR_KEY = re.compile(r"^uplinks-(\d+)-(\w+)$")
EXTRA_UPLINK_ROWS = 2


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _number(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": 0, **attrs})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class SurveyResponseForm(forms.Form):
    """The internal network and the problems seen."""

    classrooms = forms.IntegerField(
        label=_label(SurveyResponse, "classrooms"), min_value=0, widget=_number(step=1, inputmode="numeric")
    )
    classrooms_wifi = forms.IntegerField(
        label=_label(SurveyResponse, "classrooms_wifi"), min_value=0, widget=_number(step=1, inputmode="numeric")
    )
    access_points = forms.IntegerField(
        label=_label(SurveyResponse, "access_points"),
        min_value=0,
        required=False,
        widget=_number(step=1, inputmode="numeric"),
    )
    switches = forms.IntegerField(
        label=_label(SurveyResponse, "switches"), min_value=0, required=False, widget=_number(step=1)
    )
    switch_age_years = forms.IntegerField(
        label=_label(SurveyResponse, "switch_age_years"),
        min_value=0,
        required=False,
        help_text=SurveyResponse._meta.get_field("switch_age_years").help_text,
        widget=_number(step=1),
    )
    cabling = forms.ChoiceField(label=_label(SurveyResponse, "cabling"), choices=Cabling.choices, required=False)
    fibre_distance_km = forms.DecimalField(
        label=_label(SurveyResponse, "fibre_distance_km"),
        required=False,
        help_text=SurveyResponse._meta.get_field("fibre_distance_km").help_text,
        widget=_number(step="0.01", inputmode="decimal"),
    )
    problems = forms.MultipleChoiceField(
        label=_label(SurveyResponse, "problems"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problems_text = forms.CharField(
        label=_label(SurveyResponse, "problems_text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def response_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in RESPONSE_FIELDS}

    @staticmethod
    def initial_for(response: SurveyResponse) -> dict:
        return {name: getattr(response, name) for name in RESPONSE_FIELDS}


class UplinkForm(forms.Form):
    """One uplink; a row left empty is no uplink, a row ticked "remove" is dropped."""

    technology = forms.ChoiceField(
        label=_label(Uplink, "technology"), choices=[("", "---------"), *Uplink.Technology.choices], required=False
    )
    provider = forms.CharField(label=_label(Uplink, "provider"), max_length=200, required=False)
    download_mbps = forms.DecimalField(
        label=_label(Uplink, "download_mbps"), required=False, widget=_number(step="0.01", inputmode="decimal")
    )
    upload_mbps = forms.DecimalField(
        label=_label(Uplink, "upload_mbps"), required=False, widget=_number(step="0.01", inputmode="decimal")
    )
    monthly_cost = forms.DecimalField(
        label=_label(Uplink, "monthly_cost"), required=False, widget=_number(step="0.01", inputmode="decimal")
    )
    contract_start = forms.DateField(label=_label(Uplink, "contract_start"), required=False, widget=DateInput())
    contract_end = forms.DateField(label=_label(Uplink, "contract_end"), required=False, widget=DateInput())

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(name) in (None, "") for name in UPLINK_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank and not cleaned.get("DELETE"):
            for name in ("technology", "download_mbps", "upload_mbps"):
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, ValidationError(_("This field is required."), code="required"))
        return cleaned

    def uplink(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in UPLINK_FIELDS}


class BaseUplinkFormSet(BaseFormSet):
    _non_form_errors: ErrorList | None  # Django's, set by full_clean (and here by add_service_errors)

    def _construct_form(self, i, **kwargs):
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        return super()._construct_form(i, **kwargs)

    def kept_forms(self) -> list[UplinkForm]:
        """The rows that are uplinks (only after ``is_valid()``), in order."""
        return [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.cleaned_data.get("DELETE") and not form.is_blank
        ]

    def uplinks(self) -> list[dict]:
        return [form.uplink() for form in self.kept_forms()]


# A subclass of BaseUplinkFormSet (django-stubs types formset_factory's result as the plain base).
UplinkFormSet = cast(
    type[BaseUplinkFormSet],
    formset_factory(
        UplinkForm, formset=BaseUplinkFormSet, extra=EXTRA_UPLINK_ROWS, can_delete=True, max_num=20, validate_max=True
    ),
)


def uplink_initial(uplinks) -> list[dict]:
    return [{name: getattr(uplink, name) for name in UPLINK_FIELDS} for uplink in uplinks]


def add_service_errors(error: ValidationError, form: SurveyResponseForm, formset: BaseUplinkFormSet) -> None:
    """Show ``response_save``'s errors on the field and uplink row they name, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    kept = formset.kept_forms()
    for key, messages in error.message_dict.items():
        match = UPLINK_ERROR_KEY.match(key)
        if match and int(match.group(1)) < len(kept):
            row, field = kept[int(match.group(1))], match.group(2)
            row.add_error(field if field in row.fields else None, messages)
        elif key in form.fields:
            form.add_error(key, messages)
        elif key == "uplinks":
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *messages], error_class="nonform"
            )
        else:
            form.add_error(None, messages)


def error_summary(form: SurveyResponseForm, formset: BaseUplinkFormSet) -> list[str]:
    """Every error with the field it is about ("Uplink 2: Contracted download: ...")."""
    summary = []
    for name, errors in form.errors.items():
        prefix = f"{form.fields[name].label}: " if name in form.fields else ""
        summary += [f"{prefix}{message}" for message in errors]
    for number, row in enumerate(formset.forms, start=1):
        for name, errors in row.errors.items():
            label = row.fields[name].label if name in row.fields else ""
            row_name = _("Uplink %(number)s") % {"number": number}
            summary += [f"{row_name}: {label + ': ' if label else ''}{message}" for message in errors]
    summary += [f"{_('Uplinks')}: {message}" for message in formset.non_form_errors()]
    return summary
