"""Forms of the self-bought purchases: the list's filters and the report (a model and a box of
serials, or a CSV file with a serial and a model a row). They only parse input;
``services.purchases.self_purchase_report`` validates, authorises and writes."""

import csv
import io
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.programmes.selectors import funding_sources_for, programmes_for

from ..selectors.purchases import models_for_purchase, schools_reporting
from ..services.purchases import MAX_DEVICES, parse_serials

if TYPE_CHECKING:
    from digileap.programmes.models import FundingSource, Programme

    from ..models import DeviceModel


MAX_CSV_BYTES = 2_000_000


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.number})"


class PurchaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Invoice reference or vendor"))
    school = SchoolChoiceField(queryset=None, label=_("School"), required=False, empty_label=_("All schools"))
    programme: "forms.ModelChoiceField[Programme]" = forms.ModelChoiceField(
        queryset=None, label=_("Programme"), required=False, empty_label=_("All programmes")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from digileap.schools.selectors import schools_for

        model_choice_field(self, "school").queryset = schools_for(user).order_by("name", "number", "pk")
        model_choice_field(self, "programme").queryset = programmes_for(user).order_by("code")

    def filter(self, purchases):
        if not self.is_bound:
            return purchases
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("school"):
            purchases = purchases.filter(school=data["school"])
        if data.get("programme"):
            purchases = purchases.filter(programme=data["programme"])
        query = (data.get("q") or "").strip()
        if query:
            from django.db.models import Q

            purchases = purchases.filter(Q(invoice_reference__icontains=query) | Q(vendor__icontains=query))
        return purchases


class SelfPurchaseForm(forms.Form):
    programme: "forms.ModelChoiceField[Programme]" = forms.ModelChoiceField(queryset=None, label=_("Programme"))
    funding_source: "forms.ModelChoiceField[FundingSource]" = forms.ModelChoiceField(
        queryset=None, label=_("Funding source"), required=False, empty_label=_("Not stated")
    )
    school = SchoolChoiceField(queryset=None, label=_("School"))
    invoice_reference = forms.CharField(label=_("Invoice reference"), max_length=80)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    vendor = forms.CharField(label=_("Bought from"), max_length=200)
    amount = forms.DecimalField(label=_("Invoice amount (EUR)"), min_value=0, max_digits=12, decimal_places=2)
    device_model: "forms.ModelChoiceField[DeviceModel]" = forms.ModelChoiceField(
        queryset=None,
        label=_("Model"),
        required=False,
        help_text=_("The model of the serial numbers below."),
    )
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("One a line."),
    )
    file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("Columns serial and model (the catalogue code), optionally asset_tag; comma or semicolon."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes_for(user).order_by("code")
        model_choice_field(self, "funding_source").queryset = funding_sources_for(user).order_by(
            "programme__code", "position"
        )
        model_choice_field(self, "school").queryset = schools_reporting(user)
        model_choice_field(self, "device_model").queryset = models_for_purchase(user)

    def clean(self):
        data = super().clean()
        devices = []
        if data.get("serials"):
            if not data.get("device_model"):
                self.add_error("device_model", _("Choose the model of these serial numbers."))
            else:
                devices += [
                    {"device_model": data["device_model"], "serial": serial}
                    for serial in parse_serials(data["serials"])
                ]
        if data.get("file"):
            devices += self._file_devices(data["file"], data.get("programme"))
        if not devices and not self.errors:
            self.add_error("serials", _("Give at least one serial number (or a CSV file)."))
        data["devices"] = devices
        return data

    def _file_devices(self, upload, programme) -> list[dict]:
        if upload.size > MAX_CSV_BYTES:
            self.add_error("file", _("The file is larger than 2 MB."))
            return []
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        headers = [(name or "").strip().lower() for name in reader.fieldnames or []]
        if "serial" not in headers or "model" not in headers:
            self.add_error("file", _("The file needs the columns serial and model."))
            return []
        reader.fieldnames = headers
        models = {}
        if programme is not None:
            choices = model_choice_field(self, "device_model").queryset
            assert choices is not None  # set in __init__
            models = {m.code.lower(): m for m in choices.filter(authority=programme.authority)}
        devices, problems = [], []
        for line, row in enumerate(reader, start=2):
            serial = (row.get("serial") or "").strip()
            code = (row.get("model") or "").strip()
            if not serial and not code:
                continue
            model = models.get(code.lower())
            if model is None:
                problems.append(_gettext("line %(line)s: unknown model %(code)r") % {"line": line, "code": code})
                continue
            devices.append({"device_model": model, "serial": serial, "asset_tag": (row.get("asset_tag") or "").strip()})
            if len(devices) > MAX_DEVICES:
                problems.append(_gettext("more than %(n)s devices") % {"n": MAX_DEVICES})
                break
        if problems:
            self.add_error("file", problems[:20])
        return devices

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "programme",
                "funding_source",
                "school",
                "invoice_reference",
                "invoice_date",
                "vendor",
                "amount",
                "devices",
            )
        } | {"note": data.get("note") or ""}
