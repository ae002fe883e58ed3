"""Forms of the analysis set-up: a benchmark (name in every language, kind and its figures) and a
programme's cost parameters (one field per technology for the fastest contract speed). The forms
parse input; the services (services/analysis.py) check the rules and name the field at fault."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field

from .models import Benchmark, CostParameters, Uplink


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on their field where the form has it (``name`` on the first name field),
    else on the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, texts in error.message_dict.items():
        if name == "name":
            name = f"name_{settings.LANGUAGES[0][0]}"
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _speed(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=10, decimal_places=3, **kwargs)


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=14, decimal_places=2)


class BenchmarkForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Benchmark.Kind.choices)
    threshold_mbps = _speed(
        _("Threshold (Mbit/s)"),
        help_text=_("Per school; per pupil for 'per pupil'; the 'good' threshold for tiers."),
    )
    lower_mbps = _speed(_("Lower threshold (Mbit/s)"), help_text=_("Tiers only: under it the school has none."))
    share_percent = forms.DecimalField(
        label=_("Share of the contracted speed (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("For 'measured against contracted speed' only."),
    )
    min_tests = forms.IntegerField(label=_("At least this many tests"), min_value=1, max_value=32767, initial=5)
    min_days = forms.IntegerField(label=_("On at least this many days"), min_value=1, max_value=32767, initial=3)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, language in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": language}, max_length=200, required=False
            )

    def name_fields(self):
        return [self[f"name_{code}"] for code, _language in settings.LANGUAGES]

    def clean(self):
        cleaned = super().clean()
        if not self._names(cleaned):
            self.add_error(f"name_{settings.LANGUAGES[0][0]}", _("Give a name in at least one language."))
        return cleaned

    @staticmethod
    def _names(cleaned) -> dict:
        return {
            code: cleaned[f"name_{code}"].strip()
            for code, _language in settings.LANGUAGES
            if (cleaned.get(f"name_{code}") or "").strip()
        }

    def benchmark_data(self) -> dict:
        names = (
            "code",
            "kind",
            "threshold_mbps",
            "lower_mbps",
            "share_percent",
            "min_tests",
            "min_days",
            "position",
        )
        data = {name: self.cleaned_data[name] for name in names}
        data["name"] = self._names(self.cleaned_data)
        return data

    @staticmethod
    def initial_for(benchmark: Benchmark) -> dict:
        initial = {
            name: getattr(benchmark, name)
            for name in (
                "code",
                "kind",
                "threshold_mbps",
                "lower_mbps",
                "share_percent",
                "min_tests",
                "min_days",
                "position",
            )
        }
        initial.update({f"name_{code}": text for code, text in (benchmark.name or {}).items()})
        return initial


class CostParametersForm(forms.Form):
    target_benchmark = forms.ModelChoiceField(
        label=_("Benchmark to reach"),
        queryset=Benchmark.objects.none(),
        required=False,
        help_text=_("The speed a proposal must reach. Empty: the programme's first benchmark."),
    )
    fibre_per_km = _money(_("Fibre per km (EUR)"))
    fibre_connection = _money(_("Fibre connection (EUR)"))
    fibre_default_km = forms.DecimalField(
        label=_("Fibre distance when not known (km)"), min_value=0, max_digits=7, decimal_places=2, initial=1
    )
    fibre_monthly = _money(_("Fibre line per month (EUR)"))
    upgrade_per_mbps_month = _money(_("Contract upgrade per Mbit/s per month (EUR)"))
    wifi_per_classroom = _money(_("Wi-Fi per classroom (EUR)"))
    switch_per_site = _money(_("Switches per site (EUR)"))
    switch_max_age_years = forms.IntegerField(
        label=_("Switches are replaced after (years)"), min_value=0, max_value=100, initial=8
    )
    years = forms.IntegerField(label=_("Years of running costs"), min_value=1, max_value=50, initial=5)
    priority = forms.ChoiceField(label=_("Priority"), choices=CostParameters.Priority.choices)

    MONEY_AND_RULES = (
        "target_benchmark",
        "fibre_per_km",
        "fibre_connection",
        "fibre_default_km",
        "fibre_monthly",
        "upgrade_per_mbps_month",
        "wifi_per_classroom",
        "switch_per_site",
        "switch_max_age_years",
        "years",
        "priority",
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "target_benchmark").queryset = Benchmark.objects.filter(programme=programme).order_by(
            "position", "code"
        )
        for technology, label in Uplink.Technology.choices:
            # No min_value here: the service names a limit of 0 or less on this field.
            self.fields[f"limit_{technology}"] = forms.DecimalField(
                label=_("Fastest contract on %(technology)s (Mbit/s)") % {"technology": label},
                required=False,
                max_digits=10,
                decimal_places=3,
            )

    def limit_fields(self):
        return [self[f"limit_{technology}"] for technology in Uplink.Technology.values]

    def cost_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.MONEY_AND_RULES}
        data["technology_limits"] = {
            technology: self.cleaned_data[f"limit_{technology}"]
            for technology in Uplink.Technology.values
            if self.cleaned_data.get(f"limit_{technology}") is not None
        }
        return data

    @classmethod
    def initial_for(cls, costs: CostParameters | None) -> dict:
        if costs is None:
            return {"priority": CostParameters.Priority.GAP_PER_PUPIL}
        initial = {name: getattr(costs, name) for name in cls.MONEY_AND_RULES}
        initial.update({f"limit_{key}": value for key, value in (costs.technology_limits or {}).items()})
        return initial
