"""Every action an audit event may record, with its label in words.

``digileap.core.audit.record`` and ``record_many`` refuse an action that is not listed here
(``ValueError``), so a new kind of change needs a member here first: the value is what the event
stores (lower case, underscores, at most 64 characters; never rename a stored one), the label is
what the audit log and the history tables show.

The labels of the first block were translated before the enumeration existed and keep their plain
message ids. The others carry the context ``audit action``, because the same English word means
something else on other pages ("started" is a ticket's repair state, "closed" a school's status).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The context is written out in every call: makemessages (xgettext) reads literals only.
CONTEXT = "audit action"


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    IMPORT = "import", _("imported")
    APPROVE = "approve", _("approved")
    PUBLISH = "publish", _("published")
    UNPUBLISH = "unpublish", _("unpublished")
    ACTIVATE = "activate", _("activated")
    DEACTIVATE = "deactivate", _("deactivated")
    UPDATE_FIGURES = "update_figures", _("figures changed")
    ACCEPT = "accept", _("accepted")
    WITHDRAW = "withdraw", _("withdrawn")
    CANCEL = "cancel", _("cancelled")
    CLOSE = "close", _("closed")

    ACKNOWLEDGE = "acknowledge", pgettext_lazy("audit action", "acknowledged")
    ADOPT = "adopt", pgettext_lazy("audit action", "adopted")
    AMEND = "amend", pgettext_lazy("audit action", "amended")
    ASSESS = "assess", pgettext_lazy("audit action", "assessed")
    BUILD = "build", pgettext_lazy("audit action", "built")
    COMPUTE = "compute", pgettext_lazy("audit action", "computed")
    CONFIRM_DEVICES = "confirm_devices", pgettext_lazy("audit action", "devices confirmed")
    COPY = "copy", pgettext_lazy("audit action", "copied")
    DECIDE = "decide", pgettext_lazy("audit action", "decided")
    DELIVERY_STATUS = "delivery_status", pgettext_lazy("audit action", "delivery status changed")
    EXPORT = "export", pgettext_lazy("audit action", "exported")
    MOVE = "move", pgettext_lazy("audit action", "moved")
    OPTIMISE = "optimise", pgettext_lazy("audit action", "optimisation started")
    OPTIMISED = "optimised", pgettext_lazy("audit action", "optimised")
    OPTIMISE_FAILED = "optimise_failed", pgettext_lazy("audit action", "optimisation failed")
    PHASE = "phase", pgettext_lazy("audit action", "phase changed")
    PLACE = "place", pgettext_lazy("audit action", "placed")
    PROMOTE = "promote", pgettext_lazy("audit action", "moved up from the waiting list")
    REJECT = "reject", pgettext_lazy("audit action", "rejected")
    REMIND = "remind", pgettext_lazy("audit action", "reminder sent")
    REPLACE = "replace", pgettext_lazy("audit action", "replaced")
    RESOLVE = "resolve", pgettext_lazy("audit action", "resolved")
    SCHEDULE = "schedule", pgettext_lazy("audit action", "scheduled")
    START = "start", pgettext_lazy("audit action", "started")
    STATUS = "status", pgettext_lazy("audit action", "status changed")
    SUPERSEDE = "supersede", pgettext_lazy("audit action", "superseded")
    TICK = "tick", pgettext_lazy("audit action", "ticked off")
    TRANSITION = "transition", pgettext_lazy("audit action", "state changed")
    UNTICK = "untick", pgettext_lazy("audit action", "tick removed")
    VERIFY = "verify", pgettext_lazy("audit action", "verified")
    # People, roles, second factor, background jobs and pupils' rights (issue 15).
    INVITE = "invite", pgettext_lazy("audit action", "invited")
    ASSIGN = "assign", pgettext_lazy("audit action", "role assigned")
    CHANGE = "change", pgettext_lazy("audit action", "role changed")
    REVOKE = "revoke", pgettext_lazy("audit action", "role revoked")
    TOTP_ENABLE = "totp_enable", pgettext_lazy("audit action", "second factor set up")
    TOTP_DISABLE = "totp_disable", pgettext_lazy("audit action", "second factor removed")
    RETRY = "retry", pgettext_lazy("audit action", "tried again")
    STALE = "stale", pgettext_lazy("audit action", "failed without a sign of life")
    ERASE = "erase", pgettext_lazy("audit action", "erased")


ACTION_VALUES: frozenset[str] = frozenset(AuditAction.values)


def check_action(action: str) -> str:
    """``action`` if it is an ``AuditAction``; else ``ValueError`` naming it."""
    if action not in ACTION_VALUES:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction in digileap/core/audit_actions.py")
    return str(action)


def action_label(action: str) -> str:
    """The action in words; a stored action that is no longer listed shows as it was stored."""
    if action in ACTION_VALUES:
        return str(AuditAction(action).label)
    return str(action)
