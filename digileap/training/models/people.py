"""School staff as training sees them: a pseudonymous record per person and authority, the schools
they work at, the identifiers learning platforms know them by, and invitations to sign in."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def new_pseudonym() -> str:
    """A stable pseudonymous reference shown wherever the person must not be named (evidence packs)."""
    return "T-" + secrets.token_hex(5).upper()


class Gender(models.TextChoices):
    """The breakdown of the EU recovery scoreboard's common indicator 10."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")


class AgeBand(models.TextChoices):
    """The age groups of the EU recovery scoreboard's common indicator 10."""

    UNDER_18 = "0-17", _("0–17 years")
    FROM_18 = "18-29", _("18–29 years")
    FROM_30 = "30-54", _("30–54 years")
    FROM_55 = "55+", _("55 years or older")


class StaffRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    SCHOOL_LEADER = "school_leader", _("School leader")
    ICT_COORDINATOR = "ict_coordinator", _("ICT coordinator")
    TEACHING_ASSISTANT = "teaching_assistant", _("Teaching assistant")
    OTHER = "other", _("Other staff")


class StaffMember(models.Model):
    """A person on a school's staff, known to the authority by a staff reference. E-mail is only
    for invitations; gender and age band only for common indicator 10; names only where the
    installation keeps them (``DIGILEAP_TRAINING_STAFF_NAMES``)."""

    authority = models.ForeignKey(
        "schools.Authority", on_delete=models.PROTECT, related_name="staff_members", verbose_name=_("authority")
    )
    reference = models.CharField(_("staff reference"), max_length=64)
    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True, default=new_pseudonym, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_paths = {
        "authority": "authority",
        "operator": "memberships__school__operator",
        "school": "memberships__school",
        "staff": "pk",
    }

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["authority", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="staff_reference_unique_in_authority"),
            models.UniqueConstraint(
                "authority", Lower("email"), condition=~Q(email=""), name="staff_email_unique_in_authority"
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} ({self.reference})" if name else self.reference


class Membership(models.Model):
    """That a staff member works at a school, in a role."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="memberships")
    # A school removed from the registry takes its memberships along; enrolments and completions
    # at it keep it (PROTECT).
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(_("role"), max_length=24, choices=StaffRole.choices, default=StaffRole.TEACHER)
    is_active = models.BooleanField(_("works there"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_paths = {
        "authority": "school__authority",
        "operator": "school__operator",
        "school": "school",
        "staff": "staff",
    }

    class Meta:
        verbose_name = _("school of a staff member")
        verbose_name_plural = _("schools of staff members")
        constraints = [models.UniqueConstraint(fields=["staff", "school"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.school_id}"


class StaffIdentifier(models.Model):
    """How a learning platform knows a staff member (Moodle user id, xAPI account or mbox), so the
    same person in several files is one person. ``authority`` repeats the staff member's."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="identifiers")
    authority = models.ForeignKey("schools.Authority", on_delete=models.CASCADE, related_name="+")
    system = models.CharField(_("system"), max_length=40)
    identifier = models.CharField(_("identifier"), max_length=255)

    scope_paths = {
        "authority": "authority",
        "operator": "staff__memberships__school__operator",
        "school": "staff__memberships__school",
        "staff": "staff",
    }

    class Meta:
        verbose_name = _("platform identifier")
        verbose_name_plural = _("platform identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "system", "identifier"], name="staff_identifier_unique_in_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.identifier}"


class Invitation(models.Model):
    """A one-time link e-mailed to a staff member: following it creates their teacher account.
    Only the token's SHA-256 is stored."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    scope_paths = {
        "authority": "staff__authority",
        "operator": "staff__memberships__school__operator",
        "school": "staff__memberships__school",
        "staff": "staff",
    }

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.email}"
