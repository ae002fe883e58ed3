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

    ACKNOWLEDGE = "acknowledge", pgettext_lazy(CONTEXT, "acknowledged")
    ADOPT = "adopt", pgettext_lazy(CONTEXT, "adopted")
    AMEND = "amend", pgettext_lazy(CONTEXT, "amended")
    ASSESS = "assess", pgettext_lazy(CONTEXT, "assessed")
    BUILD = "build", pgettext_lazy(CONTEXT, "built")
    COMPUTE = "compute", pgettext_lazy(CONTEXT, "computed")
    CONFIRM_DEVICES = "confirm_devices", pgettext_lazy(CONTEXT, "devices confirmed")
    COPY = "copy", pgettext_lazy(CONTEXT, "copied")
    DECIDE = "decide", pgettext_lazy(CONTEXT, "decided")
    DELIVERY_STATUS = "delivery_status", pgettext_lazy(CONTEXT, "delivery status changed")
    EXPORT = "export", pgettext_lazy(CONTEXT, "exported")
    MOVE = "move", pgettext_lazy(CONTEXT, "moved")
    OPTIMISE = "optimise", pgettext_lazy(CONTEXT, "optimisation started")
    OPTIMISED = "optimised", pgettext_lazy(CONTEXT, "optimised")
    OPTIMISE_FAILED = "optimise_failed", pgettext_lazy(CONTEXT, "optimisation failed")
    PHASE = "phase", pgettext_lazy(CONTEXT, "phase changed")
    PLACE = "place", pgettext_lazy(CONTEXT, "placed")
    PROMOTE = "promote", pgettext_lazy(CONTEXT, "moved up from the waiting list")
    REJECT = "reject", pgettext_lazy(CONTEXT, "rejected")
    REMIND = "remind", pgettext_lazy(CONTEXT, "reminder sent")
    REPLACE = "replace", pgettext_lazy(CONTEXT, "replaced")
    RESOLVE = "resolve", pgettext_lazy(CONTEXT, "resolved")
    SCHEDULE = "schedule", pgettext_lazy(CONTEXT, "scheduled")
    START = "start", pgettext_lazy(CONTEXT, "started")
    STATUS = "status", pgettext_lazy(CONTEXT, "status changed")
    SUPERSEDE = "supersede", pgettext_lazy(CONTEXT, "superseded")
    TICK = "tick", pgettext_lazy(CONTEXT, "ticked off")
    TRANSITION = "transition", pgettext_lazy(CONTEXT, "state changed")
    UNTICK = "untick", pgettext_lazy(CONTEXT, "tick removed")
    VERIFY = "verify", pgettext_lazy(CONTEXT, "verified")
    # People, roles, second factor, background jobs and pupils' rights (issue 15).
    INVITE = "invite", pgettext_lazy(CONTEXT, "invited")
    ASSIGN = "assign", pgettext_lazy(CONTEXT, "role assigned")
    CHANGE = "change", pgettext_lazy(CONTEXT, "role changed")
    REVOKE = "revoke", pgettext_lazy(CONTEXT, "role revoked")
    TOTP_ENABLE = "totp_enable", pgettext_lazy(CONTEXT, "second factor set up")
    TOTP_DISABLE = "totp_disable", pgettext_lazy(CONTEXT, "second factor removed")
    RETRY = "retry", pgettext_lazy(CONTEXT, "tried again")
    STALE = "stale", pgettext_lazy(CONTEXT, "failed without a sign of life")
    ERASE = "erase", pgettext_lazy(CONTEXT, "erased")


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
