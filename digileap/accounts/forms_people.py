"""Forms of the people pages. They only parse input, with choices limited to what the actor may
grant (``selectors.grantable_roles``, ``selectors.managed_scope_choices``); ``services``
authorises, validates, writes and audits."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import ServiceErrorsMixin

from .models import Role, RoleAssignment, ScopeKind, User
from .selectors import ROLE_SCOPES, SCOPE_FIELDS, assignments_in_reach, grantable_roles, managed_scope_choices, reach_of


class PeopleFilter(django_filters.FilterSet):
    """Search and filters of the people list: role, scope kind, active or not."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Username, name or e-mail address")
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, label=_("Role"), empty_label=_("All roles"), method="filter_role"
    )
    scope = django_filters.ChoiceFilter(
        choices=ScopeKind.choices, label=_("Scope"), empty_label=_("All scopes"), method="filter_scope"
    )
    active = django_filters.ChoiceFilter(
        choices=[("yes", _("Active")), ("no", _("Deactivated"))],
        label=_("Status"),
        empty_label=_("Active or not"),
        method="filter_active",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def _assignments(self):
        user = getattr(self.request, "user", None)
        return assignments_in_reach(user, RoleAssignment.objects.filter(user_id=OuterRef("pk")))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_role(self, queryset, name, value):
        return queryset.filter(Exists(self._assignments().filter(role=value))) if value else queryset

    def filter_scope(self, queryset, name, value):
        return queryset.filter(Exists(self._assignments().filter(scope_kind=value))) if value else queryset

    def filter_active(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(is_active=value == "yes")
        return queryset


class GrantForm(ServiceErrorsMixin, forms.Form):
    """A role and its scope: the role, then the one picker the role needs (authority, operator,
    school or supplier; none for "everything"). Only what the actor may grant is offered."""

    role = forms.ChoiceField(label=_("Role"))
    authority: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Authority"),
        help_text=_("For programme owners, funding administrators, auditors and data-protection officers."),
    )
    operator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("School operator"), help_text=_("For school operator staff.")
    )
    school: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("School"), help_text=_("For school ICT coordinators.")
    )
    supplier: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Supplier"), help_text=_("For suppliers.")
    )
    is_administrator = forms.BooleanField(
        required=False,
        label=_("Operator administrator"),
        help_text=_("School operator staff only: manages the operator's staff and its schools' coordinators."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.everything = reach_of(actor).everything
        roles = grantable_roles(actor)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Choose a role"))] + [
            (r, Role(r).label) for r in roles
        ]
        choices = managed_scope_choices(actor)
        for name in ("authority", "operator", "school", "supplier"):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = choices[name]
            field.empty_label = _("Everything") if name == "authority" and self.everything else "—"
            if not choices[name].exists():
                del self.fields[name]
        if Role.OPERATOR_STAFF not in roles:
            del self.fields["is_administrator"]

    def grant(self) -> dict[str, Any]:
        """The role, scope kind, scope and flag for a service."""
        data = self.cleaned_data
        role = data["role"]
        kinds = ROLE_SCOPES.get(role, ())
        scope_kind, scope = (kinds[0] if kinds else ScopeKind.ALL), None
        for kind in kinds:
            if kind == ScopeKind.ALL:
                continue
            value = data.get(SCOPE_FIELDS[ScopeKind(kind)])
            if value is not None:
                scope_kind, scope = kind, value
                break
        else:
            if ScopeKind.ALL in kinds and (self.everything or ScopeKind.ALL == kinds[0]):
                scope_kind = ScopeKind.ALL
        return {
            "role": role,
            "scope_kind": scope_kind,
            "scope": scope,
            "is_administrator": bool(data.get("is_administrator")),
        }


class InviteForm(GrantForm):
    email = forms.EmailField(label=_("E-mail address"), help_text=_("The one-time link goes there."))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "role"]


class ChangeRoleForm(GrantForm):
    def __init__(self, *args: Any, assignment: RoleAssignment, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "role": assignment.role,
                "authority": assignment.authority_id,
                "operator": assignment.operator_id,
                "school": assignment.school_id,
                "supplier": assignment.supplier_id,
                "is_administrator": assignment.is_administrator,
            },
        )
        super().__init__(*args, **kwargs)


class InvitationAcceptForm(ServiceErrorsMixin, forms.Form):
    """The username and password (twice) of the account an invitation link makes; the staff
    invitations of the training pages use it too. The service checks the username and the
    password (``invitations.check_new_account``)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with it. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_again")
            and cleaned["password"] != cleaned["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned
