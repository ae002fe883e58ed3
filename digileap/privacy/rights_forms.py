"""Forms of pupils' rights: finding a pupil by school and reference, and confirming an erasure."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.devices.models import Recipient

from .models import Erasure


class RecipientLookupForm(forms.Form):
    """The data-protection officer finds a pupil by the school's number and the pupil's reference."""

    school = forms.CharField(label=_("School number"), max_length=40)
    reference = forms.CharField(label=_("Reference"), max_length=64)


class ErasureForm(forms.Form):
    """Erasing a pupil's data: the reference typed again as confirmation, the reason, a note."""

    confirmation = forms.CharField(
        label=_("Type the reference to confirm"),
        max_length=64,
        help_text=_("The erasure cannot be undone."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Erasure.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the record, e.g. the date of the request. Never the pupil's name or reference."),
    )

    def __init__(self, *args: Any, recipient: Recipient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient = recipient

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value != self.recipient.reference:
            raise ValidationError(_("This is not the reference of the pupil or teacher to erase."))
        return value

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
