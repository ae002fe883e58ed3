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


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field ``name``, which is a model choice (or multiple choice) field: to narrow its
    queryset or its labels in ``__init__`` (``form.fields`` is typed as plain fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), f"{name} is a {type(field).__name__}"
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, which is a choice field: to set its choices in ``__init__``."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), f"{name} is a {type(field).__name__}"
    return field
