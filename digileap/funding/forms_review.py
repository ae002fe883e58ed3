"""Forms of the review pages. They only parse input; ``services.review`` checks and writes, and its
``ValidationError`` goes back onto the form (``forms.add_service_errors``)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import User
from digileap.core.forms import FormMixinBase, model_choice_field

from .letters import PLACEHOLDERS
from .models import Application, Call, ReviewAnswer, ReviewStage
from .services.review import assignable_reviewers

LANGUAGE_CHOICES = list(settings.LANGUAGES)


class ReviewerForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Funding administrator"), queryset=User.objects.none())

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        assigned = call.reviewers.values("user_id")
        model_choice_field(self, "user").queryset = assignable_reviewers(call).exclude(pk__in=assigned)


class TranslatedTextsMixin(FormMixinBase):
    """One text field per language, gathered into ``{"en": ..., "de": ...}``."""

    texts_name = "text"
    texts_label = _("Text")

    def add_text_fields(self, initial: dict | None = None) -> None:
        for code, name in LANGUAGE_CHOICES:
            self.fields[f"{self.texts_name}_{code}"] = forms.CharField(
                label=f"{self.texts_label} ({name})",
                required=False,
                max_length=500,
                initial=(initial or {}).get(code, ""),
            )

    def texts(self) -> dict:
        return {
            code: self.cleaned_data[f"{self.texts_name}_{code}"].strip()
            for code, _name in LANGUAGE_CHOICES
            if self.cleaned_data.get(f"{self.texts_name}_{code}", "").strip()
        }

    def text_fields(self):
        return [self[f"{self.texts_name}_{code}"] for code, _name in LANGUAGE_CHOICES]


class ReviewItemForm(TranslatedTextsMixin, forms.Form):
    texts_name = "text"
    texts_label = _("Question")

    stage = forms.ChoiceField(label=_("Stage"), choices=ReviewStage.choices)
    code = forms.SlugField(label=_("Code"), max_length=40)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", {"stage": item.stage, "code": item.code, "position": item.position})
        super().__init__(*args, **kwargs)
        self.add_text_fields(item.text if item is not None else None)

    def item_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in ("stage", "code", "position")}
        data["text"] = self.texts()
        return data


class CriterionForm(TranslatedTextsMixin, forms.Form):
    texts_name = "name"
    texts_label = _("Name")

    code = forms.SlugField(label=_("Code"), max_length=40)
    max_score = forms.IntegerField(label=_("Highest score"), min_value=1, max_value=1000, initial=10)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, initial=1)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, criterion=None, **kwargs):
        if criterion is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": criterion.code,
                    "max_score": criterion.max_score,
                    "weight": criterion.weight,
                    "position": criterion.position,
                },
            )
        super().__init__(*args, **kwargs)
        self.add_text_fields(criterion.name if criterion is not None else None)

    def criterion_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in ("code", "max_score", "weight", "position")}
        data["name"] = self.texts()
        return data


def placeholder_help() -> str:
    return " ".join("{%s}" % name for name in PLACEHOLDERS)  # noqa: UP031 (braces are the placeholders' syntax)


class LetterTemplateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    body = forms.CharField(
        label=_("Text of the letter"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
        help_text=_("Paragraphs are separated by an empty line. A paragraph that is only {lines} becomes the table."),
    )

    def __init__(self, *args, template=None, **kwargs):
        if template is not None:
            kwargs.setdefault("initial", {"language": template.language, "body": template.body})
        super().__init__(*args, **kwargs)
        if template is not None:
            self.fields["language"].disabled = True


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("no", _("I have no conflict of interest with this application or its operator.")),
            ("yes", _("I have a conflict of interest.")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you declare a conflict."),
    )


class ChecklistForm(forms.Form):
    """One answer and note per question of the call's application checklist."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for item, answer in rows:
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.display_text,
                choices=[("", "–"), *ReviewAnswer.Answer.choices],
                required=False,
                initial=answer.answer if answer else "",
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000, initial=answer.note if answer else ""
            )
            self.rows.append((item, answer))

    def answers(self) -> list[dict]:
        return [
            {
                "item": item,
                "answer": self.cleaned_data[f"answer_{item.pk}"],
                "note": self.cleaned_data[f"note_{item.pk}"],
            }
            for item, _answer in self.rows
            if self.cleaned_data.get(f"answer_{item.pk}")
        ]

    def field_rows(self):
        return [(item, self[f"answer_{item.pk}"], self[f"note_{item.pk}"]) for item, _answer in self.rows]


class ScoresForm(forms.Form):
    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for criterion, score in rows:
            self.fields[f"score_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.display_name} (0–{criterion.max_score})",
                required=False,
                max_length=6,
                initial=score.score if score else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000, initial=score.note if score else ""
            )
            self.rows.append((criterion, score))

    def scores(self) -> list[dict]:
        return [
            {
                "criterion": criterion,
                "score": self.cleaned_data[f"score_{criterion.pk}"],
                "note": self.cleaned_data[f"note_{criterion.pk}"],
            }
            for criterion, _score in self.rows
            if self.cleaned_data.get(f"score_{criterion.pk}", "").strip()
        ]

    def field_rows(self):
        return [(criterion, self[f"score_{criterion.pk}"], self[f"note_{criterion.pk}"]) for criterion, _ in self.rows]


class DecisionLinesMixin(FormMixinBase):
    """One row per cost line: the funding approved (prefilled with the current amount) and the reason."""

    def add_line_fields(self, application: Application, current: dict[int, tuple] | None = None) -> None:
        self.lines = list(application.cost_lines.select_related("category", "school").order_by("position"))
        for line in self.lines:
            approved, reason = (current or {}).get(line.pk, (line.funding, ""))
            self.fields[f"approved_{line.pk}"] = forms.CharField(
                label=_("Line %(line)s: funding approved (EUR)") % {"line": line.position},
                required=False,
                max_length=20,
                initial=approved,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("Line %(line)s: reason for a reduction") % {"line": line.position},
                required=False,
                max_length=2000,
                initial=reason,
            )

    def line_entries(self) -> dict[int, dict]:
        return {
            line.pk: {
                "approved": self.cleaned_data.get(f"approved_{line.pk}", ""),
                "reason": self.cleaned_data.get(f"reason_{line.pk}", ""),
            }
            for line in self.lines
        }

    def line_rows(self):
        return [(line, self[f"approved_{line.pk}"], self[f"reason_{line.pk}"]) for line in self.lines]


class DecisionForm(DecisionLinesMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the lines as below")), ("reject", _("Reject the application"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a rejection."),
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language of the letter"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_line_fields(application)


class AmendForm(DecisionLinesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language of the letter"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args, application: Application, decision, **kwargs):
        kwargs.setdefault("initial", {"conditions": decision.conditions, "language": decision.language})
        super().__init__(*args, **kwargs)
        current = {line.cost_line_id: (line.approved, line.reason) for line in decision.lines.all()}
        self.add_line_fields(application, current)
