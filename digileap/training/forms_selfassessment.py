"""Forms of the self-assessment pages. They only parse input; ``services.selfassessment``
authorises, validates, writes and audits. A round's name is typed in the five languages with the
programmes app's ``TranslationsField``; the questionnaire has one group of radio buttons per
competence (a fieldset with the competence as its legend), the level statements as choices."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, label_choices
from digileap.programmes.forms import DateInput, ServiceFormMixin, TranslationsField
from digileap.programmes.models import Programme
from digileap.programmes.translation import localized

from .models import AssessmentRound, Framework
from .selectors.selfassessment import AreaItems


def framework_label(framework: Framework) -> str:
    owner = framework.authority.name if framework.authority is not None else _("shipped with Digileap")
    return f"{localized(framework.name) or framework.code} {framework.version} ({owner})"


class RoundForm(ServiceFormMixin, forms.Form):
    unique_field = "code"

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    framework = forms.ModelChoiceField(label=_("Competence framework"), queryset=Framework.objects.none())
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("A short code of your own, unique within the programme, e.g. 2025-before."),
    )
    name = TranslationsField(label=_("Name"), required=True, max_length=200)
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes"), widget=DateInput(), help_text=_("The last day answers are taken."))

    FIELDS = ("framework", "code", "name", "opens_on", "closes_on")

    def __init__(
        self,
        *args,
        programmes: QuerySet[Programme] | None = None,
        frameworks: QuerySet[Framework],
        round_: AssessmentRound | None = None,
        **kwargs,
    ):
        if round_ is not None:
            kwargs.setdefault("initial", {name: getattr(round_, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        if round_ is not None or programmes is None:
            del self.fields["programme"]
        else:
            field = label_choices(self, "programme", lambda programme: f"{programme.code}: {programme.display_name}")
            field.queryset = programmes
            only = list(programmes[:2])
            if len(only) == 1:
                field.empty_label = None
                self.initial.setdefault("programme", only[0].pk)
        framework_field = label_choices(self, "framework", framework_label)
        framework_field.queryset = frameworks.select_related("authority")
        digcompedu = [framework for framework in frameworks if framework.code == "digcompedu"]
        if digcompedu and round_ is None:
            self.initial.setdefault("framework", digcompedu[0].pk)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The round closes on or after the day it opens."))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class LevelRadioSelect(forms.RadioSelect):
    """The level statements of one competence, one radio button each."""

    template_name = "training/selfassessment/level_radios.html"


class QuestionnaireForm(ServiceFormMixin, forms.Form):
    """One required choice per competence (``competence_<id>``: the rank of a level), and the
    school answered for when the teacher works at several."""

    def __init__(
        self, *args, areas: list[AreaItems], schools=(), initial_ranks: dict[int, int] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.areas = areas
        initial_ranks = initial_ranks or {}
        for entry in areas:
            for item in entry.items:
                competence = item.competence
                label = f"{competence.code} {localized(competence.name)}".strip()
                name = f"competence_{competence.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    choices=[(rank, f"{code}: {text}") for rank, code, text in item.statements],
                    coerce=int,
                    widget=LevelRadioSelect,
                    error_messages={"required": _("Choose a level for %(competence)s.") % {"competence": label}},
                )
                if competence.pk in initial_ranks:
                    self.initial[name] = initial_ranks[competence.pk]
        schools = list(schools)
        if len(schools) > 1:
            self.fields["school"] = forms.TypedChoiceField(
                label=_("The school you answer for"),
                choices=[(school.pk, school.name) for school in schools],
                coerce=int,
            )
        self.schools = {school.pk: school for school in schools}

    def grouped(self) -> list[tuple]:
        """(area, [bound fields]) in the framework's order, for the template."""
        return [
            (entry.area, [self[f"competence_{item.competence.pk}"] for item in entry.items]) for entry in self.areas
        ]

    def answers(self) -> dict[int, int]:
        return {
            int(name.removeprefix("competence_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("competence_")
        }

    def school(self):
        if "school" in self.fields:
            return self.schools.get(self.cleaned_data.get("school"))
        return None


class ResultsForm(forms.Form):
    """The results page's choices: the grouping and an earlier round to compare with."""

    GROUP_LABELS = {
        "all": _("All teachers in your scope"),
        "school": _("By school"),
        "operator": _("By school operator"),
        "region": _("By region"),
    }

    group_by = forms.ChoiceField(label=_("Groups"), required=False)
    earlier = forms.TypedChoiceField(
        label=_("Compare with the earlier round"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, kinds: list[str], earlier_rounds, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "group_by").choices = [(kind, self.GROUP_LABELS[kind]) for kind in kinds]
        choice_field(self, "earlier").choices = [("", _("No comparison"))] + [
            (round_.pk, f"{round_.code}: {round_}") for round_ in earlier_rounds
        ]
