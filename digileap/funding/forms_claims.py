"""Forms of the claim pages. They only parse input; ``services.claims`` checks and writes (amounts are
taken as text so that the service names a bad one: "The cost 'ten' is not a number.")."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core.forms import choice_field
from digileap.core.uploads import DOCUMENTS, accepted_extensions, document_help_text

from .models import ReviewAnswer


class InvoiceForm(forms.Form):
    supplier_name = forms.CharField(label=gettext_lazy("Supplier"), max_length=200)
    number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=80)
    issued_on = forms.DateField(label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    total = forms.CharField(
        label=gettext_lazy("Invoice total (EUR)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    # Checked by its content in the service (``check_upload``), so the error names the file.
    file = forms.FileField(
        label=gettext_lazy("Scan of the invoice"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": accepted_extensions(DOCUMENTS)}),
        help_text=document_help_text(DOCUMENTS, None),
    )


class InvoiceLineForm(forms.Form):
    grant_line = forms.ChoiceField(label=gettext_lazy("Grant line"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    amount = forms.CharField(
        label=gettext_lazy("Cost (EUR)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    claimed = forms.CharField(
        label=gettext_lazy("Funding claimed (EUR)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Leave empty for the cost × the category's funding rate."),
    )
    serials = forms.CharField(
        label=gettext_lazy("Serial numbers of the devices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Optional: one per line or separated by commas."),
    )

    def __init__(self, *args, lines, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        self.devices = devices
        choice_field(self, "grant_line").choices = [
            (str(line.pk), f"{line.position}. {line.description}") for line in lines
        ]

    def clean_grant_line(self):
        return self.lines[self.cleaned_data["grant_line"]]

    def clean_serials(self):
        serials = [part.strip().upper() for part in re.split(r"[\s,;]+", self.cleaned_data["serials"]) if part.strip()]
        if not serials:
            return []
        found = {device.serial.upper(): device for device in self.devices.filter(serial__in=serials)}
        unknown = [serial for serial in serials if serial not in found]
        if unknown:
            raise forms.ValidationError(
                _("No device with these serial numbers at the operator's schools: %(serials)s")
                % {"serials": ", ".join(unknown)}
            )
        return list(found.values())


class ChecklistForm(forms.Form):
    answer = forms.ChoiceField(label=gettext_lazy("Answer"), choices=ReviewAnswer.Answer.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    payment_reference = forms.CharField(label=gettext_lazy("Payment reference"), max_length=120)
