"""Forms of change requests. They parse input; the services check it against the plan, authorise and write."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from digileap.core.forms import ServiceErrorsMixin, model_choice_field
from digileap.schools.models import School

from ..models import ChangeRequest, RolloutPeriod, RolloutPlan


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ChangeRequestFilterForm(forms.Form):
    """Filters of the list: status and plan."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ChangeRequest.Status.choices]
    )
    plan = forms.ModelChoiceField(
        label=_("Roll-out plan"), required=False, queryset=RolloutPlan.objects.none(), empty_label=_("Any plan")
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "plan").queryset = plans

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if status := self.cleaned_data.get("status"):
            queryset = queryset.filter(status=status)
        if plan := self.cleaned_data.get("plan"):
            queryset = queryset.filter(plan=plan)
        return queryset


class PlanChoiceForm(forms.Form):
    """The first step of filing: which plan the request is about."""

    plan = forms.ModelChoiceField(label=_("Roll-out plan"), queryset=RolloutPlan.objects.none())

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "plan").queryset = plans


class SchoolInPlanField(forms.ModelChoiceField):
    """A school of the plan in force, labelled with where and at what cost it is planned now."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.current = {entry.school_id: entry for entry in entries}

    def label_from_instance(self, obj: School) -> str:
        entry = self.current.get(obj.pk)
        if entry is None:
            return f"{obj.name} ({obj.number})"
        where = entry.period.label if entry.period else _("not planned")
        return _("%(name)s (%(number)s): now %(where)s, EUR %(cost)s") % {
            "name": obj.name,
            "number": obj.number,
            "where": where,
            "cost": number_format(entry.cost, 2, force_grouping=True),
        }


class ChangeRequestForm(ServiceErrorsMixin, forms.Form):
    """Ask to move a school of the plan to another year or wave, or to change its amount."""

    school = SchoolInPlanField(label=_("School"), queryset=School.objects.none())
    kind = forms.ChoiceField(
        label=pgettext_lazy("change request", "Request"), choices=ChangeRequest.Kind.choices, widget=forms.RadioSelect
    )
    requested_period = forms.ModelChoiceField(
        label=_("Move to year or wave"),
        queryset=RolloutPeriod.objects.none(),
        required=False,
        help_text=_("For a move."),
    )
    requested_cost = forms.DecimalField(
        label=_("New amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("For a change of the amount."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the change is needed. The committee reads this."),
    )

    def __init__(self, *args, plan: RolloutPlan, entries, **kwargs):
        super().__init__(*args, **kwargs)
        entries = list(entries)
        school_field = self.fields["school"]
        # The field is declared above as a SchoolInPlanField (form.fields is typed as plain fields).
        assert isinstance(school_field, SchoolInPlanField)
        school_field.queryset = School.objects.filter(pk__in=[entry.school_id for entry in entries]).order_by(
            "name", "number", "pk"
        )
        school_field.current = {entry.school_id: entry for entry in entries}
        model_choice_field(self, "requested_period").queryset = RolloutPeriod.objects.filter(plan=plan).order_by(
            "position"
        )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "school": data["school"],
            "kind": data["kind"],
            "requested_period": data.get("requested_period"),
            "requested_cost": data.get("requested_cost"),
            "justification": data["justification"],
        }


class ScheduleForm(ServiceErrorsMixin, forms.Form):
    """Put a request on a committee's agenda."""

    committee = forms.CharField(label=_("Committee"), max_length=200)
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DateInput())


class DecideForm(ServiceErrorsMixin, forms.Form):
    """Record the committee's decision."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ChangeRequest.Status.APPROVED, _("Approved")),
            (ChangeRequest.Status.REJECTED, pgettext_lazy("change request", "Rejected")),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    minutes_reference = forms.CharField(
        label=_("Minutes reference"), max_length=120, help_text=_("Where the decision is written down.")
    )
    decision_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accept_over_cap = forms.BooleanField(
        label=_("The committee approved it over the budget cap"),
        required=False,
        help_text=_("Needed only when the approval puts a year or wave over its budget cap."),
    )
