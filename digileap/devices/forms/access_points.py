"""Forms of access point installations. They parse input; the services check it, authorise and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.schools.models import School, Site

from ..models import Device
from .board import DateInput, ServiceErrorsMixin


class InstallationFilterForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=School.objects.none(), empty_label=_("Any school")
    )
    verified = forms.ChoiceField(
        label=_("Verified"),
        required=False,
        choices=[("", _("Verified or not")), ("yes", _("Verified")), ("no", _("Not verified yet"))],
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"school": data.get("school"), "verified": data.get("verified") or ""}


class SiteField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.school.name} · {obj.name}"


class InstallationForm(ServiceErrorsMixin, forms.Form):
    """Where and when an access point was installed."""

    serial = forms.CharField(label=_("Serial number of the access point"), max_length=64)
    site = SiteField(label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("No site named"))
    building = forms.CharField(label=_("Building"), max_length=120, required=False)
    room = forms.CharField(label=_("Room"), max_length=120)
    installed_on = forms.DateField(label=_("Installed on"), widget=DateInput())

    def __init__(self, *args, devices, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = devices
        model_choice_field(self, "site").queryset = sites

    def clean_serial(self) -> Device:
        serial = self.cleaned_data["serial"].strip().upper()
        matches = list(self.devices.filter(serial=serial)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No device with serial number %(serial)s in your scope.") % {"serial": serial}
            )
        if len(matches) > 1:
            raise forms.ValidationError(_("Several devices have serial number %(serial)s.") % {"serial": serial})
        return matches[0]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "device": data["serial"],
            "site": data.get("site"),
            "building": data.get("building") or "",
            "room": data["room"],
            "installed_on": data["installed_on"],
        }
