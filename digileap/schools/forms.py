"""Forms of the registry pages. They only parse input; the services validate, authorise and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.core.permissions import assignments_for

from .models import SCHOOL_YEAR_VALIDATOR, IscedLevel, School, SchoolOperator, Site, SocioEconomicScale
from .services import SCHOOL_EDITABLE_FIELDS

SITE_EDITABLE_FIELDS = ["name", "street", "postal_code", "city", "latitude", "longitude"]


def operators_usable(user, action: str, authority_id: int | None = None) -> QuerySet[SchoolOperator]:
    """Operators a school may be placed under when ``user`` takes ``action`` on it (add or change).

    A scope of one school does not let its holder move the school, so only the ``all``,
    ``authority`` and ``operator`` scopes add operators here.
    """
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, School):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        if assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.authority_id)
        elif assignment.scope_kind == "operator":
            condition |= Q(pk=assignment.operator_id)
    queryset = SchoolOperator.objects.select_related("authority").filter(condition)
    if authority_id is not None:
        queryset = queryset.filter(authority_id=authority_id)
    return queryset.order_by("authority__name", "name", "id")


class OperatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchoolOperator) -> str:
        return f"{obj.name} ({obj.authority.name})"


class ParseOnlyModelForm(forms.ModelForm):
    """A ModelForm that parses fields but leaves model validation to the service it feeds."""

    def _post_clean(self) -> None:
        pass

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class SchoolForm(ParseOnlyModelForm):
    operator = OperatorChoiceField(queryset=SchoolOperator.objects.none(), label=_("School operator"))

    class Meta:
        model = School
        fields = SCHOOL_EDITABLE_FIELDS
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "website": forms.TextInput(attrs={"inputmode": "url"}),
        }

    def __init__(self, *args, user, action: str, authority_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operator").queryset = operators_usable(user, action, authority_id)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in SCHOOL_EDITABLE_FIELDS if name in self.cleaned_data}


class SiteForm(ParseOnlyModelForm):
    class Meta:
        model = Site
        fields = SITE_EDITABLE_FIELDS

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in SITE_EDITABLE_FIELDS}


class SchoolYearFiguresForm(forms.Form):
    """Pupils per ISCED level, teachers and the socio-economic index of one school year."""

    school_year = forms.CharField(
        label=_("School year"),
        max_length=7,
        validators=[SCHOOL_YEAR_VALIDATOR],
        help_text=_("For example 2024/25."),
    )
    teachers = forms.IntegerField(label=_("Teachers"), min_value=0, required=False)
    ses_scale = forms.ModelChoiceField(
        queryset=SocioEconomicScale.objects.all(), label=_("Index scale"), required=False
    )
    ses_value = forms.DecimalField(label=_("Socio-economic index"), max_digits=8, decimal_places=3, required=False)

    def __init__(self, *args, can_set_index: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for level, label in IscedLevel.choices:
            self.fields[self.level_field(level)] = forms.IntegerField(label=label, min_value=0, required=False)
        # Level fields first, in ISCED order, then teachers and the index.
        order = ["school_year", *[self.level_field(level) for level in IscedLevel.values], "teachers"]
        if can_set_index:
            order += ["ses_scale", "ses_value"]
        else:
            del self.fields["ses_scale"]
            del self.fields["ses_value"]
        self.order_fields(order)

    @staticmethod
    def level_field(level: int) -> str:
        return f"pupils_level_{level}"

    def level_fields(self):
        return [self[self.level_field(level)] for level in IscedLevel.values]

    def clean(self):
        cleaned = super().clean()
        if "ses_scale" in self.fields:
            scale, value = cleaned.get("ses_scale"), cleaned.get("ses_value")
            if (scale is None) != (value is None) and not self.errors:
                raise ValidationError(_("Give both the index and its scale, or neither."))
        return cleaned

    def enrolment(self) -> dict[tuple[int, int], int]:
        return {
            (level, 0): self.cleaned_data[self.level_field(level)]
            for level in IscedLevel.values
            if self.cleaned_data.get(self.level_field(level))
        }
