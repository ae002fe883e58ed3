"""Forms of the device register: the list's filters, the status change, and the identifiers.

They only parse input; ``services.devices`` validates, authorises and writes.
"""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.core.permissions import restrict
from digileap.programmes.selectors import programmes_for
from digileap.schools.models import Site
from digileap.schools.selectors import schools_for

from ..models import Condition, Device, DeviceModel, DeviceStatus, DeviceType
from ..selectors.devices import DEFAULT_SORT, Sort, is_one_school_scope, serial_prefix_q
from ..services.devices import REASON_MAX_LENGTH, changeable_statuses

if TYPE_CHECKING:
    from digileap.programmes.models import Programme


# Above this many schools a drop-down list is slow to render and to use: the filter becomes the
# school's official number (``school=<id>`` is accepted either way).
SCHOOL_SELECT_LIMIT = 300
# An official number can be shared by schools of several authorities; at most this many are taken.
SCHOOL_NUMBER_MATCHES = 50

SORT_CHOICES = [
    ("serial", _("Serial number")),
    ("-serial", _("Serial number, descending")),
    ("status", _("Status")),
    ("-status", _("Status, descending")),
    ("school", _("School")),
    ("-school", _("School, descending")),
    ("delivered", _("Delivered on, oldest first")),
    ("-delivered", _("Delivered on, newest first")),
]
DISCREPANCY_CHOICES = [
    ("", _("With or without")),
    ("any", _("Any discrepancy")),
    ("none", _("No discrepancy")),
    *Device.Discrepancy.choices,
]


class DeviceFilterForm(forms.Form):
    """Filters of the device list and its export. Choices come from the user's scope only; a value
    that is not understood is ignored (and shown). Devices stay restricted by the selector, so a
    school id outside the scope simply finds nothing."""

    serial = forms.CharField(
        label=_("Serial number"), required=False, max_length=64, help_text=_("Its first characters")
    )
    asset_tag = forms.CharField(
        label=_("Asset tag"), required=False, max_length=64, help_text=_("Its first characters")
    )
    school = forms.IntegerField(label=_("School"), required=False, min_value=1)
    school_number = forms.CharField(
        label=_("School"), required=False, max_length=32, help_text=_("The school's official number")
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=DeviceStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    device_type = forms.ChoiceField(
        label=_("Device type"), required=False, choices=[("", _("All types")), *DeviceType.choices]
    )
    device_model = forms.ModelChoiceField(
        label=_("Model"), required=False, queryset=DeviceModel.objects.none(), empty_label=_("All models")
    )
    programme: "forms.ModelChoiceField[Programme]" = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes")
    )
    condition = forms.ChoiceField(
        label=_("Condition"), required=False, choices=[("", _("New and refurbished")), *Condition.choices]
    )
    discrepancy = forms.ChoiceField(label=_("Discrepancy"), required=False, choices=DISCREPANCY_CHOICES)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        schools = schools_for(user).select_related(None).order_by("name", "number", "pk")
        self.school_as_select = schools.count() <= SCHOOL_SELECT_LIMIT
        if self.school_as_select:
            choices = [("", _("All schools"))] + [
                (pk, f"{name} ({number})") for pk, name, number in schools.values_list("pk", "name", "number")
            ]
            self.fields["school"].widget = forms.Select(choices=choices)
        else:
            self.fields["school"].widget = forms.HiddenInput()
        model_choice_field(self, "device_model").queryset = restrict(DeviceModel.objects.all(), user).order_by(
            "manufacturer", "name", "pk"
        )
        model_choice_field(self, "programme").queryset = programmes_for(user).order_by("code", "pk")

    @property
    def cleaned(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def is_one_school(self) -> bool:
        """Whether the list is narrowed to one school (its count is then exact and cheap)."""
        return bool(self.cleaned.get("school"))

    def can_sort_by_delivery(self) -> bool:
        """The delivery date has no index: it sorts one school's devices, not millions."""
        return bool(self.is_one_school() or self.cleaned.get("school_number") or is_one_school_scope(self.user))

    def chosen_sort(self) -> Sort:
        """The sort asked for; by serial number when it is by delivery date over too many devices."""
        sort = Sort.parse(self.cleaned.get("sort"))
        if sort.name == "delivered" and not self.can_sort_by_delivery():
            return Sort.parse(DEFAULT_SORT)
        return sort

    def filter(self, devices):
        """``devices`` narrowed by the valid filters; each condition is on a column of the device."""
        data = self.cleaned
        if data.get("school"):
            devices = devices.filter(school_id=data["school"])
        number = (data.get("school_number") or "").strip()
        if number:
            school_ids = list(
                schools_for(self.user)
                .filter(number=number)
                .order_by("pk")
                .values_list("pk", flat=True)[:SCHOOL_NUMBER_MATCHES]
            )
            devices = devices.filter(school_id__in=school_ids)
        if data.get("status"):
            statuses = data["status"]
            devices = devices.filter(status=statuses[0]) if len(statuses) == 1 else devices.filter(status__in=statuses)
        if data.get("device_type"):
            devices = devices.filter(device_type=data["device_type"])
        if data.get("device_model"):
            devices = devices.filter(device_model_id=data["device_model"].pk)
        if data.get("programme"):
            devices = devices.filter(programme_id=data["programme"].pk)
        if data.get("condition"):
            devices = devices.filter(condition=data["condition"])
        discrepancy = data.get("discrepancy")
        if discrepancy == "any":
            devices = devices.exclude(discrepancy="")
        elif discrepancy == "none":
            devices = devices.filter(discrepancy="")
        elif discrepancy:
            devices = devices.filter(discrepancy=discrepancy)
        if data.get("serial", "").strip():
            devices = devices.filter(serial_prefix_q(data["serial"]))
        if data.get("asset_tag", "").strip():
            # No index on asset tags: within the other filters, rows are read in order until a page is full.
            devices = devices.filter(asset_tag__istartswith=data["asset_tag"].strip())
        return devices

    def filters_active(self) -> bool:
        return any(value for name, value in self.cleaned.items() if name != "sort")


class DeviceStatusForm(forms.Form):
    """Move a device to another status. The list offers the statuses its lifecycle allows next (but
    ``deployed`` and ``loaned_out``, set by the hand-out and by tickets); whatever is posted goes to
    the service, whose messages say why a status cannot be set."""

    status = forms.CharField(label=_("New status"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX_LENGTH}),
        help_text=_("Why the device changes status; kept in its history."),
    )

    def __init__(self, *args, device: Device, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget = forms.Select(
            choices=[("", _("Choose a status"))]
            + [(value, DeviceStatus(value).label) for value in changeable_statuses(device.status)]
        )


class DeviceUpdateForm(forms.Form):
    """The identifiers of a device a school, its operator or the supplier may correct."""

    asset_tag = forms.CharField(label=_("Asset tag"), required=False, max_length=64)
    site = forms.ModelChoiceField(
        label=_("Site"), required=False, queryset=Site.objects.none(), empty_label=_("No site")
    )
    mac_address = forms.CharField(
        label=_("MAC address"), required=False, max_length=40, help_text=_("For example 00:1A:2B:3C:4D:5E")
    )
    windows_product_id = forms.CharField(label=_("Windows product ID"), required=False, max_length=40)
    google_device_id = forms.CharField(label=_("Google device ID"), required=False, max_length=80)
    autopilot_hash = forms.CharField(
        label=_("Autopilot hardware hash"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, device: Device, **kwargs):
        kwargs.setdefault("initial", {name: getattr(device, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = Site.objects.filter(school_id=device.school_id).order_by(
            "name", "pk"
        )


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's errors at their fields (the others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
