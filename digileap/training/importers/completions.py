"""The completion importer: a target (``completions``) of the core tabular engine.

Each row says that a person completed a course on a day. Profiles: ``moodle`` (Moodle's course
completion report as Moodle exports it) and ``generic`` (Digileap's own columns); the xAPI
importer (``xapi.py``) reads statements through the same planning and writing.

- The **course** is a course code of the row's authority, or an identifier mapped to a course
  (``CourseMapping`` of the profile's ``course_system``); Moodle's file name
  (``completion-<short name>.csv``) gives it when the file has no course column.
- The **school** is an official number among the schools the importing user may add completions
  for; without one, the person's only school.
- The **person** is one person across files: matched within the authority by the platform's
  identifier (``StaffIdentifier`` of the profile's ``system``), then the staff reference, then the
  e-mail (without regard to case). Someone unknown with a school is created (staff record,
  membership, identifier); a known person gets the identifier and the school they lack.
- Refused, with line and column, and nothing written: unknown course, unknown school or one out of
  scope, a date that is not a date or lies in the future, a person matching two different records,
  the same person and course twice in the file with another date, or a completion stored already
  with another date. The same completion stored already with the same date is unchanged: a
  re-import changes nothing and leaves no trace.

The path is set-based: lookups per distinct value, one query per chunk of them; the rows of known
people go into a TEMP staging table (``COPY`` on PostgreSQL, ``executemany`` on SQLite) and are
compared with the stored completions in SQL; the commit writes new people with ``bulk_create`` and
the completions with ``COPY`` (PostgreSQL) or ``executemany`` (SQLite), then ``ANALYZE``.
"""

import datetime
import io
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import chunked
from digileap.core.permissions import Action, assignments_for
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.fields import CHECKED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.schools.models import School

from ..models import (
    AgeBand,
    Completion,
    Course,
    CourseMapping,
    Gender,
    Membership,
    Source,
    StaffIdentifier,
    StaffMember,
)

TARGET = "completions"
PROFILE_DIR = Path(__file__).resolve().parent.parent / "import_profiles"
STAGE = "digileap_completion_stage"
CHUNK = 900
# Above this many distinct values a lookup reads the authority's rows once instead of IN lists.
MANY = 5_000
COPY_ROWS = 100_000
# COPY is sent in parts of this many rows: the server stores one part while Python writes the next.
COPY_PART = 5_000
NULL = "\\N"  # COPY's text format: a missing value

FIELDS = (
    "identifier",
    "staff_reference",
    "email",
    "first_name",
    "last_name",
    "school",
    "course",
    "completed_on",
    "score",
    "passed",
    "gender",
    "age_band",
)

COMPLETION_FIELDS = (
    FieldSpec(
        "staff_reference",
        gettext_lazy("Staff reference"),
        kept=CHECKED,
        max_length=64,
        aliases=("Staff number", "Personalnummer", "Stamnummer", "Matricule", "Personas kods", "ID number"),
        help=gettext_lazy("The authority's reference of the person (the same in every file)."),
    ),
    FieldSpec(
        "email",
        gettext_lazy("E-mail"),
        type="email",
        kept=CHECKED,
        max_length=254,
        aliases=("Email address", "E-Mail", "E-mailadres", "Adresse e-mail", "E-pasts"),
        help=gettext_lazy("Finds the person when neither identifier nor reference does (case does not matter)."),
    ),
    FieldSpec(
        "identifier",
        gettext_lazy("Platform user identifier"),
        kept=CHECKED,
        max_length=255,
        aliases=("ID", "User ID", "userid", "username"),
        help=gettext_lazy("How the learning platform knows the person (Moodle's user id); kept to find them again."),
    ),
    FieldSpec("first_name", gettext_lazy("First name"), max_length=100, aliases=("Vorname", "Voornaam", "Prénom")),
    FieldSpec("last_name", gettext_lazy("Last name"), max_length=100, aliases=("Nachname", "Achternaam", "Nom")),
    FieldSpec(
        "school",
        gettext_lazy("School number"),
        kept=CHECKED,
        aliases=("School", "Institution", "Schulnummer", "Schoolnummer", "Numéro d'école", "Skolas numurs"),
        help=gettext_lazy("The school's official number; empty: the person's only school."),
    ),
    FieldSpec(
        "course",
        gettext_lazy("Course"),
        kept=CHECKED,
        max_length=500,
        aliases=("Course code", "Course short name", "Kurs", "Cursus", "Cours", "Kurss"),
        help=gettext_lazy("The course's code, or an identifier mapped to the course (a Moodle short name)."),
    ),
    FieldSpec(
        "completed_on",
        gettext_lazy("Completed on"),
        required=True,
        aliases=("Course complete", "Completion date", "Abschlussdatum", "Voltooid op", "Date d'achèvement"),
        help=gettext_lazy("2024-03-14, 14.03.2024, 14/03/2024 or Moodle's 14/03/24, 10:25; not in the future."),
    ),
    FieldSpec(
        "score",
        gettext_lazy("Score"),
        type="decimal",
        minimum=Decimal(-9999),
        maximum=Decimal(9999),
        aliases=("Grade", "Note", "Cijfer", "Punkte"),
    ),
    FieldSpec("passed", gettext_lazy("Assessment passed"), type="boolean", aliases=("Passed", "Bestanden", "Geslaagd")),
    FieldSpec(
        "gender",
        gettext_lazy("Gender"),
        kept=CHECKED,
        help=gettext_lazy("female, male or non_binary (F, M, X); only for common indicator 10, for new people."),
    ),
    FieldSpec(
        "age_band",
        gettext_lazy("Age band"),
        kept=CHECKED,
        help=gettext_lazy("0-17, 18-29, 30-54 or 55+; only for common indicator 10, for new people."),
    ),
)

GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "w": Gender.FEMALE,
    "v": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "non_binary": Gender.NON_BINARY,
    "non-binary": Gender.NON_BINARY,
    "x": Gender.NON_BINARY,
    "d": Gender.NON_BINARY,
}
AGE_BANDS = {value: value for value in AgeBand.values} | {"55-": "55+", "55 +": "55+"}

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
# Dates as Moodle and spreadsheets write them (Moodle's ``strftimedatetimeshort`` is "%d/%m/%y, %H:%M"
# in English and "%d.%m.%y, %H:%M" in German).
DATE_FORMATS = (
    "%d/%m/%y, %H:%M",
    "%d/%m/%Y, %H:%M",
    "%d.%m.%y, %H:%M",
    "%d.%m.%Y, %H:%M",
    "%d-%m-%y, %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%d.%m.%y",
    "%d/%m/%y",
    "%A, %d %B %Y, %I:%M %p",
    "%d %B %Y",
)


def schools_in_scope(actor):
    """The schools ``actor`` may add completions for (any other school is "unknown" to the import)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(actor, Action.ADD, Completion):
        kind = assignment.scope_kind
        if kind == "all":
            return School.objects.all()
        if kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
        elif kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif kind == "school":
            condition |= Q(pk=assignment.scope_id)
    return School.objects.filter(condition)


def normalise_short_name(text: str) -> str:
    """A Moodle course short name as Moodle writes it into the export's file name."""
    return re.sub(r"[^a-z0-9-]", "_", str(text).strip().lower())


def parse_day(text: str, formats: tuple[str, ...] = DATE_FORMATS) -> datetime.date | None:
    """The day ``text`` names (ISO, or one of ``formats``); None when it is not a date."""
    text = " ".join(str(text).split())
    match = _ISO_DAY.match(text)
    if match:
        try:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    for pattern in formats:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def job_for_source(source) -> int | None:
    """The import job whose stored file ``source`` is (the engine's pages import a job's file)."""
    from digileap.core.models import ImportJob

    if not isinstance(source, (str, os.PathLike)):
        return None
    path = os.path.abspath(os.fspath(source))
    root = os.path.abspath(str(settings.MEDIA_ROOT))
    if not path.startswith(root + os.sep):
        return None
    name = os.path.relpath(path, root).replace(os.sep, "/")
    job = (
        ImportJob.objects.filter(file=name, status__in=[ImportJob.Status.PREVIEWING, ImportJob.Status.COMMITTING])
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return job


@dataclass(slots=True)
class Row:
    """One row that passed the checks: what it completes, for whom, where."""

    line: int
    course_id: int
    authority_id: int
    school_id: int
    staff_id: int  # 0: a new person, see ``person``
    person: int  # index into ``CompletionPlan.people`` when new, else -1
    completed_on: datetime.date
    passed: bool | None
    score: Any
    identifier: str


@dataclass
class NewPerson:
    authority_id: int
    school_id: int
    reference: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    gender: str = ""
    age_band: str = ""
    identifiers: set[str] = field(default_factory=set)


@dataclass
class CompletionPlan:
    rows: list[Row] = field(default_factory=list)
    people: list[NewPerson] = field(default_factory=list)
    # Existing people's identifiers by (authority, identifier): to know what to add.
    known_identifiers: set[tuple[int, str]] = field(default_factory=set)
    memberships: set[tuple[int, int]] = field(default_factory=set)
    source_detail: str = ""
    job_id: int | None = None


class CompletionImporter(Importer):
    target = TARGET
    label = gettext_lazy("Course completions (Moodle, other learning platforms)")
    model = Completion
    fields: tuple[FieldSpec, ...] = COMPLETION_FIELDS
    # The xAPI importer renumbers its rows (line = the statement's number) before planning.
    default_system = "import"

    def __init__(self, *, profile, actor):
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        options = profile.options or {}
        self.system = str(options.get("system") or self.default_system)
        self.course_system = str(options.get("course_system") or self.system)
        source = options.get("source") or Source.IMPORT
        if source not in (Source.IMPORT, Source.PLATFORM):
            raise ImportFileError(
                _("profile %(profile)s: unknown source %(source)r; use import or platform")
                % {"profile": profile.name, "source": source}
            )
        self.source = source
        self.file_course_pattern = options.get("course_from_filename", "")
        self.today = timezone.localdate()

    @classmethod
    def unpack(cls, source, *, filename: str):
        name = filename or os.path.basename(getattr(source, "name", "") or str(source))
        return source, filename, {"filename": name, "job_id": job_for_source(source)}

    def column(self, name: str) -> str:
        return self.column_of.get(name, name)

    # -- planning --------------------------------------------------------------------------------

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        plan = Plan(data=CompletionPlan(source_detail=self.context.get("filename", "")[:200]))
        plan.data.job_id = self.context.get("job_id")
        rejected: list[RowError] = plan.rejected
        failed: set[int] = set()

        def refuse(line: int, name: str, message: str, value: Any = "") -> None:
            failed.add(line)
            rejected.append(RowError(line, self.column(name), message, "" if value is None else str(value)[:200]))

        raw: list[tuple] = []
        for parsed in rows:
            if parsed.errors:
                failed.add(parsed.line)
                rejected.extend(parsed.errors)
                continue
            raw.append((parsed.line, *map(parsed.values.get, FIELDS)))
        if not raw:
            return plan

        scope = schools_in_scope(self.actor)
        file_course = self._course_from_filename()
        schools = self._schools(scope, {r[6] for r in raw if r[6]})
        authorities = self._authorities(scope)
        courses = self._courses(authorities, {r[7] for r in raw if r[7]}, file_course)
        people = self._people(authorities, raw)
        memberships = self._memberships({staff for staff in people["ids"]}, scope)
        plan.data.memberships = memberships["pairs"]

        dates: dict[str, datetime.date | None] = {}
        new_by_key: dict[tuple[int, str], int] = {}
        first_of: dict[tuple[int, int, int], tuple[int, datetime.date]] = {}
        repeated = 0
        data: CompletionPlan = plan.data
        by_key = people["by_key"]
        today = self.today
        for (
            line,
            identifier,
            reference,
            email,
            first_name,
            last_name,
            school_text,
            course_text,
            day_text,
            score,
            passed,
            gender,
            age_band,
        ) in raw:
            # The day.
            day_text = str(day_text or "")
            try:
                day = dates[day_text]
            except KeyError:
                day = dates[day_text] = parse_day(day_text)
            if day is None:
                refuse(line, "completed_on", _("%(value)r is not a date") % {"value": day_text}, day_text)
            elif day > today:
                refuse(line, "completed_on", _("%(date)s is in the future") % {"date": day.isoformat()}, day_text)
            # The school, hence the authority.
            school_id = authority_id = 0
            if school_text:
                found = schools.get(str(school_text))
                if found is None:
                    refuse(
                        line,
                        "school",
                        _("unknown school %(number)r (or not one you may import completions for)")
                        % {"number": school_text},
                        school_text,
                    )
                    continue
                if found == "ambiguous":
                    refuse(
                        line,
                        "school",
                        _("several schools you may import for have the number %(number)r") % {"number": school_text},
                        school_text,
                    )
                    continue
                school_id, authority_id = found
            # The course.
            course_key = str(course_text) if course_text else file_course
            if not course_key:
                refuse(
                    line,
                    "course",
                    _("no course: the row has none and the file name does not name one"),
                    "",
                )
                continue
            candidates = courses.get(course_key, {})
            if authority_id:
                course_id = candidates.get(authority_id)
            elif len(candidates) == 1:
                authority_id, course_id = next(iter(candidates.items()))
            else:
                course_id = None
            if course_id is None:
                refuse(
                    line,
                    "course",
                    _("unknown course %(course)r: no course has this code or identifier (%(system)s)")
                    % {"course": course_key, "system": self.course_system},
                    course_key,
                )
                continue
            # The person.
            keys = []
            if identifier:
                keys.append(("identifier", "i:" + str(identifier)))
            if reference:
                keys.append(("staff_reference", "r:" + str(reference)))
            if email:
                keys.append(("email", "e:" + str(email).lower()))
            if not keys:
                refuse(
                    line,
                    self.person_columns()[0],
                    _("no person: give the platform identifier, the staff reference or the e-mail"),
                )
                continue
            staff_id = 0
            conflict = False
            for name, key in keys:
                found_id = by_key.get((authority_id, key))
                if found_id is None:
                    continue
                if staff_id and found_id != staff_id:
                    refuse(
                        line,
                        name,
                        _("this person matches two different staff records: %(first)s and %(second)s")
                        % {"first": people["reference"][staff_id], "second": people["reference"][found_id]},
                        key[2:],
                    )
                    conflict = True
                    break
                staff_id = found_id
            if conflict:
                continue
            person = -1
            if not staff_id:
                matches = {new_by_key[(authority_id, key)] for _name, key in keys if (authority_id, key) in new_by_key}
                if len(matches) > 1:
                    refuse(
                        line,
                        keys[-1][0],
                        _("this person matches two different people of this file: %(references)s")
                        % {"references": ", ".join(data.people[m].reference for m in sorted(matches))},
                        keys[-1][1][2:],
                    )
                    continue
                if matches:
                    person = matches.pop()
                elif not school_id:
                    refuse(
                        line,
                        "school",
                        _("unknown person and no school: give the school to add them"),
                        "",
                    )
                    continue
                else:
                    checked = self._new_person_fields(line, gender, age_band, refuse)
                    if checked is None:
                        continue
                    reference_text = str(reference or email or f"{self.system}-{identifier}")[:64]
                    data.people.append(
                        NewPerson(
                            authority_id=authority_id,
                            school_id=school_id,
                            reference=reference_text,
                            email=str(email or ""),
                            first_name=str(first_name or "")[:100],
                            last_name=str(last_name or "")[:100],
                            gender=checked[0],
                            age_band=checked[1],
                        )
                    )
                    person = len(data.people) - 1
                for _name, key in keys:
                    new_by_key.setdefault((authority_id, key), person)
                if identifier:
                    data.people[person].identifiers.add(str(identifier))
                if not school_id:
                    school_id = data.people[person].school_id
            elif not school_id:
                at = memberships["schools"].get(staff_id, [])
                # A completion stored already (a re-import, or the person took a second school since)
                # keeps its school, so the row is compared with it instead of being refused.
                stored = None
                if len(at) > 1:
                    stored = (
                        Completion.objects.filter(course_id=course_id, staff_id=staff_id)
                        .values_list("school_id", flat=True)
                        .first()
                    )
                if len(at) != 1 and stored is None:
                    refuse(
                        line,
                        "school",
                        _("the person works at %(count)s of your schools: give the school") % {"count": len(at)},
                        "",
                    )
                    continue
                school_id = stored or at[0]
            if line in failed:
                continue
            assert day is not None  # refused above otherwise
            # The same person and course twice in the file.
            repeat_key = (course_id, staff_id, person)
            if repeat_key in first_of:
                first_line, first_day = first_of[repeat_key]
                if first_day == day:
                    repeated += 1
                else:
                    refuse(
                        line,
                        "completed_on",
                        _("line %(line)s has the same person and course with another date (%(date)s)")
                        % {"line": first_line, "date": first_day.isoformat()},
                        day_text,
                    )
                continue
            first_of[repeat_key] = (line, day)
            data.rows.append(
                Row(
                    line,
                    course_id,
                    authority_id,
                    school_id,
                    staff_id,
                    person,
                    day,
                    passed,
                    score,
                    str(identifier or ""),
                )
            )
        data.known_identifiers = people["identifiers"]
        # Rows of known people: compare with the stored completions in SQL.
        unchanged, conflicts = self._compare([row for row in data.rows if row.staff_id])
        for line, stored_on in conflicts:
            refuse(
                line,
                "completed_on",
                _("this person completed this course on %(date)s already (a stored completion)") % {"date": stored_on},
                "",
            )
        data.rows = [row for row in data.rows if row.line not in unchanged and row.line not in failed]
        plan.created = len(data.rows)
        plan.unchanged = len(unchanged) + repeated
        plan.rejected.sort(key=lambda e: (e.line, e.column))
        return plan

    def person_columns(self) -> list[str]:
        present = [name for name in ("identifier", "staff_reference", "email") if name in self.column_of]
        return present or ["staff_reference"]

    def _new_person_fields(self, line, gender, age_band, refuse) -> tuple[str, str] | None:
        gender_value = age_value = ""
        if gender:
            gender_value = GENDERS.get(str(gender).strip().lower(), "")
            if not gender_value:
                refuse(
                    line,
                    "gender",
                    _("unknown gender %(value)r; use female, male or non_binary") % {"value": gender},
                    gender,
                )
                return None
        if age_band:
            age_value = AGE_BANDS.get(str(age_band).strip().replace(" ", ""), "")
            if not age_value:
                refuse(
                    line,
                    "age_band",
                    _("unknown age band %(value)r; use 0-17, 18-29, 30-54 or 55+") % {"value": age_band},
                    age_band,
                )
                return None
        return gender_value, age_value

    def _course_from_filename(self) -> str:
        """The course short name the file's name holds (Moodle: ``completion-<short name>.csv``)."""
        if not self.file_course_pattern:
            return ""
        match = re.match(self.file_course_pattern, os.path.basename(self.context.get("filename", "")))
        return match.group(1) if match else ""

    def _schools(self, scope, numbers: set) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for chunk in chunked(sorted(str(n) for n in numbers), CHUNK):
            for pk, number, authority_id in scope.filter(number__in=chunk).values_list("pk", "number", "authority_id"):
                found[number] = "ambiguous" if number in found else (pk, authority_id)
        return found

    def _authorities(self, scope) -> list[int] | None:
        """The authorities the actor imports for (None: every authority)."""
        if _is_everything(scope):
            return None
        return sorted(set(scope.values_list("authority_id", flat=True)))

    def _courses(self, authorities, texts: set, file_course: str) -> dict[str, dict[int, int]]:
        """Course text -> {authority: course}: mapped identifiers first, then course codes."""
        result: dict[str, dict[int, int]] = {}
        texts = {str(text) for text in texts}
        in_scope = Q() if authorities is None else Q(authority_id__in=authorities)
        course_scope = Q() if authorities is None else Q(programme__authority_id__in=authorities)
        for chunk in chunked(sorted(texts), CHUNK):
            for code, course_id, authority_id in Course.objects.filter(course_scope, code__in=chunk).values_list(
                "code", "pk", "programme__authority_id"
            ):
                result.setdefault(code, {})[authority_id] = course_id
            for identifier, course_id, authority_id in CourseMapping.objects.filter(
                in_scope, system=self.course_system, identifier__in=chunk
            ).values_list("identifier", "course_id", "authority_id"):
                result.setdefault(identifier, {})[authority_id] = course_id
        if file_course:
            wanted = normalise_short_name(file_course)
            for identifier, course_id, authority_id in CourseMapping.objects.filter(
                in_scope, system=self.course_system
            ).values_list("identifier", "course_id", "authority_id"):
                if normalise_short_name(identifier) == wanted:
                    result.setdefault(file_course, {})[authority_id] = course_id
        return result

    def _people(self, authorities, raw: list[tuple]) -> dict[str, Any]:
        """The stored people the rows name: (authority, key) -> staff id, their references and identifiers."""
        identifiers = {str(r[1]) for r in raw if r[1]}
        references = {str(r[2]) for r in raw if r[2]}
        emails = {str(r[3]).lower() for r in raw if r[3]}
        in_scope = Q() if authorities is None else Q(authority_id__in=authorities)
        by_key: dict[tuple[int, str], int] = {}
        reference_of: dict[int, str] = {}
        platform = StaffIdentifier.objects.filter(in_scope, system=self.system)
        for identifier, staff_id, authority_id, reference in _lookup(
            platform, "identifier", identifiers, ("identifier", "staff_id", "authority_id", "staff__reference")
        ):
            by_key[(authority_id, "i:" + identifier)] = staff_id
            reference_of[staff_id] = reference
        staff = StaffMember.objects.filter(in_scope)
        for reference, staff_id, authority_id in _lookup(
            staff, "reference", references, ("reference", "pk", "authority_id")
        ):
            by_key[(authority_id, "r:" + reference)] = staff_id
            reference_of[staff_id] = reference
        if emails:
            with_lower = staff.exclude(email="").annotate(email_lower=Lower("email"))
            for email, staff_id, authority_id, reference in _lookup(
                with_lower, "email_lower", emails, ("email_lower", "pk", "authority_id", "reference")
            ):
                by_key[(authority_id, "e:" + email)] = staff_id
                reference_of[staff_id] = reference
        ids = set(reference_of)
        known_identifiers = {
            (staff_id, identifier)
            for staff_id, identifier in _lookup(platform, "staff_id", ids, ("staff_id", "identifier"))
        }
        return {"by_key": by_key, "ids": ids, "reference": reference_of, "identifiers": known_identifiers}

    def _memberships(self, staff_ids: set[int], scope) -> dict[str, Any]:
        pairs: set[tuple[int, int]] = set()
        schools: dict[int, list[int]] = {}
        scope_ids = None if _is_everything(scope) else set(scope.values_list("pk", flat=True))
        for staff_id, school_id, active in _lookup(
            Membership.objects.all(), "staff_id", staff_ids, ("staff_id", "school_id", "is_active")
        ):
            pairs.add((staff_id, school_id))
            if active and (scope_ids is None or school_id in scope_ids):
                schools.setdefault(staff_id, []).append(school_id)
        return {"pairs": pairs, "schools": schools}

    # -- staging and comparing in SQL ---------------------------------------------------------------

    def _compare(self, rows: list[Row]) -> tuple[set[int], list[tuple[int, str]]]:
        """(lines stored already with the same date, (line, stored date) stored with another date)."""
        if not rows:
            return set(), []
        if not _stored_for({row.course_id for row in rows}):
            return set(), []  # none of these courses has a stored completion: nothing to compare with
        drop_stage()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {STAGE} (line integer, course_id bigint, staff_id bigint, day date)")
            values = ((row.line, row.course_id, row.staff_id, row.completed_on.isoformat()) for row in rows)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {STAGE} (line, course_id, staff_id, day) FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for count, (line, course_id, staff_id, day) in enumerate(values, start=1):
                        buffer.write(f"{line}\t{course_id}\t{staff_id}\t{day}\n")
                        if count % COPY_PART == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
                cursor.execute(f"ANALYZE {STAGE}")
            else:
                batch = []
                for value in values:
                    batch.append(value)
                    if len(batch) >= COPY_ROWS:
                        cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", batch)
                        batch = []
                if batch:
                    cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", batch)
            cursor.execute(
                f"""SELECT s.line, s.day = c.completed_on, c.completed_on
                FROM {STAGE} s JOIN {Completion._meta.db_table} c
                  ON c.course_id = s.course_id AND c.staff_id = s.staff_id"""
            )
            found = cursor.fetchall()
        drop_stage()
        unchanged = {line for line, same, _day in found if same}
        conflicts = [(line, str(day)) for line, same, day in found if not same]
        return unchanged, conflicts

    # -- writing ---------------------------------------------------------------------------------

    def commit(self, plan: Plan) -> None:
        data: CompletionPlan = plan.data
        if not data.rows:
            return  # nothing new: a re-import leaves no trace, not even in the audit trail
        used = sorted({row.person for row in data.rows if row.person >= 0})
        created_people = self._create_people(data, used)
        now = timezone.now()
        identifiers: dict[tuple[int, str], StaffIdentifier] = {}
        memberships: dict[tuple[int, int], Membership] = {}
        for row in data.rows:
            if row.staff_id:
                if row.identifier and (row.staff_id, row.identifier) not in data.known_identifiers:
                    identifiers.setdefault(
                        (row.staff_id, row.identifier),
                        StaffIdentifier(
                            staff_id=row.staff_id,
                            authority_id=row.authority_id,
                            system=self.system,
                            identifier=row.identifier,
                        ),
                    )
                if (row.staff_id, row.school_id) not in data.memberships:
                    memberships.setdefault(
                        (row.staff_id, row.school_id), Membership(staff_id=row.staff_id, school_id=row.school_id)
                    )
        StaffIdentifier.objects.bulk_create(identifiers.values(), batch_size=2000, ignore_conflicts=True)
        Membership.objects.bulk_create(memberships.values(), batch_size=2000, ignore_conflicts=True)
        records = (
            (
                row.course_id,
                row.staff_id or created_people[row.person],
                row.school_id,
                row.completed_on,
                row.passed,
                row.score,
            )
            for row in data.rows
        )
        inserted = write_completions(
            records, source=self.source, source_detail=data.source_detail, job_id=data.job_id, now=now
        )
        audit.record_many(
            actor=self.actor,
            changes=[
                audit.Change(
                    "import",
                    "training.import",
                    self.profile.name,
                    _("Completion import (%(profile)s)") % {"profile": self.profile.name},
                    None,
                    {
                        "file": data.source_detail,
                        "completions": inserted,
                        "people_created": len(created_people),
                        "identifiers_added": len(identifiers),
                        "memberships_added": len(memberships),
                        "unchanged": plan.unchanged,
                        "rejected": plan.rejected_lines,
                        "source": self.source,
                    },
                )
            ],
        )

    def _create_people(self, data: CompletionPlan, used: list[int]) -> dict[int, int]:
        if not used:
            return {}
        members = [
            StaffMember(
                authority_id=data.people[index].authority_id,
                reference=data.people[index].reference,
                email=data.people[index].email,
                first_name=data.people[index].first_name,
                last_name=data.people[index].last_name,
                gender=data.people[index].gender,
                age_band=data.people[index].age_band,
            )
            for index in used
        ]
        StaffMember.objects.bulk_create(members, batch_size=2000)
        ids = {index: member.pk for index, member in zip(used, members, strict=True)}
        Membership.objects.bulk_create(
            [Membership(staff_id=ids[index], school_id=data.people[index].school_id) for index in used],
            batch_size=2000,
        )
        StaffIdentifier.objects.bulk_create(
            [
                StaffIdentifier(
                    staff_id=ids[index],
                    authority_id=data.people[index].authority_id,
                    system=self.system,
                    identifier=identifier,
                )
                for index in used
                for identifier in sorted(data.people[index].identifiers)
            ],
            batch_size=2000,
        )
        return ids


def write_completions(records, *, source: str, source_detail: str, job_id: int | None, now) -> int:
    """Insert completions (course, staff, school, day, passed, score) in bulk; how many were written.

    ``COPY`` on PostgreSQL, then ``ANALYZE``; ``executemany`` in batches on SQLite. Each gets a
    fresh certificate number."""
    table = Completion._meta.db_table
    names = (
        "course_id, staff_id, school_id, completed_on, assessment_passed, score, source, source_detail,"
        " import_job_id, certificate_number, created_at"
    )
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            detail = _copy_text(source_detail)
            job = NULL if job_id is None else str(job_id)
            stamp = now.isoformat()
            tail = f"\t{source}\t{detail}\t{job}\t"
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                # Sent in small parts: the server stores one while Python writes the next.
                for part in _parts(records, COPY_PART):
                    numbers = _certificate_numbers(len(part))
                    lines = []
                    for (course_id, staff_id, school_id, day, passed, score), number in zip(part, numbers, strict=True):
                        flag = NULL if passed is None else ("t" if passed else "f")
                        points = NULL if score is None else str(score)
                        lines.append(
                            f"{course_id}\t{staff_id}\t{school_id}\t{day.isoformat()}\t{flag}\t{points}"
                            f"{tail}{number}\t{stamp}\n"
                        )
                    copy.write("".join(lines))
                    count += len(part)
            cursor.execute(f"ANALYZE {table}")
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * 11)})"
            batch = []
            for course_id, staff_id, school_id, day, passed, score in records:
                batch.append(
                    (
                        course_id,
                        staff_id,
                        school_id,
                        day.isoformat(),
                        passed,
                        None if score is None else str(score),
                        source,
                        source_detail,
                        job_id,
                        secrets.token_hex(8).upper(),
                        now.isoformat(),
                    )
                )
                if len(batch) >= COPY_ROWS:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _lookup(queryset, field_name: str, values: set, columns: tuple[str, ...]):
    """The rows of ``queryset`` whose ``field_name`` is one of ``values``, as tuples of ``columns``
    (the first column is ``field_name``'s value unless it is not among them). A few values: ``IN``
    lists in chunks; many: one pass over the queryset, kept in Python (cheaper than hundreds of
    ``IN`` queries for a national file)."""
    if not values:
        return
    if len(values) <= MANY:
        for chunk in chunked(sorted(values), CHUNK):
            yield from queryset.filter(**{f"{field_name}__in": chunk}).values_list(*columns)
        return
    rows = queryset.values_list(field_name, *columns).order_by().iterator(chunk_size=20_000)
    for key, *rest in rows:
        if key in values:
            yield tuple(rest)


def _parts(records, size: int):
    """``records`` in lists of ``size``."""
    part = []
    for record in records:
        part.append(record)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _certificate_numbers(count: int) -> list[str]:
    """``count`` fresh certificate numbers: 16 hexadecimal digits each, as ``secrets.token_hex(8).upper()``
    gives, from one call to the system's random source."""
    text = secrets.token_hex(8 * count).upper()
    return [text[start : start + 16] for start in range(0, 16 * count, 16)]


def _stored_for(course_ids: set[int]) -> bool:
    """Whether any of these courses has a stored completion."""
    return any(Completion.objects.filter(course_id__in=chunk).exists() for chunk in chunked(sorted(course_ids), CHUNK))


def _copy_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _is_everything(queryset) -> bool:
    return not queryset.query.where.children


def drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def register() -> None:
    register_profile_dir(TARGET, PROFILE_DIR / TARGET)
    register_importer(CompletionImporter)
