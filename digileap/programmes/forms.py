"""Forms of the programme administration pages. They only parse input; the services in
``services.py`` authorise, validate (``full_clean``), write and audit.

Texts people type are stored per language (``translation.py``). ``TranslationsField`` shows one
input per language, each labelled by the language's own name (English, Nederlands, Français,
Deutsch, Latviešu), in a fieldset of its own so that the five fit a phone's width.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import FormMixinBase, model_choice_field
from digileap.core.permissions import assignments_for
from digileap.schools.models import Authority

from .models import FundingSource, Objective, Programme
from .translation import FALLBACK_LANGUAGE, language_codes

# The UN Sustainable Development Goals, by number.
SDG_NAMES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}


class TranslationsWidget(forms.MultiWidget):
    """One text input (or text area) per language; the names end in the language code (``name_nl``)."""

    template_name = "programmes/manage/widgets/translations.html"

    def __init__(self, *, multiline: bool = False, attrs=None):
        def widget(code: str) -> forms.Widget:
            widget_attrs = {"lang": code, **(attrs or {})}
            if multiline:
                return forms.Textarea(attrs={"rows": 3, **widget_attrs})
            return forms.TextInput(attrs=widget_attrs)

        super().__init__({code: widget(code) for code in language_codes()})

    def decompress(self, value):
        value = value if isinstance(value, dict) else {}
        return [value.get(code, "") for code in language_codes()]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for code, subwidget in zip(language_codes(), context["widget"]["subwidgets"], strict=True):
            subwidget["language"] = {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "is_required": self.is_required and code == FALLBACK_LANGUAGE,
            }
        return context


class TranslationsField(forms.MultiValueField):
    """A text in the five languages as ``{"en": ..., "nl": ...}`` without the empty ones.
    ``required`` means the English text is required (the fallback language); the others never are."""

    def __init__(self, *, required: bool = False, multiline: bool = False, max_length: int | None = None, **kwargs):
        fields = [
            forms.CharField(required=required and code == FALLBACK_LANGUAGE, max_length=max_length, strip=True)
            for code in language_codes()
        ]
        error_messages = {"incomplete": _("Give the text in English; the other languages are optional.")}
        super().__init__(
            fields,
            required=required,
            require_all_fields=False,
            widget=TranslationsWidget(multiline=multiline),
            error_messages=error_messages,
            **kwargs,
        )
        self.error_messages["required"] = error_messages["incomplete"]

    def compress(self, data_list) -> dict:
        return {code: text for code, text in zip(language_codes(), data_list, strict=False) if text}


UNIQUE_CODES = {"unique", "unique_together"}


class ServiceFormMixin(FormMixinBase):
    """Show a service's ValidationError (from ``full_clean``) on the fields it names, else above the form."""

    # A unique constraint over (programme, field) is reported without a field; it belongs to this one.
    unique_field: str | None = None

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, errors in error.error_dict.items():
            for item in errors:
                target = field if field in self.fields else None
                if field == NON_FIELD_ERRORS and item.code in UNIQUE_CODES and self.unique_field in self.fields:
                    target = self.unique_field
                self.add_error(target, item.messages)


def authorities_usable(user, action: str) -> QuerySet[Authority]:
    """The authorities in which ``user`` may ``action`` (add, change) programmes."""
    ids: set[int] = set()
    for assignment in assignments_for(user, action, Programme):
        if assignment.scope_kind == "all":
            return Authority.objects.order_by("name")
        if assignment.scope_kind == "authority":
            ids.add(assignment.authority_id)
    return Authority.objects.filter(pk__in=ids).order_by("name")


class CentsField(forms.DecimalField):
    """A decimal with two places, as the model stores it (so that 100 and 100.00 are no change)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value.quantize(Decimal("0.01")) if value is not None else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProgrammeForm(ServiceFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("A short code of your own, unique among programmes; the public page's address uses it."),
    )
    name = TranslationsField(label=_("Name"), required=True, max_length=300)
    description = TranslationsField(label=_("Description"), multiline=True)
    end_goal = TranslationsField(label=_("End goal"), multiline=True)
    authority = forms.ModelChoiceField(queryset=Authority.objects.none(), label=_("Responsible authority"))
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        help_text=_("Two letters (ISO 3166-1), for example BE, DE or LV."),
        error_messages={"invalid": _("Give the country as two letters, for example BE.")},
    )
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    period_start = forms.DateField(label=_("Start"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("End"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=Programme.Status.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, for example: devices, connectivity."),
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable development goals"),
        choices=[(number, f"{number} · {name}") for number, name in SDG_NAMES.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    climate_contribution = CentsField(
        label=_("Climate contribution (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        help_text=_("Leave empty when the programme's documents do not state it (not the same as 0 %)."),
    )
    digital_contribution = CentsField(
        label=_("Digital contribution (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        help_text=_("Leave empty when the programme's documents do not state it (not the same as 0 %)."),
    )
    gender_equality_impact = TranslationsField(label=_("Gender-equality impact"), multiline=True)
    source_url = forms.URLField(
        label=_("Source"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("The address of the programme's official document."),
    )

    TEXT_FIELDS = ["name", "description", "end_goal", "gender_equality_impact"]

    def __init__(self, *args, user, action: str, programme: Programme | None = None, **kwargs):
        if programme is not None:
            kwargs.setdefault("initial", self.initial_from(programme))
        super().__init__(*args, **kwargs)
        self.programme = programme
        authorities = authorities_usable(user, action)
        authority = model_choice_field(self, "authority")
        authority.queryset = authorities
        only = list(authorities[:2])
        if len(only) == 1:
            # One authority to choose from: preselect it and offer no empty choice.
            authority.empty_label = None
            self.initial.setdefault("authority", only[0].pk)

    @staticmethod
    def initial_from(programme: Programme) -> dict:
        return {
            "code": programme.code,
            "name": programme.name,
            "description": programme.description,
            "end_goal": programme.end_goal,
            "authority": programme.authority_id,
            "country": programme.country,
            "region": programme.region,
            "period_start": programme.period_start,
            "period_end": programme.period_end,
            "status": programme.status,
            "tags": ", ".join(programme.tags),
            "sdgs": programme.sdgs,
            "climate_contribution": programme.climate_contribution,
            "digital_contribution": programme.digital_contribution,
            "gender_equality_impact": programme.gender_equality_impact,
            "source_url": programme.source_url,
        }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def clean_tags(self) -> list[str]:
        tags: list[str] = []
        for tag in self.cleaned_data["tags"].split(","):
            tag = " ".join(tag.split())
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def clean_sdgs(self) -> list[int]:
        return sorted(self.cleaned_data["sdgs"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end comes on or after the start."))
        return cleaned

    def service_data(self) -> dict:
        """Every field; the update service writes and audits only those that changed."""
        return {name: self.cleaned_data[name] for name in self.fields}


class FundingSourceForm(ServiceFormMixin, forms.Form):
    unique_field = "position"

    kind = forms.ChoiceField(label=_("Kind"), choices=FundingSource.Kind.choices)
    name = TranslationsField(
        label=_("Name"),
        max_length=300,
        help_text=_("Optional: without a name the source is called by its kind."),
    )
    amount = CentsField(label=_("Amount (EUR)"), min_value=0, max_digits=14)
    cofinancing_rate = CentsField(
        label=_("Co-financing rate (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        help_text=_("The share of eligible costs this source pays, where the rules set one."),
    )
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, help_text=_("The order in the budget table.")
    )
    note = TranslationsField(label=_("Note"), multiline=True)

    FIELDS = ["kind", "name", "amount", "cofinancing_rate", "position", "note"]

    def __init__(self, *args, source: FundingSource | None = None, **kwargs):
        if source is not None:
            kwargs.setdefault("initial", {name: getattr(source, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ObjectiveForm(ServiceFormMixin, forms.Form):
    unique_field = "position"

    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32767, help_text=_("Objectives are listed in this order.")
    )
    title = TranslationsField(label=_("Title"), required=True, max_length=500)
    description = TranslationsField(label=_("Description"), multiline=True)

    FIELDS = ["position", "title", "description"]

    def __init__(self, *args, objective: Objective | None = None, **kwargs):
        if objective is not None:
            kwargs.setdefault("initial", {name: getattr(objective, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class PublishForm(forms.Form):
    is_public = forms.TypedChoiceField(
        choices=[("1", _("Publish")), ("0", _("Unpublish"))], coerce=lambda value: value == "1"
    )


class ProgrammeCopyForm(ServiceFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code of the new programme"),
        max_length=40,
        help_text=_("A short code of your own, unique among programmes."),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
