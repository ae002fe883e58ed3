"""Forms of the pages for milestones and targets, manual values, evidence documents and money.

They only parse input; the services authorise, validate and write. The indicator's parameters are
not hand-written per kind: ``indicator_parameter_fields`` reads each registered kind's
``parameter_schema`` (JSON schema) and makes one form field per property, named
``param__<kind>__<property>``, so a kind another app registers gets its form without a change here.
"""

from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import FormMixinBase, choice_field, label_choices, model_choice_field
from digileap.core.types import Text
from digileap.core.uploads import DocumentFileField

from .forms import DateInput, ServiceFormMixin, TranslationsField
from .indicators import ENUM_LABELS, IndicatorKind, enum_label, get_kind, kinds, money_measures, reach_sources
from .models import EvidenceDocument, FundingSource, FundingTransaction, Programme, Target

PREFIX = "param__"

# Parameters whose values come from a registry rather than the schema's ``enum``: the choices are
# read when the form is made (an app may have registered more since).
DYNAMIC_CHOICES = {
    "measure": lambda: [(code, str(measure.label)) for code, measure in sorted(money_measures().items())],
    "via": lambda: [(code, str(source.label)) for code, source in sorted(reach_sources().items())],
}
# What a person reads for the parameters of the built-in kinds (the schemas are in English, for
# programmers); a kind of another app shows its schema's ``title`` and ``description``.
PARAMETER_TEXTS = {
    ("document_approved", "document"): (_("Document"), _("What the document is, for people.")),
    ("manual", "source"): (_("Source of the figures"), _("Where the figures come from.")),
    ("money", "measure"): (_("Measure"), _("Which money counts: committed, paid (or allocated).")),
    ("money", "source_kinds"): (
        _("Kinds of funding source"),
        _("Only money from these kinds of source; none ticked: all."),
    ),
    ("schools_reached", "via"): (
        _("Reached through"),
        _("What makes a school count as reached; none ticked: a funding decision."),
    ),
    ("schools_reached", "transaction_kinds"): (
        _("Kinds of entry"),
        _("Which entries make a school reached; none ticked: both."),
    ),
}
CHOICE_LABELS = {
    **{value: label for value, label in FundingSource.Kind.choices},
    **{value: label for value, label in FundingTransaction.Kind.choices},
}


def parameter_field_name(kind: IndicatorKind, name: str) -> str:
    return f"{PREFIX}{kind.code}__{name}"


def _choices(schema: dict) -> list[tuple[Any, str]]:
    """The choices of an enum: the schema's labels (``x-enum-labels``), else the built-in labels of
    funding codes, else the value itself."""
    labels = schema.get(ENUM_LABELS) or {}
    return [
        (value, enum_label(schema, value) if labels else str(CHOICE_LABELS.get(value, value)))
        for value in schema["enum"]
    ]


class _CommonArguments(TypedDict):
    label: Text
    help_text: Text
    required: bool


def _field_for(kind: IndicatorKind, name: str, schema: dict) -> forms.Field:
    """A form field for one property of a kind's parameter schema. Never required by itself: the
    kind's own validation (``validate_parameters``) judges the parameters of the chosen kind."""
    known_label, known_help_text = PARAMETER_TEXTS.get((kind.code, name), (None, None))
    label: Text = known_label or schema.get("title") or name.replace("_", " ").capitalize()
    help_text: Text = known_help_text or schema.get("description", "")
    kind_of_value = schema.get("type", "string")
    common: _CommonArguments = {"label": label, "help_text": help_text, "required": False}
    dynamic = DYNAMIC_CHOICES.get(name)
    if kind_of_value == "array":
        items = schema.get("items", {})
        if "enum" in items or dynamic:
            choices = dynamic() if dynamic else _choices(items)
            if items.get("type") == "integer":  # ISCED levels: the kind's schema wants numbers
                return forms.TypedMultipleChoiceField(
                    choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common
                )
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        return forms.CharField(
            label=label, help_text=help_text or _("Several values separated by commas."), required=False
        )
    if "enum" in schema or dynamic:
        choices = dynamic() if dynamic else _choices(schema)
        if kind_of_value == "integer":
            return forms.TypedChoiceField(choices=[("", "—"), *choices], coerce=int, empty_value=None, **common)
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind_of_value == "boolean":
        return forms.BooleanField(**common)
    if kind_of_value == "integer":
        return forms.IntegerField(**common)
    if kind_of_value == "number":
        return forms.DecimalField(**common)
    return forms.CharField(max_length=500, **common)


def indicator_parameter_fields() -> list[tuple[IndicatorKind, list[tuple[str, str, forms.Field]]]]:
    """Each registered kind with its parameter fields: (kind, [(property, field name, field)])."""
    result = []
    for kind in kinds():
        properties = kind.parameter_schema.get("properties", {})
        result.append(
            (
                kind,
                [
                    (name, parameter_field_name(kind, name), _field_for(kind, name, schema))
                    for name, schema in properties.items()
                ],
            )
        )
    return result


def parameters_from(kind: IndicatorKind, cleaned: dict[str, Any]) -> dict:
    """The parameters of ``kind`` from a form's cleaned data, without the empty ones."""
    parameters: dict[str, Any] = {}
    for name, schema in kind.parameter_schema.get("properties", {}).items():
        value = cleaned.get(parameter_field_name(kind, name))
        if value in (None, "", [], ()):
            continue
        if schema.get("type") == "array" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
            if not value:
                continue
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, list | tuple):
            value = list(value)
        parameters[name] = value
    return parameters


def initial_parameters(kind_code: str, parameters: dict) -> dict[str, Any]:
    kind = get_kind(kind_code)
    if kind is None:
        return {}
    initial = {}
    for name, value in (parameters or {}).items():
        schema = kind.parameter_schema.get("properties", {}).get(name, {})
        if schema.get("type") == "array" and not ("enum" in schema.get("items", {}) or name in DYNAMIC_CHOICES):
            value = ", ".join(str(item) for item in value)
        initial[parameter_field_name(kind, name)] = value
    return initial


class IndicatorFormMixin(FormMixinBase):
    """The indicator kind and, per kind, its parameter fields (shown for the chosen kind only)."""

    def add_indicator_fields(self, *, required: bool) -> None:
        choices = [(kind.code, str(kind.label)) for kind in kinds()]
        self.fields["indicator_kind"] = forms.ChoiceField(
            label=_("Indicator"),
            choices=choices if required else [("", _("none yet")), *choices],
            required=required,
            help_text=_("How the value is computed from the data. The value today is shown as you choose."),
        )
        self.parameter_groups = []
        for kind, fields in indicator_parameter_fields():
            for _name, field_name, field in fields:
                self.fields[field_name] = field
            self.parameter_groups.append({"kind": kind, "field_names": [name for _n, name, _f in fields]})

    def parameter_fieldsets(self):
        """(kind, bound fields) per kind, for the template."""
        return [
            {"kind": group["kind"], "fields": [self[name] for name in group["field_names"]]}
            for group in self.parameter_groups
        ]

    def clean_indicator(self) -> tuple[str, dict] | None:
        code = self.cleaned_data.get("indicator_kind") or ""
        if not code:
            return None
        kind = get_kind(code)
        if kind is None:
            self.add_error("indicator_kind", _("There is no indicator kind %(code)r.") % {"code": code})
            return None
        parameters = parameters_from(kind, self.cleaned_data)
        try:
            kind.validate_parameters(parameters)
        except ValidationError as error:
            messages = (
                error.message_dict.get("parameters", error.messages) if hasattr(error, "error_dict") else error.messages
            )
            self.add_error("indicator_kind", [_("Parameters: %(reason)s") % {"reason": m} for m in messages])
            return None
        return code, parameters


class IndicatorPreviewForm(IndicatorFormMixin, forms.Form):
    """The kind and parameters alone, as the preview of the value reads them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_indicator_fields(required=True)


class TargetForm(IndicatorFormMixin, ServiceFormMixin, forms.Form):
    unique_field = "number"

    kind = forms.ChoiceField(label=_("Kind"), choices=Target.Kind.choices)
    number = forms.CharField(
        label=_("Number"), max_length=32, required=False, help_text=_("As the plan numbers it, e.g. 401.")
    )
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, required=False, help_text=_("Empty: after the others.")
    )
    title = TranslationsField(label=_("Title"), required=True)
    description = TranslationsField(label=_("Description"), multiline=True)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=2, initial=Decimal("0"))
    target_value = forms.DecimalField(label=_("Target value"), max_digits=18, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    accumulation = forms.ChoiceField(label=_("Counting"), choices=Target.Accumulation.choices)
    period_start = forms.DateField(
        label=_("Counting starts"),
        required=False,
        widget=DateInput,
        help_text=_("Per-period targets count from this day."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    due_label = forms.CharField(
        label=_("Due as stated"), max_length=40, required=False, help_text=_("As the plan says it, e.g. Q4 2024.")
    )
    verification = TranslationsField(label=_("Verification mechanism"), multiline=True)
    reported_status = forms.ChoiceField(label=_("Reported status"), choices=Target.ReportedStatus.choices)

    FIELDS = (
        "kind",
        "number",
        "title",
        "description",
        "baseline",
        "target_value",
        "unit",
        "accumulation",
        "period_start",
        "due_date",
        "due_label",
        "verification",
        "reported_status",
    )

    def __init__(self, *args, target: Target | None = None, **kwargs):
        if target is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(target)
        super().__init__(*args, **kwargs)
        self.target = target
        self.add_indicator_fields(required=False)
        self.fields["period_start"].widget.attrs["data-preview"] = "period_start"
        self.fields["accumulation"].widget.attrs["data-preview"] = "accumulation"

    @classmethod
    def initial_from(cls, target: Target) -> dict:
        initial = {name: getattr(target, name) for name in cls.FIELDS}
        initial["position"] = target.position
        if target.indicator is not None:
            initial["indicator_kind"] = target.indicator.kind
            initial.update(initial_parameters(target.indicator.kind, target.indicator.parameters))
        return initial

    def clean(self):
        data = super().clean()
        self.indicator = self.clean_indicator()
        if self.indicator is None and self.target is not None and self.target.indicator_id:
            self.add_error("indicator_kind", _("An indicator is changed here, not removed: choose its kind."))
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        for name in ("unit", "number", "due_label"):
            data[name] = data[name] or ""
        if self.cleaned_data.get("position") is not None:
            data["position"] = self.cleaned_data["position"]
        return data


class ManualValueForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2)
    as_of = forms.DateField(label=_("Value on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Where the figure comes from: a survey, a report, a count (required)."),
    )


class EvidenceUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    file = DocumentFileField(label=_("File"))  # checked by content; tells the browser and the person what is accepted
    target = forms.ModelChoiceField(
        label=_("Milestone or target"), queryset=Target.objects.none(), required=False, empty_label=_("none")
    )

    def __init__(self, *args, programme: Programme, targets, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "target").queryset = targets


class EvidenceApproveForm(forms.Form):
    """Nothing to type: the approval is the button."""

    document = forms.ModelChoiceField(queryset=EvidenceDocument.objects.none(), widget=forms.HiddenInput)


class TransactionForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=FundingTransaction.Kind.choices)
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("A correction is a negative amount."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput)
    school = forms.CharField(
        label=_("School number"), max_length=40, required=False, help_text=_("Optional: the official number.")
    )
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    record_anyway = forms.BooleanField(label=_("Record anyway, over the budget"), required=False)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        model_choice_field(self, "source").queryset = programme.funding_sources.order_by("position", "pk")
        label_choices(self, "source", lambda source: f"{source.position}. {source.display_name}")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise ValidationError(_("An amount is not zero."))
        return amount

    def clean_school(self):
        from digileap.schools.models import School

        number = self.cleaned_data["school"].strip()
        if not number:
            return None
        school = School.objects.filter(authority_id=self.programme.authority_id, number=number).first()
        if school is None:
            raise ValidationError(
                _("The programme's authority has no school numbered %(number)s.") % {"number": number}
            )
        return school


class TransactionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    profile = forms.ChoiceField(label=_("Profile"))

    def __init__(self, *args, **kwargs):
        from digileap.core.tabular.profiles import available_profiles

        super().__init__(*args, **kwargs)
        choice_field(self, "profile").choices = [
            (profile.name, f"{profile.display_label} ({profile.name})")
            for profile in sorted(available_profiles("transactions").values(), key=lambda p: p.name)
        ]
