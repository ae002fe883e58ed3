"""Forms of enrolment, attendance and assessment pages. They only parse; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field

from .models import Attendance, StaffRole

MAX_SHEET_BYTES = 5 * 1024 * 1024


class AttendanceForm(forms.Form):
    """One tap: a person's status in a session, with minutes (blank: the session's length)."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    minutes = forms.CharField(label=_("Minutes"), required=False, max_length=12)

    def minutes_value(self):
        """None when blank or not present (the service then uses the session's length or 0)."""
        if self.cleaned_data["status"] != Attendance.Status.PRESENT:
            return None
        return self.cleaned_data.get("minutes") or None


class SigninSheetForm(forms.Form):
    file = forms.FileField(
        label=_("Sign-in sheet"),
        help_text=_(
            "CSV (comma or semicolon, UTF-8 or Latin-1) or XLSX with the columns staff reference (or e-mail), "
            "status (present, absent, excused) and minutes."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SHEET_BYTES:
            raise ValidationError(_("The sheet is larger than 5 MB."))
        return upload


class EnrolFilterForm(forms.Form):
    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *StaffRole.choices])

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "school").choices = [
            ("", _("All schools")),
            *((school.pk, school.name) for school in schools),
        ]


class AssessmentForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[("passed", _("Passed")), ("failed", _("Failed"))])
    score = forms.CharField(label=_("Score"), required=False, max_length=12)

    @property
    def passed(self) -> bool:
        return self.cleaned_data["result"] == "passed"
