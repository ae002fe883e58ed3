"""Forms of the staff pages and the invitation link. They only parse input; ``services.people``
authorises, validates, writes and audits. The first and last name fields exist only when the
installation keeps names (``DIGILEAP_TRAINING_STAFF_NAMES``)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from digileap.accounts.forms_people import InvitationAcceptForm as AccountInvitationAcceptForm
from digileap.core.forms import model_choice_field
from digileap.programmes.forms import ServiceFormMixin

from .models import AgeBand, Gender, Membership, StaffMember, StaffRole
from .selectors.people import names_kept, visible_schools

CI10_HELP = _(
    "Optional. Used only to count participants in training by gender and age for the EU's common "
    "indicator 10; never shown per person."
)


def _schools(request):
    if request is None:
        return visible_schools(None)
    return visible_schools(request.user)


class StaffMemberFilter(django_filters.FilterSet):
    """Search and filters of the staff list: school, role, whether they have an account."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Staff reference or e-mail"))
    school = django_filters.ModelChoiceFilter(
        queryset=_schools, label=_("School"), empty_label=_("All schools"), method="filter_school"
    )
    role = django_filters.ChoiceFilter(
        choices=StaffRole.choices, label=_("Role"), empty_label=_("All roles"), method="filter_role"
    )
    has_account = django_filters.ChoiceFilter(
        choices=[("yes", _("Has an account")), ("no", _("Has no account"))],
        label=_("Account"),
        empty_label=_("With or without"),
        method="filter_account",
    )

    class Meta:
        model = StaffMember
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(reference__icontains=value) | Q(email__iexact=value)
        if names_kept():
            condition |= Q(first_name__icontains=value) | Q(last_name__icontains=value)
        return queryset.filter(condition)

    def filter_school(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Membership.objects.filter(staff=OuterRef("pk"), school=value, is_active=True)))

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        memberships = Membership.objects.filter(staff=OuterRef("pk"), role=value, is_active=True)
        school = self.form.cleaned_data.get("school") if hasattr(self.form, "cleaned_data") else None
        if school:
            memberships = memberships.filter(school=school)
        return queryset.filter(Exists(memberships))

    def filter_account(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(user__isnull=False)
        if value == "no":
            return queryset.filter(user__isnull=True)
        return queryset


class StaffForm(ServiceFormMixin, forms.Form):
    """A new staff record (with its school and role) or the edit of one (without)."""

    school: forms.ModelChoiceField = forms.ModelChoiceField(label=_("School"), queryset=None)
    role = forms.ChoiceField(label=_("Role at the school"), choices=StaffRole.choices, initial=StaffRole.TEACHER)
    reference = forms.CharField(
        label=_("Staff reference"),
        max_length=64,
        help_text=_("The number the authority knows the person by, unique within the authority."),
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Optional. Only for the invitation to sign in.")
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("Not given"))] + list(Gender.choices), required=False, help_text=CI10_HELP
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[("", _("Not given"))] + list(AgeBand.choices), required=False, help_text=CI10_HELP
    )

    def __init__(self, *args, schools=None, staff: StaffMember | None = None, **kwargs):
        if staff is not None:
            kwargs.setdefault("initial", {name: getattr(staff, name) for name in self.staff_fields()})
        super().__init__(*args, **kwargs)
        if staff is not None or schools is None:
            del self.fields["school"]
            del self.fields["role"]
        else:
            field = model_choice_field(self, "school")
            field.queryset = schools
            only = list(schools[:2])
            if len(only) == 1:
                field.empty_label = None
                self.initial.setdefault("school", only[0].pk)
        if not names_kept():
            del self.fields["first_name"]
            del self.fields["last_name"]

    @staticmethod
    def staff_fields() -> tuple[str, ...]:
        names = ("first_name", "last_name") if names_kept() else ()
        return ("reference", "email", *names, "gender", "age_band")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.staff_fields()}


class MembershipForm(ServiceFormMixin, forms.Form):
    school: forms.ModelChoiceField = forms.ModelChoiceField(label=_("School"), queryset=None)
    role = forms.ChoiceField(label=_("Role at the school"), choices=StaffRole.choices, initial=StaffRole.TEACHER)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school").queryset = schools


class InviteForm(ServiceFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), help_text=_("The invitation link goes to this address; it works once."))


class StaffUploadForm(ServiceFormMixin, forms.Form):
    school: forms.ModelChoiceField = forms.ModelChoiceField(label=_("School"), queryset=None)
    file = forms.FileField(
        label=_("Staff list"),
        help_text=_(
            "CSV (as Excel saves it, with ; between columns) or XLSX with the columns: reference; e-mail; "
            "role; gender; age band. Only the reference is required."
        ),
    )

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        field.queryset = schools
        only = list(schools[:2])
        if len(only) == 1:
            field.empty_label = None
            self.initial.setdefault("school", only[0].pk)


class InvitationAcceptForm(AccountInvitationAcceptForm):
    """The invitation link's form: the teacher's username and password (twice), as for every
    invitation (``digileap.accounts.forms_people``)."""
