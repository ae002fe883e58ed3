"""Forms of the roll-out board. They parse input; the services check it, authorise and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import ServiceErrorsMixin, model_choice_field
from digileap.schools.models import SchoolOperator

from ..models import SchoolRollout
from ..services.board import CHECKLIST_PHASES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BoardFilterForm(forms.Form):
    """Filters of a programme's board: phase, status, operator."""

    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("Any phase")), *SchoolRollout.Phase.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *SchoolRollout.Status.choices]
    )
    operator = forms.ModelChoiceField(
        label=_("School operator"),
        required=False,
        queryset=SchoolOperator.objects.none(),
        empty_label=_("Any operator"),
    )

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operator").queryset = operators

    def values(self) -> dict:
        """The valid filters (an invalid one is left out, so the page still shows the board)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "phase": data.get("phase") or "",
            "status": data.get("status") or "",
            "operator": data.get("operator"),
        }


class StartForm(ServiceErrorsMixin, forms.Form):
    """Start the board for every school of the programme, or of one operator."""

    operator = forms.ModelChoiceField(
        label=_("School operator"),
        required=False,
        queryset=SchoolOperator.objects.none(),
        empty_label=_("All schools of the programme I may start"),
    )

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "operator").queryset = operators


class PhaseForm(ServiceErrorsMixin, forms.Form):
    """Move a school to its next phase."""

    phase = forms.ChoiceField(label=_("Next phase"), choices=SchoolRollout.Phase.choices, widget=forms.HiddenInput)
    aftercare_until = forms.DateField(
        label=_("Aftercare until"),
        required=False,
        widget=DateInput(),
        help_text=_("Needed to move into aftercare."),
    )
    force = forms.BooleanField(label=_("Move on although steps are still open"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the school moves on with open steps."),
    )


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SchoolRollout.Status.choices)


class RolloutForm(ServiceErrorsMixin, forms.Form):
    """The school's OS image or profile, the end of aftercare, and a note."""

    os_profile = forms.CharField(
        label=_("OS image or profile"),
        required=False,
        max_length=120,
        help_text=_("The image or profile chosen for this school type."),
    )
    aftercare_until = forms.DateField(label=_("Aftercare until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ChecklistAddForm(ServiceErrorsMixin, forms.Form):
    """A step of the school's own."""

    phase = forms.ChoiceField(
        label=_("Phase"), choices=[(phase, SchoolRollout.Phase(phase).label) for phase in CHECKLIST_PHASES]
    )
    label = forms.CharField(label=_("Step"), max_length=200)
