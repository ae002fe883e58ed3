"""Forms of the funding pages. They only parse input; the services check and write. A service's
``ValidationError`` goes back onto the form with ``add_service_errors``."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.allocation.models import AllocationRound
from digileap.core.forms import choice_field, label_choices, model_choice_field
from digileap.core.permissions import Action, restrict
from digileap.core.uploads import DocumentFileField
from digileap.programmes.models import FundingSource, Programme
from digileap.schools.models import SchoolOperator

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
        model_choice_field(self, "programme").queryset = programmes
        model_choice_field(self, "funding_source").queryset = FundingSource.objects.filter(
            programme__in=programmes
        ).select_related("programme")
        label_choices(self, "funding_source", lambda source: f"{source.programme.code}: {source.display_name}")
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name}, max_length=300, required=False
            )
        if call is not None:
            del self.fields["programme"]
            model_choice_field(self, "funding_source").queryset = call.programme.funding_sources.all()

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
        choice_field(self, "operator").choices = [(operator.pk, operator.name) for operator in operators]
        choice_field(self, "schools").choices = [(school["id"], school["label"]) for school in schools]


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
        model_choice_field(self, "category").queryset = application.call.cost_categories.all()
        model_choice_field(self, "category").label_from_instance = lambda category: category.display_name
        choice_field(self, "school").choices = [("", _("The operator as a whole"))] + [
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
        choice_field(self, "state").choices = states


class DocumentForm(forms.Form):
    """An upload for one of the call's required documents."""

    required_document = forms.ModelChoiceField(label=_("Document"), queryset=RequiredDocument.objects.none())
    school = forms.ChoiceField(label=_("School"), required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"}))
    file = DocumentFileField(label=_("File"))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "required_document").queryset = application.call.required_documents.all()
        model_choice_field(self, "required_document").label_from_instance = lambda document: (
            f"{document.display_name} ({document.get_scope_display()})"
        )
        choice_field(self, "school").choices = [("", _("None (operator or application)"))] + [
            (row.school_id, f"{row.school.name} ({row.school.number})")
            for row in application.application_schools.select_related("school")
        ]


class SubmitForm(forms.Form):
    declarations_confirmed = forms.BooleanField(
        label=_("I confirm that the information is correct and complete, and that the costs are not funded twice."),
        required=False,
    )


def _name_fields(form: forms.Form, label) -> None:
    """One text field per language (``name_en``, ``name_de``...) for a name kept per language."""
    for code, language in settings.LANGUAGES:
        form.fields[f"name_{code}"] = forms.CharField(
            label=label % {"language": language}, max_length=200, required=False
        )


class NamedForm(forms.Form):
    """A form with a name per language, at least one of them given."""

    def clean(self):
        cleaned = super().clean()
        if not _names(cleaned):
            raise ValidationError(_("Give a name in at least one language."))
        return cleaned


def _names(cleaned_data: dict) -> dict:
    return {
        code: cleaned_data[f"name_{code}"].strip()
        for code, _language in settings.LANGUAGES
        if cleaned_data.get(f"name_{code}", "").strip()
    }


def _name_initial(instance) -> dict:
    return {f"name_{code}": text for code, text in (instance.name or {}).items()}


def _money_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=14, decimal_places=2)


def _share_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_value=100, decimal_places=2)


class CostCategoryForm(NamedForm):
    """A cost category of a call: code, name in every language, funding rate and every cap (empty:
    no cap). The service checks that the rate leaves the call's co-financing."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)
    funding_rate = forms.DecimalField(
        label=_("Funding rate (%)"), min_value=0, max_value=100, decimal_places=2, initial=100
    )
    cap_absolute = _money_field(_("Cap per application (EUR)"))
    cap_per_school = _money_field(_("Cap per school (EUR)"))
    cap_per_pupil = _money_field(_("Cap per pupil (EUR)"))
    cap_share_of_application = _share_field(_("Cap as a share of the application (%)"))
    cap_share_of_entitlement = _share_field(_("Cap as a share of the entitlement (%)"))

    CAPS = (
        "cap_absolute",
        "cap_per_school",
        "cap_per_pupil",
        "cap_share_of_application",
        "cap_share_of_entitlement",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_fields(self, _("Name (%(language)s)"))

    def name_fields(self):
        return [self[f"name_{code}"] for code, _language in settings.LANGUAGES]

    def category_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("code", "position", "funding_rate", *self.CAPS)}
        data["name"] = _names(self.cleaned_data)
        return data

    @classmethod
    def initial_for(cls, category: CostCategory) -> dict:
        initial = {name: getattr(category, name) for name in ("code", "position", "funding_rate", *cls.CAPS)}
        initial.update(_name_initial(category))
        return initial


class RequiredDocumentForm(NamedForm):
    """A document a call requires: its scope, name in every language, validity and an optional
    template (checked by its content like every upload)."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    scope = forms.ChoiceField(label=_("Required"), choices=RequiredDocument.Scope.choices)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty: valid without limit."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)
    template = DocumentFileField(label=_("Template"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_fields(self, _("Name (%(language)s)"))

    def name_fields(self):
        return [self[f"name_{code}"] for code, _language in settings.LANGUAGES]

    def document_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("code", "scope", "validity_months", "position")}
        data["name"] = _names(self.cleaned_data)
        if self.cleaned_data.get("template"):
            data["template"] = self.cleaned_data["template"]
        return data

    @staticmethod
    def initial_for(document: RequiredDocument) -> dict:
        initial = {
            "code": document.code,
            "scope": document.scope,
            "validity_months": document.validity_months,
            "position": document.position,
        }
        initial.update(_name_initial(document))
        return initial


class OperatorChoiceWidget(forms.CheckboxSelectMultiple):
    """The checkboxes of many operators, in a list the page's filter box narrows (funding/operators.js)."""

    template_name = "funding/widgets/operator_checkboxes.html"


class CallOperatorsForm(forms.Form):
    """The operators that may apply to a call: any of the programme's authority."""

    operators = forms.ModelMultipleChoiceField(
        label=_("Operators that may apply"),
        queryset=SchoolOperator.objects.none(),
        widget=OperatorChoiceWidget,
        required=False,
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        field = label_choices(self, "operators", lambda operator: f"{operator.name} ({operator.code})")
        field.queryset = SchoolOperator.objects.filter(authority=call.programme.authority).order_by("name", "id")


class EntitlementForm(forms.Form):
    """An entitlement typed in for one of the call's operators. The amount is text: the service
    says what is wrong with it (not a number, negative, more than two decimals)."""

    operator = forms.ModelChoiceField(label=_("School operator"), queryset=SchoolOperator.objects.none())
    amount = forms.CharField(
        label=_("Entitlement (EUR)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operator").queryset = SchoolOperator.objects.filter(
            funding_calls__call=call
        ).order_by("name", "id")
        label_choices(self, "operator", lambda operator: f"{operator.name} ({operator.code})")


class FromRoundForm(forms.Form):
    """The allocation round whose approved version gives the entitlements."""

    round = forms.ModelChoiceField(label=_("Allocation round"), queryset=AllocationRound.objects.none())

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "round").queryset = rounds
        model_choice_field(self, "round").label_from_instance = lambda allocation_round: (
            f"{allocation_round.code}: {allocation_round.name}"
        )


class CompareForm(forms.Form):
    """Which two submitted versions of an application to set side by side."""

    older = forms.TypedChoiceField(label=_("Earlier version"), coerce=int)
    newer = forms.TypedChoiceField(label=_("Later version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(number, _("Version %(number)s") % {"number": number}) for number in numbers]
        choice_field(self, "older").choices = choices
        choice_field(self, "newer").choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("older") is not None and cleaned.get("older") == cleaned.get("newer"):
            raise ValidationError(_("Choose two different versions."))
        return cleaned


class SchoolDocumentsForm(forms.Form):
    """One required document for several schools at once: a file per school that still lacks it,
    all issued on one date (each row may be left empty)."""

    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = list(schools)
        for school in self.schools:
            self.fields[f"file_{school.pk}"] = DocumentFileField(
                label=f"{school.name} ({school.number})", required=False
            )

    def school_fields(self):
        return [self[f"file_{school.pk}"] for school in self.schools]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"file_{school.pk}") for school in self.schools):
            raise ValidationError(_("Choose a file for at least one school."))
        return cleaned

    def uploads(self):
        """``(school, file)`` for every school given a file."""
        return [
            (school, self.cleaned_data[f"file_{school.pk}"])
            for school in self.schools
            if self.cleaned_data.get(f"file_{school.pk}")
        ]
