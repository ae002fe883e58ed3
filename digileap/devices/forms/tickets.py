"""Forms of aftercare tickets. They parse input; the services check it, authorise and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.schools.models import School

from ..models import Device, Supplier, Ticket
from .board import ServiceErrorsMixin


class TicketFilterForm(forms.Form):
    """Filters of the ticket list: school, status, category, supplier, overdue only, order."""

    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=School.objects.none(), empty_label=_("Any school")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Ticket.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *Ticket.Category.choices]
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.none(), empty_label=_("Any supplier")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("due", _("Next deadline first")), ("opened", _("Newest first"))],
    )

    def __init__(self, *args, schools, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools
        model_choice_field(self, "supplier").queryset = suppliers

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "school": data.get("school"),
            "status": data.get("status") or "",
            "category": data.get("category") or "",
            "supplier": data.get("supplier"),
            "overdue_only": bool(data.get("overdue")),
            "sort": data.get("sort") or "due",
        }


class TicketOpenForm(ServiceErrorsMixin, forms.Form):
    """Report a problem with a device, named by its serial number."""

    serial = forms.CharField(label=_("Serial number"), max_length=64)
    category = forms.ChoiceField(label=_("Category"), choices=Ticket.Category.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, since when; no pupil names."),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = devices

    def clean_serial(self) -> Device:
        serial = self.cleaned_data["serial"].strip().upper()
        matches = list(self.devices.filter(serial=serial)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No device with serial number %(serial)s in your scope.") % {"serial": serial}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several devices have serial number %(serial)s; open the ticket from the device's page.")
                % {"serial": serial}
            )
        return matches[0]

    def service_data(self) -> dict:
        return {
            "device": self.cleaned_data["serial"],
            "category": self.cleaned_data["category"],
            "description": self.cleaned_data["description"],
        }


class ResolveForm(ServiceErrorsMixin, forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("What was done.")
    )


class CloseForm(ServiceErrorsMixin, forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a ticket without a supplier: how the problem was solved."),
    )
    permanent_replacement = forms.BooleanField(
        label=_("The replacement stays for good"),
        required=False,
        help_text=_("It goes back to delivered either way, so that it can be handed out as the pupil's own."),
    )


class ReplacementForm(ServiceErrorsMixin, forms.Form):
    replacement_device = forms.ModelChoiceField(label=_("Replacement device"), queryset=Device.objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "replacement_device").queryset = candidates
