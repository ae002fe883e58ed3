"""Forms of the delivery pages: the list's filters, the acceptance, and confirming devices one by
one. They only parse input; ``services.deliveries`` validates, authorises and writes."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, model_choice_field
from digileap.schools.selectors import schools_for

from ..models import Delivery, Device
from ..selectors.deliveries import suppliers_of_deliveries
from ..services.deliveries import parse_exceptions
from ..services.purchases import parse_serials

if TYPE_CHECKING:
    from digileap.schools.models import School

    from ..models import Supplier


class DeliveryFilterForm(forms.Form):
    """Filters of the list. Choices come from the user's scope only."""

    q = forms.CharField(label=_("Search"), required=False, help_text=_("Delivery note or order number"))
    school: "forms.ModelChoiceField[School]" = forms.ModelChoiceField(
        queryset=None, label=_("School"), required=False, empty_label=_("All schools")
    )
    acceptance = forms.ChoiceField(label=_("Acceptance"), required=False)
    supplier: "forms.ModelChoiceField[Supplier]" = forms.ModelChoiceField(
        queryset=None, label=_("Supplier"), required=False, empty_label=_("All suppliers")
    )
    delivered_from = forms.DateField(
        label=_("Delivered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    delivered_to = forms.DateField(
        label=_("Delivered to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools_for(user).order_by("name", "number", "pk")
        model_choice_field(self, "supplier").queryset = suppliers_of_deliveries(user)
        choice_field(self, "acceptance").choices = [("", _("Any"))] + list(Delivery.Acceptance.choices)

    def values(self) -> dict:
        """The valid filters as keyword arguments of ``deliveries_filtered`` (invalid ones are ignored, and shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if data.get(name) not in (None, "")}


class DeliveryConfirmForm(forms.Form):
    serials = forms.CharField(
        label=_("Serial numbers received"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan or type them, one a line."),
    )

    def serial_list(self) -> list[str]:
        return parse_serials(self.cleaned_data["serials"])


class DeliveryAcceptForm(forms.Form):
    """Accept everything at once, with the exceptions typed by serial."""

    remaining = forms.ChoiceField(
        label=_("Devices not confirmed one by one"),
        choices=[
            ("accept", _("Accept them: they arrived")),
            ("missing", _("Record them as missing")),
        ],
        initial="accept",
        widget=forms.RadioSelect,
    )
    exceptions = forms.CharField(
        label=_("Exceptions by serial number"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "One device a line: the serial, then missing, damaged or wrong_model, then a note. "
            "For example: 5CG1234XYZ damaged cracked screen"
        ),
    )
    send_back = forms.BooleanField(
        label=_("Send damaged and wrong-model devices back to the supplier (their status becomes Returned)"),
        required=False,
    )
    other_kind = forms.ChoiceField(
        label=_("A discrepancy without a device"),
        required=False,
        choices=[("", _("None"))] + list(Device.Discrepancy.choices),
        help_text=_("For example fewer devices than the delivery note says."),
    )
    other_note = forms.CharField(label=_("What is wrong"), required=False, max_length=500)
    note = forms.CharField(label=_("Acceptance note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        entries, errors = parse_exceptions(data.get("exceptions") or "")
        if errors:
            self.add_error("exceptions", errors)
        if data.get("other_kind") and not (data.get("other_note") or "").strip():
            self.add_error("other_note", _("Say what is wrong."))
        send_back = bool(data.get("send_back"))
        for entry in entries:
            entry["send_back"] = send_back and entry["kind"] != Device.Discrepancy.MISSING
        if data.get("other_kind"):
            entries.append({"kind": data["other_kind"], "serial": "", "note": data.get("other_note", "")})
        data["discrepancies"] = entries
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"remaining": data["remaining"], "discrepancies": data["discrepancies"], "note": data.get("note") or ""}
