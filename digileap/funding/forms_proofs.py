"""Forms of the proof-of-use pages. They only parse input; ``services.proofs`` checks and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewAnswer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NarrativeForm(forms.Form):
    """The operator's narrative: what was bought and how it is used."""

    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was bought with the funding, where it is and how it is used."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("What the operator must change"), widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    """The authority's acceptance: funding found ineligible (with a reason) and when a repayment is due.
    The amount is a text field: the service names a wrong one (negative, not a number) precisely."""

    ineligible = forms.CharField(label=_("Funding found ineligible (EUR)"), required=False, initial="0.00")
    ineligible_reason = forms.CharField(
        label=_("Why it is ineligible"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    repayment_due_on = forms.DateField(label=_("Repayment due on"), required=False, widget=DATE_INPUT)


class ChecklistForm(forms.Form):
    """One answer and note per item of the call's proof-of-use checklist."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = []
        for item, answer in rows:
            name = f"item_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                label=item.display_text,
                choices=[("", "—"), *ReviewAnswer.Answer.choices],
                required=False,
                initial=answer.answer if answer else "",
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), required=False, initial=answer.note if answer else ""
            )
            self.items.append((item, name, f"note_{item.pk}"))

    def answers(self) -> list[dict]:
        return [
            {"item": item, "answer": self.cleaned_data[answer], "note": self.cleaned_data[note]}
            for item, answer, note in self.items
            if self.cleaned_data.get(answer)
        ]

    def rows(self):
        return [(self[answer], self[note]) for _item, answer, note in self.items]


class RepaidForm(forms.Form):
    settled_on = forms.DateField(label=_("Money came back on"), widget=DATE_INPUT)


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Why the repayment is waived"), widget=forms.Textarea(attrs={"rows": 2}))
