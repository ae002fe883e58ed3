"""E-mail reminders of a call's deadlines: decisions, claims and proof of use.

For every call, on each run (daily: ``manage.py send_funding_reminders`` or the task
``send_funding_reminders``):

- **decisions** (``call.decision_deadline``), while applications of the call are not decided
  (submitted, in formal check, more information, resubmitted, in review): to the call's reviewers
  (``CallReviewer``) and the programme owners of the call's authority. Key
  ``decisions:<call>:<due>:<step>``.
- **claims** (``call.claim_deadline``), per operator whose open grants of the call still have
  approved funding not claimed (claims submitted, approved or paid count as claimed): to the
  operator's staff. Key ``claims:<call>:<operator>:<due>:<step>``.
- **proof of use** (the proof's ``due_on``, else ``call.proof_of_use_deadline``), per operator and
  due day, for proofs that are due or returned on open grants: to the operator's staff. Key
  ``proofs:<call>:<operator>:<due>:<step>``.

The steps are the days before the deadline of ``settings.DIGILEAP_FUNDING_REMINDER_DAYS``
(default 30, 7 and 1) and ``overdue`` once the day has passed. The step of a run is the smallest
that has been reached (a first run 5 days before sends the 7-day reminder, not the 30-day one as
well). Each key is sent once: the ``Reminder`` row (unique key) is written in the same transaction
as the e-mails are sent, so a rerun sends nothing and a failed send leaves no row.

Each recipient (active, with an e-mail address) gets a plain-text and an HTML e-mail in their
preferred language (``User.preferred_language``, else the site's), with dates and amounts written
as that language writes them. Nobody to write to: no row, counted as ``without_recipients``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from digileap.accounts.models import Role, RoleAssignment, User
from digileap.core import audit
from digileap.core.formatting import format_money
from digileap.schools.models import SchoolOperator

from ..models import (
    Application,
    ApplicationState,
    Call,
    CallReviewer,
    GrantLine,
    InvoiceLine,
    ProofOfUse,
    Reminder,
)
from ..selectors.grants import COUNTED_STATES as CLAIMED_STATES
from ..selectors.proofs import OPEN_STATES

OVERDUE = "overdue"
UNDECIDED_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.FORMAL_CHECK,
    ApplicationState.MORE_INFORMATION,
    ApplicationState.RESUBMITTED,
    ApplicationState.REVIEW,
)
ACTOR = "funding reminders"


def reminder_days() -> list[int]:
    """The days before a deadline at which to remind, largest first."""
    days = settings.DIGILEAP_FUNDING_REMINDER_DAYS
    return sorted({int(day) for day in days if int(day) >= 0}, reverse=True)


def reminder_step(due_on: datetime.date, today: datetime.date, days: list[int]) -> str | None:
    """``overdue`` after the day, else the smallest step of ``days`` reached, else None."""
    left = (due_on - today).days
    if left < 0:
        return OVERDUE
    reached = [day for day in days if left <= day]
    return str(min(reached)) if reached else None


@dataclass
class Due:
    """One reminder to send: what, for which call (and operator), to whom, with what to say."""

    key: str
    kind: str
    call: Call
    due_on: datetime.date
    step: str
    today: datetime.date
    operator: SchoolOperator | None = None
    recipients: list[User] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def _users(query: Q) -> list[User]:
    return list(User.objects.filter(query, is_active=True).exclude(email="").distinct().order_by("email", "pk"))


def operator_staff(operator_id: int) -> list[User]:
    user_ids = RoleAssignment.objects.filter(role=Role.OPERATOR_STAFF, operator_id=operator_id).values("user_id")
    return _users(Q(pk__in=user_ids))


def decision_recipients(call: Call) -> list[User]:
    """The call's reviewers and the programme owners of its authority."""
    owners = RoleAssignment.objects.filter(role=Role.PROGRAMME_OWNER, authority_id=call.programme.authority_id).values(
        "user_id"
    )
    reviewers = CallReviewer.objects.filter(call=call).values("user_id")
    return _users(Q(pk__in=owners) | Q(pk__in=reviewers))


def _decisions_due(call: Call, today, days) -> list[Due]:
    if call.decision_deadline is None:
        return []
    step = reminder_step(call.decision_deadline, today, days)
    if step is None:
        return []
    pending = list(
        Application.objects.filter(call=call, state__in=UNDECIDED_STATES)
        .select_related("operator")
        .order_by("operator__name", "number")
    )
    if not pending:
        return []
    return [
        Due(
            key=f"decisions:{call.pk}:{call.decision_deadline.isoformat()}:{step}",
            kind="decisions",
            call=call,
            due_on=call.decision_deadline,
            step=step,
            today=today,
            recipients=decision_recipients(call),
            context={
                "applications": [
                    {"operator": row.operator.name, "number": row.number, "state": row.state} for row in pending
                ],
                "path": reverse("funding:call-detail", args=[call.pk]),
            },
        )
    ]


def _claims_due(call: Call, today, days) -> list[Due]:
    if call.claim_deadline is None:
        return []
    step = reminder_step(call.claim_deadline, today, days)
    if step is None:
        return []
    approved = dict(
        GrantLine.objects.filter(grant__call=call, grant__closed_at__isnull=True)
        .values("grant__operator")
        .annotate(total=Sum("approved"))
        .values_list("grant__operator", "total")
    )
    claimed = dict(
        InvoiceLine.objects.filter(
            grant_line__grant__call=call,
            grant_line__grant__closed_at__isnull=True,
            invoice__claim__state__in=CLAIMED_STATES,
        )
        .values("grant_line__grant__operator")
        .annotate(total=Sum("claimed"))
        .values_list("grant_line__grant__operator", "total")
    )
    open_amounts = {
        operator_id: total - (claimed.get(operator_id) or Decimal("0"))
        for operator_id, total in approved.items()
        if total - (claimed.get(operator_id) or Decimal("0")) > 0
    }
    operators = SchoolOperator.objects.in_bulk(list(open_amounts))
    due = []
    for operator_id in sorted(open_amounts):
        grants = sorted(
            set(
                GrantLine.objects.filter(
                    grant__call=call, grant__operator_id=operator_id, grant__closed_at__isnull=True
                ).values_list("grant__number", flat=True)
            )
        )
        due.append(
            Due(
                key=f"claims:{call.pk}:{operator_id}:{call.claim_deadline.isoformat()}:{step}",
                kind="claims",
                call=call,
                due_on=call.claim_deadline,
                step=step,
                today=today,
                operator=operators[operator_id],
                recipients=operator_staff(operator_id),
                context={
                    "unclaimed": open_amounts[operator_id],
                    "grants": grants,
                    "path": reverse("funding:call-list"),
                },
            )
        )
    return due


def _proofs_due(call: Call, today, days) -> list[Due]:
    proofs = (
        ProofOfUse.objects.filter(grant__call=call, grant__closed_at__isnull=True, state__in=OPEN_STATES)
        .select_related("grant__operator")
        .order_by("grant__operator_id", "grant__number")
    )
    groups: dict[tuple[int, datetime.date], list[ProofOfUse]] = {}
    for proof in proofs:
        due_on = proof.due_on or call.proof_of_use_deadline
        if due_on is None:
            continue
        groups.setdefault((proof.grant.operator_id, due_on), []).append(proof)
    due = []
    for (operator_id, due_on), rows in sorted(groups.items()):
        step = reminder_step(due_on, today, days)
        if step is None:
            continue
        due.append(
            Due(
                key=f"proofs:{call.pk}:{operator_id}:{due_on.isoformat()}:{step}",
                kind="proofs",
                call=call,
                due_on=due_on,
                step=step,
                today=today,
                operator=rows[0].grant.operator,
                recipients=operator_staff(operator_id),
                context={
                    "proofs": [
                        {
                            "grant": proof.grant.number,
                            "state": proof.state,
                            "path": reverse("funding:proofofuse-detail", args=[proof.pk]),
                        }
                        for proof in rows
                    ]
                },
            )
        )
    return due


def reminders_due(today: datetime.date, days: list[int] | None = None) -> list[Due]:
    """Every reminder a run on ``today`` would consider (sent ones included; the key tells)."""
    days = reminder_days() if days is None else days
    calls = (
        Call.objects.filter(
            Q(decision_deadline__isnull=False) | Q(claim_deadline__isnull=False) | Q(grants__proof_of_use__isnull=False)
        )
        .select_related("programme")
        .distinct()
        .order_by("pk")
    )
    due: list[Due] = []
    for call in calls:
        due += _decisions_due(call, today, days)
        due += _claims_due(call, today, days)
        due += _proofs_due(call, today, days)
    return due


def language_of(user: User) -> str:
    code = (user.preferred_language or "").lower()
    languages = dict(settings.LANGUAGES)
    if code in languages:
        return code
    if code.split("-")[0] in languages:
        return code.split("-")[0]
    return settings.LANGUAGE_CODE


def _subject(item: Due) -> str:
    values = {"call": item.call.code, "day": formats.date_format(item.due_on, "DATE_FORMAT")}
    overdue = item.step == OVERDUE
    if item.kind == "decisions":
        text = (
            _("Overdue: decisions on %(call)s were due on %(day)s")
            if overdue
            else _("Decisions on %(call)s are due on %(day)s")
        )
    elif item.kind == "claims":
        text = (
            _("Overdue: claims of %(call)s were due on %(day)s")
            if overdue
            else _("Claims of %(call)s are due on %(day)s")
        )
    else:
        text = (
            _("Overdue: the proof of use of %(call)s was due on %(day)s")
            if overdue
            else _("The proof of use of %(call)s is due on %(day)s")
        )
    return text % values


def render_email(item: Due, user: User) -> EmailMultiAlternatives:
    """The e-mail to one recipient, in their language."""
    with translation.override(language_of(user)):
        base = settings.DIGILEAP_BASE_URL.rstrip("/")
        context = {
            **item.context,
            "user": user,
            "call": item.call,
            "call_title": item.call.display_title,
            "operator": item.operator,
            "due_on": item.due_on,
            "overdue": item.step == OVERDUE,
            "days_left": (item.due_on - item.today).days,
            "base_url": base,
            "unclaimed_text": format_money(item.context["unclaimed"]) if "unclaimed" in item.context else "",
        }
        subject = _subject(item)
        context["subject"] = subject
        text = render_to_string(f"funding/email/reminder_{item.kind}.txt", context)
        html = render_to_string(f"funding/email/reminder_{item.kind}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


class SendSummary(TypedDict):
    """What ``funding_reminders_send`` did (the command prints it)."""

    today: str
    due: int
    sent: int
    emails: int
    already_sent: int
    without_recipients: int
    dry_run: bool


def funding_reminders_send(*, today: datetime.date | None = None, dry_run: bool = False) -> SendSummary:
    """Send every reminder that is due and not sent yet; returns the summary the command prints."""
    today = today or timezone.localdate()
    summary: SendSummary = {
        "today": today.isoformat(),
        "due": 0,
        "sent": 0,
        "emails": 0,
        "already_sent": 0,
        "without_recipients": 0,
        "dry_run": dry_run,
    }
    items = reminders_due(today)
    sent_keys = set(Reminder.objects.filter(key__in=[item.key for item in items]).values_list("key", flat=True))
    connection = None
    for item in items:
        if item.key in sent_keys:
            summary["already_sent"] += 1
            continue
        if not item.recipients:
            summary["without_recipients"] += 1
            continue
        summary["due"] += 1
        if dry_run:
            continue
        connection = connection or get_connection()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        key=item.key,
                        call=item.call,
                        operator=item.operator,
                        kind=item.kind,
                        due_on=item.due_on,
                        recipients=len(item.recipients),
                        sent_at=timezone.now(),
                    )
            except IntegrityError:
                # Another run sent it a moment ago.
                summary["already_sent"] += 1
                continue
            messages = [render_email(item, user) for user in item.recipients]
            connection.send_messages(messages)
            audit.record(
                actor=ACTOR,
                action="create",
                instance=reminder,
                after={**audit.snapshot(reminder), "to": [user.email for user in item.recipients]},
            )
        summary["sent"] += 1
        summary["emails"] += len(messages)
    return summary
