"""Forms of the funding pages. They only parse input; the services check and write. A service's
``ValidationError`` goes back onto the form with ``add_service_errors``."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.permissions import Action, restrict
from digileap.core.uploads import DocumentFileField
from digileap.programmes.models import FundingSource, Programme

from .models import Call, CostCategory, RequiredDocument

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the form: on their field where the form has it, else on the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=DATETIME_FORMAT)


class CallForm(forms.Form):
    """A call: its programme and funding source (the user's), code, title in every language, window,
    co-financing, deadlines."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    funding_source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects.none())
    code = forms.CharField(label=_("Code"), max_length=40)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT])
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT])
    cofinancing_rate = forms.DecimalField(
        label=_("Co-financing rate (%)"), min_value=0, max_value=100, decimal_places=2
    )
    cofinancing_payer = forms.ChoiceField(label=_("Co-financing paid by"), choices=Call.CofinancingPayer.choices)
    uses_entitlements = forms.BooleanField(label=_("Entitlements limit the applications"), required=False)
    decision_deadline = forms.DateField(
        label=_("Decisions due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    claim_deadline = forms.DateField(
        label=_("Claims due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    proof_of_use_deadline = forms.DateField(
        label=_("Proof of use due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, call: Call | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = restrict(Programme.objects.order_by("code"), user, Action.VIEW)
        self.fields["programme"].queryset = programmes
        self.fields["funding_source"].queryset = FundingSource.objects.filter(programme__in=programmes).select_related(
            "programme"
        )
        self.fields["funding_source"].label_from_instance = lambda source: (
            f"{source.programme.code}: {source.display_name}"
        )
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, max_length=300, required=False
            )
        if call is not None:
            del self.fields["programme"]
            self.fields["funding_source"].queryset = call.programme.funding_sources.all()

    def title_fields(self):
        return [self[f"title_{code}"] for code, _name in settings.LANGUAGES]

    def call_data(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in (
                "code",
                "opens_at",
                "closes_at",
                "cofinancing_rate",
                "cofinancing_payer",
                "uses_entitlements",
                "decision_deadline",
                "claim_deadline",
                "proof_of_use_deadline",
            )
        }
        data["title"] = {
            code: self.cleaned_data[f"title_{code}"].strip()
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(f"title_{code}", "").strip()
        }
        return data

    @staticmethod
    def initial_for(call: Call) -> dict:
        initial = {
            "funding_source": call.funding_source_id,
            "code": call.code,
            "opens_at": call.opens_at,
            "closes_at": call.closes_at,
            "cofinancing_rate": call.cofinancing_rate,
            "cofinancing_payer": call.cofinancing_payer,
            "uses_entitlements": call.uses_entitlements,
            "decision_deadline": call.decision_deadline,
            "claim_deadline": call.claim_deadline,
            "proof_of_use_deadline": call.proof_of_use_deadline,
        }
        initial.update({f"title_{code}": text for code, text in (call.title or {}).items()})
        return initial


class ApplicationStartForm(forms.Form):
    """Which of the operator's schools the application is for, and its roll-out year."""

    operator = forms.ChoiceField(label=_("School operator"))
    schools = forms.MultipleChoiceField(label=_("Schools"), widget=forms.CheckboxSelectMultiple, required=True)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    rollout_year = forms.IntegerField(label=_("Roll-out year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, operators, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [(operator.pk, operator.name) for operator in operators]
        self.fields["schools"].choices = [(school["id"], school["label"]) for school in schools]


class CostLineForm(forms.Form):
    """One cost line as typed. Quantity and unit price are text: the rules say what is wrong with them."""

    category = forms.ModelChoiceField(label=_("Cost category"), queryset=CostCategory.objects.none())
    school = forms.ChoiceField(label=_("School"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.CharField(
        label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit_price = forms.CharField(
        label=_("Unit price (EUR)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = application.call.cost_categories.all()
        self.fields["category"].label_from_instance = lambda category: category.display_name
        self.fields["school"].choices = [("", _("The operator as a whole"))] + [
            (row.school_id, f"{row.school.name} ({row.school.number})")
            for row in application.application_schools.select_related("school")
        ]

    def line_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["school"] = int(data["school"]) if data.get("school") else None
        return data


class TransitionForm(forms.Form):
    """A change of state with its reason; the choices are the states the application may move to."""

    state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = states


class DocumentForm(forms.Form):
    """An upload for one of the call's required documents."""

    required_document = forms.ModelChoiceField(label=_("Document"), queryset=RequiredDocument.objects.none())
    school = forms.ChoiceField(label=_("School"), required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"}))
    file = DocumentFileField(label=_("File"))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_document"].queryset = application.call.required_documents.all()
        self.fields["required_document"].label_from_instance = lambda document: (
            f"{document.display_name} ({document.get_scope_display()})"
        )
        self.fields["school"].choices = [("", _("None (operator or application)"))] + [
            (row.school_id, f"{row.school.name} ({row.school.number})")
            for row in application.application_schools.select_related("school")
        ]


class SubmitForm(forms.Form):
    declarations_confirmed = forms.BooleanField(
        label=_("I confirm that the information is correct and complete, and that the costs are not funded twice."),
        required=False,
    )
