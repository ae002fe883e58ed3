"""The form of the framework upload page. It only parses input; ``services.frameworks`` checks
the file, authorises, writes and audits."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.programmes.forms import ServiceFormMixin
from digileap.schools.models import Authority


class FrameworkUploadForm(ServiceFormMixin, forms.Form):
    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())
    file = forms.FileField(
        label=_("Framework file"),
        help_text=_(
            "JSON in the shape of the shipped DigCompEdu file, or CSV with one row per competence and level "
            "(separated by ; or ,, UTF-8 or Latin-1). See the formats below."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )

    def __init__(self, *args, authorities: QuerySet[Authority], **kwargs):
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "authority")
        field.queryset = authorities
        only = list(authorities[:2])
        if len(only) == 1:
            field.empty_label = None
            self.initial.setdefault("authority", only[0].pk)

    def add_service_error(self, error) -> None:
        """A file's errors belong to the file field; those about the authority to its field."""
        if hasattr(error, "error_dict"):
            super().add_service_error(error)
            return
        self.add_error("file", error.messages)
