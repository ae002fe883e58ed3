"""Forms of the need pages: the list's filters, and a declaration with one row per device type.

They only parse input; ``services.needs.need_declare`` validates, authorises and writes.
"""

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BaseFormSet, formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, model_choice_field
from digileap.core.model_fields import model_field
from digileap.devices.models import DeviceType
from digileap.schools.models import SCHOOL_YEAR_VALIDATOR, School, SchoolOperator
from digileap.schools.selectors import operators_for

from ..models import NeedDeclaration, NeedLine
from ..selectors.needs import school_years_for, schools_declarable
from ..services.needs import COUNT_FIELDS, MAX_COUNT

LINE_ERROR_KEY = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


class NeedFilterForm(forms.Form):
    """Filters of the list and its export. Choices come from the user's scope only."""

    school_year = forms.ChoiceField(label=_("School year"), required=False)
    operator: "forms.ModelChoiceField[SchoolOperator]" = forms.ModelChoiceField(
        queryset=None, label=_("School operator"), required=False, empty_label=_("All operators")
    )
    q = forms.CharField(label=_("Search"), required=False, help_text=_("School name or official number"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "school_year").choices = [("", _("All school years"))] + [
            (year, year) for year in school_years_for(user)
        ]
        model_choice_field(self, "operator").queryset = operators_for(user).order_by("name", "pk")

    def filter(self, declarations):
        """``declarations`` narrowed by the valid filters (an invalid one is ignored, and shown)."""
        if not self.is_bound:
            return declarations
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("school_year"):
            declarations = declarations.filter(school_year=data["school_year"])
        if data.get("operator"):
            declarations = declarations.filter(school__operator=data["operator"])
        query = (data.get("q") or "").strip()
        if query:
            declarations = declarations.filter(Q(school__name__icontains=query) | Q(school__number__iexact=query))
        return declarations


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:
        return f"{obj.name} ({obj.number}, {obj.operator.name})"


class NeedDeclarationForm(forms.Form):
    """The declaration's own fields. Editing a declaration keeps its school and year (no such fields)."""

    school = SchoolChoiceField(queryset=School.objects.none(), label=_("School"))
    school_year = forms.CharField(
        label=_("School year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR], help_text=_("For example 2024/25.")
    )
    classrooms_without_wifi = forms.IntegerField(
        label=capfirst(NeedDeclaration._meta.get_field("classrooms_without_wifi").verbose_name),
        min_value=0,
        max_value=MAX_COUNT,
        required=False,
        help_text=_("Classrooms where pupils cannot work online. Empty means 0."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, declaration: NeedDeclaration | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration
        if declaration is not None:
            del self.fields["school"]
            del self.fields["school_year"]
        else:
            model_choice_field(self, "school").queryset = schools_declarable(user)

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "school": self.declaration.school if self.declaration else data["school"],
            "school_year": self.declaration.school_year if self.declaration else data["school_year"],
            "classrooms_without_wifi": data.get("classrooms_without_wifi") or 0,
            "note": data.get("note") or "",
        }


class NeedLineForm(forms.Form):
    """One device type: devices owned by age, and devices needed in addition. An empty row is no line."""

    def __init__(self, *args, device_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.device_type = DeviceType(device_type)
        for name in COUNT_FIELDS:
            field_label = capfirst(model_field(NeedLine, name).verbose_name)
            self.fields[name] = forms.IntegerField(
                # The label names the row, so an error read alone still says where it is.
                label=f"{self.device_type.label}: {field_label}",
                min_value=0,
                max_value=MAX_COUNT,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
            )

    @property
    def is_empty(self) -> bool:
        return all(self.cleaned_data.get(name) is None for name in COUNT_FIELDS)

    def line(self) -> dict:
        return {
            "device_type": self.device_type.value,
            **{name: self.cleaned_data.get(name) or 0 for name in COUNT_FIELDS},
        }


class BaseNeedLineFormSet(BaseFormSet):
    """Exactly one row per device type, in the order of ``DeviceType``, whatever the request says."""

    def total_form_count(self) -> int:
        return len(DeviceType)

    def initial_form_count(self) -> int:
        return len(DeviceType)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["device_type"] = DeviceType.values[index]
        return kwargs

    def lines(self) -> list[dict]:
        """The filled rows as the service's lines (only after ``is_valid()``)."""
        return [form.line() for form in self.forms if not form.is_empty]

    def add_service_error(self, key: str, messages: list[str], lines: list[dict]) -> bool:
        """Show a service error about ``lines[<index>].<field>`` on its row and field; False when the
        key is not about a line."""
        match = LINE_ERROR_KEY.match(key)
        if match is None or int(match.group(1)) >= len(lines):
            return False
        device_type = lines[int(match.group(1))].get("device_type")
        form = next((form for form in self.forms if form.device_type == device_type), None)
        if form is None:
            return False
        field = match.group(2)
        form.add_error(field if field in form.fields else None, messages)
        return True

    def error_summary(self) -> list[str]:
        """Every row's errors as "<device type>: <field>: <message>"."""
        summary: list[str] = []
        for form in self.forms:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else form.device_type.label
                summary += [f"{label}: {message}" for message in errors]
        # ErrorList yields its messages as text (django-stubs types the items as errors or text).
        summary += [str(message) for message in self.non_form_errors()]
        return summary


# A subclass of BaseNeedLineFormSet (django-stubs types formset_factory's result as the plain base).
NeedLineFormSet = cast(type[BaseNeedLineFormSet], formset_factory(NeedLineForm, formset=BaseNeedLineFormSet, extra=0))


def line_initial(declaration: NeedDeclaration | None) -> list[dict]:
    """The formset's initial rows: the declaration's lines on their device type's row."""
    by_type = {}
    if declaration is not None:
        by_type = {line.device_type: line for line in declaration.lines.all()}
    initial = []
    for device_type in DeviceType.values:
        line = by_type.get(device_type)
        initial.append({name: getattr(line, name) for name in COUNT_FIELDS} if line else {})
    return initial


def add_service_error(error: ValidationError, form: NeedDeclarationForm, formset: BaseNeedLineFormSet, lines) -> None:
    """Show a ValidationError of ``need_declare`` on the field and row it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        if formset.add_service_error(key, messages, lines):
            continue
        form.add_error(key if key in form.fields else None, messages)
