"""Forms of the roll-out plan pages. They only parse input; services/plans.py validates,
authorises and writes."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.core.permissions import Action, permits, restrict
from digileap.programmes.models import Programme
from digileap.programmes.selectors import programmes_for
from digileap.schools.forms import ParseOnlyModelForm

from ..models import AllocationRound, RolloutPeriod, RolloutPlan

PLAN_FORM_FIELDS = [
    "code",
    "name",
    "cost_round",
    "default_cost",
    "priority_source",
    "max_periods_per_operator",
    "time_limit_seconds",
]
EXTRA_PERIOD_ROWS = 6


def programmes_for_new_plans(user) -> list[Programme]:
    """Programmes in which the user may make a roll-out plan."""
    return [
        programme
        for programme in programmes_for(user).order_by("code")
        if permits(user, Action.ADD, RolloutPlan(programme=programme))
    ]


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Programme) -> str:
        return f"{obj.code}: {obj.display_name}"


class RolloutPlanForm(ParseOnlyModelForm):
    gap_percent = forms.DecimalField(
        label=_("Optimality gap (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("99"),
        max_digits=7,
        decimal_places=3,
        initial=Decimal("0.1"),
        help_text=_("The optimiser stops once no plan can be better by more than this share. 0 asks for the best."),
    )

    class Meta:
        model = RolloutPlan
        fields = PLAN_FORM_FIELDS
        labels = {"default_cost": _("Cost per school when none is known (EUR)")}

    def __init__(self, *args, user, programme: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        if programme is None:
            choices = programmes_for_new_plans(user)
            self.fields = {
                "programme": ProgrammeChoiceField(
                    queryset=Programme.objects.filter(pk__in=[p.pk for p in choices]).order_by("code"),
                    label=_("Programme"),
                ),
                **self.fields,
            }
        rounds: QuerySet[AllocationRound] = restrict(
            AllocationRound.objects.filter(resource=AllocationRound.Resource.MONEY), user, Action.VIEW
        )
        if programme is not None:
            rounds = rounds.filter(programme=programme)
        model_choice_field(self, "cost_round").queryset = rounds.select_related("programme").order_by(
            "programme__code", "code"
        )
        self.fields["cost_round"].required = False
        if self.instance.pk:
            self.fields["gap_percent"].initial = (self.instance.relative_gap * 100).normalize()

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in PLAN_FORM_FIELDS if name in self.cleaned_data}
        data["relative_gap"] = (self.cleaned_data["gap_percent"] / 100).quantize(Decimal("0.00001"))
        return data


class PeriodForm(forms.Form):
    label = forms.CharField(label=_("Year or wave"), max_length=40, required=False)
    budget_cap = forms.DecimalField(
        label=_("Budget cap (EUR)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty: no cap."),
    )


class BasePeriodFormSet(forms.BaseFormSet):
    def periods(self) -> list[tuple[str, Decimal | None]]:
        """The filled rows, in order: (label, cap)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            label = (data.get("label") or "").strip()
            if label or data.get("budget_cap") is not None:
                rows.append((label, data.get("budget_cap")))
        return rows


def period_formset(data=None, plan: RolloutPlan | None = None):
    # Bound rows are read as posted: with initial values, a row left as it was would count as
    # "unchanged" and be dropped.
    initial = []
    if plan is not None and data is None:
        initial = [{"label": p.label, "budget_cap": p.budget_cap} for p in plan.periods.order_by("position")]
    formset_class = forms.formset_factory(
        PeriodForm, formset=BasePeriodFormSet, extra=EXTRA_PERIOD_ROWS, max_num=40, absolute_max=40
    )
    return formset_class(data=data, initial=initial, prefix="periods")


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput)


class EntryMoveForm(forms.Form):
    """Where a school goes by hand: a year or wave of the plan, or out of the plan."""

    period = forms.ModelChoiceField(
        queryset=RolloutPeriod.objects.none(),
        required=False,
        label=_("Year or wave"),
        empty_label=_("Out of the plan"),
    )
    pin = forms.BooleanField(label=_("Pin"), required=False)

    def __init__(self, *args, plan: RolloutPlan, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "period").queryset = plan.periods.order_by("position")


class EntryForm(forms.Form):
    cost = forms.DecimalField(label=_("Cost (EUR)"), min_value=Decimal("0"), max_digits=14, decimal_places=2)
    readiness = forms.IntegerField(label=_("Readiness (0–100)"), min_value=0, max_value=100, required=False)
    preferred_period = forms.ModelChoiceField(
        queryset=RolloutPeriod.objects.none(), required=False, label=_("Preferred year or wave")
    )

    def __init__(self, *args, plan: RolloutPlan, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "preferred_period").queryset = plan.periods.order_by("position")
