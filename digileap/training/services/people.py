"""Writes to staff records and invitations (docs/training-staff.md).

Every write authorises first (``digileap.core.permissions``), validates (a ``ValidationError``
naming the field, nothing written), writes and records an audit event. Staff are kept by the
school side: operator staff and school coordinators for their schools, programme owners for their
authority. Names are stored only when ``DIGILEAP_TRAINING_STAFF_NAMES`` is on; gender and age
band only serve the EU's common indicator 10.

Invitations: ``invite`` e-mails a one-time link (valid ``DIGILEAP_TRAINING_INVITATION_DAYS``);
only the SHA-256 of its token is stored, and a new invitation withdraws the older ones.
``accept_invitation`` creates the teacher's account with the role ``teacher`` scoped to their
staff record. The token is never written to the audit trail.
"""

import datetime
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.accounts import invitations
from digileap.accounts.invitations import InvitationGone, token_hash
from digileap.accounts.models import Role, RoleAssignment, ScopeKind, User
from digileap.core import audit
from digileap.core.permissions import Action, authorize, forget_cached_assignments
from digileap.schools.models import School

from ..models import AgeBand, Gender, Invitation, Membership, StaffMember, StaffRole
from ..selectors.people import display_name, names_kept

STAFF_FIELDS = ("reference", "email", "first_name", "last_name", "gender", "age_band")
NAME_FIELDS = ("first_name", "last_name")
# What the audit trail keeps of an invitation: never its token, nor the token's hash.
INVITATION_AUDIT_FIELDS = (
    "id",
    "staff",
    "email",
    "created_at",
    "created_by",
    "expires_at",
    "accepted_at",
    "withdrawn_at",
)


def _clean_values(values: dict) -> dict:
    """Strip the texts; drop names when the installation keeps none."""
    cleaned = {
        key: (value or "").strip() if isinstance(value, str) or value is None else value
        for key, value in values.items()
    }
    if not names_kept():
        for name in NAME_FIELDS:
            if name in cleaned:
                cleaned[name] = ""
    if "email" in cleaned:
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


def _check_staff(staff: StaffMember) -> None:
    errors: dict[str, list[str]] = {}
    if not staff.reference:
        errors["reference"] = [_("Give the staff reference.")]
    elif (
        StaffMember.objects.filter(authority_id=staff.authority_id, reference__iexact=staff.reference)
        .exclude(pk=staff.pk)
        .exists()
    ):
        errors["reference"] = [
            _("The staff reference %(reference)s is already used by another staff member of the authority.")
            % {"reference": staff.reference}
        ]
    if staff.email:
        try:
            validate_email(staff.email)
        except ValidationError:
            errors["email"] = [_("%(value)s is not an e-mail address.") % {"value": staff.email}]
        else:
            taken = (
                StaffMember.objects.annotate(email_lower=Lower("email"))
                .filter(authority_id=staff.authority_id, email_lower=staff.email.lower())
                .exclude(pk=staff.pk)
            )
            if taken.exists():
                errors["email"] = [
                    _("The e-mail address %(email)s is already on another staff record of the authority.")
                    % {"email": staff.email}
                ]
    if staff.gender and staff.gender not in Gender.values:
        errors["gender"] = [_("%(value)s is not a gender the form offers.") % {"value": staff.gender}]
    if staff.age_band and staff.age_band not in AgeBand.values:
        errors["age_band"] = [_("%(value)s is not an age band the form offers.") % {"value": staff.age_band}]
    if errors:
        raise ValidationError(errors)


def _check_role(role: str) -> None:
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("%(value)s is not a staff role.") % {"value": role}]})


def _save_staff(staff: StaffMember) -> None:
    try:
        with transaction.atomic():
            staff.save()
    except IntegrityError:
        # Another request took the reference or the e-mail a moment ago.
        _check_staff(staff)
        raise


@transaction.atomic
def create_staff(
    *,
    actor,
    school: School,
    reference: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    gender: str = "",
    age_band: str = "",
    role: str = StaffRole.TEACHER,
) -> StaffMember:
    """A staff member of ``school``'s authority working at ``school`` in ``role``. A reference the
    authority knows already is that person: they are added to ``school`` (their empty fields are
    filled in from the given ones); on ``school``'s staff already, it is an error."""
    _check_role(role)
    authorize(actor, Action.ADD, Membership(school=school, role=role))
    values = _clean_values(
        {
            "reference": reference,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "gender": gender,
            "age_band": age_band,
        }
    )
    if not values["reference"]:
        raise ValidationError({"reference": [_("Give the staff reference.")]})
    existing = (
        StaffMember.objects.select_for_update()
        .filter(authority_id=school.authority_id, reference__iexact=values["reference"])
        .first()
    )
    if existing is not None:
        if Membership.objects.filter(staff=existing, school=school).exists():
            raise ValidationError(
                {
                    "reference": [
                        _("The staff reference %(reference)s is already on the staff of %(school)s.")
                        % {"reference": existing.reference, "school": school.name}
                    ]
                }
            )
        before = audit.snapshot(existing)
        for name, value in values.items():
            if name != "reference" and value and not getattr(existing, name):
                setattr(existing, name, value)
        _check_staff(existing)
        _save_staff(existing)
        changed_before, changed_after = audit.changed_fields(before, audit.snapshot(existing))
        if changed_after:
            audit.record(actor=actor, action="update", instance=existing, before=changed_before, after=changed_after)
        _create_membership(actor=actor, staff=existing, school=school, role=role)
        return existing
    staff = StaffMember(authority_id=school.authority_id, **values)
    _check_staff(staff)
    staff.full_clean(validate_unique=False, validate_constraints=False)
    _save_staff(staff)
    audit.record(actor=actor, action="create", instance=staff, after=audit.snapshot(staff))
    _create_membership(actor=actor, staff=staff, school=school, role=role)
    return staff


def _create_membership(*, actor, staff: StaffMember, school: School, role: str) -> Membership:
    membership = Membership.objects.create(staff=staff, school=school, role=role)
    audit.record(actor=actor, action="create", instance=membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def update_staff(*, actor, staff: StaffMember, **fields) -> StaffMember:
    """Change a staff record's reference, e-mail, names (where kept), gender or age band."""
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    staff = StaffMember.objects.select_for_update().get(pk=staff.pk)
    authorize(actor, Action.CHANGE, staff)
    before = audit.snapshot(staff)
    for name, value in _clean_values(fields).items():
        setattr(staff, name, value)
    _check_staff(staff)
    staff.full_clean(validate_unique=False, validate_constraints=False)
    _save_staff(staff)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(staff))
    if changed_after:
        audit.record(actor=actor, action="update", instance=staff, before=changed_before, after=changed_after)
    return staff


@transaction.atomic
def add_membership(*, actor, staff: StaffMember, school: School, role: str = StaffRole.TEACHER) -> Membership:
    """``staff`` also works at ``school`` (of their authority) in ``role``; a membership that had
    ended is taken up again."""
    _check_role(role)
    authorize(actor, Action.VIEW, staff)
    authorize(actor, Action.ADD, Membership(staff=staff, school=school, role=role))
    if school.authority_id != staff.authority_id:
        raise ValidationError({"school": [_("The school is not of the staff member's authority.")]})
    membership = Membership.objects.select_for_update().filter(staff=staff, school=school).first()
    if membership is not None:
        if membership.is_active and membership.role == role:
            raise ValidationError(
                {
                    "school": [
                        _("%(name)s is already on the staff of %(school)s.")
                        % {"name": display_name(staff), "school": school.name}
                    ]
                }
            )
        before = {"is_active": membership.is_active, "role": membership.role}
        membership.is_active, membership.role = True, role
        membership.save(update_fields=["is_active", "role"])
        audit.record(
            actor=actor, action="update", instance=membership, before=before, after={"is_active": True, "role": role}
        )
        return membership
    return _create_membership(actor=actor, staff=staff, school=school, role=role)


@transaction.atomic
def end_membership(*, actor, membership: Membership) -> Membership:
    """The staff member no longer works at the membership's school (their records stay)."""
    membership = Membership.objects.select_for_update().select_related("school").get(pk=membership.pk)
    authorize(actor, Action.CHANGE, membership)
    if not membership.is_active:
        raise ValidationError(
            _("The staff member no longer works at %(school)s already.") % {"school": membership.school.name}
        )
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="update", instance=membership, before={"is_active": True}, after={"is_active": False}
    )
    return membership


# Invitations.


def invitation_language(staff: StaffMember, inviter=None) -> str:
    """The language of the staff member's (first active) school, else the inviter's, else the site's."""
    school_languages = list(
        Membership.objects.filter(staff=staff, is_active=True)
        .order_by("created_at", "pk")
        .values_list("school__language", flat=True)
    )
    return invitations.choose_language(*school_languages, getattr(inviter, "preferred_language", "") or "")


def invitation_url(token: str) -> str:
    return invitations.link("training:invitation-accept", token)


def _invitation_audit(invitation: Invitation) -> dict:
    return audit.snapshot(invitation, INVITATION_AUDIT_FIELDS)


def _send_invitation(invitation: Invitation, token: str, language: str) -> None:
    staff = invitation.staff
    invitations.send_invitation(
        to=invitation.email,
        language=language,
        subject=lambda: (
            _("Your invitation to Digileap's teacher training pages (%(authority)s)")
            % {"authority": staff.authority.name}
        ),
        template="training/emails/invitation.txt",
        context=lambda: {
            "staff": staff,
            "name": display_name(staff),
            "authority": staff.authority,
            "url": invitation_url(token),
        },
        expires_at=invitation.expires_at,
    )


@transaction.atomic
def invite(*, actor, staff: StaffMember, email: str | None = None) -> tuple[Invitation, str]:
    """E-mail ``staff`` a one-time link to make their teacher account; returns the invitation and
    the link's token (shown nowhere else: only its SHA-256 is kept). ``email`` given: that address
    (kept on the record when the record has none). An older open link is withdrawn.
    ``InvitationMailError`` when the mail server does not take the e-mail: nothing is kept."""
    staff = StaffMember.objects.select_for_update().select_related("authority").get(pk=staff.pk)
    authorize(actor, Action.CHANGE, staff)
    if staff.user_id is not None:
        raise ValidationError(
            _("%(name)s has an account already: they sign in with it.") % {"name": display_name(staff)}
        )
    address = invitations.clean_address(email if email is not None else staff.email)
    if not staff.email:
        update_staff(actor=actor, staff=staff, email=address)
        staff.refresh_from_db()
    now = timezone.now()
    older = list(
        Invitation.objects.select_for_update().filter(staff=staff, accepted_at__isnull=True, withdrawn_at__isnull=True)
    )
    for previous in older:
        previous.withdrawn_at = now
        previous.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor, action="update", instance=previous, before={"withdrawn_at": None}, after={"withdrawn_at": now}
        )
    token, hashed = invitations.new_token()
    invitation = Invitation.objects.create(
        staff=staff,
        email=address,
        token_hash=hashed,
        created_by=actor if isinstance(actor, User) else None,
        expires_at=now + datetime.timedelta(days=settings.DIGILEAP_TRAINING_INVITATION_DAYS),
    )
    audit.record(actor=actor, action="create", instance=invitation, after=_invitation_audit(invitation))
    # Raises InvitationMailError when the mail server does not take it: the transaction rolls back.
    _send_invitation(invitation, token, invitation_language(staff, actor))
    return invitation, token


GONE_MESSAGES = {
    "accepted": invitations.used_message,
    "withdrawn": lambda: _("This invitation link was replaced by a newer one: use the link of the latest e-mail."),
    "expired": lambda: _("This invitation link has expired. Ask your school for a new one."),
    "has_account": lambda: _("You have an account already: sign in with it."),
}


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str, preferred_language: str = "") -> User:
    """Follow an invitation link: make the teacher's account (``username``, ``password`` checked by
    Django's password validators), give it the role ``teacher`` scoped to the staff record and
    link the record to it. ``Invitation.DoesNotExist`` for a forged token; ``InvitationGone`` for a
    used, withdrawn or expired link, or a person who has an account already."""
    invitation = Invitation.objects.select_for_update().get(token_hash=token_hash(token))
    staff = StaffMember.objects.select_for_update().get(pk=invitation.staff_id)
    invitation.staff = staff
    from ..selectors.people import invitation_state

    state = invitation_state(invitation)
    if state != "open":
        raise InvitationGone(GONE_MESSAGES[state](), state)
    username = invitations.check_new_account(invitation.email, username, password)
    user = User(
        username=username,
        email=invitation.email,
        first_name=staff.first_name if names_kept() else "",
        last_name=staff.last_name if names_kept() else "",
        preferred_language=invitations.choose_language(preferred_language) if preferred_language else "",
    )
    invitations.save_new_account(user, password)
    audit.record(
        actor=user,
        action="create",
        instance=user,
        after=audit.snapshot(user, ("id", "username", "email", "preferred_language", "is_active")),
    )
    assignment = RoleAssignment(user=user, role=Role.TEACHER, scope_kind=ScopeKind.STAFF, staff=staff)
    assignment.full_clean()
    assignment.save()
    forget_cached_assignments(user)
    audit.record(actor=user, action="create", instance=assignment, after=audit.snapshot(assignment))
    staff.user = user
    staff.save(update_fields=["user", "updated_at"])
    audit.record(actor=user, action="update", instance=staff, before={"user": None}, after={"user": user.pk})
    now = timezone.now()
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        actor=user, action="update", instance=invitation, before={"accepted_at": None}, after={"accepted_at": now}
    )
    return user


# Upload of a school's staff list.

UPLOAD_COLUMNS = {
    "reference": ("reference", "staff reference", "staff_reference", "staff number"),
    "email": ("e-mail", "email", "e-mail address", "email address"),
    "role": ("role",),
    "gender": ("gender",),
    "age_band": ("age band", "age_band", "ageband", "age group"),
}
UPLOAD_LABELS = {
    "reference": "reference",
    "email": "e-mail",
    "role": "role",
    "gender": "gender",
    "age_band": "age band",
}
# How far down a title block above the header row may reach.
MAX_HEADER_ROW = 20


class StaffFileError(Exception):
    """The staff list was not read: ``errors`` say where (line, column) and why; nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _choice(value: str, choices) -> str | None:
    """The stored value of a choice given as its value or its label (any case), else None."""
    wanted = value.strip().casefold()
    for stored, label in choices:
        if wanted in (str(stored).casefold(), str(label).casefold()):
            return stored
    return None


def _open_staff_table(file, filename: str):
    from digileap.core.tabular.errors import ImportFileError
    from digileap.core.tabular.readers import normalise_header, open_table

    expected = {alias for aliases in UPLOAD_COLUMNS.values() for alias in aliases}
    references = set(UPLOAD_COLUMNS["reference"])
    if hasattr(file, "seek"):
        file.seek(0)
    content = file.read(settings.DIGILEAP_UPLOAD_MAX_BYTES + 1)
    if len(content) > settings.DIGILEAP_UPLOAD_MAX_BYTES:
        raise StaffFileError([_("%(file)s: the file is too large for a staff list.") % {"file": filename}])
    for header_row in range(1, MAX_HEADER_ROW + 1):
        # A fresh stream each time: a reader abandoned before its rows may close the one it had.
        try:
            table = open_table(io.BytesIO(content), filename=filename, expected_headers=expected, header_row=header_row)
        except ImportFileError as error:
            if error.line == header_row:
                continue  # an empty row of the title block, or the end: the header is not here
            raise
        headers = [normalise_header(header) for header in table.headers]
        if references & set(headers):
            return table, headers
        table.close()
    raise StaffFileError(
        [
            _("%(file)s: no header row with a column %(column)s in the first %(rows)s rows.")
            % {"file": filename, "column": "reference", "rows": MAX_HEADER_ROW}
        ]
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_staff_rows(file, filename: str) -> tuple[list[dict], list[str]]:
    from digileap.core.tabular.errors import ImportFileError, RowError
    from digileap.core.tabular.readers import FormulaCell

    try:
        table, headers = _open_staff_table(file, filename)
    except ImportFileError as error:
        raise StaffFileError([error.describe()]) from None
    positions: dict[str, int] = {}
    for field, aliases in UPLOAD_COLUMNS.items():
        for index, header in enumerate(headers):
            if header in aliases and field not in positions:
                positions[field] = index
    rows: list[dict] = []
    errors: list[str] = []
    try:
        for line, cells in table.rows():
            row: dict = {"line": line}
            for field, index in positions.items():
                value = cells[index] if index < len(cells) else None
                column = UPLOAD_LABELS[field]
                if isinstance(value, FormulaCell):
                    errors.append(RowError(line, column, _("a formula, not a value: save the values")).describe())
                    value = None
                text = _cell_text(value)
                if field == "role" and text:
                    stored = _choice(text, StaffRole.choices)
                    if stored is None:
                        errors.append(
                            RowError(
                                line,
                                column,
                                _("%(value)s is not a staff role (one of: %(choices)s)")
                                % {"value": text, "choices": ", ".join(StaffRole.values)},
                            ).describe()
                        )
                    text = stored or ""
                elif field == "gender" and text:
                    stored = _choice(text, Gender.choices)
                    if stored is None:
                        errors.append(
                            RowError(
                                line,
                                column,
                                _("%(value)s is not a gender (one of: %(choices)s)")
                                % {"value": text, "choices": ", ".join(Gender.values)},
                            ).describe()
                        )
                    text = stored or ""
                elif field == "age_band" and text:
                    stored = _choice(text, AgeBand.choices)
                    if stored is None:
                        errors.append(
                            RowError(
                                line,
                                column,
                                _("%(value)s is not an age band (one of: %(choices)s)")
                                % {"value": text, "choices": ", ".join(AgeBand.values)},
                            ).describe()
                        )
                    text = stored or ""
                elif field == "email" and text:
                    text = text.lower()
                    try:
                        validate_email(text)
                    except ValidationError:
                        errors.append(
                            RowError(line, column, _("%(value)s is not an e-mail address") % {"value": text}).describe()
                        )
                elif field == "reference" and len(text) > 64:
                    errors.append(RowError(line, column, _("a staff reference has at most 64 characters")).describe())
                row[field] = text
            if not row.get("reference"):
                errors.append(RowError(line, "reference", _("the staff reference is missing")).describe())
            rows.append(row)
    except ImportFileError as error:
        raise StaffFileError([error.describe()]) from None
    finally:
        table.close()
    return rows, errors


@transaction.atomic
def import_staff(*, actor, school: School, file, filename: str) -> dict:
    """Read a school's staff list (CSV or XLSX; columns reference, e-mail, role, gender, age band;
    the header may sit below a title block) and keep ``school``'s staff records by it: a new
    reference makes a record, a known one (in the authority) gets the values the list gives and a
    membership of ``school``. Every row or none: ``StaffFileError`` lists every error with its line
    and column. The same list again changes nothing. Returns the counts ``rows``, ``created``,
    ``updated``, ``unchanged``."""
    authorize(actor, Action.ADD, Membership(school=school))
    rows, errors = _read_staff_rows(file, filename)
    from digileap.core.tabular.errors import RowError

    if not rows and not errors:
        raise StaffFileError([_("%(file)s: the list has no rows below its header.") % {"file": filename}])
    seen_references: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row in rows:
        key = row.get("reference", "").casefold()
        if key:
            if key in seen_references:
                errors.append(
                    RowError(
                        row["line"],
                        "reference",
                        _("%(value)s is on line %(line)s already")
                        % {"value": row["reference"], "line": seen_references[key]},
                    ).describe()
                )
            seen_references.setdefault(key, row["line"])
        email = row.get("email", "")
        if email:
            if email in seen_emails:
                errors.append(
                    RowError(
                        row["line"],
                        "e-mail",
                        _("%(value)s is on line %(line)s already") % {"value": email, "line": seen_emails[email]},
                    ).describe()
                )
            seen_emails.setdefault(email, row["line"])
    existing = {
        staff.reference.casefold(): staff
        for staff in StaffMember.objects.select_for_update().filter(authority_id=school.authority_id)
    }
    emails_taken = {staff.email.lower(): staff.reference.casefold() for staff in existing.values() if staff.email}
    for row in rows:
        email = row.get("email", "")
        owner = emails_taken.get(email) if email else None
        if owner is not None and owner != row.get("reference", "").casefold():
            errors.append(
                RowError(
                    row["line"],
                    "e-mail",
                    _("%(value)s is the e-mail of another staff record of the authority") % {"value": email},
                ).describe()
            )
    if errors:
        raise StaffFileError(errors)
    summary = {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    existing_ids = {staff.pk for staff in existing.values()}
    memberships = {m.staff_id: m for m in Membership.objects.select_for_update().filter(school=school)}
    changes = []
    for row in rows:
        staff = existing.get(row["reference"].casefold())
        role = row.get("role") or StaffRole.TEACHER
        values = {field: row.get(field, "") for field in ("email", "gender", "age_band")}
        if staff is None:
            staff = StaffMember.objects.create(authority_id=school.authority_id, reference=row["reference"], **values)
            changes.append(audit.change_for("create", staff, after=audit.snapshot(staff)))
            summary["created"] += 1
            changed = True
        else:
            before = audit.snapshot(staff)
            for field, value in values.items():
                if value:
                    setattr(staff, field, value)
            changed_before, changed_after = audit.changed_fields(before, audit.snapshot(staff))
            changed = bool(changed_after)
            if changed:
                staff.save()
                changes.append(audit.change_for("update", staff, before=changed_before, after=changed_after))
        membership = memberships.get(staff.pk)
        if membership is None:
            membership = Membership.objects.create(staff=staff, school=school, role=role)
            changes.append(audit.change_for("create", membership, after=audit.snapshot(membership)))
            changed = True
        elif not membership.is_active or (row.get("role") and membership.role != role):
            before = {"is_active": membership.is_active, "role": membership.role}
            membership.is_active = True
            membership.role = role if row.get("role") else membership.role
            membership.save(update_fields=["is_active", "role"])
            changes.append(
                audit.change_for(
                    "update", membership, before=before, after={"is_active": True, "role": membership.role}
                )
            )
            changed = True
        if staff.pk in existing_ids:
            summary["updated" if changed else "unchanged"] += 1
    audit.record_many(actor=actor, changes=changes)
    return summary
