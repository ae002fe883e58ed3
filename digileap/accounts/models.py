from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PROGRAMME_OWNER = "programme_owner", _("Programme owner")
    FUNDING_ADMINISTRATOR = "funding_administrator", _("Funding administrator")
    OPERATOR_STAFF = "operator_staff", _("School operator staff")
    SCHOOL_COORDINATOR = "school_coordinator", _("School ICT coordinator")
    SUPPLIER = "supplier", _("Supplier")
    AUDITOR = "auditor", _("Auditor")
    TEACHER = "teacher", _("Teacher")


class ScopeKind(models.TextChoices):
    ALL = "all", _("Everything")
    AUTHORITY = "authority", _("One authority")
    OPERATOR = "operator", _("One school operator")
    SCHOOL = "school", _("One school")
    SUPPLIER = "supplier", _("One supplier")
    STAFF = "staff", _("One staff member (themself)")


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their role assignments."""

    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """A user's role within one scope: everything, an authority, an operator, a school or a supplier."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_kind = models.CharField(_("scope"), max_length=16, choices=ScopeKind.choices)
    authority = models.ForeignKey(
        "schools.Authority", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    operator = models.ForeignKey(
        "schools.SchoolOperator", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    supplier = models.ForeignKey("devices.Supplier", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    staff = models.ForeignKey(
        "training.StaffMember", on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Exactly the foreign key that matches the scope kind is set.
            models.CheckConstraint(
                name="role_assignment_scope_matches_kind",
                condition=(
                    models.Q(
                        scope_kind="all",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=True,
                        staff__isnull=True,
                    )
                    | models.Q(
                        scope_kind="authority",
                        authority__isnull=False,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=True,
                        staff__isnull=True,
                    )
                    | models.Q(
                        scope_kind="operator",
                        authority__isnull=True,
                        operator__isnull=False,
                        school__isnull=True,
                        supplier__isnull=True,
                        staff__isnull=True,
                    )
                    | models.Q(
                        scope_kind="school",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=False,
                        supplier__isnull=True,
                        staff__isnull=True,
                    )
                    | models.Q(
                        scope_kind="supplier",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=False,
                        staff__isnull=True,
                    )
                    | models.Q(
                        scope_kind="staff",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=True,
                        staff__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def scope_id(self) -> int | None:
        return {
            ScopeKind.AUTHORITY: self.authority_id,
            ScopeKind.OPERATOR: self.operator_id,
            ScopeKind.SCHOOL: self.school_id,
            ScopeKind.SUPPLIER: self.supplier_id,
            ScopeKind.STAFF: self.staff_id,
        }.get(self.scope_kind)

    @property
    def scope_label(self) -> str:
        target = {
            ScopeKind.AUTHORITY: self.authority,
            ScopeKind.OPERATOR: self.operator,
            ScopeKind.SCHOOL: self.school,
            ScopeKind.SUPPLIER: self.supplier,
            ScopeKind.STAFF: self.staff,
        }.get(self.scope_kind)
        return str(target) if target is not None else str(ScopeKind(self.scope_kind).label)

    def clean(self) -> None:
        if self.role == Role.ADMINISTRATOR and self.scope_kind != ScopeKind.ALL:
            raise ValidationError(_("An administrator's scope is always everything."))
        if self.role == Role.SUPPLIER and self.scope_kind not in (ScopeKind.SUPPLIER,):
            raise ValidationError(_("A supplier's scope is one supplier."))
        if (self.role == Role.TEACHER) != (self.scope_kind == ScopeKind.STAFF):
            raise ValidationError(_("A teacher's scope is their own staff record, and only a teacher's is."))
