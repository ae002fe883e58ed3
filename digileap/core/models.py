from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change, append-only. Each entry carries the hash of the previous one (a hash chain).

    The actor is kept as a plain id and a label, so that deleting a user never rewrites history.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=80, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(
        _("key"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Which secret key the entry's HMAC was made with; empty for plain SHA-256 entries."),
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The newest entry of the audit chain. Locked while appending, so the chain never forks."""

    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash


class ImportJob(models.Model):
    """An uploaded file on its way into the database: preview, then commit, with progress."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWING = "previewing", _("Checking the file")
        PREVIEWED = "previewed", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    target = models.CharField(_("what is imported"), max_length=40)
    profile = models.CharField(_("profile"), max_length=80)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.BigIntegerField(_("size in bytes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    skip_invalid = models.BooleanField(_("skip rejected rows"), default=False)
    school_year = models.CharField(
        _("school year"), max_length=7, blank=True, help_text=_("Overrides the school year of every row.")
    )
    overrides = models.JSONField(
        _("values for every row"),
        default=dict,
        blank=True,
        help_text=_("Field values chosen on the upload form that every row gets, such as a class list's school."),
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_processed = models.PositiveIntegerField(_("rows checked"), default=0)
    phase = models.CharField(_("phase"), max_length=40, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    rejected_rows = models.JSONField(_("rejected rows"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("The uploader's language: messages are stored in it.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("Set by the worker while it runs the job; a job silent for too long is marked failed."),
    )
    worker = models.CharField(_("worker"), max_length=120, blank=True, help_text=_("Host and process id."))
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries", verbose_name=_("retry of")
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="import_job_size_non_negative", condition=models.Q(size_bytes__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.profile})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_processed / self.rows_total))

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.PREVIEWING, self.Status.COMMITTING)


class ImportProfile(models.Model):
    """A saved column mapping for an import target, in the JSON form of docs/imports.md."""

    name = models.SlugField(_("name"), max_length=80)
    target = models.CharField(_("what is imported"), max_length=40)
    definition = models.JSONField(_("definition"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["target", "name"]
        constraints = [
            # A name is unique per target: "generic" may exist for schools and for deliveries.
            models.UniqueConstraint(fields=["target", "name"], name="core_importprofile_unique_target_name"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.name}"
