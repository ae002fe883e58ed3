"""The recipients importer: class lists and OneRoster exports into pupils and teachers.

Fields a profile can fill (``FIELDS`` below; see docs/devices-handout.md): reference (required),
role (pupil or teacher in several languages; OneRoster's student and teacher), grade, grades
(OneRoster codes), group, isced_level, eligibility_group, status (OneRoster: ``tobedeleted``
deactivates), school (an official school number), organisations (OneRoster ``orgSourcedIds``), name
(kept only when ``PUPIL_NAMES_ENABLED`` is on), source.

A recipient is identified by its school and reference. Re-importing the same file changes nothing
and records nothing; a changed row updates only the fields the file provides. The school of a row
is, in this order: the ``school`` override (``--school``, or the school chosen on the page), the
row's ``school`` column, its OneRoster organisations, or the actor's only school.

OneRoster. A users.csv alone (1.1) names its organisations by ``sourcedId``, taken as school
numbers. An export as a ZIP (``unpack``) carries ``orgs.csv`` too, which maps each organisation's
``sourcedId`` to its ``identifier``: the school's official number. In OneRoster 1.2 users.csv has no
``role`` and no ``orgSourcedIds``: ``roles.csv`` gives each user's roles (``userSourcedId``,
``roleType`` primary or secondary, ``role``, ``orgSourcedId``); the primary pupil or teacher role
counts. Only references, roles, grades, status and organisations are read: no names from a 1.2
export, no e-mail addresses, no birth dates.
"""

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import bulk_insert, chunked
from digileap.core.permissions import Action, permits
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.fields import CHECKED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.core.tabular.readers import open_table

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


def _spec(name: str, label, help_text, *, aliases: tuple[str, ...], **options) -> FieldSpec:
    return FieldSpec(name, label, aliases=aliases, help=help_text, **options)


FIELDS = (
    _spec(
        "reference",
        gettext_lazy("Reference"),
        gettext_lazy(
            "The school's own number for the pupil or teacher (no name); with the school, it identifies them."
        ),
        required=True,
        max_length=64,
        aliases=(
            "reference",
            "sourcedId",
            "pupil number",
            "ID",
            "referentie",
            "leerlingnummer",
            "référence",
            "numéro d'élève",
            "Referenz",
            "Schülernummer",
            "Schüler-ID",
            "atsauce",
            "skolēna numurs",
            "skolēna ID",
        ),  # fmt: skip
    ),
    _spec(
        "role",
        gettext_lazy("Role"),
        gettext_lazy("Pupil or teacher (empty: pupil); OneRoster's student and teacher. Stored as the kind."),
        aliases=("role", "rol", "rôle", "Rolle", "loma"),
    ),
    _spec(
        "grade",
        gettext_lazy("Grade"),
        gettext_lazy("The grade the pupil is in (0 for pre-school)."),
        type="integer",
        minimum=Decimal(0),
        maximum=Decimal(13),
        aliases=(
            "grade",
            "year",
            "leerjaar",
            "jaar",
            "année",
            "année scolaire",
            "Jahrgangsstufe",
            "Klassenstufe",
            "Jahrgang",
            "klase",
            "klašu grupa",
        ),  # fmt: skip
    ),
    _spec(
        "grades",
        gettext_lazy("Grades (OneRoster)"),
        gettext_lazy("OneRoster grade codes (05, KG, ...); one grade is stored as the grade, several say nothing."),
        aliases=("grades", "leerjaren", "années", "Jahrgangsstufen", "klases"),
    ),
    _spec(
        "group",
        gettext_lazy("Class"),
        gettext_lazy("The pupil's class or group, as the school names it."),
        max_length=40,
        aliases=("class", "group", "klas", "groep", "classe", "groupe", "Klasse", "Gruppe", "klase", "grupa"),
    ),
    _spec(
        "isced_level",
        gettext_lazy("ISCED level"),
        gettext_lazy("The level of education (ISCED 0 to 4) the pupil is at."),
        type="integer",
        minimum=Decimal(0),
        maximum=Decimal(4),
        aliases=(
            "level",
            "ISCED",
            "niveau",
            "onderwijsniveau",
            "niveau d'enseignement",
            "Stufe",
            "Bildungsstufe",
            "līmenis",
            "izglītības līmenis",
        ),  # fmt: skip
    ),
    _spec(
        "eligibility_group",
        gettext_lazy("Eligibility group"),
        gettext_lazy("The programme's eligibility group of the pupil (a code such as LV-LOW)."),
        max_length=40,
        aliases=(
            "eligibility_group",
            "eligibility group",
            "doelgroep",
            "groupe cible",
            "Zielgruppe",
            "Förderberechtigung",
            "mērķgrupa",
        ),  # fmt: skip
    ),
    _spec(
        "status",
        gettext_lazy("Status"),
        gettext_lazy("OneRoster's status: tobedeleted makes the pupil or teacher inactive."),
        aliases=("status", "statut", "Status", "statuss"),
    ),
    _spec(
        "school",
        gettext_lazy("School number"),
        gettext_lazy("The official number of the school, in your scope; else the school chosen for the import."),
        kept=CHECKED,
        aliases=(
            "school",
            "school number",
            "schoolnummer",
            "instellingsnummer",
            "école",
            "numéro d'école",
            "numéro FASE",
            "Schule",
            "Schulnummer",
            "Dienststellennummer",
            "skola",
            "skolas numurs",
            "skolas kods",
        ),  # fmt: skip
    ),
    _spec(
        "organisations",
        gettext_lazy("Organisations (OneRoster)"),
        gettext_lazy(
            "OneRoster's orgSourcedIds: the school is the one whose identifier in orgs.csv (or, for users.csv "
            "alone, whose sourcedId) is a school number in your scope."
        ),
        kept=CHECKED,
        aliases=("orgSourcedIds", "organisations", "organisaties", "Organisationen", "organizācijas"),
    ),
    _spec(
        "name",
        gettext_lazy("Name"),
        gettext_lazy(
            "Kept only where the installation stores names (PUPIL_NAMES_ENABLED), cut at 200 characters; "
            "otherwise not read."
        ),
        aliases=("name", "naam", "nom", "Name", "vārds", "vārds un uzvārds"),
    ),
    _spec(
        "left_out_roles",
        gettext_lazy("Roles left out"),
        gettext_lazy("Roles whose rows are left out, not counted (a profile constant: parent, aide, ...)."),
        kept=CHECKED,
        aliases=("left out roles", "uitgesloten rollen", "rôles exclus", "ausgelassene Rollen", "izlaistās lomas"),
    ),
    _spec(
        "source",
        gettext_lazy("Source"),
        gettext_lazy("Where the list comes from: class_list or oneroster (a profile constant)."),
        aliases=("source", "bron", "Quelle", "avots"),
    ),
)


def refuse_constant_columns(profile, names: tuple[str, ...]) -> None:
    """Some fields are one value for the whole file (where a list comes from, which tool wrote it):
    a profile that reads one from a column would have it ignored, so it is refused."""
    for column in profile.columns:
        if column.field in names:
            raise ImportFileError(
                _(
                    "profile %(profile)s reads %(field)s from the column %(column)r, but %(field)s is one value "
                    "for the whole file: set it as a constant of the profile"
                )
                % {"profile": profile.name, "field": column.field, "column": column.sources[0]}
            )


# -- OneRoster bundles ---------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
TOBEDELETED = "tobedeleted"
# Files of a OneRoster CSV export this importer reads; every other file of the ZIP is left unread.
USERS_FILE, ORGS_FILE, ROLES_FILE = "users.csv", "orgs.csv", "roles.csv"
# Members up to this size are unpacked in memory; larger ones into a temporary file.
IN_MEMORY_BYTES = 64 << 20


@dataclass(frozen=True)
class OneRosterOrg:
    """One line of orgs.csv: where it is, the school's official number and the kind of organisation."""

    line: int
    identifier: str
    type: str


@dataclass(frozen=True)
class OneRosterRole:
    """One line of roles.csv (OneRoster 1.2) about a user."""

    line: int
    role_type: str
    role: str
    org: str
    status: str


def _binary(source) -> tuple[Any, bool]:
    """A binary stream of ``source`` (a path, an uploaded or stored file, a stream) and whether we opened it."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if hasattr(source, "open") and hasattr(source, "name") and not hasattr(source, "read"):
        return source.open("rb"), True
    source.seek(0)
    return source, False


def _member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The archive's file called ``name`` (in any folder, any case); the shallowest one wins."""
    found = [
        info
        for info in archive.infolist()
        if not info.is_dir() and info.filename.replace("\\", "/").rsplit("/", 1)[-1].lower() == name
    ]
    return min(found, key=lambda info: (info.filename.count("/"), info.filename)) if found else None


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, bundle: str):
    """A member as a seekable temporary file; refuses one larger than an upload may be."""
    limit = settings.IMPORT_MAX_FILE_BYTES
    if info.file_size > limit:
        raise ImportFileError(
            _("%(member)s is %(size)s bytes unpacked, more than the %(limit)s bytes a file may have")
            % {"member": info.filename, "size": info.file_size, "limit": limit},
            filename=bundle,
        )
    if info.file_size <= IN_MEMORY_BYTES:
        # In memory: the engine does not close the stream ``unpack`` gives it, and a BytesIO needs no closing.
        return io.BytesIO(archive.read(info))
    spooled = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    with archive.open(info) as stream:
        shutil.copyfileobj(stream, spooled, 1 << 20)
    spooled.seek(0)
    return spooled


def _read_csv(stream, filename: str, needed: tuple[str, ...], optional: tuple[str, ...]):
    """Yield (line, {column: text}) for a OneRoster CSV file; ImportFileError for missing columns."""
    table = open_table(stream, filename=filename, delimiter=",", encoding="auto", expected_headers=set(needed))
    try:
        positions = {" ".join(str(h).split()).casefold(): index for index, h in enumerate(table.headers)}
        missing = [name for name in needed if name.casefold() not in positions]
        if missing:
            raise ImportFileError(
                _("missing column(s) %(missing)s. The file's columns are: %(found)s.")
                % {
                    "missing": ", ".join(repr(name) for name in missing),
                    "found": ", ".join(repr(h) for h in table.headers[:40]) or "-",
                },
                filename=filename,
                line=1,
            )
        wanted = {name: positions.get(name.casefold()) for name in (*needed, *optional)}
        for line, cells in table.rows():
            yield (
                line,
                {
                    name: str(
                        cells[index] if index is not None and index < len(cells) and cells[index] is not None else ""
                    ).strip()
                    for name, index in wanted.items()
                },
            )
    finally:
        table.close()


def read_orgs(stream, filename: str) -> dict[str, OneRosterOrg]:
    """orgs.csv by ``sourcedId``; a sourcedId listed twice is a file error naming both lines."""
    orgs: dict[str, OneRosterOrg] = {}
    for line, cells in _read_csv(stream, filename, ("sourcedId", "identifier"), ("type",)):
        sourced_id = cells["sourcedId"]
        if not sourced_id:
            continue
        if sourced_id in orgs:
            raise ImportFileError(
                _("the organisation %(org)s is listed again (first on line %(first)s)")
                % {"org": sourced_id, "first": orgs[sourced_id].line},
                filename=filename,
                line=line,
                column="sourcedId",
            )
        orgs[sourced_id] = OneRosterOrg(line, cells["identifier"], cells["type"].lower())
    return orgs


def read_roles(stream, filename: str) -> dict[str, list[OneRosterRole]]:
    """roles.csv (OneRoster 1.2) by ``userSourcedId``, each user's roles in file order."""
    roles: dict[str, list[OneRosterRole]] = {}
    needed = ("userSourcedId", "roleType", "role", "orgSourcedId")
    for line, cells in _read_csv(stream, filename, needed, ("status",)):
        user = cells["userSourcedId"]
        if user:
            roles.setdefault(user, []).append(
                OneRosterRole(
                    line, cells["roleType"].lower(), cells["role"], cells["orgSourcedId"], cells["status"].lower()
                )
            )
    return roles


def unpack_oneroster(source, *, filename: str) -> tuple[Any, str, dict[str, Any]]:
    """A OneRoster ZIP as its users.csv (for the engine) and a context with orgs.csv and roles.csv.

    Anything that is not a ZIP, or a ZIP without users.csv that is not called .zip (an XLSX class
    list is a ZIP too), is returned as it is. ``filename`` names the file in errors: members are
    named ``export.zip/users.csv``."""
    stream, owned = _binary(source)
    bundle = filename or os.path.basename(getattr(stream, "name", "") or str(source))
    try:
        stream.seek(0)
        is_zip = stream.read(4) == ZIP_MAGIC
        stream.seek(0)
        if not is_zip:
            return source, filename, {"filename": bundle}
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile:
            return source, filename, {"filename": bundle}
        with archive:
            users = _member(archive, USERS_FILE)
            if users is None:
                if bundle.lower().endswith(".zip"):
                    raise ImportFileError(
                        _("the ZIP has no users.csv: is it a OneRoster export? Its files are: %(files)s")
                        % {"files": ", ".join(info.filename for info in archive.infolist()[:20]) or "-"},
                        filename=bundle,
                    )
                return source, filename, {"filename": bundle}
            orgs = _member(archive, ORGS_FILE)
            if orgs is None:
                raise ImportFileError(
                    _(
                        "the OneRoster export has no orgs.csv; it is needed to find each user's school "
                        "(orgs.csv gives every organisation's identifier, the school's official number)"
                    ),
                    filename=bundle,
                )
            roles = _member(archive, ROLES_FILE)
            names = {info.filename: f"{bundle}/{info.filename}" for info in (users, orgs, roles) if info is not None}
            context: dict[str, Any] = {"filename": bundle, "bundle": bundle, "orgs_file": names[orgs.filename]}
            with _extract(archive, orgs, bundle) as member:
                context["orgs"] = read_orgs(member, names[orgs.filename])
            if roles is not None:
                context["roles_file"] = names[roles.filename]
                with _extract(archive, roles, bundle) as member:
                    context["roles"] = read_roles(member, names[roles.filename])
            return _extract(archive, users, bundle), names[users.filename], context
    finally:
        if owned:
            stream.close()


@register_importer
class RecipientImporter(Importer):
    target = "recipients"
    label = gettext_lazy("Pupils and teachers (class lists)")
    model = Recipient
    fields = FIELDS

    @classmethod
    def unpack(cls, source, *, filename: str) -> tuple[Any, str, dict[str, Any]]:
        """A OneRoster export as a ZIP: users.csv for the engine, orgs.csv and roles.csv as context."""
        return unpack_oneroster(source, filename=filename)

    def __init__(self, *, profile, actor) -> None:
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        self.store_names = store_names()
        self._schools_by_number: dict[str, list] = {}
        self._schools: dict[int, Any] = {}
        self._only_school: Any = False  # not looked up yet
        self._permitted: dict[tuple[int, str], bool] = {}

    # -- OneRoster bundles ------------------------------------------------------------------------

    @property
    def orgs(self) -> dict[str, OneRosterOrg] | None:
        """orgs.csv of a OneRoster ZIP by sourcedId; None for a file without it."""
        return self.context.get("orgs")

    @property
    def uses_roles(self) -> bool:
        """Whether roles come from roles.csv (OneRoster 1.2) rather than a column of the file."""
        return self.context.get("roles") is not None and "role" not in self.column_of

    def _check_bundle(self) -> None:
        """A profile for OneRoster 1.2 needs the roles of roles.csv: refuse a file without them."""
        if str(self.profile.options.get("oneroster") or "") != "1.2" or self.uses_roles:
            return
        filename = str(self.context.get("filename") or "")
        if self.context.get("bundle"):
            message = _(
                "the OneRoster export has no roles.csv, where OneRoster 1.2 keeps each user's role and "
                "school; for a OneRoster 1.1 export choose the profile oneroster-users"
            )
        else:
            message = _(
                "a OneRoster 1.2 export is read as the ZIP the roster system wrote, with users.csv, "
                "roles.csv and orgs.csv; upload the ZIP, not users.csv alone"
            )
        raise ImportFileError(message, filename=filename)

    def _role_of(self, reference: str, fail) -> "OneRosterRole | str | None":
        """The roles.csv role that makes a user a recipient: the primary pupil or teacher role
        (else the first). "" for a user whose roles are all left out (parents, aides, ...); None
        after an error."""
        roles = self.context["roles"].get(reference, [])
        roles_file = self.context.get("roles_file", ROLES_FILE)
        if not roles:
            fail(
                self.column_of.get("reference", "sourcedId"),
                _("the user %(user)s has no role in %(file)s") % {"user": reference, "file": roles_file},
                reference,
            )
            return None
        left_out = {part.strip().lower() for part in str(self.profile.constants.get("left_out_roles") or "").split(",")}
        recipients = []
        for role in roles:
            lowered = role.role.strip().lower()
            if lowered in PUPIL_WORDS or lowered in TEACHER_WORDS:
                recipients.append(role)
            elif lowered not in left_out:
                fail(
                    self.column_of.get("reference", "sourcedId"),
                    _("%(file)s, line %(line)s: %(value)r is neither a pupil (student) nor a teacher")
                    % {"file": roles_file, "line": role.line, "value": role.role},
                    role.role,
                )
                return None
        if not recipients:
            return ""
        current = [role for role in recipients if role.status != TOBEDELETED] or recipients
        return min(current, key=lambda role: (role.role_type != "primary", role.line))

    def _school_from_orgs(self, organisations: list[str], column: str, fail, role: "OneRosterRole | None" = None):
        """The one school among ``organisations`` through orgs.csv identifiers, or None after an error."""
        orgs = self.orgs or {}
        orgs_file = self.context.get("orgs_file", ORGS_FILE)
        matches: dict[int, Any] = {}
        problems: list[str] = []
        for sourced_id in organisations:
            org = orgs.get(sourced_id)
            if org is None:
                problems.append(
                    _("the organisation %(org)s is not in %(file)s") % {"org": sourced_id, "file": orgs_file}
                )
                continue
            if org.type and org.type != "school":
                continue  # a district, a state, a department: not a school
            where = {"org": sourced_id, "file": orgs_file, "line": org.line, "identifier": org.identifier}
            if not org.identifier:
                problems.append(
                    _(
                        "the organisation %(org)s (%(file)s, line %(line)s) has no identifier, which must be "
                        "the school's official number"
                    )
                    % where
                )
                continue
            schools = self.schools_numbered(org.identifier)
            if not schools:
                problems.append(
                    _(
                        "the identifier %(identifier)r of the organisation %(org)s (%(file)s, line %(line)s) "
                        "is not the number of a school in your scope"
                    )
                    % where
                )
            elif len(schools) > 1:
                authorities = ", ".join(sorted(school.authority.name for school in schools))
                problems.append(
                    _(
                        "the identifier %(identifier)r of the organisation %(org)s (%(file)s, line %(line)s) "
                        "is a school number in several authorities (%(authorities)s)"
                    )
                    % {**where, "authorities": authorities}
                )
            else:
                matches[schools[0].pk] = schools[0]
        if len(matches) == 1:
            return next(iter(matches.values()))
        text = ", ".join(organisations)
        if matches:
            message = _("the organisations %(organisations)s are several schools; choose the school for the import") % {
                "organisations": text
            }
        elif problems:
            message = "; ".join(problems)
        else:
            message = _(
                "none of the organisations %(organisations)s is a school in %(file)s; choose the school for the import"
            ) % {"organisations": text, "file": orgs_file}
        if role is not None:
            message = _("%(file)s, line %(line)s: %(message)s") % {
                "file": self.context.get("roles_file", ROLES_FILE),
                "line": role.line,
                "message": message,
            }
        fail(column, message, text)
        return None

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
        if "role" in provided or self.uses_roles:
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

    def _school_for(self, values: dict[str, Any], fail, role: "OneRosterRole | None" = None) -> Any:
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
        if role is not None:
            return self._school_from_orgs([role.org], self.column_of.get("reference", "sourcedId"), fail, role)
        organisations = [part.strip() for part in str(values.get("organisations") or "").split(",") if part.strip()]
        if organisations:
            column = self.column_of.get("organisations", "orgSourcedIds")
            if self.orgs is not None:
                return self._school_from_orgs(organisations, column, fail)
            by_pk = {school.pk: school for org in organisations for school in self.schools_numbered(org)}
            if len(by_pk) == 1:
                return next(iter(by_pk.values()))
            text = ", ".join(organisations)
            if not by_pk:
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

        reference = str(values.get("reference") or "").strip()
        role: OneRosterRole | None = None
        if self.uses_roles:
            if not reference:
                if not errors:
                    fail(self.column_of.get("reference", "sourcedId"), _("a value is required"))
                return errors
            found = self._role_of(reference, fail)
            if isinstance(found, str):  # the one text _role_of returns is ""
                return None  # only roles that are left out: a parent, an aide, ...
            if found is None:
                return errors
            role = found
            values = {**values, "role": role.role}
            if role.status == TOBEDELETED:
                values["status"] = TOBEDELETED
        kind = self._kind(values, fail)
        if kind == "":
            return None  # a parent, guardian, administrator ...: not a recipient
        school = self._school_for(values, fail, role)
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
            "eligibility_group": " ".join(str(values.get("eligibility_group") or "").split()),
            "display_name": " ".join(str(values.get("name") or "").split())[:200],
            "is_active": status != "tobedeleted",
        }
        return RecipientRow(parsed.line, school.pk, reference, {name: row_values[name] for name in fields})

    # -- the plan --------------------------------------------------------------------------------

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        self._check_bundle()
        refuse_constant_columns(self.profile, ("source",))
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
