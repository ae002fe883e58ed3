"""User agreements: the text per programme and language (``AgreementTemplate``), the agreement of one
hand-out (``UserAgreement``), its acceptance on paper (a signed scan) or in the app (a link with a
secret token, for the parent or pupil), and reminders for the ones still missing.

``agreement_issue`` is called by the hand-out service inside its transaction: it authorises nothing
of its own (the hand-out did), picks the template and records the agreement. Every other service here
authorises first, validates with errors that name the field, locks what it changes and writes one
audit event per change. Acceptance tokens never enter the audit trail: whoever holds one may accept.
"""

import hashlib
import secrets
import string
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.uploads import SCANS, check_upload

from ..models import AgreementTemplate, Assignment, Recipient, UserAgreement

PLACEHOLDERS = {
    "programme": gettext_lazy("the programme's name"),
    "school": gettext_lazy("the school's name"),
    "recipient": gettext_lazy("the recipient's pseudonymous reference"),
    "device": gettext_lazy("the device model"),
    "serial": gettext_lazy("the device's serial number"),
    "kit": gettext_lazy("what came with the device (charger, bag)"),
    "date": gettext_lazy("the day of the hand-out"),
}
SCAN_MAX_BYTES = getattr(settings, "DEVICES_AGREEMENT_SCAN_MAX_BYTES", 10 * 1024 * 1024)
TOKEN_BYTES = 32
# Fields of an agreement the audit trail keeps: everything but the token.
AUDITED_FIELDS = [
    "assignment",
    "template",
    "status",
    "sent_at",
    "accepted_at",
    "accepted_via",
    "signed_by",
    "scan",
    "scan_sha256",
    "recorded_by",
    "reminder_count",
    "last_reminded_at",
]
ACCEPTANCE_FIELDS = ["status", "accepted_at", "accepted_via", "signed_by", "scan", "scan_sha256", "recorded_by"]
IN_APP_ACTOR = "in-app acceptance"


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _language_code(value: str | None) -> str:
    """``"NL"``, ``"nl-BE"`` and ``"nl"`` all mean ``"nl"``."""
    return (value or "").strip().lower().replace("_", "-").split("-")[0]


# Templates and their placeholders.


def placeholder_errors(body: str) -> list[str]:
    """What is wrong with the placeholders of ``body``: unknown names, formatting, unbalanced braces."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return [
            _(
                "A brace is not closed or not opened. Write placeholders as {serial}; "
                "write a brace that should be printed twice: {{ or }}."
            )
        ]
    errors, unknown = [], []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            if name not in unknown:
                unknown.append(name)
        elif spec or conversion:
            errors.append(
                _("Write the placeholder {%(name)s} without a format or conversion (found %(found)s).")
                % {
                    "name": name,
                    "found": "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}",
                }
            )
    if unknown:
        errors.insert(
            0,
            _("Unknown placeholders: %(unknown)s. Use only: %(known)s.")
            % {
                "unknown": ", ".join("{" + name + "}" for name in unknown),
                "known": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
            },
        )
    return errors


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """The text with its placeholders replaced (the body must have passed ``placeholder_errors``)."""
    pieces = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        pieces.append(literal)
        if name is not None:
            pieces.append(str(values.get(name, "")))
    return "".join(pieces)


def _check_template_text(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the agreement a title.")]
    if not body:
        errors["body"] = [_("Write the text of the agreement.")]
    elif problems := placeholder_errors(body):
        errors["body"] = problems
    if errors:
        raise ValidationError(errors)
    return title, body


def _active_template(programme, language: str) -> AgreementTemplate | None:
    return AgreementTemplate.objects.filter(programme=programme, language=language, is_active=True).first()


def _next_version(programme, language: str) -> int:
    highest = AgreementTemplate.objects.filter(programme=programme, language=language).aggregate(v=Max("version"))["v"]
    return (highest or 0) + 1


@transaction.atomic
def agreement_template_create(*, actor, programme, language: str, title: str, body: str) -> AgreementTemplate:
    """A programme's agreement in one language. There is one text in use per language: when one is
    in use already, edit it (a new version is made when agreements use it)."""
    template = AgreementTemplate(programme=programme, language=_language_code(language))
    authorize(actor, Action.ADD, template)
    title, body = _check_template_text(title, body)
    if template.language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the installation's languages.")})
    # Lock the programme so that two creations cannot both pass the check (the database's constraint
    # of one template in use per language would refuse the second anyway, less politely).
    type(programme).objects.select_for_update().filter(pk=programme.pk).first()
    existing = _active_template(programme, template.language)
    if existing is not None:
        raise ValidationError(
            {
                "language": _(
                    "This programme already has an agreement in use in this language (%(title)s, version "
                    "%(version)s): edit that one instead."
                )
                % {"title": existing.title, "version": existing.version}
            }
        )
    template.version = _next_version(programme, template.language)
    template.title, template.body = title, body
    template.is_active = True
    template.created_by = _user_or_none(actor)
    template.full_clean()
    template.save()
    audit.record(actor=actor, action="create", instance=template, after=audit.snapshot(template))
    return template


@transaction.atomic
def agreement_template_update(*, actor, template: AgreementTemplate, title: str, body: str) -> AgreementTemplate:
    """Change a template's title and text. Agreements already issued keep the words they were given:
    when any agreement uses the template, the change becomes a new version, which is put in use in
    place of the old one (if the old one was in use). Returns the template that holds the new text."""
    template = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    authorize(actor, Action.CHANGE, template)
    title, body = _check_template_text(title, body)
    if title == template.title and body == template.body:
        return template
    if not template.agreements.exists():
        before = audit.snapshot(template, ["title", "body"])
        template.title, template.body = title, body
        template.full_clean()
        template.save(update_fields=["title", "body"])
        changed_before, changed_after = audit.changed_fields(before, audit.snapshot(template, ["title", "body"]))
        audit.record(actor=actor, action="update", instance=template, before=changed_before, after=changed_after)
        return template
    authorize(actor, Action.ADD, template)
    was_active = template.is_active
    if was_active:
        template.is_active = False
        template.save(update_fields=["is_active"])
        audit.record(
            actor=actor, action="deactivate", instance=template, before={"is_active": True}, after={"is_active": False}
        )
    new_version = AgreementTemplate(
        programme=template.programme,
        language=template.language,
        version=_next_version(template.programme, template.language),
        title=title,
        body=body,
        is_active=was_active,
        created_by=_user_or_none(actor),
    )
    new_version.full_clean()
    new_version.save()
    after = audit.snapshot(new_version)
    after["replaces"] = template.pk
    audit.record(actor=actor, action="create", instance=new_version, after=after)
    return new_version


@transaction.atomic
def agreement_template_set_active(*, actor, template: AgreementTemplate, is_active: bool) -> AgreementTemplate:
    """Put a template in use (the one in use in its language before is taken out of use) or take it
    out of use (hand-outs in that language then fall back to the school's language or another one)."""
    template = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    authorize(actor, Action.CHANGE, template)
    if template.is_active == is_active:
        return template
    if is_active:
        current = (
            AgreementTemplate.objects.select_for_update()
            .filter(programme_id=template.programme_id, language=template.language, is_active=True)
            .first()
        )
        if current is not None:
            authorize(actor, Action.CHANGE, current)
            current.is_active = False
            current.save(update_fields=["is_active"])
            audit.record(
                actor=actor,
                action="deactivate",
                instance=current,
                before={"is_active": True},
                after={"is_active": False},
            )
    template.is_active = is_active
    template.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="activate" if is_active else "deactivate",
        instance=template,
        before={"is_active": not is_active},
        after={"is_active": is_active},
    )
    return template


# Issuing an agreement at hand-out.


def choose_template(programme, *, language: str | None = None, school=None) -> AgreementTemplate | None:
    """The programme's template in use in ``language`` (the recipient's, where known), else in the
    school's language of instruction, else the programme's first one in use (the oldest); None when
    the programme has no agreement in use."""
    active = list(AgreementTemplate.objects.filter(programme=programme, is_active=True).order_by("pk"))
    if not active:
        return None
    by_language = {template.language: template for template in active}
    for wanted in (_language_code(language), _language_code(getattr(school, "language", ""))):
        if wanted and wanted in by_language:
            return by_language[wanted]
    return active[0]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def agreement_issue(*, assignment: Assignment, actor, language: str | None = None) -> UserAgreement | None:
    """Record the agreement of a hand-out, awaiting acceptance, in the programme's text for the
    recipient's language (``language``; the recipient model stores none, so a caller that knows it
    passes it), else the school's. Returns None when the device's programme asks for no agreement.

    Called inside the hand-out's transaction, after the hand-out was authorised: no checks of its own.
    An assignment that has an agreement already keeps it (the call is idempotent).
    """
    existing = UserAgreement.objects.filter(assignment=assignment).first()
    if existing is not None:
        return existing
    device = assignment.device
    school = assignment.recipient.school
    template = choose_template(device.programme_id, language=language, school=school)
    if template is None:
        return None
    agreement = UserAgreement.objects.create(
        assignment=assignment,
        template=template,
        status=UserAgreement.Status.PENDING,
        token=new_token(),
        sent_at=timezone.now(),
    )
    audit.record(actor=actor, action="create", instance=agreement, after=audit.snapshot(agreement, AUDITED_FIELDS))
    return agreement


# Acceptance.


def allowed_signers(recipient: Recipient) -> list[str]:
    """Who may sign: a teacher signs their own agreement; for a pupil, the parent or the pupil."""
    if recipient.kind == Recipient.Kind.TEACHER:
        return [UserAgreement.SignedBy.TEACHER]
    return [UserAgreement.SignedBy.PARENT, UserAgreement.SignedBy.PUPIL]


def _check_signer(agreement: UserAgreement, signed_by: str) -> None:
    allowed = allowed_signers(agreement.assignment.recipient)
    if signed_by not in allowed:
        raise ValidationError(
            {
                "signed_by": _("This agreement is signed by: %(allowed)s.")
                % {"allowed": ", ".join(str(UserAgreement.SignedBy(value).label) for value in allowed)}
            }
        )


def already_accepted_message(agreement: UserAgreement) -> str:
    return _("This agreement was already accepted on %(date)s (%(via)s, signed by %(signed_by)s).") % {
        "date": timezone.localtime(agreement.accepted_at).strftime("%Y-%m-%d %H:%M"),
        "via": agreement.get_accepted_via_display(),
        "signed_by": agreement.get_signed_by_display() or "–",
    }


@dataclass
class CheckedScan:
    content_type: str
    extension: str
    sha256: str
    size: int


def check_scan(scan) -> CheckedScan:
    """A signed scan must be a PDF, JPEG or PNG (by its content, and named as what it is) within the size limit."""
    if scan is None:
        raise ValidationError({"scan": _("Upload the signed agreement (PDF, JPEG or PNG).")})
    kind = check_upload(scan, allowed=SCANS, max_bytes=SCAN_MAX_BYTES, field="scan")
    content_type, extension, size = kind.content_type, kind.extension, scan.size
    digest = hashlib.sha256()
    scan.seek(0)
    for chunk in scan.chunks() if hasattr(scan, "chunks") else iter(lambda: scan.read(65536), b""):
        digest.update(chunk)
    scan.seek(0)
    return CheckedScan(content_type=content_type, extension=extension, sha256=digest.hexdigest(), size=size)


def _locked(agreement: UserAgreement) -> UserAgreement:
    return (
        UserAgreement.objects.select_for_update(of=("self",))
        .select_related("assignment__recipient")
        .get(pk=agreement.pk)
    )


@transaction.atomic
def agreement_accept_paper(*, actor, agreement: UserAgreement, signed_by: str, scan) -> UserAgreement:
    """Record an agreement signed on paper: the scan is kept with its SHA-256, who signed it and who
    recorded it. An agreement is accepted once; a second acceptance is refused, naming the first."""
    agreement = _locked(agreement)
    authorize(actor, Action.CHANGE, agreement)
    if agreement.status == UserAgreement.Status.ACCEPTED:
        raise ValidationError(already_accepted_message(agreement))
    _check_signer(agreement, signed_by)
    checked = check_scan(scan)
    if _user_or_none(actor) is None:
        raise ValidationError(_("A paper agreement is recorded by a person, not by the system."))
    before = audit.snapshot(agreement, ACCEPTANCE_FIELDS)
    agreement.status = UserAgreement.Status.ACCEPTED
    agreement.accepted_at = timezone.now()
    agreement.accepted_via = UserAgreement.Via.PAPER
    agreement.signed_by = signed_by
    agreement.scan_sha256 = checked.sha256
    agreement.recorded_by = actor
    agreement.scan.save(f"agreement-{agreement.pk}-{checked.sha256[:12]}.{checked.extension}", scan, save=False)
    agreement.save(update_fields=ACCEPTANCE_FIELDS)
    after = audit.snapshot(agreement, ACCEPTANCE_FIELDS)
    after["scan_bytes"] = checked.size
    audit.record(actor=actor, action="accept", instance=agreement, before=before, after=after)
    return agreement


@dataclass
class InAppResult:
    agreement: UserAgreement
    is_new: bool


@transaction.atomic
def agreement_accept_in_app(*, token: str, signed_by: str) -> InAppResult:
    """Accept through the link printed on the agreement (no sign-in: the token is the proof). A second
    acceptance changes nothing and says when the first one was. ``UserAgreement.DoesNotExist`` for a
    token that names no agreement."""
    agreement = (
        UserAgreement.objects.select_for_update(of=("self",)).select_related("assignment__recipient").get(token=token)
    )
    if agreement.status == UserAgreement.Status.ACCEPTED:
        return InAppResult(agreement, is_new=False)
    if not agreement.assignment.is_open:
        raise ValidationError(_("The device was returned: this agreement no longer needs to be accepted."))
    _check_signer(agreement, signed_by)
    before = audit.snapshot(agreement, ACCEPTANCE_FIELDS)
    agreement.status = UserAgreement.Status.ACCEPTED
    agreement.accepted_at = timezone.now()
    agreement.accepted_via = UserAgreement.Via.IN_APP
    agreement.signed_by = signed_by
    agreement.save(update_fields=["status", "accepted_at", "accepted_via", "signed_by"])
    audit.record(
        actor=IN_APP_ACTOR,
        action="accept",
        instance=agreement,
        before=before,
        after=audit.snapshot(agreement, ACCEPTANCE_FIELDS),
    )
    return InAppResult(agreement, is_new=True)


# Reminders.


def reminder_addresses(school) -> list[str]:
    """Where a school's reminders go: the school's address and its coordinators' (no pupil addresses
    are stored). Sorted, without repeats."""
    from digileap.accounts.models import Role

    addresses = {school.email.strip().lower()} if school.email.strip() else set()
    coordinators = get_user_model().objects.filter(
        is_active=True,
        role_assignments__role=Role.SCHOOL_COORDINATOR,
        role_assignments__scope_kind="school",
        role_assignments__school=school,
    )
    addresses |= {email.strip().lower() for email in coordinators.values_list("email", flat=True) if email.strip()}
    return sorted(addresses)


def _reminder_text(school, agreements: list[UserAgreement], now) -> tuple[str, str]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for agreement in agreements:
        recipient = agreement.assignment.recipient
        by_group[recipient.group].append(recipient.reference)
    subject = _("%(count)s user agreements are still missing at %(school)s") % {
        "count": len(agreements),
        "school": school.name,
    }
    lines = [
        _("The following user agreements at %(school)s are not accepted yet (on %(date)s):")
        % {"school": school.name, "date": timezone.localdate(now).isoformat()},
        "",
    ]
    for group in sorted(by_group):
        references = sorted(by_group[group])
        lines.append(f"{group or _('(no class or group)')}: {', '.join(references)}")
    lines += [
        "",
        _(
            "Collect the signed agreements and record them in Digileap (Devices, User agreements), or ask "
            "the parents to accept them through the link printed on the agreement."
        ),
    ]
    return subject, "\n".join(lines)


def _school_language(school) -> str:
    code = _language_code(school.language)
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def agreement_reminders_send(*, now=None, after_days: int = 7, every_days: int = 7, dry_run: bool = False) -> dict:
    """Send each school one e-mail listing its agreements that are due a reminder, by class or group,
    and count the reminder on each. A school without any address is left out (counted in the summary,
    nothing marked as reminded). Each school is its own transaction: rows are locked and selected
    again, so two runs at once do not remind twice; a failed e-mail marks nothing."""
    from ..selectors.agreements import agreement_reminders_due

    now = now or timezone.now()
    due = agreement_reminders_due(now=now, after_days=after_days, every_days=every_days)
    school_ids = sorted(set(due.values_list("assignment__recipient__school_id", flat=True)))
    summary = {
        "due": 0,
        "schools": len(school_ids),
        "emails": 0,
        "reminded": 0,
        "schools_without_address": 0,
        "dry_run": dry_run,
    }
    from digileap.schools.models import School

    for school in School.objects.filter(pk__in=school_ids).order_by("pk"):
        with transaction.atomic():
            agreements = list(
                agreement_reminders_due(now=now, after_days=after_days, every_days=every_days)
                .filter(assignment__recipient__school=school)
                .select_for_update(of=("self",))
                .select_related("assignment__recipient")
                .order_by("pk")
            )
            if not agreements:
                continue
            summary["due"] += len(agreements)
            addresses = reminder_addresses(school)
            if not addresses:
                summary["schools_without_address"] += 1
                continue
            if dry_run:
                continue
            with translation.override(_school_language(school)):
                subject, text = _reminder_text(school, agreements, now)
            send_mail(subject, text, None, addresses)
            summary["emails"] += 1
            ids = [agreement.pk for agreement in agreements]
            UserAgreement.objects.filter(pk__in=ids).update(
                reminder_count=F("reminder_count") + 1, last_reminded_at=now
            )
            audit.record_many(
                actor="agreement reminders",
                changes=[
                    audit.change_for(
                        "remind",
                        agreement,
                        before={"reminder_count": agreement.reminder_count},
                        after={
                            "reminder_count": agreement.reminder_count + 1,
                            "last_reminded_at": now,
                            "to": addresses,
                        },
                    )
                    for agreement in agreements
                ],
            )
            summary["reminded"] += len(agreements)
    return summary
