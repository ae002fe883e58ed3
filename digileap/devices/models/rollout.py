"""Roll-out to pupils and teachers: pseudonymous recipients, assignments of devices (one open
assignment per device, a database constraint), user agreements, and the roll-out board."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .devices import SCHOOL_SCOPE, Device


class Recipient(models.Model):
    """A pupil or teacher who receives a device, known by a school-local pseudonymous reference.

    No names by default: ``display_name`` stays empty unless the installation turns on
    ``PUPIL_NAMES_ENABLED``.
    """

    class Kind(models.TextChoices):
        PUPIL = "pupil", _("Pupil")
        TEACHER = "teacher", _("Teacher")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CLASS_LIST = "class_list", _("Class list")
        ONEROSTER = "oneroster", _("OneRoster")

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="recipients", verbose_name=_("school")
    )
    reference = models.CharField(_("reference"), max_length=64, help_text=_("The school's own pseudonymous code."))
    kind = models.CharField(_("pupil or teacher"), max_length=8, choices=Kind.choices, default=Kind.PUPIL)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    group = models.CharField(_("class or group"), max_length=40, blank=True)
    isced_level = models.PositiveSmallIntegerField(_("level (ISCED)"), null=True, blank=True)
    eligibility_group = models.CharField(_("eligibility group"), max_length=40, blank=True)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    is_active = models.BooleanField(_("active"), default=True)
    erased_at = models.DateTimeField(
        _("erased at"),
        null=True,
        blank=True,
        help_text=_("Set when the person's data was erased: the record stays as a tombstone for the devices' history."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["school", "group", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["school", "reference"], name="recipient_reference_unique_in_school"),
            models.CheckConstraint(name="recipient_reference_not_blank", condition=~Q(reference="")),
        ]
        indexes = [models.Index(fields=["school", "group", "reference"], name="recipient_school_group_idx")]

    def __str__(self) -> str:
        return self.reference


class Assignment(models.Model):
    """A device handed to a recipient, with the kit that came with it, until it is returned.

    One open assignment (``returned_at`` empty) per device is a database constraint, so two
    concurrent hand-outs of the same device cannot both succeed.
    """

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("device"))
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("recipient")
    )
    kit = models.JSONField(_("kit"), default=list, blank=True, help_text=_("What came with the device: charger, bag."))
    assigned_at = models.DateTimeField(_("handed out at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kit_returned = models.JSONField(_("kit returned"), default=list, blank=True)
    return_note = models.CharField(_("return note"), max_length=500, blank=True)

    scope_paths = {
        "authority": "recipient__school__authority",
        "operator": "recipient__school__operator",
        "school": "recipient__school",
    }

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(returned_at__isnull=True), name="one_open_assignment_per_device"
            ),
            models.CheckConstraint(
                name="assignment_returned_after_assigned",
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("assigned_at")),
            ),
        ]
        indexes = [models.Index(fields=["recipient", "returned_at"], name="assignment_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.recipient_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class AgreementTemplate(models.Model):
    """The text of the user agreement of a programme in one language. ``body`` may use the
    placeholders {programme}, {school}, {recipient}, {device}, {serial}, {kit}, {date}."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="agreement_templates",
        verbose_name=_("programme"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = {
        "authority": "programme__authority",
        "operator": "programme__authority__operators",
        "school": "programme__authority__schools",
    }

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        ordering = ["programme", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "language", "version"], name="agreement_template_unique"),
            models.UniqueConstraint(
                fields=["programme", "language"], condition=Q(is_active=True), name="one_active_agreement_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language} v{self.version})"


class UserAgreement(models.Model):
    """The agreement for one assignment: sent, then accepted on paper (scan kept) or in the app."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")

    class Via(models.TextChoices):
        PAPER = "paper", _("Signed on paper (scan)")
        IN_APP = "in_app", _("Accepted in the app")

    class SignedBy(models.TextChoices):
        PARENT = "parent", _("Parent or guardian")
        PUPIL = "pupil", _("Pupil")
        TEACHER = "teacher", _("Teacher")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("assignment")
    )
    template = models.ForeignKey(
        AgreementTemplate, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("template")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(_("acceptance token"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_via = models.CharField(_("accepted via"), max_length=8, choices=Via.choices, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=8, choices=SignedBy.choices, blank=True)
    scan = models.FileField(_("signed scan"), upload_to="agreements/%Y/%m/", blank=True)
    scan_sha256 = models.CharField(_("SHA-256 of the scan"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    scope_paths = {
        "authority": "assignment__recipient__school__authority",
        "operator": "assignment__recipient__school__operator",
        "school": "assignment__recipient__school",
    }

    class Meta:
        verbose_name = _("user agreement")
        verbose_name_plural = _("user agreements")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="user_agreement_acceptance_recorded",
                condition=Q(status="pending", accepted_at__isnull=True, accepted_via="")
                | Q(status="accepted", accepted_at__isnull=False) & ~Q(accepted_via=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.assignment}"


class SchoolRollout(models.Model):
    """A school's place on the roll-out board of a programme: its phase (preparation, delivery,
    aftercare until a set date), its status, the OS image or profile chosen, and checklists."""

    class Phase(models.TextChoices):
        PREPARATION = "preparation", _("Preparation")
        DELIVERY = "delivery", _("Delivery")
        AFTERCARE = "aftercare", _("Aftercare")
        CLOSED = "closed", _("Closed")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="school_rollouts", verbose_name=_("programme")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="rollouts", verbose_name=_("school")
    )
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.PREPARATION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    os_profile = models.CharField(_("OS image or profile"), max_length=120, blank=True)
    aftercare_until = models.DateField(_("aftercare until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("school roll-out")
        verbose_name_plural = _("school roll-outs")
        ordering = ["programme", "school"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "school"], name="school_rollout_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_phase_display()}"


class ChecklistItem(models.Model):
    """One step of a school's roll-out checklist in one phase, ticked off by whom and when."""

    rollout = models.ForeignKey(SchoolRollout, on_delete=models.CASCADE, related_name="checklist")
    phase = models.CharField(_("phase"), max_length=12, choices=SchoolRollout.Phase.choices)
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("step"), max_length=200, blank=True, help_text=_("For steps added by hand."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_paths = {
        "authority": "rollout__school__authority",
        "operator": "rollout__school__operator",
        "school": "rollout__school",
    }

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["rollout", "phase", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rollout", "code"], name="checklist_item_code_unique"),
            models.CheckConstraint(
                name="checklist_item_done_recorded",
                condition=Q(is_done=False, done_at__isnull=True) | Q(is_done=True, done_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.code
