"""Forms of the catalogue. They parse input; the services validate it against the catalogue,
authorise and write."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import ServiceErrorsMixin, choice_field, model_choice_field
from digileap.schools.models import Authority

from ..models import DeviceModel, DeviceType, Supplier


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SpecificationsField(forms.CharField):
    """Specifications as lines of ``name: value`` (``Memory: 8 GB``), kept as a JSON object."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{name}: {item}" for name, item in value.items())
        return value

    def to_python(self, value: Any) -> Any:
        """The lines as a ``dict[str, str]`` (typed Any: CharField's own value is text)."""
        text = super().to_python(value) or ""
        specifications: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name, colon, item = line.partition(":")
            if not colon or not name.strip():
                raise ValidationError(
                    _("Line %(line)s: write a name, a colon and the value, e.g. “Memory: 8 GB”."),
                    params={"line": number},
                )
            if name.strip() in specifications:
                raise ValidationError(
                    _("Line %(line)s: %(name)s is given twice."), params={"line": number, "name": name.strip()}
                )
            specifications[name.strip()] = item.strip()
        return specifications


class DeviceModelFilterForm(forms.Form):
    """Search and filters of the catalogue."""

    q = forms.CharField(label=_("Search"), required=False, help_text=_("Code, manufacturer or model."))
    device_type = forms.ChoiceField(
        label=_("Device type"), required=False, choices=[("", _("Any type")), *DeviceType.choices]
    )
    manufacturer = forms.ChoiceField(label=_("Manufacturer"), required=False)
    orderable = forms.ChoiceField(
        label=_("Orderable"),
        required=False,
        choices=[("", _("Orderable or not")), ("yes", _("Orderable")), ("no", _("Not orderable"))],
    )

    def __init__(self, *args, manufacturers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "manufacturer").choices = [
            ("", _("Any manufacturer")),
            *[(name, name) for name in manufacturers],
        ]

    def filter(self, queryset, search):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            queryset = search(queryset, data["q"])
        if data.get("device_type"):
            queryset = queryset.filter(device_type=data["device_type"])
        if data.get("manufacturer"):
            queryset = queryset.filter(manufacturer=data["manufacturer"])
        if data.get("orderable"):
            queryset = queryset.filter(is_active=data["orderable"] == "yes")
        return queryset


class DeviceModelForm(ServiceErrorsMixin, forms.Form):
    """A model of the catalogue; the authority is chosen when it is added and stays."""

    authority = forms.ModelChoiceField(label=_("Catalogue of"), queryset=Authority.objects.none())
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("How delivery files and orders name it, e.g. dell-lat3440.")
    )
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=100)
    name = forms.CharField(label=_("Model"), max_length=200)
    device_type = forms.ChoiceField(label=_("Device type"), choices=DeviceType.choices)
    specifications = SpecificationsField(
        label=_("Specifications"),
        required=False,
        help_text=_("One per line: a name, a colon and the value, e.g. “Memory: 8 GB”."),
    )
    unit_price = forms.DecimalField(label=_("List price (EUR)"), max_digits=10, decimal_places=2)
    warranty_months = forms.IntegerField(label=_("Warranty (months)"), min_value=0, max_value=32767, initial=24)
    is_active = forms.BooleanField(label=_("Orderable"), required=False, initial=True)

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authorities is None:
            del self.fields["authority"]
        else:
            model_choice_field(self, "authority").queryset = authorities

    @classmethod
    def initial_from(cls, device_model: DeviceModel) -> dict:
        return {name: getattr(device_model, name) for name in cls.base_fields if name != "authority"}

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "authority"}


class SupplierForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    vat_number = forms.CharField(label=_("VAT number"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    @classmethod
    def initial_from(cls, supplier: Supplier) -> dict:
        return {"name": supplier.name, "vat_number": supplier.vat_number, "email": supplier.email}


class ContractForm(ServiceErrorsMixin, forms.Form):
    """A framework contract; its authority is chosen when it is made and stays."""

    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    reference = forms.CharField(label=_("Reference"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    ceiling = forms.DecimalField(
        label=_("Ceiling (EUR)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("The most that orders under the contract may add up to. Empty: no ceiling."),
    )
    response_hours = forms.IntegerField(
        label=_("Response time (hours)"),
        min_value=0,
        initial=8,
        help_text=_("Service level: first response to a ticket."),
    )
    repair_hours = forms.IntegerField(
        label=_("Repair time (hours)"),
        min_value=0,
        initial=72,
        help_text=_("Service level: device repaired or replaced."),
    )

    def __init__(self, *args, authorities=None, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if authorities is None:
            del self.fields["authority"]
        else:
            model_choice_field(self, "authority").queryset = authorities
        if suppliers is None:
            del self.fields["supplier"]
        else:
            model_choice_field(self, "supplier").queryset = suppliers

    @classmethod
    def initial_from(cls, contract) -> dict:
        return {name: getattr(contract, name) for name in cls.base_fields if name != "authority"}


class SupplierWithContractForm(ContractForm):
    """A new supplier and its first framework contract (so that the authority sees the supplier)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    vat_number = forms.CharField(label=_("VAT number"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    field_order = ["name", "vat_number", "email"]

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, authorities=authorities, suppliers=None, **kwargs)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        supplier = {name: data.pop(name) for name in ("name", "vat_number", "email")}
        return {"supplier": supplier, "contract": data}


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference or title."))
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.none(), empty_label=_("Any supplier")
    )

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "supplier").queryset = suppliers

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        for word in (self.cleaned_data.get("q") or "").split():
            queryset = queryset.filter(Q(reference__icontains=word) | Q(title__icontains=word))
        if supplier := self.cleaned_data.get("supplier"):
            queryset = queryset.filter(supplier=supplier)
        return queryset


class ContractItemForm(ServiceErrorsMixin, forms.Form):
    """A device model the contract offers, at the contract's price."""

    device_model = forms.ModelChoiceField(label=_("Device model"), queryset=DeviceModel.objects.none())
    unit_price = forms.DecimalField(label=_("Unit price (EUR)"), max_digits=10, decimal_places=2)

    def __init__(self, *args, device_models=None, **kwargs):
        super().__init__(*args, **kwargs)
        if device_models is None:
            del self.fields["device_model"]
        else:
            model_choice_field(self, "device_model").queryset = device_models
