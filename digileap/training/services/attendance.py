"""Attendance per session and assessment results (docs/training-attendance.md).

``record_attendance`` writes one person's attendance of one session (present, absent or excused,
with minutes) and re-evaluates their completion. It refuses, with nothing written: a person not
enrolled on the session's course (waiting, cancelled, or an enrolment of another course), minutes
over the session's length, negative minutes, minutes for someone not present, an unknown status.
Recording the same values again changes nothing (no write, no audit event): a re-imported sign-in
sheet leaves the database as it was.

``record_assessment`` stores an enrolment's assessment result (passed or failed, a score) and
re-evaluates the completion.
"""

import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from ..models import Attendance, CourseEnrolment, Session, Source
from . import completions

STATUSES = Attendance.Status


def clean_minutes(minutes, *, session: Session, status: str) -> int:
    """The minutes to store: the session's length for present when none are given, 0 otherwise."""
    if minutes is None or (isinstance(minutes, str) and not minutes.strip()):
        return session.minutes if status == STATUSES.PRESENT else 0
    try:
        value = Decimal(str(minutes).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"minutes": [_("%(value)s is not a number of minutes.") % {"value": minutes}]}) from None
    if value != value.to_integral_value():
        raise ValidationError({"minutes": [_("Give whole minutes, not %(value)s.") % {"value": minutes}]})
    whole = int(value)
    if whole < 0:
        raise ValidationError({"minutes": [_("Minutes cannot be negative (%(value)s).") % {"value": whole}]})
    if whole > session.minutes:
        raise ValidationError(
            {
                "minutes": [
                    _("%(value)s minutes is more than the session's length of %(length)s minutes.")
                    % {"value": whole, "length": session.minutes}
                ]
            }
        )
    if whole and status != STATUSES.PRESENT:
        raise ValidationError({"minutes": [_("Only a person who was present has minutes.")]})
    return whole


def check_attendance(*, session: Session, enrolment: CourseEnrolment, status: str, minutes=None) -> int:
    """Validate one attendance; returns the minutes to store. A ``ValidationError`` otherwise."""
    if enrolment.course_id != session.course_id:
        raise ValidationError(_("The session is one of another course than the enrolment's."))
    if enrolment.state != CourseEnrolment.State.ENROLLED:
        raise ValidationError(
            _("%(person)s is not enrolled on the course (%(state)s).")
            % {"person": enrolment.staff.reference, "state": enrolment.get_state_display().lower()}
        )
    day = timezone.localtime(session.starts_at).date()
    if day > timezone.localdate():
        raise ValidationError(
            _("The session on %(day)s has not taken place yet: take attendance on the day.") % {"day": day.isoformat()}
        )
    if status not in STATUSES.values:
        raise ValidationError(
            {"status": [_("Unknown status %(status)s: give present, absent or excused.") % {"status": status or "''"}]}
        )
    return clean_minutes(minutes, session=session, status=status)


@transaction.atomic
def record_attendance(
    *, actor, session: Session, enrolment: CourseEnrolment, status: str, minutes=None, source: str = Source.DIGILEAP
) -> Attendance:
    """Record ``enrolment``'s attendance of ``session`` and re-evaluate their completion."""
    enrolment = CourseEnrolment.objects.select_for_update().select_related("staff", "school").get(pk=enrolment.pk)
    existing = Attendance.objects.select_for_update().filter(session_id=session.pk, enrolment_id=enrolment.pk).first()
    if existing is not None:
        authorize(actor, Action.CHANGE, existing)
    else:
        authorize(actor, Action.ADD, Attendance(session=session, enrolment=enrolment))
    if source not in Source.values:
        raise ValidationError(_("Unknown source %(source)s.") % {"source": source})
    minutes = check_attendance(session=session, enrolment=enrolment, status=status, minutes=minutes)
    recorder = actor if getattr(actor, "pk", None) else None
    if existing is not None:
        if (existing.status, existing.minutes, existing.source) == (status, minutes, source):
            return existing
        before = audit.snapshot(existing, ["status", "minutes", "source"])
        existing.status, existing.minutes, existing.source, existing.recorded_by = status, minutes, source, recorder
        existing.save()
        audit.record(
            actor=actor,
            action="update",
            instance=existing,
            before=before,
            after=audit.snapshot(existing, ["status", "minutes", "source"]),
        )
        attendance = existing
    else:
        attendance = Attendance.objects.create(
            session=session, enrolment=enrolment, status=status, minutes=minutes, source=source, recorded_by=recorder
        )
        audit.record(actor=actor, action="create", instance=attendance, after=audit.snapshot(attendance))
    completions.evaluate(actor=actor, enrolment=enrolment)
    return attendance


def clean_score(score) -> Decimal | None:
    if score is None or (isinstance(score, str) and not score.strip()):
        return None
    try:
        value = Decimal(str(score).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"score": [_("%(value)s is not a number.") % {"value": score}]}) from None
    if not value.is_finite() or value < 0 or value >= 10000:
        raise ValidationError({"score": [_("Give a score from 0 to 9999.99, not %(value)s.") % {"value": score}]})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def record_assessment(*, actor, enrolment: CourseEnrolment, passed: bool, score=None) -> CourseEnrolment:
    """Store ``enrolment``'s assessment result and re-evaluate their completion."""
    enrolment = CourseEnrolment.objects.select_for_update().select_related("staff").get(pk=enrolment.pk)
    authorize(actor, Action.CHANGE, enrolment)
    if enrolment.state != CourseEnrolment.State.ENROLLED:
        raise ValidationError(
            _("%(person)s is not enrolled on the course (%(state)s).")
            % {"person": enrolment.staff.reference, "state": enrolment.get_state_display().lower()}
        )
    if not isinstance(passed, bool):
        raise ValidationError({"passed": [_("Say whether the assessment was passed or failed.")]})
    score = clean_score(score)
    if (enrolment.assessment_passed, enrolment.assessment_score) != (passed, score):
        before = audit.snapshot(enrolment, ["assessment_passed", "assessment_score"])
        enrolment.assessment_passed, enrolment.assessment_score = passed, score
        enrolment.save(update_fields=["assessment_passed", "assessment_score", "updated_at"])
        audit.record(
            actor=actor,
            action="assess",
            instance=enrolment,
            before=before,
            after=audit.snapshot(enrolment, ["assessment_passed", "assessment_score"]),
        )
    completions.evaluate(actor=actor, enrolment=enrolment)
    return enrolment


# The sign-in sheet: a list of people of one session with their status and minutes, as a trainer
# keeps it in a spreadsheet. Headers and status words are matched without case and accents.
HEADER_ALIASES = {
    "reference": {
        "staff reference",
        "staff_reference",
        "reference",
        "ref",
        "staff id",
        "personeelsnummer",
        "stamboeknummer",
        "referentie",
        "référence",
        "reference du personnel",
        "personalnummer",
        "referenz",
        "personāla numurs",
        "atsauce",
    },
    "email": {"e-mail", "email", "mail", "e-mailadres", "courriel", "adresse e-mail", "e-pasts"},
    "status": {
        "status",
        "attendance",
        "presence",
        "aanwezigheid",
        "statut",
        "présence",
        "anwesenheit",
        "statuss",
        "apmeklējums",
    },
    "minutes": {"minutes", "minuten", "minūtes", "min"},
}
STATUS_WORDS = {
    STATUSES.PRESENT: {"present", "p", "yes", "aanwezig", "présent", "présente", "anwesend", "klāt", "ir"},
    STATUSES.ABSENT: {"absent", "a", "no", "afwezig", "absente", "abwesend", "nav", "nav klāt", "prombūtnē"},
    STATUSES.EXCUSED: {
        "excused",
        "e",
        "verontschuldigd",
        "gewettigd afwezig",
        "gewettigd",
        "excusé",
        "excusée",
        "entschuldigt",
        "attaisnots",
        "attaisnoti",
        "attaisnota",
    },
}
MAX_HEADER_ROW = 20


def _plain(text) -> str:
    """Case folded, accents removed, runs of whitespace one space."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).casefold()


_HEADER_KEYS = {_plain(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
_STATUS_KEYS = {_plain(word): status for status, words in STATUS_WORDS.items() for word in words}


def status_from_word(word) -> str | None:
    """The status a sign-in sheet's word means (English, Dutch, French, German, Latvian), or None."""
    return _STATUS_KEYS.get(_plain(word))


def _open_sheet(file, filename: str):
    """The table of the sheet with its header row found (the first of the first 20 rows with a
    status column and a staff reference or e-mail column) and the column position of each key."""
    from digileap.core.tabular.errors import ImportFileError
    from digileap.core.tabular.readers import open_table

    expected = set().union(*HEADER_ALIASES.values())
    if hasattr(file, "seek"):
        file.seek(0)
    content = file.read() if hasattr(file, "read") else open(file, "rb").read()  # noqa: SIM115
    for header_row in range(1, MAX_HEADER_ROW + 1):
        # A fresh stream each time: an abandoned reader closes the stream it wrapped.
        try:
            table = open_table(io.BytesIO(content), filename=filename, expected_headers=expected, header_row=header_row)
        except ImportFileError as error:
            # A blank row where the header was looked for: look further down, until the file ends.
            blank = error.message in (
                _("the first line is empty: the file needs a header row"),
                _("the first row is empty: the sheet needs a header row"),
            )
            if blank or (header_row > 1 and error.line == header_row):
                continue
            raise
        columns: dict[str, int] = {}
        for position, header in enumerate(table.headers):
            key = _HEADER_KEYS.get(_plain(header))
            if key and key not in columns:
                columns[key] = position
        if "status" in columns and ("reference" in columns or "email" in columns):
            return table, columns
        table.close()
    raise ImportFileError(
        _(
            "no header row found in the first %(rows)s rows: the sheet needs a column staff reference (or "
            "e-mail) and a column status, with minutes optional"
        )
        % {"rows": MAX_HEADER_ROW},
        filename=filename,
    )


def read_signin_sheet(*, actor, session: Session, file, filename: str, enrolments=None) -> list[dict]:
    """Read and check a sign-in sheet for ``session``; every refusal as ``file, line N, column
    'X': reason``. Returns the rows to record (``enrolment``, ``status``, ``minutes``, ``line``).
    ``enrolments``: the enrolments the actor may record (default: every enrolled one of the course
    the actor may see)."""
    from digileap.core.permissions import restrict
    from digileap.core.tabular.errors import ImportFileError, RowError

    try:
        table, columns = _open_sheet(file, filename)
    except ImportFileError as error:
        raise ValidationError(error.describe()) from None
    if enrolments is None:
        enrolments = restrict(
            CourseEnrolment.objects.filter(course_id=session.course_id, state=CourseEnrolment.State.ENROLLED),
            actor,
            Action.CHANGE,
        )
    people = list(enrolments.select_related("staff"))
    by_reference = {enrolment.staff.reference.strip().casefold(): enrolment for enrolment in people}
    by_email = {enrolment.staff.email.strip().casefold(): enrolment for enrolment in people if enrolment.staff.email}
    headers = table.headers
    errors: list[RowError] = []
    rows: list[dict] = []
    seen: dict[int, int] = {}

    def cell(cells, key):
        position = columns.get(key)
        if position is None or position >= len(cells):
            return ""
        value = cells[position]
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    try:
        for line, cells in table.rows():
            reference, email = cell(cells, "reference"), cell(cells, "email")
            who_column = (
                headers[columns["reference"]] if reference or "email" not in columns else headers[columns["email"]]
            )
            enrolment = None
            if reference:
                enrolment = by_reference.get(reference.casefold())
            elif email:
                enrolment = by_email.get(email.casefold())
            else:
                errors.append(RowError(line, who_column, _("no staff reference or e-mail given")))
                continue
            if enrolment is None:
                errors.append(
                    RowError(
                        line,
                        who_column,
                        _("%(person)s is not enrolled on the course %(course)s")
                        % {"person": reference or email, "course": session.course.code},
                        reference or email,
                    )
                )
                continue
            if enrolment.pk in seen:
                errors.append(
                    RowError(
                        line,
                        who_column,
                        _("%(person)s is on the sheet twice (first on line %(first)s)")
                        % {"person": reference or email, "first": seen[enrolment.pk]},
                    )
                )
                continue
            seen[enrolment.pk] = line
            word = cell(cells, "status")
            status = status_from_word(word)
            if status is None:
                errors.append(
                    RowError(
                        line,
                        headers[columns["status"]],
                        _("unknown status %(word)r: give present, absent or excused") % {"word": word},
                        word,
                    )
                )
                continue
            minutes_text = cell(cells, "minutes")
            try:
                minutes = clean_minutes(minutes_text or None, session=session, status=status)
            except ValidationError as error:
                messages = (
                    error.message_dict.get("minutes", error.messages)
                    if hasattr(error, "error_dict")
                    else error.messages
                )
                errors.append(RowError(line, headers[columns["minutes"]], " ".join(messages), minutes_text))
                continue
            rows.append({"enrolment": enrolment, "status": status, "minutes": minutes, "line": line})
    except ImportFileError as error:
        raise ValidationError(error.describe()) from None
    finally:
        table.close()
    if errors:
        raise ValidationError([f"{filename}, {error.describe()}" for error in errors])
    if not rows:
        raise ValidationError(_("%(file)s: the sheet has a header row but no people.") % {"file": filename})
    return rows


@transaction.atomic
def import_signin_sheet(*, actor, session: Session, file, filename: str) -> dict[str, int]:
    """Record a session's attendance from a sign-in sheet (CSV or XLSX), all or nothing, with source
    ``import``. Returns the counts ``rows``, ``created``, ``updated``, ``unchanged``."""
    rows = read_signin_sheet(actor=actor, session=session, file=file, filename=filename)
    summary = {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    existing = {
        attendance.enrolment_id: (attendance.status, attendance.minutes, attendance.source)
        for attendance in Attendance.objects.filter(
            session=session, enrolment_id__in=[row["enrolment"].pk for row in rows]
        )
    }
    for row in rows:
        before = existing.get(row["enrolment"].pk)
        record_attendance(
            actor=actor,
            session=session,
            enrolment=row["enrolment"],
            status=row["status"],
            minutes=row["minutes"],
            source=Source.IMPORT,
        )
        if before is None:
            summary["created"] += 1
        elif before == (row["status"], row["minutes"], Source.IMPORT):
            summary["unchanged"] += 1
        else:
            summary["updated"] += 1
    return summary
