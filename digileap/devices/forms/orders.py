"""Forms of purchase orders. They parse input; the services check it against the programme,
the contract and the allocation, authorise and write."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from digileap.allocation.models import AllocationLine
from digileap.core.forms import model_choice_field
from digileap.programmes.models import FundingSource, Programme
from digileap.schools.models import School, SchoolOperator

from ..models import DeviceModel, DeviceType, FrameworkContract, PurchaseOrder, Supplier
from .catalogue import DateInput, ServiceErrorsMixin


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *PurchaseOrder.Status.choices]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none(), empty_label=_("Any programme")
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if text := (self.cleaned_data.get("q") or "").strip():
            queryset = queryset.filter(number__icontains=text)
        if status := self.cleaned_data.get("status"):
            queryset = queryset.filter(status=status)
        if programme := self.cleaned_data.get("programme"):
            queryset = queryset.filter(programme=programme)
        return queryset


class ProgrammeChoiceForm(forms.Form):
    """The first step of a new order: the programme that pays for it."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FrameworkContract) -> str:
        return _("%(reference)s: %(title)s (%(supplier)s, %(start)s to %(end)s)") % {
            "reference": obj.reference,
            "title": obj.title,
            "supplier": obj.supplier.name,
            "start": obj.starts_on.isoformat(),
            "end": obj.ends_on.isoformat(),
        }


class OrderForm(ServiceErrorsMixin, forms.Form):
    """The header of an order: how it is paid, to whom it goes, who buys."""

    funding_source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    contract = ContractChoiceField(
        label=_("Framework contract"),
        queryset=FrameworkContract.objects.none(),
        required=False,
        empty_label=_("No framework contract"),
        help_text=_("A contract of the programme's authority with the same supplier."),
    )
    operator = forms.ModelChoiceField(
        label=_("Buying operator"),
        queryset=SchoolOperator.objects.none(),
        required=False,
        empty_label=_("None: the authority buys centrally"),
    )
    number = forms.CharField(
        label=_("Order number"), max_length=60, required=False, help_text=_("Empty: the next free PO-number.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, funding_sources, suppliers, contracts, operators, central: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "funding_source").queryset = funding_sources
        model_choice_field(self, "supplier").queryset = suppliers
        model_choice_field(self, "contract").queryset = contracts
        model_choice_field(self, "operator").queryset = operators
        if not central:
            self.fields["operator"].required = True
            model_choice_field(self, "operator").empty_label = None

    @classmethod
    def initial_from(cls, order: PurchaseOrder) -> dict:
        return {name: getattr(order, name) for name in cls.base_fields}


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:
        return f"{obj.name} ({obj.number})"


class AllocationLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AllocationLine) -> str:
        allocation_round = obj.version.round
        unit = _("units") if allocation_round.is_units else "EUR"
        return _("%(round)s v%(version)s · %(school)s: %(amount)s %(unit)s") % {
            "round": allocation_round.code,
            "version": obj.version.number,
            "school": obj.school.name,
            "amount": number_format(obj.amount, 0 if allocation_round.is_units else 2, force_grouping=True),
            "unit": unit,
        }


class OrderLineForm(ServiceErrorsMixin, forms.Form):
    device_model = forms.ModelChoiceField(label=_("Device model"), queryset=DeviceModel.objects.none())
    school = SchoolChoiceField(label=_("School"), queryset=School.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_price = forms.DecimalField(
        label=_("Unit price (EUR)"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the contract's price for the model, else its list price."),
    )
    allocation_line = AllocationLineChoiceField(
        label=_("Allocation line"),
        queryset=AllocationLine.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The school's allocation that funds these devices, from an approved round of the programme."),
    )

    def __init__(self, *args, device_models, schools, allocation_lines, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "device_model").queryset = device_models
        model_choice_field(self, "school").queryset = schools
        model_choice_field(self, "allocation_line").queryset = allocation_lines


class PlaceForm(ServiceErrorsMixin, forms.Form):
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DateInput())


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComparisonForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    device_type = forms.ChoiceField(
        label=_("Device type"), required=False, choices=[("", _("Every type")), *DeviceType.choices]
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes
