"""Forms of user agreements and their templates. They parse input; the services check it, authorise and write."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import ServiceErrorsMixin, model_choice_field
from digileap.programmes.models import Programme
from digileap.schools.models import School

from ..models import UserAgreement
from ..services.agreements import PLACEHOLDERS, SCAN_MAX_BYTES, placeholder_errors


def placeholder_help() -> str:
    items = format_html_join(", ", "<code>{{{}}}</code> ({})", ((name, label) for name, label in PLACEHOLDERS.items()))
    return _("Placeholders you may use: %(placeholders)s. Separate paragraphs with a blank line.") % {
        "placeholders": items
    }


class TemplateTextForm(ServiceErrorsMixin, forms.Form):
    """A template's title and text (editing)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()

    def clean_body(self):
        body = self.cleaned_data["body"]
        if problems := placeholder_errors(body):
            raise ValidationError(problems)
        return body


class AgreementTemplateForm(TemplateTextForm):
    """A new template: for which programme and in which language."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["programme", "language", "title", "body"]

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes
        model_choice_field(self, "programme").label_from_instance = lambda p: f"{p.display_name} ({p.code})"


class AgreementFilterForm(forms.Form):
    """Filters of the agreement list: school, class or group, status, overdue only."""

    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=School.objects.none(), empty_label=_("Any school")
    )
    group = forms.CharField(label=_("Class or group"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *UserAgreement.Status.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools
        model_choice_field(self, "school").label_from_instance = lambda s: f"{s.name} ({s.number})"


class PrintForm(forms.Form):
    """Which pending agreements to print: a school's, of one class or group (empty: all groups)."""

    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    group = forms.CharField(
        label=_("Class or group"),
        required=False,
        max_length=40,
        help_text=_("Empty: every class and group of the school."),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools
        model_choice_field(self, "school").label_from_instance = lambda s: f"{s.name} ({s.number})"


class SignedByField(forms.ChoiceField):
    def __init__(self, *, signers, **kwargs):
        choices = [(value, UserAgreement.SignedBy(value).label) for value in signers]
        super().__init__(label=_("Signed by"), choices=choices, widget=forms.RadioSelect, **kwargs)


class PaperAcceptanceForm(ServiceErrorsMixin, forms.Form):
    """Record an agreement signed on paper: who signed it, and the scan."""

    scan = forms.FileField(
        label=_("Signed scan"),
        help_text=_("PDF, JPEG or PNG, at most %(limit)s MB.") % {"limit": SCAN_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, signers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_by"] = SignedByField(signers=signers)
        if len(signers) == 1:
            self.fields["signed_by"].initial = signers[0]
        self.order_fields(["signed_by", "scan"])


class InAppAcceptanceForm(ServiceErrorsMixin, forms.Form):
    """The parent's, pupil's or teacher's confirmation on the public page."""

    confirm = forms.BooleanField(label=_("I have read the agreement and accept it."))

    def __init__(self, *args, signers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_by"] = SignedByField(signers=signers)
        self.fields["signed_by"].label = _("I am")
        if len(signers) == 1:
            self.fields["signed_by"].initial = signers[0]
        self.order_fields(["signed_by", "confirm"])
