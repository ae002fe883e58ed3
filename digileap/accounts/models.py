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
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data-protection officer")


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
    is_administrator = models.BooleanField(
        _("operator administrator"),
        default=False,
        help_text=_("Operator staff only: manages the operator's staff and its schools' coordinators."),
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    source = models.CharField(
        _("granted through"),
        max_length=20,
        choices=[("manual", _("Digileap")), ("identity_provider", _("Identity provider"))],
        default="manual",
        help_text=_("Roles from the identity provider's groups follow the provider: removed there, removed here."),
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
            models.CheckConstraint(
                name="role_assignment_administrator_is_operator_staff",
                condition=models.Q(is_administrator=False) | models.Q(role="operator_staff", scope_kind="operator"),
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
        }.get(ScopeKind(self.scope_kind))

    @property
    def scope_label(self) -> str:
        target = {
            ScopeKind.AUTHORITY: self.authority,
            ScopeKind.OPERATOR: self.operator,
            ScopeKind.SCHOOL: self.school,
            ScopeKind.SUPPLIER: self.supplier,
            ScopeKind.STAFF: self.staff,
        }.get(ScopeKind(self.scope_kind))
        return str(target) if target is not None else str(ScopeKind(self.scope_kind).label)

    def clean(self) -> None:
        if self.role == Role.ADMINISTRATOR and self.scope_kind != ScopeKind.ALL:
            raise ValidationError(_("An administrator's scope is always everything."))
        if self.role == Role.SUPPLIER and self.scope_kind not in (ScopeKind.SUPPLIER,):
            raise ValidationError(_("A supplier's scope is one supplier."))
        if (self.role == Role.TEACHER) != (self.scope_kind == ScopeKind.STAFF):
            raise ValidationError(_("A teacher's scope is their own staff record, and only a teacher's is."))


class UserInvitation(models.Model):
    """An invitation to Digileap with one role and scope: a one-time link by e-mail. Only the token's
    SHA-256 is stored; accepting it creates (or completes) the account and grants the role."""

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_kind = models.CharField(_("scope"), max_length=16, choices=ScopeKind.choices)
    authority = models.ForeignKey(
        "schools.Authority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authority"),
    )
    operator = models.ForeignKey(
        "schools.SchoolOperator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school operator"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    supplier = models.ForeignKey(
        "devices.Supplier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    is_administrator = models.BooleanField(_("operator administrator"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="invitations_sent", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="user_invitation_scope_matches_kind",
                condition=(
                    models.Q(
                        scope_kind="all",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=True,
                    )
                    | models.Q(
                        scope_kind="authority",
                        authority__isnull=False,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=True,
                    )
                    | models.Q(
                        scope_kind="operator",
                        authority__isnull=True,
                        operator__isnull=False,
                        school__isnull=True,
                        supplier__isnull=True,
                    )
                    | models.Q(
                        scope_kind="school",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=False,
                        supplier__isnull=True,
                    )
                    | models.Q(
                        scope_kind="supplier",
                        authority__isnull=True,
                        operator__isnull=True,
                        school__isnull=True,
                        supplier__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="user_invitation_administrator_is_operator_staff",
                condition=models.Q(is_administrator=False) | models.Q(role="operator_staff", scope_kind="operator"),
            ),
            models.CheckConstraint(
                name="user_invitation_not_both_accepted_and_withdrawn",
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()}"


class AccessRequest(models.Model):
    """A user who signed in (through single sign-on) but has no role yet: they wait on a page that
    says so, and the administrators of their authority see them in the people pages."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="access_request", verbose_name=_("user"))
    authority = models.ForeignKey(
        "schools.Authority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authority"),
    )
    details = models.JSONField(
        _("details"), default=dict, blank=True, help_text=_("What the identity provider said: groups, e-mail domain.")
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.user)


class SingleSignOnFailure(models.Model):
    """One rejected single sign-on, keyed by the identity the provider named (its subject or e-mail),
    so that repeated failures lock out that identity and not everyone behind the same address."""

    identity = models.CharField(_("identity"), max_length=254)
    reason = models.CharField(_("reason"), max_length=40)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("single sign-on failure")
        verbose_name_plural = _("single sign-on failures")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["identity", "occurred_at"], name="sso_failure_identity_idx")]

    def __str__(self) -> str:
        return f"{self.identity}: {self.reason}"
