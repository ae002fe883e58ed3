"""Forms of the recipient pages and the scan loop. They only parse input; the services validate,
authorise and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, model_choice_field
from digileap.core.model_fields import model_field
from digileap.core.permissions import Action
from digileap.core.types import Text
from digileap.schools.models import School

from ..models import Recipient
from ..selectors.recipients import schools_with_recipients
from ..services.assignments import KIT_ITEMS, ReturnCondition
from ..services.recipients import MAX_GRADE, MAX_ISCED_LEVEL, store_names

KIT_CHOICES = [(value, label) for value, label in KIT_ITEMS.items()]


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:
        return f"{obj.name} ({obj.number})"


def _label(name: str) -> Text:
    return capfirst(model_field(Recipient, name).verbose_name)


class RecipientFilterForm(forms.Form):
    """Filters of the recipient list. The school choices come from the user's scope only."""

    DEVICE_CHOICES = [
        ("", _("With or without a device")),
        ("with", _("With a device")),
        ("without", _("Without a device")),
    ]
    ACTIVE_CHOICES = [("active", _("Active")), ("inactive", _("No longer active")), ("all", _("Active or not"))]

    school = SchoolChoiceField(
        queryset=School.objects.none(), label=_("School"), required=False, empty_label=_("All schools")
    )
    group = forms.CharField(label=_("Class or group"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("Pupil or teacher"), required=False)
    device = forms.ChoiceField(label=_("Device"), required=False, choices=DEVICE_CHOICES)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
    q = forms.CharField(label=_("Reference"), required=False, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools_with_recipients(user, Action.VIEW)
        choice_field(self, "kind").choices = [("", _("Pupils and teachers")), *Recipient.Kind.choices]

    def filter(self, recipients):
        """``recipients`` narrowed by the valid filters (an invalid one is ignored, and shown)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = getattr(self, "cleaned_data", {})
        if data.get("school"):
            recipients = recipients.filter(school=data["school"])
        if (data.get("group") or "").strip():
            recipients = recipients.filter(group=" ".join(data["group"].split()))
        if data.get("kind"):
            recipients = recipients.filter(kind=data["kind"])
        if data.get("device") == "with":
            recipients = recipients.filter(has_device=True)
        elif data.get("device") == "without":
            recipients = recipients.filter(has_device=False)
        active = data.get("active") or "active"
        if active != "all":
            recipients = recipients.filter(is_active=active == "active")
        query = (data.get("q") or "").strip()
        if query:
            recipients = recipients.filter(Q(reference__iexact=query) | Q(reference__istartswith=query))
        return recipients


class RecipientForm(forms.Form):
    """A pupil or teacher entered by hand. Editing keeps the school (no such field then). The name
    field exists only where the installation stores names."""

    school = SchoolChoiceField(queryset=School.objects.none(), label=_("School"))
    reference = forms.CharField(
        label=_label("reference"),
        max_length=64,
        help_text=_("The school's own pseudonymous code for this pupil or teacher, never a name."),
    )
    kind = forms.ChoiceField(label=_label("kind"), choices=Recipient.Kind.choices)
    grade = forms.IntegerField(label=_label("grade"), min_value=0, max_value=MAX_GRADE, required=False)
    group = forms.CharField(label=_label("group"), max_length=40, required=False, help_text=_("For example 5A."))
    isced_level = forms.TypedChoiceField(
        label=_label("isced_level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "–")] + [(level, str(level)) for level in range(MAX_ISCED_LEVEL + 1)],
    )
    eligibility_group = forms.CharField(
        label=_label("eligibility_group"),
        max_length=40,
        required=False,
        help_text=_("The code of the eligible group the pupil belongs to, if any."),
    )
    display_name = forms.CharField(label=_label("display_name"), max_length=200, required=False)

    def __init__(self, *args, user, recipient: Recipient | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient = recipient
        if recipient is not None:
            del self.fields["school"]
        else:
            model_choice_field(self, "school").queryset = schools_with_recipients(user, Action.ADD)
        if not store_names():
            del self.fields["display_name"]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.fields if name != "school"}
        for name in ("group", "eligibility_group", "display_name"):
            if name in data:
                data[name] = data[name] or ""
        return data

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class ReturnForm(forms.Form):
    """The return of a device: the kit that came back, the condition, a note."""

    kit_returned = forms.MultipleChoiceField(
        label=_("Kit returned"), choices=KIT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    condition = forms.ChoiceField(
        label=_("Condition"), choices=ReturnCondition.choices, initial=ReturnCondition.GOOD, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class HandoutScanForm(forms.Form):
    """One scan of the loop: the serial, the class, and the kit that goes with each device."""

    serial = forms.CharField(label=_("Serial number"), max_length=64, required=False)
    group = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    kit = forms.MultipleChoiceField(
        label=_("Kit"), choices=KIT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class HandoutConfirmForm(forms.Form):
    """The confirmation of a proposal: this device to this recipient, with this kit."""

    device = forms.IntegerField(widget=forms.HiddenInput)
    recipient = forms.IntegerField(label=_("Recipient"))
    group = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    kit = forms.MultipleChoiceField(
        label=_("Kit"), choices=KIT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
