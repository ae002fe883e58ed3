"""Forms of the speed test pages: a new test link, and the start of a test (wired or Wi-Fi)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field

from .models import Connection
from .services.speedtests import MAX_LINK_DAYS

CONNECTION_CHOICES = [(Connection.WIRED, _("Wired (network cable)")), (Connection.WIFI, _("Wi-Fi"))]


class TestLinkForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=120,
        required=False,
        help_text=_("Who or where it is for, e.g. staff room, ICT lab."),
    )
    site: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("The whole school")
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_LINK_DAYS)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites
        self.fields["days"].initial = settings.DIGILEAP_SPEEDTEST_LINK_DAYS

    def add_service_error(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class StartForm(forms.Form):
    connection = forms.ChoiceField(
        label=_("How is this device connected?"), choices=CONNECTION_CHOICES, widget=forms.RadioSelect
    )
    site: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("The whole school")
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is None:
            del self.fields["site"]
        else:
            model_choice_field(self, "site").queryset = sites
