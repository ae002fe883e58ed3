"""Forms of the campaign pages. They only parse input; ``services.campaigns`` authorises,
validates, writes and audits. Names and descriptions are typed in the five languages with the
programmes app's ``TranslationsField`` (one fieldset, each language labelled by its own name)."""

from collections.abc import Sequence

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, label_choices, model_choice_field
from digileap.programmes.forms import DateInput, ServiceFormMixin, TranslationsField
from digileap.programmes.models import Programme
from digileap.schools.models import School, SchoolOperator

from .models import Campaign
from .selectors.campaigns import ANSWER_STATES


class CampaignForm(ServiceFormMixin, forms.Form):
    unique_field = "code"

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("A short code of your own, unique within the programme.")
    )
    name = TranslationsField(label=_("Name"), required=True, max_length=300)
    description = TranslationsField(label=_("Description"), multiline=True)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    reminder_days = forms.CharField(
        label=_("Reminder days"),
        required=False,
        max_length=200,
        help_text=_(
            "Days before the last day on which schools that have not answered are reminded, separated by "
            "commas, e.g. 14, 7, 1. Schools are also reminded once when the last day has passed."
        ),
    )

    FIELDS = ("code", "name", "description", "starts_on", "ends_on", "reminder_days")

    def __init__(
        self, *args, programmes: QuerySet[Programme] | None = None, campaign: Campaign | None = None, **kwargs
    ):
        if campaign is not None:
            initial = {name: getattr(campaign, name) for name in self.FIELDS}
            initial["reminder_days"] = ", ".join(str(day) for day in campaign.reminder_days or [])
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if campaign is not None or programmes is None:
            del self.fields["programme"]
        else:
            field = label_choices(self, "programme", lambda programme: f"{programme.code}: {programme.display_name}")
            field.queryset = programmes
            only = list(programmes[:2])
            if len(only) == 1:
                field.empty_label = None
                self.initial.setdefault("programme", only[0].pk)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day comes on or after the first day."))
        return cleaned

    def service_data(self) -> dict:
        """The fields the services take; the reminder days as typed (the service checks them)."""
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class SchoolChoiceWidget(forms.CheckboxSelectMultiple):
    """The checkboxes of many schools, in a list the page's filter box narrows (the funding app's
    picker script, funding/operators.js)."""

    template_name = "funding/widgets/operator_checkboxes.html"


class SchoolFilterForm(forms.Form):
    """Which of the authority's open schools the school list shows: by operator and school type."""

    operator = forms.ModelChoiceField(
        label=_("School operator"), queryset=SchoolOperator.objects.none(), required=False, empty_label=_("All")
    )
    school_type = forms.ChoiceField(label=_("School type"), required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        authority_id = self.authority_id = campaign.programme.authority_id
        model_choice_field(self, "operator").queryset = SchoolOperator.objects.filter(
            authority_id=authority_id
        ).order_by("name", "pk")
        types = (
            School.objects.filter(authority_id=authority_id)
            .exclude(type_label="")
            .order_by("type_label")
            .values_list("type_label", flat=True)
            .distinct()
        )
        choice_field(self, "school_type").choices = [("", _("All"))] + [(label, label) for label in types]

    def schools(self) -> QuerySet[School]:
        """The open schools of the campaign's authority that the filter keeps (all when invalid)."""
        queryset = School.objects.filter(authority_id=self.authority_id, status=School.Status.OPEN)
        if self.is_bound and self.is_valid():
            if self.cleaned_data["operator"] is not None:
                queryset = queryset.filter(operator=self.cleaned_data["operator"])
            if self.cleaned_data["school_type"]:
                queryset = queryset.filter(type_label=self.cleaned_data["school_type"])
        return queryset.select_related("operator").order_by("name", "number", "pk")


class CampaignSchoolsForm(ServiceFormMixin, forms.Form):
    """The schools chosen among those shown (``shown``): the others keep their place."""

    schools = forms.ModelMultipleChoiceField(
        label=_("Schools the campaign covers"),
        queryset=School.objects.none(),
        widget=SchoolChoiceWidget,
        required=False,
    )

    def __init__(self, *args, shown: QuerySet[School], **kwargs):
        super().__init__(*args, **kwargs)
        field = label_choices(
            self,
            "schools",
            lambda school: (
                f"{school.name} ({school.number}) · {school.operator.name}"
                + (f" · {school.type_label}" if school.type_label else "")
            ),
        )
        field.queryset = shown


class SchoolStateFilterForm(forms.Form):
    """The campaign page's list of schools: by operator and answer state."""

    STATE_LABELS = {"submitted": _("Answered"), "draft": _("Draft"), "none": _("Not answered")}

    operator = forms.TypedChoiceField(label=_("School operator"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[("", _("All"))] + [(state, label) for state, label in STATE_LABELS.items() if state in ANSWER_STATES],
    )

    def __init__(self, *args, operators: Sequence[tuple[int | None, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "operator").choices = [("", _("All")), *operators]
