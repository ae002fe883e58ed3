"""The recipients importer: class lists and OneRoster ``users.csv`` into pupils and teachers.

Fields a profile can fill (see docs/devices-handout.md): reference (required), role (pupil or
teacher in several languages; OneRoster's student and teacher), grade, grades (OneRoster codes),
group, isced_level, eligibility_group, status (OneRoster: ``tobedeleted`` deactivates), school (an
official school number), organisations (OneRoster ``orgSourcedIds``), name (kept only when
``PUPIL_NAMES_ENABLED`` is on), source.

A recipient is identified by its school and reference. Re-importing the same file changes nothing
and records nothing; a changed row updates only the fields the file provides. The school of a row
is, in this order: the ``school`` override (``--school``, or the school chosen on the page), the
row's ``school`` column, the first of its ``organisations`` that is a school number in the actor's
scope, or the actor's only school.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import bulk_insert, chunked
from digileap.core.permissions import Action, permits
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import RowError
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir

from ..models import Recipient
from ..selectors.recipients import schools_with_recipients
from ..services.recipients import store_names

register_profile_dir("recipients", Path(__file__).resolve().parent.parent / "import_profiles" / "recipients")

PUPIL_WORDS = {"pupil", "student", "learner", "leerling", "schüler", "schülerin", "élève", "eleve", "skolēns",
               "skolniece", "pupils"}  # fmt: skip
TEACHER_WORDS = {"teacher", "leerkracht", "leraar", "lehrer", "lehrerin", "lehrkraft", "enseignant", "enseignante",
                 "professeur", "skolotājs", "skolotāja"}  # fmt: skip
# OneRoster (CEDS) grade codes before grade 1.
PRE_SCHOOL_GRADES = {"IT", "PR", "PK", "TK", "KG", "PS"}
COMPARED_FIELDS = ("kind", "grade", "group", "isced_level", "eligibility_group", "display_name", "is_active")
INSERTED_FIELDS = ("school", "reference", *COMPARED_FIELDS, "source", "created_at")


@dataclass
class RecipientRow:
    line: int
    school_id: int
    reference: str
    values: dict[str, Any]


@dataclass
class RecipientUpdate:
    recipient_id: int
    row: RecipientRow
    before: dict[str, Any]
    changed: dict[str, Any]


@dataclass
class RecipientPlan:
    creates: list[RecipientRow] = field(default_factory=list)
    updates: list[RecipientUpdate] = field(default_factory=list)


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """The audit trail never keeps a name, only whether one is set."""
    data = {name: value for name, value in values.items() if name != "display_name"}
    if "display_name" in values:
        data["has_name"] = bool(values["display_name"])
    return data


def parse_grades(text: str) -> int | None:
    """A OneRoster ``grades`` cell as one grade: ``05`` → 5, ``KG`` → 0; several grades, or codes
    such as ``UG`` and ``Other``, say nothing about one grade: None."""
    codes = {part.strip().upper() for part in re.split(r"[,;]", text or "") if part.strip()}
    grades = {
        0 if code in PRE_SCHOOL_GRADES else int(code) for code in codes if code.isdigit() or code in PRE_SCHOOL_GRADES
    }
    if len(grades) != 1 or len(codes) != 1:
        return None
    grade = grades.pop()
    return grade if 0 <= grade <= 13 else None


@register_importer
class RecipientImporter(Importer):
    target = "recipients"
    label = gettext_lazy("Pupils and teachers (class lists)")
    model = Recipient

    def __init__(self, *, profile, actor):
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        self.store_names = store_names()
        self._schools_by_number: dict[str, list] = {}
        self._schools: dict[int, Any] = {}
        self._only_school: Any = False  # not looked up yet
        self._permitted: dict[tuple[int, str], bool] = {}

    # -- what the file provides ----------------------------------------------------------------

    def provided(self) -> set[str]:
        """The value names this profile fills for this file: constants and the columns it has."""
        headers = set(self.headers)
        names = set(self.profile.constants)
        for column in self.profile.columns:
            if column.optional_column and not headers.intersection(column.sources):
                continue
            names.add(column.field)
        return names

    def compared_fields(self) -> list[str]:
        """Recipient fields an import sets: what the file provides. Others keep their stored value."""
        provided = self.provided()
        fields = ["is_active"]
        if "role" in provided:
            fields.append("kind")
        if "grade" in provided or "grades" in provided:
            fields.append("grade")
        for name in ("group", "isced_level", "eligibility_group"):
            if name in provided:
                fields.append(name)
        if self.store_names and "name" in provided:
            fields.append("display_name")
        return fields

    # -- schools ---------------------------------------------------------------------------------

    def _scope(self):
        """The schools where the actor may add or change recipients."""
        return (
            schools_with_recipients(self.actor, Action.ADD) | schools_with_recipients(self.actor, Action.CHANGE)
        ).distinct()

    def schools_numbered(self, number: str) -> list:
        """The schools of the actor's scope with this official number (one query per number)."""
        if number not in self._schools_by_number:
            schools = list(self._scope().filter(number=number).select_related("authority"))
            self._schools_by_number[number] = schools
            self._schools.update((school.pk, school) for school in schools)
        return self._schools_by_number[number]

    def only_school(self):
        """The actor's one school, or None when the scope has none or several."""
        if self._only_school is False:
            schools = list(self._scope().order_by("pk")[:2])
            self._only_school = schools[0] if len(schools) == 1 else None
            if self._only_school is not None:
                self._schools[self._only_school.pk] = self._only_school
        return self._only_school

    def _school_for(self, values: dict[str, Any], fail) -> Any:
        number = str(values.get("school") or "").strip()
        if number:
            matches = self.schools_numbered(number)
            column = self.column_of.get("school", "school")
            if not matches:
                fail(column, _("no school with the number %(number)r in your scope") % {"number": number}, number)
                return None
            if len(matches) > 1:
                authorities = ", ".join(sorted(school.authority.name for school in matches))
                fail(
                    column,
                    _("the school number %(number)r is used in several authorities (%(authorities)s)")
                    % {"number": number, "authorities": authorities},
                    number,
                )
                return None
            return matches[0]
        organisations = [part.strip() for part in str(values.get("organisations") or "").split(",") if part.strip()]
        if organisations:
            column = self.column_of.get("organisations", "orgSourcedIds")
            matches = {school.pk: school for org in organisations for school in self.schools_numbered(org)}
            if len(matches) == 1:
                return next(iter(matches.values()))
            text = ", ".join(organisations)
            if not matches:
                fail(
                    column,
                    _(
                        "none of the organisations %(organisations)s is the number of a school in your scope; "
                        "choose the school for the import"
                    )
                    % {"organisations": text},
                    text,
                )
            else:
                fail(
                    column,
                    _("the organisations %(organisations)s are several schools; choose the school for the import")
                    % {"organisations": text},
                    text,
                )
            return None
        if self.only_school() is not None:
            return self.only_school()
        fail(
            "school",
            _(
                "which school? Add a column 'school' with the official school number, or choose the school for the import"
            ),
        )
        return None

    def _may(self, school, action: str) -> bool:
        key = (school.pk, action)
        if key not in self._permitted:
            self._permitted[key] = permits(self.actor, action, Recipient(school=school))
        return self._permitted[key]

    # -- reading rows ----------------------------------------------------------------------------

    def _kind(self, values: dict[str, Any], fail) -> str | None:
        """The kind of recipient, "" for a role that is left out, None after an error."""
        role = str(values.get("role") or "").strip()
        lowered = role.lower()
        if not role or lowered in PUPIL_WORDS:
            return Recipient.Kind.PUPIL
        if lowered in TEACHER_WORDS:
            return Recipient.Kind.TEACHER
        # A profile may name roles whose rows are left out, not counted (OneRoster's parents, aides, ...).
        left_out = {part.strip().lower() for part in str(values.get("left_out_roles") or "").split(",")}
        if lowered in left_out:
            return ""
        fail(
            self.column_of.get("role", "role"),
            _("%(value)r is neither a pupil (pupil, student) nor a teacher") % {"value": role},
            role,
        )
        return None

    def _row(self, parsed: ParsedRow, fields: list[str]) -> RecipientRow | list[RowError] | None:
        """The row, or its errors, or None for a row that is left out."""
        values = parsed.values
        errors = list(parsed.errors)

        def fail(column: str, message: str, value: str = "") -> None:
            errors.append(RowError(parsed.line, column, message, value))

        kind = self._kind(values, fail)
        if kind == "":
            return None  # a parent, guardian, administrator ...: not a recipient
        school = self._school_for(values, fail)
        reference = str(values.get("reference") or "").strip()
        if errors:
            return errors
        status = str(values.get("status") or "").strip().lower()
        grade = values.get("grade")
        if "grades" in values and "grade" not in values:
            grade = parse_grades(str(values.get("grades") or ""))
        row_values = {
            "kind": kind,
            "grade": grade,
            "group": " ".join(str(values.get("group") or "").split()),
            "isced_level": values.get("isced_level"),
            "eligibility_group": str(values.get("eligibility_group") or "").strip(),
            "display_name": " ".join(str(values.get("name") or "").split())[:200],
            "is_active": status != "tobedeleted",
        }
        return RecipientRow(parsed.line, school.pk, reference, {name: row_values[name] for name in fields})

    # -- the plan --------------------------------------------------------------------------------

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        plan = Plan(data=RecipientPlan())
        fields = self.compared_fields()
        by_key: dict[tuple[int, str], list[RecipientRow]] = {}
        for parsed in rows:
            row = self._row(parsed, fields)
            if row is None:
                continue
            if isinstance(row, list):
                plan.rejected.extend(row)
                continue
            by_key.setdefault((row.school_id, row.reference), []).append(row)
        reference_column = self.column_of.get("reference", "reference")
        unique: dict[tuple[int, str], RecipientRow] = {}
        for key, same in by_key.items():
            if len(same) == 1:
                unique[key] = same[0]
                continue
            for row in same:
                others = ", ".join(str(other.line) for other in same if other is not row)
                plan.rejected.append(
                    RowError(
                        row.line,
                        reference_column,
                        _("the reference %(reference)s appears again on line(s) %(lines)s")
                        % {"reference": row.reference, "lines": others},
                        row.reference,
                    )
                )
        existing = self._existing(unique)
        data: RecipientPlan = plan.data
        schools = self._schools
        for key, row in sorted(unique.items(), key=lambda item: item[1].line):
            school = schools[row.school_id]
            stored = existing.get(key)
            if stored is None:
                if not self._may(school, Action.ADD):
                    plan.rejected.append(
                        RowError(
                            row.line,
                            reference_column,
                            _("your role may not add pupils or teachers at %(school)s") % {"school": school.name},
                            row.reference,
                        )
                    )
                    continue
                data.creates.append(row)
                plan.created += 1
                continue
            changed = {name: value for name, value in row.values.items() if stored[name] != value}
            if not changed:
                plan.unchanged += 1
                continue
            if not self._may(school, Action.CHANGE):
                plan.rejected.append(
                    RowError(
                        row.line,
                        reference_column,
                        _("your role may not change pupils or teachers at %(school)s") % {"school": school.name},
                        row.reference,
                    )
                )
                continue
            data.updates.append(RecipientUpdate(stored["id"], row, {name: stored[name] for name in changed}, changed))
            plan.updated += 1
        return plan

    def _existing(self, rows: dict[tuple[int, str], RecipientRow]) -> dict[tuple[int, str], dict[str, Any]]:
        by_school: dict[int, list[str]] = {}
        for school_id, reference in rows:
            by_school.setdefault(school_id, []).append(reference)
        existing = {}
        for school_id, references in by_school.items():
            for part in chunked(references):
                for values in Recipient.objects.filter(school_id=school_id, reference__in=part).values(
                    "id", "school_id", "reference", *COMPARED_FIELDS
                ):
                    existing[(values["school_id"], values["reference"])] = values
        return existing

    # -- writing ---------------------------------------------------------------------------------

    def commit(self, plan: Plan) -> None:
        data: RecipientPlan = plan.data
        source = self.profile.constants.get("source", Recipient.Source.CLASS_LIST)
        if source not in Recipient.Source.values:
            source = Recipient.Source.CLASS_LIST
        now = timezone.now()
        defaults = {
            "kind": Recipient.Kind.PUPIL,
            "grade": None,
            "group": "",
            "isced_level": None,
            "eligibility_group": "",
            "display_name": "",
            "is_active": True,
        }
        bulk_insert(
            Recipient,
            INSERTED_FIELDS,
            (
                (
                    row.school_id,
                    row.reference,
                    *[row.values.get(name, defaults[name]) for name in COMPARED_FIELDS],
                    source,
                    now,
                )
                for row in data.creates
            ),
        )
        changes: list[audit.Change] = []
        if data.creates:
            ids = self._ids(data.creates)
            for row in data.creates:
                after = {"school": row.school_id, "reference": row.reference, "source": source}
                after.update(_audit_values({name: row.values.get(name, defaults[name]) for name in COMPARED_FIELDS}))
                changes.append(
                    audit.Change(
                        "create",
                        "devices.recipient",
                        str(ids[(row.school_id, row.reference)]),
                        row.reference,
                        None,
                        after,
                    )  # fmt: skip
                )
        if data.updates:
            updated_fields = sorted({name for update in data.updates for name in update.changed})
            objects = []
            for update in data.updates:
                recipient = Recipient(pk=update.recipient_id)
                for name in updated_fields:
                    setattr(recipient, name, update.row.values[name])
                objects.append(recipient)
                changes.append(
                    audit.Change(
                        "update",
                        "devices.recipient",
                        str(update.recipient_id),
                        update.row.reference,
                        _audit_values(update.before),
                        _audit_values(update.changed),
                    )  # fmt: skip
                )
            Recipient.objects.bulk_update(objects, updated_fields, batch_size=500)
        if not changes:
            return  # nothing changed: re-importing the same file leaves no trace
        changes.append(
            audit.Change(
                "import",
                "devices.recipient-import",
                self.profile.name,
                _("Import of pupils and teachers (%(profile)s)") % {"profile": self.profile.name},
                None,
                {
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "rejected": plan.rejected_lines,
                },
            )
        )
        audit.record_many(actor=self.actor, changes=changes)

    def _ids(self, rows: list[RecipientRow]) -> dict[tuple[int, str], int]:
        by_school: dict[int, list[str]] = {}
        for row in rows:
            by_school.setdefault(row.school_id, []).append(row.reference)
        ids = {}
        for school_id, references in by_school.items():
            for part in chunked(references):
                for pk, reference in Recipient.objects.filter(
                    Q(school_id=school_id) & Q(reference__in=part)
                ).values_list("pk", "reference"):
                    ids[(school_id, reference)] = pk
        return ids
