"""Form helpers shared by every app."""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ServiceErrorsMixin(_FormBase):
    """For forms whose data a service checks: show the service's ValidationError on the visible
    fields it names, or above the form (hidden or unknown fields)."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                shown = name in self.fields and not self.fields[name].widget.is_hidden
                self.add_error(name if shown else None, messages)
        else:
            self.add_error(None, error.messages)
