"""Form helpers shared by every app."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

# The base of a mixin for forms: the form's attributes (``fields``, ``cleaned_data``, ``add_error``)
# for mypy, nothing at run time.
if TYPE_CHECKING:
    FormMixinBase = forms.BaseForm
else:
    FormMixinBase = object


class ServiceErrorsMixin(FormMixinBase):
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


def label_choices(form: forms.BaseForm, name: str, label: Callable[[Any], str]) -> forms.ModelChoiceField:
    """The form's model choice field ``name``, its choices labelled by ``label(instance)`` instead of
    ``str(instance)`` (Django's ``label_from_instance``, replaced on this form's copy of the field)."""
    field = model_choice_field(form, name)
    # An attribute set on the instance (mypy forbids assigning to a method).
    setattr(field, "label_from_instance", label)  # noqa: B010
    return field
