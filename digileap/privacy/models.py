"""The pupil-data access log and the erasure records (GDPR arts. 15 and 17)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a person reads for the route names the log stores (``what``); other values are shown as stored.
WHAT_LABELS = {
    "devices:recipient-list": _("Pupils and recipients (list)"),
    "devices:recipient-detail": _("A pupil's page"),
    "devices:recipient-edit": _("A pupil's record (edit form)"),
    "devices:assignment-handout": _("Hand-out of devices"),
    "devices:assignment-return": _("Return of a device"),
    "devices:device-detail": _("A device's page (who had it)"),
    "devices:useragreement-list": _("User agreements (list)"),
    "devices:useragreement-detail": _("A user agreement"),
    "devices:useragreement-record": _("Recording a signed user agreement"),
    "devices:useragreement-pdf": _("A user agreement (PDF)"),
    "devices:useragreement-print": _("User agreements of a class (PDF)"),
    "devices:useragreement-accept": _("Acceptance page of a user agreement"),
    "privacy:recipient-rights": _("A pupil's rights page"),
    "privacy:recipient-export-json": _("A pupil's data export (JSON)"),
    "privacy:recipient-export-pdf": _("A pupil's data export (PDF)"),
    # API reads (``PupilReadLogMixin``): "api:<basename>-<action>".
    "api:recipient-list": _("API: pupils and recipients (list)"),
    "api:recipient-retrieve": _("API: a pupil or recipient"),
    "api:assignment-list": _("API: hand-outs of devices (list)"),
    "api:assignment-retrieve": _("API: a hand-out of a device"),
    "api:useragreement-list": _("API: user agreements (list)"),
    "api:useragreement-retrieve": _("API: a user agreement"),
}
API_PREFIX = "api:"


class PupilDataAccess(models.Model):
    """One read of pupil-level data: a page, a list, an export or an API call, with how many pupils it
    showed. One row per read, whatever the number of pupils, so that logging stays cheap; the pupils'
    ids are kept in the row so that a pupil's own export can list the reads that showed them."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_label = models.CharField(_("who"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, help_text=_("page, export, api or command"))
    what = models.CharField(_("what"), max_length=200, help_text=_("The page, export or API route that was read."))
    path = models.CharField(_("address"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("pupils shown"))
    recipient_ids = models.JSONField(_("pupils"), default=list, blank=True)
    authority = models.ForeignKey(
        "schools.Authority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authority"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    request_id = models.CharField(_("request id"), max_length=80, blank=True)

    scope_paths = {"authority": "authority", "school": "school"}

    class Meta:
        verbose_name = _("pupil-data access")
        verbose_name_plural = _("pupil-data accesses")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(name="pupil_data_access_rows_non_negative", condition=models.Q(rows__gte=0))
        ]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.what} ({self.rows})"

    @property
    def what_label(self) -> str:
        """The read in words (a page's, an export's or an API route's name), in the active language;
        a route without a name in words is shown as stored."""
        label = WHAT_LABELS.get(self.what)
        return str(label) if label is not None else self.what


class Erasure(models.Model):
    """The record that one recipient's personal data was erased (GDPR art. 17). It names the recipient
    only by id and tombstone, never by the erased reference or name."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("The person asked for it")
        RETENTION = "retention", _("Retention period over")

    recipient = models.OneToOneField(
        "devices.Recipient", on_delete=models.PROTECT, related_name="erasure", verbose_name=_("recipient")
    )
    tombstone = models.CharField(_("tombstone reference"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )

    scope_paths = {"authority": "recipient__school__authority", "school": "recipient__school"}

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-id"]
        constraints = [models.CheckConstraint(name="erasure_tombstone_not_blank", condition=~models.Q(tombstone=""))]

    def __str__(self) -> str:
        return self.tombstone
