"""Re-importing the same file changes nothing, for every import target and every field type.

A hypothesis property test (issue 10, bug 3): for each registered import target
(``engine.import_targets()``) a strategy generates a valid file as the real world writes it (CSV
separated by ``;`` in Windows-1252 as Excel writes it, UTF-8 with a byte-order mark, XLSX; UTF-16
for Windows' Autopilot files) exercising every field type the target's profiles and
``Importer.fields`` declare: text with accents, quotes, semicolons and line breaks, integers,
counts, decimals with decimal commas and 7 or more places, codes, ISCED levels, booleans, e-mail
addresses, dates and times. The first import commits; the second import of the same bytes must
report ``created == 0`` and ``updated == 0`` (every row unchanged), leave every table of the
project byte-for-byte as it was, and add no audit event.

A target without a case here makes ``test_every_import_target_has_a_strategy`` fail: add one.
Each example runs in a savepoint that is rolled back, so examples never see each other.
"""

import base64
import csv
import dataclasses
import datetime
import io
import json
import string
import zipfile
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.db import transaction
from django.utils.text import slugify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, import_targets, run_import
from digileap.core.tabular.profiles import Profile, builtin_profiles, get_profile, profile_from_dict
from digileap.devices.models import Device, DeviceType, Recipient
from digileap.devices.tests.factories import DeviceFactory, DeviceModelFactory
from digileap.devices.tests.factories_deliveries import delivery_setup
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import EligibilityGroup, School
from digileap.schools.tests.import_files import HAMBURG_HEADERS, MV_HEADERS, hamburg_row, mv_row

pytestmark = pytest.mark.django_db(transaction=False)

SYSTEM = SystemActor("system (reimport property test)")
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
# Every table of these apps is dumped before and after the re-import.
DUMPED_APPS = ("schools", "devices", "programmes", "core", "accounts", "allocation", "connectivity", "training")

# -- cells and files -----------------------------------------------------------------------------------

# Letters that Windows-1252 has and that can never be read as UTF-8 by mistake (no byte of
# 0x80-0xBF, UTF-8's continuation bytes): a Windows-1252 file is recognised as such.
WESTERN = string.ascii_letters + string.digits + " äöüÄÖÜßéèêëàâçñôûÿÉÈÇØÅøå'\"-;,./()&+_#\n"
BALTIC = WESTERN + "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ€’–„“"
# Texts that columnar readers and spreadsheets like to turn into something else.
TRICKY_TEXTS = ["NA", "N/A", "null", "NULL", "nan", "None", "-", "#N/A", "1e5", "0012", "TRUE", "false", "1.0", "00"]

FORMATS = ("cp1252", "utf-8-sig", "xlsx")


@dataclass
class GeneratedFile:
    """A table as the strategy made it, and its bytes in one format."""

    header: list[str]
    rows: list[list[Any]]
    file_format: str = "cp1252"
    delimiter: str = ";"
    # A OneRoster ZIP: the table is users.csv, these are the bundle's other files (name: rows).
    bundle: dict[str, list[list[str]]] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return {"xlsx": "generated.xlsx", "zip": "oneroster.zip"}.get(self.file_format, "generated.csv")

    def data(self) -> bytes:
        if self.file_format == "zip":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("manifest.csv", "propertyName,value\r\noneroster.version,1.2\r\n")
                for name, rows in {"users.csv": [self.header, *self.rows], **self.bundle}.items():
                    text = io.StringIO()
                    csv.writer(text, lineterminator="\r\n").writerows(rows)
                    archive.writestr(name, text.getvalue().encode("utf-8"))
            return buffer.getvalue()
        if self.file_format == "xlsx":
            workbook = openpyxl.Workbook()
            sheet = workbook.active
            sheet.append(self.header)
            for row in self.rows:
                sheet.append([None if cell == "" else cell for cell in row])
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
        encoding = {"utf-16": "utf-16"}.get(self.file_format, self.file_format)
        return buffer.getvalue().encode(encoding)


def _csv_cell(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell)


def texts(alphabet: str, *, min_size: int = 1, max_size: int = 30, tricky: bool = True) -> st.SearchStrategy[str]:
    """Text a person types into a cell: accents, quotes, separators, line breaks; never a formula."""
    plain = st.text(alphabet, min_size=min_size, max_size=max_size)
    strategy = st.one_of(plain, st.sampled_from(TRICKY_TEXTS)) if tricky else plain
    return strategy.filter(lambda text: text.strip() != "" and not text.strip().startswith("="))


def decimal_text(value: Decimal, *, comma: bool) -> str:
    text = format(value, "f")
    return text.replace(".", ",") if comma else text


def number_cell(value: int, file_format: str, draw) -> Any:
    """A whole number as the file holds it: text in a CSV, a number (or text) cell in XLSX."""
    if file_format == "xlsx" and draw(st.booleans()):
        return value
    return str(value)


def decimal_cell(value: Decimal, file_format: str, draw) -> Any:
    """A decimal as the file holds it: decimal comma (Windows-1252 CSV as Excel writes it in Europe)
    or point; in XLSX sometimes a number cell."""
    if file_format == "xlsx":
        if draw(st.booleans()):
            return float(value)
        return format(value, "f")
    return decimal_text(value, comma=file_format == "cp1252" or draw(st.booleans()))


def coordinates(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Coordinates with 7 to 9 decimal places (GPS exports, geoportals)."""
    return st.builds(
        lambda whole, places, fraction: Decimal(f"{whole}.{fraction % 10**places:0{places}d}"),
        st.integers(low, high - 1),
        st.sampled_from([7, 8, 9]),
        st.integers(0, 10**9 - 1),
    )


# -- the database, before and after ----------------------------------------------------------------


def database_dump() -> dict[str, list[tuple]]:
    """Every row of every table of the project's apps (values as stored), by model."""
    dump = {}
    for app_label in DUMPED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            dump[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return dump


def dump_difference(before: dict, after: dict) -> str:
    lines = []
    for label in before:
        if before[label] != after[label]:
            old, new = set(before[label]), set(after[label])
            lines.append(f"{label}: removed {sorted(old - new, key=repr)[:3]}, added {sorted(new - old, key=repr)[:3]}")
    return "\n".join(lines)


# -- the cases ------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One way to feed a target: a profile, the reference data it needs, and a file strategy."""

    target: str
    name: str
    # The profile to import with (a built-in name, or a Profile built from the reference data).
    profile: Callable[[Any], str | Profile]
    setup: Callable[[Any], Any]
    # table(reference, file_format) -> strategy of GeneratedFile (header and rows; format set after)
    table: Callable[[Any, str], st.SearchStrategy[GeneratedFile]]
    # The field types the files exercise (engine column types and Importer.fields types).
    types: frozenset[str]
    formats: tuple[str, ...] = FORMATS
    # check(reference, generated, result): exact values after the first import.
    check: Callable[[Any, GeneratedFile, Any], None] | None = None
    builtin: tuple[str, ...] = ()  # the built-in profiles this case imports with
    actor: Callable[[Any], Any] = field(default=lambda reference: SYSTEM)


CASES: list[Case] = []


def case(**kwargs) -> Case:
    registered = Case(**kwargs)
    CASES.append(registered)
    return registered


# -- schools ----------------------------------------------------------------------------------------------


def schools_setup(world) -> SimpleNamespace:
    group = EligibilityGroup.objects.create(code="SGB2", name="Bürgergeld")
    return SimpleNamespace(world=world, group=group)


GENERIC_OPTIONAL = [
    "authority_name",
    "country",
    "operator_code",
    "type_code",
    "type_label",
    "levels",
    "language",
    "sector",
    "status",
    "street",
    "postal_code",
    "city",
    "email",
    "website",
    "latitude",
    "longitude",
    "teachers",
    "ses",
    "eligible_SGB2",
]
GRADE_COLUMNS = [(1, 1), (1, 4), (2, 5), (3, 11)]


def emails() -> st.SearchStrategy[str]:
    local = st.text(string.ascii_lowercase + string.digits + "._-", min_size=1, max_size=12).filter(
        lambda text: text[0].isalnum() and text[-1].isalnum() and ".." not in text
    )
    domain = st.sampled_from(["schule.de", "skola.lv", "ecole.be", "school.example.org"])
    return st.builds(lambda a, b, upper: f"{a}@{b}".upper() if upper else f"{a}@{b}", local, domain, st.booleans())


@st.composite
def generic_school_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    optional = draw(st.sets(st.sampled_from(GENERIC_OPTIONAL)))
    levels_given = sorted(draw(st.sets(st.integers(0, 4), max_size=3)))
    grades_given = [grade for grade in GRADE_COLUMNS if draw(st.booleans())]
    total_given = draw(st.booleans())
    figures = bool(levels_given or grades_given or total_given or {"teachers", "ses", "eligible_SGB2"} & optional)
    new_authority = draw(st.booleans())
    if new_authority:  # the file creates its authority: it must give the name and country
        optional |= {"authority_name", "country"}
    header = ["authority_code", "operator_name", "number", "name"]
    header += [name for name in GENERIC_OPTIONAL if name in optional and name != "ses"]
    if "ses" in optional:
        header += ["ses_value", "ses_scale"]
    if figures:
        header.append("school_year")
    header += [f"pupils_isced_{level}" for level in levels_given]
    header += [f"pupils_isced_{level}_grade_{grade}" for level, grade in grades_given]
    if total_given:
        header.append("pupils_total")
    # Column order as a ministry's file has it, not ours.
    header = draw(st.permutations(header))

    operators = draw(
        st.lists(
            texts(alphabet, max_size=40, tricky=False), min_size=1, max_size=3, unique_by=lambda t: slugify(t)
        ).filter(lambda names: all(slugify(name) for name in names))
    )
    operator_codes = {name: f"op-{slugify(name)}"[:40] for name in operators}
    count = draw(st.integers(1, 6))
    numbers = draw(
        st.lists(
            st.text(string.digits, min_size=1, max_size=8) | st.text(string.digits + "ABX-", min_size=1, max_size=10),
            min_size=count,
            max_size=count,
            unique_by=lambda number: number.strip().upper(),
        ).filter(lambda numbers: all(n.strip() for n in numbers))
    )
    rows = []
    for number in numbers:
        authority = draw(st.sampled_from(["IN", "ZZ-NEU"] if new_authority else ["IN"]))
        operator = draw(st.sampled_from(operators))
        cells: dict[str, Any] = {
            "authority_code": authority,
            "authority_name": "Neue Schulbehörde" if authority == "ZZ-NEU" else "",
            "country": "DE" if authority == "ZZ-NEU" else draw(st.sampled_from(["", "DE"])),
            "operator_name": operator,
            "operator_code": operator_codes[operator],
            "number": number if file_format != "xlsx" or not number.isdigit() or number[0] == "0" else int(number),
            "name": draw(texts(alphabet, max_size=60)),
        }
        cells["type_code"] = draw(st.sampled_from(["", "GS", "Gy", "IGS", "SO"]))
        cells["type_label"] = draw(st.just("") | texts(alphabet, max_size=40))
        cells["levels"] = draw(
            st.just("")
            | st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True).flatmap(
                lambda values: st.sampled_from([",", ", ", ";", "/", " "]).map(
                    lambda sep: sep.join(str(v) for v in sorted(values))
                )
            )
        )
        cells["language"] = draw(st.sampled_from(["", "de", "fr", "nl", "lv"]))
        cells["sector"] = draw(st.sampled_from(["", "public", "private"]))
        cells["status"] = draw(st.sampled_from(["", "open", "planned", "closed"]))
        cells["street"] = draw(st.just("") | texts(alphabet, max_size=60))
        cells["postal_code"] = draw(st.sampled_from(["", "01067", "22337", "LV-1050", "1000"]))
        cells["city"] = draw(st.just("") | texts(alphabet, max_size=40))
        cells["email"] = draw(st.just("") | emails())
        cells["website"] = draw(st.sampled_from(["", "https://schule.example.de/", "www.skola.lv"]))
        if draw(st.booleans()):
            cells["latitude"] = decimal_cell(draw(coordinates(-89, 89)), file_format, draw)
            cells["longitude"] = decimal_cell(draw(coordinates(-179, 179)), file_format, draw)
        else:
            cells["latitude"] = cells["longitude"] = ""
        cells["teachers"] = draw(st.just("") | st.integers(0, 300).map(lambda n: number_cell(n, file_format, draw)))
        if draw(st.booleans()):
            places = draw(st.integers(0, 5))
            value = Decimal(draw(st.integers(1 * 10**places, 6 * 10**places))).scaleb(-places)
            cells["ses_value"] = decimal_cell(value, file_format, draw)
            cells["ses_scale"] = "de-hh-sozialindex"
        else:
            cells["ses_value"] = cells["ses_scale"] = ""
        cells["eligible_SGB2"] = draw(st.just("") | st.integers(0, 400).map(str))
        cells["school_year"] = draw(st.sampled_from(["2024/25", "2023/24"]))
        level_totals = {}
        for level, grade in grades_given:
            pupils = draw(st.integers(0, 150))
            cells[f"pupils_isced_{level}_grade_{grade}"] = number_cell(pupils, file_format, draw)
            level_totals[level] = level_totals.get(level, 0) + pupils
        for level in levels_given:
            if level in level_totals:
                cells[f"pupils_isced_{level}"] = number_cell(level_totals[level], file_format, draw)
            else:
                level_totals[level] = draw(st.integers(0, 900))
                cells[f"pupils_isced_{level}"] = number_cell(level_totals[level], file_format, draw)
        # Grades of a level without its level column: the level's total is the sum of its grades.
        if total_given:
            total = sum(level_totals.values()) if level_totals else draw(st.integers(0, 2000))
            cells["pupils_total"] = number_cell(total, file_format, draw)
        rows.append([cells.get(name, "") for name in header])
    return GeneratedFile(header=list(header), rows=rows, file_format=file_format)


def check_school_names(reference, generated: GeneratedFile, result) -> None:
    """Names are stored exactly as the file gives them (without the surrounding spaces)."""
    column = generated.header.index("name")
    number_column = generated.header.index("number")
    expected = {str(row[number_column]).strip().upper(): str(row[column]).strip() for row in generated.rows}
    stored = {
        number.upper(): name
        for number, name in School.objects.filter(
            number__in=[str(row[number_column]).strip() for row in generated.rows]
        )
        .exclude(pk__in=[reference.world.school.pk, reference.world.other_school.pk])
        .values_list("number", "name")
    }
    assert stored == expected


case(
    target="schools",
    name="generic",
    profile=lambda reference: "generic",
    setup=schools_setup,
    table=generic_school_file,
    types=frozenset({"text", "levels", "email", "decimal", "count"}),
    check=check_school_names,
    builtin=("generic",),
)


# A Land's official list as a profile written for it (Sachsen's shape): ";" in Windows-1252, one row
# per school and track, pupils per grade summed over the rows, a composite key, "PLZ Ort" split,
# higher education filtered out, the operator only for public schools, codes, a yes/no column, a
# whole number, e-mail addresses whose invalid ones are left empty with a warning, coordinates with
# seven decimal places and decimal commas.
STATE_GRADES = range(1, 14)
STATE_PROFILE = {
    "name": "state-list",
    "target": "schools",
    "label": "A Land's school list, one row per school and track",
    "delimiter": ";",
    "encoding": "auto",
    "grades": "DE",
    "constants": {"authority_code": "DE-SN", "authority_name": "Sachsen", "country": "DE", "school_year": "2024/25"},
    "filter": [{"column": "Schulart", "not_in": ["Hochschule", "Berufsakademie"]}],
    "merge": {
        "key": ["number"],
        "rules": {
            **{
                f"pupils_isced_{level}_grade_{grade}": "sum"
                for grade, level in [(g, 1 if g <= 4 else 2 if g <= 10 else 3) for g in STATE_GRADES]
            },
            "teachers": "max",
            "name": "first",
        },
        "default": "same",
    },
    "columns": [
        {
            "field": "number",
            "source": ["Gemeindeschlüssel", "Schulnummer"],
            "required": True,
            "transforms": [{"pad": 5}, {"template": "{0}-{1}"}],
        },
        {"field": "name", "source": "Name der Schule", "required": True},
        {
            "field": "type_code",
            "source": "Schulart",
            "type": "code",
            "codes": "shared:de-school-types-sn",
            "keep_code_as": "type_code",
        },
        {"field": "sector", "source": "Rechtsform", "type": "code", "codes": "sectors"},
        {"field": "public_school", "source": "öffentlich", "type": "boolean"},
        {
            "field": "operator_name",
            "source": "Schulträger",
            "default": "Freie Träger",
            "when": {"field": "public_school", "equals": True},
        },
        {"field": "street", "source": "Straße"},
        {"field": "postal_code", "source": "PLZ Ort", "transforms": [{"regex": "^(\\d{5})\\s", "group": 1}]},
        {"field": "city", "source": "PLZ Ort", "transforms": [{"split": " ", "part": 1, "maxsplit": 1}]},
        {"field": "email", "source": "E-Mail", "type": "email", "on_invalid": "empty"},
        {"field": "latitude", "source": "Breite", "type": "decimal"},
        {"field": "longitude", "source": "Länge", "type": "decimal"},
        {"field": "teachers", "source": "Lehrkräfte", "type": "integer", "minimum": 0},
        *({"field": f"pupils_grade_{grade}", "source": f"Klasse {grade}", "type": "count"} for grade in STATE_GRADES),
    ],
    "code_lists": {"sectors": {"öffentlich": {"sector": "public"}, "frei": {"sector": "private"}}},
}
STATE_HEADER = ["Gemeindeschlüssel", "Schulnummer", "Name der Schule", "Schulart", "Schulzweig", "Rechtsform"]
STATE_HEADER += ["öffentlich", "Schulträger", "Straße", "PLZ Ort", "E-Mail", "Breite", "Länge", "Lehrkräfte"]
STATE_HEADER += [f"Klasse {grade}" for grade in STATE_GRADES]


@st.composite
def state_school_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    count = draw(st.integers(1, 4))
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["14612000", "14511000", "14522080"]), st.integers(1, 99999)),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    operators = ["Landeshauptstadt Dresden", "Stadt Chemnitz", "Gemeinde Großpösna"]
    rows = []
    for index, (municipality, school_number) in enumerate(keys):
        public = draw(st.booleans())
        kinds = ["GS", "OS", "GY", "Oberschule", "Gymnasium"] + (["Hochschule", "Berufsakademie"] if index else [])
        school_type = draw(st.sampled_from(kinds))
        postcode = f"{draw(st.integers(1000, 99999)):05d}"
        school = {
            "Gemeindeschlüssel": int(municipality) if file_format == "xlsx" and draw(st.booleans()) else municipality,
            "Schulnummer": number_cell(school_number, file_format, draw)
            if draw(st.booleans())
            else f"{school_number:05d}",
            "Name der Schule": draw(texts(alphabet, max_size=60)),
            "Schulart": school_type,
            "Rechtsform": "öffentlich" if public else "frei",
            "öffentlich": draw(st.sampled_from(["ja", "x", "1", "Ja"] if public else ["nein", "", "0", "Nein"])),
            "Schulträger": draw(st.sampled_from(operators)) if public else draw(st.sampled_from(["", "Verein"])),
            "Straße": draw(texts(alphabet, max_size=40)),
            "PLZ Ort": f"{postcode} {draw(texts(alphabet, max_size=30, tricky=False).map(str.strip))}",
            "E-Mail": draw(st.sampled_from(["", "info(at)schule.de", "sekretariat@@schule.de"]) | emails()),
            "Breite": decimal_cell(draw(coordinates(50, 51)), file_format, draw),
            "Länge": decimal_cell(draw(coordinates(12, 14)), file_format, draw),
        }
        tracks = draw(st.integers(1, 3))
        grades = sorted(draw(st.sets(st.sampled_from(list(STATE_GRADES)), min_size=1, max_size=4)))
        for track in range(tracks):
            row = dict(school)
            row["Schulzweig"] = ["Hauptschulbildungsgang", "Realschulbildungsgang", "Förderklasse"][track]
            row["Lehrkräfte"] = number_cell(draw(st.integers(0, 120)), file_format, draw)
            for grade in grades:
                row[f"Klasse {grade}"] = number_cell(draw(st.integers(0, 120)), file_format, draw)
            rows.append(row)
    rows = draw(st.permutations(rows))
    header = STATE_HEADER
    return GeneratedFile(
        header=header, rows=[[row.get(name, "") for name in header] for row in rows], file_format=file_format
    )


case(
    target="schools",
    name="state-list",
    profile=lambda reference: profile_from_dict(json.loads(json.dumps(STATE_PROFILE)), is_builtin=False),
    setup=schools_setup,
    table=state_school_file,
    types=frozenset({"text", "integer", "count", "decimal", "code", "boolean", "email", "levels"}),
)


# One row per site (Belgium's implantations, Latvia's branches): sites from rows, a building shared by
# schools, coordinates of the sites with 7-9 places, a school year's figures replaced.
SITE_PROFILE = {
    "name": "rows-per-site",
    "target": "schools",
    "label": "One row per site",
    "delimiter": ";",
    "constants": {"authority_code": "IN", "operator_name": "Pouvoir organisateur", "school_year": "2024/25"},
    "columns": [
        {"field": "number", "source": "N° FASE établissement", "required": True},
        {"field": "name", "source": "Nom de l'établissement", "required": True},
        {"field": "levels", "source": "Niveaux", "type": "levels"},
        {"field": "site_code", "source": "N° FASE implantation", "required": True},
        {"field": "site_name", "source": "Nom de l'implantation"},
        {"field": "site_street", "source": "Adresse de l'implantation"},
        {"field": "site_postal_code", "source": "Code postal"},
        {"field": "site_city", "source": "Commune"},
        {"field": "site_latitude", "source": "Latitude", "type": "decimal"},
        {"field": "site_longitude", "source": "Longitude", "type": "decimal"},
        {"field": "pupils_total", "source": "Élèves", "type": "count"},
        {"field": "teachers", "source": "Enseignants", "type": "count", "on_invalid": "empty"},
    ],
    "merge": {
        "key": ["number"],
        "rules": {
            "pupils_total": "sum",
            "teachers": "sum",
            "levels": "union",
            **{name: "first" for name in ("site_code", "site_name", "site_street", "site_postal_code", "site_city")},
            "site_latitude": "first",
            "site_longitude": "first",
        },
        "default": "same",
    },
    "options": {"sites": True, "figures": "replace_year"},
}
SITE_HEADER = [column["source"] for column in SITE_PROFILE["columns"]]


@st.composite
def rows_per_site_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    site_count = draw(st.integers(1, 5))
    site_codes = draw(st.lists(st.integers(1, 99999).map(str), min_size=site_count, max_size=site_count, unique=True))
    sites = {}
    for code in site_codes:
        located = draw(st.booleans())
        sites[code] = {
            "N° FASE implantation": code,
            # Names and streets of sites may be equal (test_two_sites_of_a_school_with_the_same_name_...).
            "Nom de l'implantation": draw(
                st.sampled_from(["", "Implantation principale"]) | texts(alphabet, max_size=40)
            ),
            "Adresse de l'implantation": draw(st.sampled_from(["Rue de l'École 1"]) | texts(alphabet, max_size=40)),
            "Code postal": draw(st.sampled_from(["1180", "1190", "4000", "LV-1050"])),
            "Commune": draw(texts(alphabet, max_size=30)),
            "Latitude": decimal_cell(draw(coordinates(49, 51)), file_format, draw) if located else "",
            "Longitude": decimal_cell(draw(coordinates(2, 6)), file_format, draw) if located else "",
        }
    school_count = draw(st.integers(1, 4))
    numbers = draw(st.lists(st.integers(1, 9999).map(str), min_size=school_count, max_size=school_count, unique=True))
    rows = []
    for number in numbers:
        school = {"N° FASE établissement": number, "Nom de l'établissement": draw(texts(alphabet, max_size=50))}
        # A school's sites; two schools may name the same one (a shared building).
        for code in draw(st.lists(st.sampled_from(site_codes), min_size=1, max_size=3, unique=True)):
            row = {**school, **sites[code]}
            row["Niveaux"] = draw(st.sampled_from(["", "0,1", "1", "2,3", "3"]))
            row["Élèves"] = number_cell(draw(st.integers(0, 500)), file_format, draw)
            row["Enseignants"] = draw(st.sampled_from(["", "12", "3", "beaucoup"]))
            rows.append(row)
    rows = draw(st.permutations(rows))
    return GeneratedFile(
        header=SITE_HEADER, rows=[[row[name] for name in SITE_HEADER] for row in rows], file_format=file_format
    )


case(
    target="schools",
    name="rows-per-site",
    profile=lambda reference: profile_from_dict(json.loads(json.dumps(SITE_PROFILE)), is_builtin=False),
    setup=schools_setup,
    table=rows_per_site_file,
    types=frozenset({"text", "decimal", "count", "levels"}),
)


# The two shipped Länder profiles, with files of their shape (see schools/tests/import_files.py).


@st.composite
def hamburg_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    count = draw(st.integers(1, 5))
    numbers = draw(st.lists(st.integers(1000, 9999).map(str), min_size=count, max_size=count, unique=True))
    rows = []
    for number in numbers:
        status = draw(st.sampled_from(["staatl.", "privat"]))
        pupils = tuple(draw(st.integers(0, 700)) for _level in range(4))
        row = hamburg_row(
            number,
            draw(texts(alphabet, max_size=60)),
            school_type=draw(st.sampled_from(["G", "STS", "GY", "SO", "ErwBi"])),
            status=status,
            operator=draw(texts(alphabet, max_size=40, tricky=False)) if status == "privat" else "",
            social_index=draw(st.sampled_from(["-1", "1", "2", "3", "4", "5", "6"])),
            pupils=pupils,
            x=f"{draw(st.integers(550000, 590000))}.{draw(st.integers(0, 999)):03d}",
            y=f"{draw(st.integers(5920000, 5950000))}.{draw(st.integers(0, 999)):03d}",
        )
        rows.append(row)
        if draw(st.booleans()):  # the geoportal lists the school again for its second layer
            again = list(row)
            again[2], again[3] = f"C_2015_Schulen_SekII.{number}", f"id-{number}-S2"
            rows.append(again)
    return GeneratedFile(header=list(HAMBURG_HEADERS), rows=rows, file_format=file_format, delimiter=",")


@st.composite
def mv_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    count = draw(st.integers(1, 5))
    numbers = draw(st.lists(st.integers(75000000, 75999999).map(str), min_size=count, max_size=count, unique=True))
    rows = [
        mv_row(
            number,
            draw(texts(alphabet, max_size=60)),
            district=draw(st.sampled_from(["HRO", "SN", "LRO", "LUP", "MSE", "MSP", "NWM", "VG", "VR"])),
            school_type=draw(st.sampled_from(["GS", "RegS", "Gy", "KGS/GS/\nFöL", "IGS", "FöL", "FöK/GS"])),
            city=draw(texts(alphabet, max_size=30, tricky=False)),
        )
        for number in numbers
    ]
    return GeneratedFile(header=list(MV_HEADERS), rows=rows, file_format=file_format, delimiter=",")


case(
    target="schools",
    name="hamburg",
    profile=lambda reference: "hamburg",
    setup=schools_setup,
    table=hamburg_file,
    types=frozenset({"text", "code", "decimal", "count", "email"}),
    formats=("utf-8-sig", "cp1252"),
    builtin=("hamburg",),
)
case(
    target="schools",
    name="mv",
    profile=lambda reference: "mv",
    setup=schools_setup,
    table=mv_file,
    types=frozenset({"text", "code", "email"}),
    formats=("utf-8-sig", "cp1252"),
    builtin=("mv",),
)


# -- deliveries -------------------------------------------------------------------------------------------

GENERIC_DELIVERY = {
    "serial": "serial",
    "model": "model",
    "asset_tag": "asset_tag",
    "mac_address": "mac_address",
    "autopilot_hash": "autopilot_hash",
    "windows_product_id": "windows_product_id",
    "google_device_id": "google_device_id",
    "condition": "condition",
    "school": "school",
    "site": "site",
    "note_number": "delivery_note",
    "delivered_on": "delivered_on",
    "order": "order",
}
AUTOPILOT_DELIVERY = {
    "serial": "Device Serial Number",
    "model": "Model",
    "asset_tag": "Asset Tag",
    "mac_address": "MAC Address",
    "autopilot_hash": "Hardware Hash",
    "windows_product_id": "Windows Product ID",
    "condition": "Condition",
    "school": "School Number",
    "site": "Site",
    "note_number": "Delivery Note",
    "delivered_on": "Delivery Date",
    "order": "PO Number",
}
DELIVERY_OPTIONAL = (
    "asset_tag",
    "mac_address",
    "autopilot_hash",
    "windows_product_id",
    "google_device_id",
    "condition",
)


def deliveries_setup(world) -> SimpleNamespace:
    setup = delivery_setup(world)
    setup.line.quantity = 1000
    setup.line.save()
    return SimpleNamespace(world=world, setup=setup)


def serials() -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + "-", min_size=3, max_size=16).filter(
        lambda text: text[0] != "-"
    )


def macs() -> st.SearchStrategy[str]:
    return st.builds(
        lambda digits, style: {
            "colon": ":".join(digits[i : i + 2] for i in range(0, 12, 2)),
            "dash": "-".join(digits[i : i + 2] for i in range(0, 12, 2)).lower(),
            "cisco": ".".join(digits[i : i + 4] for i in range(0, 12, 4)),
            "plain": digits.lower(),
        }[style],
        st.text("0123456789ABCDEF", min_size=12, max_size=12),
        st.sampled_from(["colon", "dash", "cisco", "plain"]),
    )


def hashes() -> st.SearchStrategy[str]:
    return st.binary(min_size=3, max_size=300).map(lambda raw: base64.b64encode(raw).decode())


DATE_STYLES = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")


def delivery_file(columns: dict[str, str]):
    @st.composite
    def strategy(draw, reference, file_format: str) -> GeneratedFile:
        alphabet = WESTERN if file_format == "cp1252" else BALTIC
        optional = [name for name in DELIVERY_OPTIONAL if name in columns and draw(st.booleans())]
        with_site = draw(st.booleans())
        fields = ["serial", "model", *optional, "school", *(["site"] if with_site else []), "note_number"]
        fields += ["delivered_on", "order"]
        fields = draw(st.permutations(fields))
        count = draw(st.integers(1, 8))
        serial_list = draw(
            st.lists(serials(), min_size=count, max_size=count, unique_by=lambda serial: serial.strip().upper())
        )
        notes = draw(
            st.lists(
                st.tuples(
                    texts(string.ascii_uppercase + string.digits + "-/ ", max_size=20, tricky=False),
                    st.dates(datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)),
                    st.sampled_from(DATE_STYLES + ("cell",)),
                ),
                min_size=1,
                max_size=3,
                unique_by=lambda note: note[0].strip(),
            )
        )
        rows = []
        for serial in serial_list:
            note, day, style = draw(st.sampled_from(notes))
            if style == "cell":
                on = (
                    datetime.datetime.combine(day, datetime.time())
                    if file_format == "xlsx"
                    else day.strftime("%Y-%m-%d")
                )
            else:
                on = day.strftime(style)
            cells = {
                "serial": draw(st.sampled_from([serial, f" {serial} ", serial.lower()])),
                "model": draw(st.sampled_from(["lat3440", "Dell Latitude 3440", "LAT3440"])),
                "asset_tag": draw(st.just("") | texts(alphabet, max_size=30)),
                "mac_address": draw(st.just("") | macs()),
                "autopilot_hash": draw(st.just("") | hashes()),
                "windows_product_id": draw(st.just("") | st.text(string.digits + "-", min_size=5, max_size=29)),
                "google_device_id": draw(st.just("") | st.uuids().map(str)),
                "condition": draw(st.sampled_from(["", "new", "refurbished"])),
                "school": draw(st.sampled_from(["1001", " 1001", 1001 if file_format == "xlsx" else "1001"])),
                "site": draw(st.sampled_from(["", "Annex"])),
                "note_number": note,
                "delivered_on": on,
                "order": "PO-1",
            }
            rows.append([cells[name] for name in fields])
        return GeneratedFile(header=[columns[name] for name in fields], rows=rows, file_format=file_format)

    return strategy


def check_devices(reference, generated: GeneratedFile, result) -> None:
    """Serials upper-case without spaces; asset tags and dates exactly as the file gives them."""
    names = {header: index for index, header in enumerate(generated.header)}
    fields = {
        header: key
        for columns in (GENERIC_DELIVERY, AUTOPILOT_DELIVERY)
        for key, header in columns.items()
        if header in names
    }
    expected = {}
    for row in generated.rows:
        cells = {fields[header]: row[index] for header, index in names.items()}
        on = cells["delivered_on"]
        day = on.date() if isinstance(on, datetime.datetime) else _parse_day(on)
        expected[str(cells["serial"]).strip().upper()] = (str(cells.get("asset_tag", "")).strip(), day)
    stored = {
        serial: (asset_tag, delivered_on)
        for serial, asset_tag, delivered_on in Device.objects.filter(serial__in=list(expected)).values_list(
            "serial", "asset_tag", "delivered_on"
        )
    }
    assert stored == expected


def _parse_day(text: str) -> datetime.date:
    for style in DATE_STYLES:
        try:
            return datetime.datetime.strptime(text, style).date()
        except ValueError:
            continue
    raise AssertionError(text)


case(
    target="deliveries",
    name="generic",
    profile=lambda reference: "generic",
    setup=deliveries_setup,
    table=delivery_file(GENERIC_DELIVERY),
    types=frozenset({"text", "date"}),
    check=check_devices,
    builtin=("generic",),
)
case(
    target="deliveries",
    name="autopilot-csv",
    profile=lambda reference: "autopilot-csv",
    setup=deliveries_setup,
    table=delivery_file(AUTOPILOT_DELIVERY),
    types=frozenset({"text", "date"}),
    check=check_devices,
    builtin=("autopilot-csv",),
)


# -- autopilot hashes -------------------------------------------------------------------------------------


def autopilot_setup(world) -> SimpleNamespace:
    programme = ProgrammeFactory(authority=world.authority)
    model = DeviceModelFactory(authority=world.authority, manufacturer="HP", device_type=DeviceType.LAPTOP)
    devices = [
        DeviceFactory(programme=programme, school=world.school, device_model=model, serial=f"5CG{n:04d}X")
        for n in range(8)
    ]
    return SimpleNamespace(world=world, devices=devices)


@st.composite
def autopilot_file(draw, reference, file_format: str) -> GeneratedFile:
    devices = draw(st.lists(st.sampled_from(reference.devices), min_size=1, max_size=8, unique_by=lambda d: d.pk))
    header = ["Device Serial Number", "Windows Product ID", "Hardware Hash"]
    if draw(st.booleans()):
        header += ["Group Tag", "Assigned User"]
    rows = []
    for device in devices:
        hardware_hash = draw(hashes())
        if draw(st.booleans()):  # a hash copied with its line wraps
            hardware_hash = "\n".join(hardware_hash[i : i + 76] for i in range(0, len(hardware_hash), 76))
        row = [
            draw(st.sampled_from([device.serial, device.serial.lower(), f" {device.serial} "])),
            draw(st.just("") | st.text(string.digits + "-", min_size=5, max_size=29)),
            hardware_hash,
        ]
        if len(header) == 5:
            row += [draw(st.sampled_from(["", "Schule", "Lehrkräfte"])), ""]
        rows.append(row)
        if draw(st.integers(0, 5)) == 0:  # Get-WindowsAutopilotInfo -Append run twice on one computer
            rows.append(list(row))
    return GeneratedFile(header=header, rows=rows, file_format=file_format, delimiter=",")


case(
    target="autopilot_hashes",
    name="autopilot-hashes",
    profile=lambda reference: "autopilot-hashes",
    setup=autopilot_setup,
    table=autopilot_file,
    types=frozenset({"text"}),
    formats=("utf-16", "utf-8-sig", "cp1252"),
    builtin=("autopilot-hashes",),
)


# -- recipients -------------------------------------------------------------------------------------------

ROLE_WORDS = ["", "pupil", "Schüler", "élève", "leerling", "skolēns", "teacher", "Lehrerin", "enseignant", "skolotājs"]


def recipients_setup(world) -> SimpleNamespace:
    return SimpleNamespace(world=world)


@st.composite
def class_list_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    words = [
        word
        for word in ROLE_WORDS
        if file_format != "cp1252" or word.encode("cp1252", "ignore").decode("cp1252") == word
    ]
    optional = [
        name for name in ("grade", "class", "level", "eligibility_group", "role", "name") if draw(st.booleans())
    ]
    header = draw(st.permutations(["reference", "school", *optional]))
    count = draw(st.integers(1, 8))
    references = draw(
        st.lists(
            st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=12),
            min_size=count,
            max_size=count,
            unique_by=lambda text: text.strip(),
        )
    )
    rows = []
    for reference_text in references:
        cells = {
            "reference": reference_text,
            "school": draw(st.sampled_from(["1001", " 1001 ", 1001 if file_format == "xlsx" else "1001"])),
            "grade": draw(st.just("") | st.integers(0, 13).map(lambda n: number_cell(n, file_format, draw))),
            "class": draw(st.just("") | texts(alphabet, max_size=12)),
            "level": draw(st.just("") | st.integers(0, 4).map(lambda n: number_cell(n, file_format, draw))),
            "eligibility_group": draw(st.just("") | texts(alphabet, max_size=20)),
            "role": draw(st.sampled_from(words)),
            "name": draw(st.just("") | texts(alphabet, max_size=40)),
        }
        rows.append([cells[name] for name in header])
    return GeneratedFile(header=list(header), rows=rows, file_format=file_format)


def _whole(cell: Any) -> int | None:
    text = str(cell).strip()
    return int(text) if text else None


def check_recipients(reference, generated: GeneratedFile, result) -> None:
    """References, classes, grades and levels as the file gives them."""
    names = {header: index for index, header in enumerate(generated.header)}
    expected = {}
    for row in generated.rows:
        cells = {header: row[index] for header, index in names.items()}
        # A class or group is kept with its runs of whitespace (line breaks too) as one space.
        expected[str(cells["reference"]).strip()] = (
            " ".join(str(cells.get("class", "")).split()),
            _whole(cells.get("grade", "")),
            _whole(cells.get("level", "")),
            " ".join(str(cells.get("eligibility_group", "")).split()),
        )
    stored = {
        reference: (group, grade, level, eligibility)
        for reference, group, grade, level, eligibility in Recipient.objects.filter(
            school=reference.world.school
        ).values_list("reference", "group", "grade", "isced_level", "eligibility_group")
    }
    assert stored == expected


case(
    target="recipients",
    name="class-list",
    profile=lambda reference: "class-list",
    setup=recipients_setup,
    table=class_list_file,
    types=frozenset({"text", "integer"}),
    check=check_recipients,
    builtin=("class-list",),
)


@st.composite
def oneroster_users_file(draw, reference, file_format: str) -> GeneratedFile:
    header = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username"]
    header += ["givenName", "familyName", "grades"]
    count = draw(st.integers(1, 8))
    ids = draw(st.lists(st.uuids().map(str), min_size=count, max_size=count, unique=True))
    rows = []
    for sourced_id in ids:
        rows.append(
            [
                sourced_id,
                draw(st.sampled_from(["active", ""])),
                "2024-09-01T08:00:00.000Z",
                "true",
                draw(st.sampled_from(["1001", "1001,9999"])),
                draw(st.sampled_from(["student", "teacher"])),
                "user",
                draw(texts(BALTIC, max_size=20, tricky=False)),
                draw(texts(BALTIC, max_size=20, tricky=False)),
                draw(st.sampled_from(["", "KG", "01", "05", "12", "09,10"])),
            ]
        )
    return GeneratedFile(header=header, rows=rows, file_format="utf-8-sig", delimiter=",")


case(
    target="recipients",
    name="oneroster-users",
    profile=lambda reference: "oneroster-users",
    setup=recipients_setup,
    table=oneroster_users_file,
    types=frozenset({"text"}),
    formats=("utf-8-sig",),
    builtin=("oneroster-users",),
)


ONEROSTER_12_USERS = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName"]
ONEROSTER_12_USERS += ["familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades"]
ONEROSTER_12_USERS += ["password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName"]
ONEROSTER_12_USERS += ["preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]
ONEROSTER_ORGS = [
    ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    ["district-1", "active", "2024-09-01T00:00:00Z", "District", "district", "", ""],
    ["org-a", "active", "2024-09-01T00:00:00Z", "INSIDE school", "school", "1001", "district-1"],
]
ONEROSTER_ROLES = ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate"]
ONEROSTER_ROLES += ["endDate", "orgSourcedId", "userProfileSourcedId"]


@st.composite
def oneroster_12_bundle(draw, reference, file_format: str) -> GeneratedFile:
    count = draw(st.integers(1, 8))
    ids = draw(st.lists(st.uuids().map(str), min_size=count, max_size=count, unique=True))
    users, roles = [], [ONEROSTER_ROLES]
    for number, sourced_id in enumerate(ids):
        cells = dict.fromkeys(ONEROSTER_12_USERS, "")
        cells.update(
            sourcedId=sourced_id,
            status="active",
            dateLastModified="2024-09-01T00:00:00Z",
            enabledUser="true",
            givenName=draw(texts(BALTIC, max_size=20, tricky=False)),
            grades=draw(st.sampled_from(["", "KG", "PK", "01", "05", "12", "09,10"])),
            primaryOrgSourcedId="org-a",
        )
        users.append([cells[name] for name in ONEROSTER_12_USERS])
        role = draw(st.sampled_from(["student", "teacher"]))
        status = draw(st.sampled_from(["active", "active", "tobedeleted"]))
        roles.append([f"r-{number}", status, "2024-09-01T00:00:00Z", sourced_id, "primary", role, "", "", "org-a", ""])
        if draw(st.booleans()):
            roles.append([f"r-{number}-2", "active", "", sourced_id, "secondary", "aide", "", "", "org-a", ""])
    return GeneratedFile(
        header=list(ONEROSTER_12_USERS),
        rows=users,
        file_format="zip",
        delimiter=",",
        bundle={"orgs.csv": ONEROSTER_ORGS, "roles.csv": roles},
    )


case(
    target="recipients",
    name="oneroster-1.2",
    profile=lambda reference: "oneroster-1.2",
    setup=recipients_setup,
    table=oneroster_12_bundle,
    types=frozenset({"text"}),
    formats=("zip",),
    builtin=("oneroster-1.2",),
)


# -- management reports -----------------------------------------------------------------------------------


def management_setup(world) -> SimpleNamespace:
    programme = ProgrammeFactory(authority=world.authority)
    laptop = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", device_type=DeviceType.LAPTOP)
    chromebook = DeviceModelFactory(authority=world.authority, manufacturer="Acer", device_type=DeviceType.CHROMEBOOK)
    devices = [
        DeviceFactory(programme=programme, school=world.school, device_model=laptop, serial=f"PF{n:05d}")
        for n in range(4)
    ] + [
        DeviceFactory(programme=programme, school=world.school, device_model=chromebook, serial=f"NXH{n:05d}")
        for n in range(4)
    ]
    return SimpleNamespace(world=world, devices=devices)


def management_profile(name: str):
    def build(reference) -> Profile:
        profile = get_profile("management_reports", name)
        constants = {
            **profile.constants,
            "operator_id": reference.world.operator.pk,
            "school_id": reference.world.school.pk,
        }
        return dataclasses.replace(profile, constants=constants)

    return build


def check_in_times(file_format: str) -> st.SearchStrategy[Any]:
    moments = st.datetimes(datetime.datetime(2024, 1, 1), datetime.datetime(2025, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    )
    styles = st.sampled_from(["iso", "isoz", "us", "space", "ampm"])

    def render(moment: datetime.datetime, style: str) -> str:
        if style == "iso":
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        if style == "isoz":
            return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if style == "us":
            return f"{moment.month}/{moment.day}/{moment.year} {moment.strftime('%I:%M:%S %p').lstrip('0')}"
        if style == "ampm":
            return moment.strftime("%Y-%m-%d %I:%M %p")
        return moment.strftime("%Y-%m-%dT%H:%M:%S")

    rendered = st.builds(render, moments, styles)
    if file_format == "xlsx":  # Excel keeps a time it recognises as a date cell
        return st.just("") | rendered | moments
    return st.just("") | rendered


@st.composite
def intune_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    header = [
        "Device name",
        "Managed by",
        "Serial number",
        "Manufacturer",
        "Model",
        "Last check-in",
        "Primary user UPN",
    ]
    known = [device.serial for device in reference.devices[:4]]
    count = draw(st.integers(1, 8))
    serial_list = draw(st.lists(st.sampled_from(known) | serials(), min_size=count, max_size=count, unique=True))
    rows = []
    for serial in serial_list:
        rows.append(
            [
                draw(texts(alphabet, max_size=30)),
                "Intune",
                draw(st.sampled_from([serial, serial.lower(), f" {serial}"])),
                draw(st.sampled_from(["Lenovo", "LENOVO", "Dell Inc.", ""])),
                draw(st.just("") | texts(alphabet, max_size=30)),
                draw(check_in_times(file_format)),
                "pupil@example.org",
            ]
        )
    return GeneratedFile(header=header, rows=rows, file_format=file_format)


@st.composite
def google_file(draw, reference, file_format: str) -> GeneratedFile:
    upper = draw(st.booleans())
    names = ["Serial Number", "Model", "Last Sync", "Status", "Annotated Asset ID", "Annotated User"]
    header = names if upper else [name.lower() for name in names]
    known = [device.serial for device in reference.devices[4:]]
    count = draw(st.integers(1, 8))
    serial_list = draw(st.lists(st.sampled_from(known) | serials(), min_size=count, max_size=count, unique=True))
    rows = []
    for serial in serial_list:
        rows.append(
            [
                serial,
                draw(st.sampled_from(["Acer Chromebook 511", "HP Chromebook 11 G9 EE", ""])),
                draw(check_in_times(file_format)),
                draw(st.sampled_from(["ACTIVE", "DEPROVISIONED", "DISABLED"])),
                draw(st.just("") | texts(BALTIC, max_size=20)),
                "pupil@example.org",
            ]
        )
    return GeneratedFile(header=header, rows=rows, file_format="utf-8-sig", delimiter=",")


case(
    target="management_reports",
    name="intune",
    profile=management_profile("intune"),
    setup=management_setup,
    table=intune_file,
    types=frozenset({"text", "datetime"}),
    formats=("utf-8-sig", "cp1252", "xlsx"),
    builtin=("intune",),
)
case(
    target="management_reports",
    name="google",
    profile=management_profile("google"),
    setup=management_setup,
    table=google_file,
    types=frozenset({"text", "datetime"}),
    formats=("utf-8-sig",),
    builtin=("google",),
)


# -- commitments and payments ------------------------------------------------------------------------------


def transactions_setup(world) -> SimpleNamespace:
    from digileap.programmes.tests.factories import FundingSourceFactory

    programme = ProgrammeFactory(code="TX-PROPERTY", authority=world.authority)
    FundingSourceFactory(programme=programme, position=1, name={"en": "EU RRF", "nl": "EU HVF"})
    FundingSourceFactory(programme=programme, position=2, name={"en": "Région, Flandre"})
    return SimpleNamespace(world=world, programme=programme)


@st.composite
def transactions_file(draw, reference, file_format: str) -> GeneratedFile:
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    optional = [name for name in ("school", "reference") if draw(st.booleans())]
    header = draw(st.permutations(["programme", "source", "kind", "amount", "date", *optional]))
    kinds = ["commitment", "Payment", "paid", "Zahlung", "betaling", "paiement"]
    if file_format != "cp1252":
        kinds += ["maksājums", "saistības"]
    rows = []
    for _index in range(draw(st.integers(1, 8))):
        day = draw(st.dates(datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)))
        cents = draw(st.integers(-(10**9), 10**11).filter(lambda n: n != 0))
        cells = {
            "programme": "TX-PROPERTY",
            "source": draw(st.sampled_from(["1", "2", "EU RRF", "eu hvf", " Région,  Flandre "])),
            "kind": draw(st.sampled_from(kinds)),
            "amount": decimal_cell(Decimal(cents) / 100, file_format, draw),
            "date": draw(
                st.sampled_from(
                    [day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%d/%m/%Y")]
                    + ([datetime.datetime.combine(day, datetime.time())] if file_format == "xlsx" else [])
                )
            ),
            "school": draw(st.sampled_from(["", "1001", " 1001 "])),
            "reference": draw(st.just("") | texts(alphabet, max_size=40)),
        }
        rows.append([cells[name] for name in header])
        if draw(st.integers(0, 5)) == 0:  # the same entry twice: recorded twice, found twice
            rows.append(list(rows[-1]))
    return GeneratedFile(header=list(header), rows=rows, file_format=file_format)


def transactions_profile(reference) -> str:
    return "generic"


case(
    target="transactions",
    name="generic",
    profile=transactions_profile,
    setup=transactions_setup,
    table=transactions_file,
    types=frozenset({"text", "decimal", "date"}),
    builtin=("generic",),
)


# -- connectivity measurements ----------------------------------------------------------------------------

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")  # config.settings: TIME_ZONE, the local times' zone
MEASUREMENT_SITES = {
    "1001": [("IN-1001-A", "Hauptgebäude"), ("IN-1001-B", "Turnhalle")],
    "0042": [("IN-42-S", "Sporta zāle")],
}
# (what a file says, what is stored)
MEASUREMENT_CONNECTIONS = [
    ("", "unknown"),
    ("unknown", "unknown"),
    ("wired", "wired"),
    (" Ethernet ", "wired"),
    ("LAN", "wired"),
    ("cable", "wired"),
    ("WiFi", "wifi"),
    ("Wi-Fi", "wifi"),
    ("wlan", "wifi"),
    ("Wireless", "wifi"),
]
GENERIC_TIME_STYLES = ("z", "z-fraction", "offset", "offset-compact", "offset-hours", "offset-space")
GENERIC_TIME_STYLES += ("local", "local-minutes", "local-t", "dotted", "dotted-minutes", "slashed-minutes")
GIGA_TIME_STYLES = ("z", "z-fraction", "utc-offset", "utc-offset-micro")


@dataclass
class MeasurementFile(GeneratedFile):
    """A measurement file and the rows it must store: (school number, site code or None, time,
    download, upload, latency, connection), speeds in Mbit/s."""

    expected: list[tuple] = field(default_factory=list)


def measurements_setup(world) -> SimpleNamespace:
    from digileap.accounts.models import Role
    from digileap.accounts.tests.factories import user_with_role
    from digileap.schools.tests.factories import SchoolFactory, SiteFactory

    SchoolFactory(operator=world.operator, number="0042", name="INSIDE school 42")
    SchoolFactory(operator=world.operator, number="BE-117", name="INSIDE school BE-117")
    # The same number outside the importing user's scope: never matched, never ambiguous.
    SchoolFactory(operator=world.other_operator, number="0042", name="OUTSIDE school 42")
    schools = {school.number: school for school in School.objects.filter(authority=world.authority)}
    for number, sites in MEASUREMENT_SITES.items():
        for code, name in sites:
            SiteFactory(school=schools[number], authority=world.authority, code=code, name=name)
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="measurement-importer")
    return SimpleNamespace(world=world, owner=owner, numbers=sorted(schools))


def measurement_moments() -> st.SearchStrategy[datetime.datetime]:
    """A test's time (UTC, to the microsecond), always in the past; the DST changes are in range."""
    return st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2025, 12, 31, 23, 59, 59)).map(
        lambda moment: moment.replace(tzinfo=datetime.UTC)
    )


def _local_instant(local: datetime.datetime) -> datetime.datetime:
    """What a local time without zone means: the installation's zone, the earlier of an ambiguous hour."""
    return local.replace(tzinfo=BRUSSELS, fold=0).astimezone(datetime.UTC)


def render_measured_at(moment: datetime.datetime, style: str, offset_minutes: int) -> tuple[Any, datetime.datetime]:
    """The cell for ``moment`` in ``style`` and the instant (to the second) the importer must read."""
    second = moment.replace(microsecond=0)
    offset = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    shifted = moment.astimezone(offset)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    local = moment.astimezone(BRUSSELS).replace(tzinfo=None)
    if style == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), second
    if style == "z-fraction":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z", second
    if style == "utc-offset":
        return moment.strftime("%Y-%m-%d %H:%M:%S+00:00"), second
    if style == "utc-offset-micro":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), second
    if style == "offset":
        return shifted.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}:{minutes:02d}", second
    if style == "offset-compact":
        return shifted.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}{minutes:02d}", second
    if style == "offset-hours" and not minutes:
        return shifted.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}", second
    if style == "offset-space":
        return shifted.strftime("%Y-%m-%d %H:%M:%S ") + f"{sign}{hours:02d}{minutes:02d}", second
    if style == "local-minutes":
        local = local.replace(second=0, microsecond=0)
        return local.strftime("%Y-%m-%d %H:%M"), _local_instant(local)
    if style == "local-t":
        return local.strftime("%Y-%m-%dT%H:%M:%S"), _local_instant(local.replace(microsecond=0))
    if style == "dotted":
        return local.strftime("%d.%m.%Y %H:%M:%S"), _local_instant(local.replace(microsecond=0))
    if style == "dotted-minutes":
        local = local.replace(second=0, microsecond=0)
        return local.strftime("%d.%m.%Y %H:%M"), _local_instant(local)
    if style == "slashed-minutes":
        local = local.replace(second=0, microsecond=0)
        return local.strftime("%d/%m/%Y %H:%M"), _local_instant(local)
    if style == "excel":  # a date cell: Excel has no zones, it is a local time
        local = local.replace(microsecond=0)
        return local, _local_instant(local)
    local = local.replace(microsecond=0)
    return local.strftime("%Y-%m-%d %H:%M:%S"), _local_instant(local)


def measurement_number(draw, value: Decimal, file_format: str, *, comma: bool) -> Any:
    """A speed or latency as the file holds it: decimal comma or point, trailing zeros, or an XLSX number."""
    if file_format == "xlsx" and draw(st.booleans()):
        return int(value) if value == value.to_integral_value() and draw(st.booleans()) else float(value)
    text = format(value, "f")
    if "." in text and draw(st.booleans()):
        text += "0" * draw(st.integers(1, 2))
    return text.replace(".", ",") if comma else text


def measurement_values(places: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, places).flatmap(
        lambda scale: st.integers(0, high * 10**scale).map(lambda n: Decimal(n).scaleb(-scale))
    )


@st.composite
def measurements_file(draw, reference, file_format: str, *, profile: str) -> MeasurementFile:
    giga = profile == "giga"
    divisor = 1000 if giga else 1  # the profile's speed_unit: kbps (Giga Meter) or mbps
    if file_format == "cp1252":
        delimiter, comma = ";", not giga  # Excel's "CSV" in Western Europe
    elif file_format == "utf-8-sig":
        delimiter = "," if giga else draw(st.sampled_from([";", ","]))
        comma = not giga and delimiter == ";" and draw(st.booleans())
    else:
        delimiter, comma = ";", False
    names = (
        {"measured_at": "Timestamp", "school": "school_id", "download": "Download"}
        | {"upload": "Upload", "latency": "Latency"}
        if giga
        else {"measured_at": "measured_at", "school": "school", "download": "download_mbps"}
        | {"site": "site", "upload": "upload_mbps", "latency": "latency_ms", "connection": "connection"}
    )
    optional = [name for name in ("site", "upload", "latency", "connection") if name in names and draw(st.booleans())]
    header_fields = ["measured_at", "school", "download", *optional]
    extra = ["giga_id_school", "country_code", "ip_address", "app_version"] if giga else []
    header = draw(st.permutations([names[name] for name in header_fields] + extra))
    styles = GIGA_TIME_STYLES if giga else GENERIC_TIME_STYLES + (("excel",) if file_format == "xlsx" else ())
    speeds = measurement_values(3 if giga else 7, 100_000 * divisor)

    def cells_for(values: dict[str, Any]) -> dict[str, Any]:
        """One rendering of a row's values (each cell written as one of the ways files say it)."""
        moment, number = values["moment"], values["number"]
        cell, instant = render_measured_at(moment, draw(st.sampled_from(styles)), values["offset"])
        site_cell = ""
        if values["site"] is not None:
            code, name = values["site"]
            choices = [code, code.lower(), f" {code} "]
            if file_format != "cp1252" or name.encode("cp1252", "ignore").decode("cp1252") == name:
                choices += [name, f"  {name.upper()}", name.replace(" ", "  ")]
            site_cell = draw(st.sampled_from(choices))
        return {
            "instant": instant,
            names["measured_at"]: cell,
            names["school"]: int(number)
            if file_format == "xlsx" and number == "1001" and draw(st.booleans())
            else number,
            names["download"]: measurement_number(draw, values["download"], file_format, comma=comma),
            names.get("upload"): ""
            if values["upload"] is None
            else measurement_number(draw, values["upload"], file_format, comma=comma),
            names.get("latency"): ""
            if values["latency"] is None
            else measurement_number(draw, values["latency"], file_format, comma=comma),
            names.get("site"): site_cell,
            names.get("connection"): draw(
                st.sampled_from([text for text, stored in MEASUREMENT_CONNECTIONS if stored == values["connection"]])
            ),
            "giga_id_school": draw(st.sampled_from(["", "a3f0c6d2-5a4e-4b8e-9f1b-2c7d0e9a1b34"])),
            "country_code": "BE",
            "ip_address": "192.0.2.17",
            "app_version": "2.1.0",
        }

    rows, expected, seen = [], [], set()
    for _index in range(draw(st.integers(1, 10))):
        number = draw(st.sampled_from(reference.numbers))
        sites = MEASUREMENT_SITES.get(number, [])
        values = {
            "moment": draw(measurement_moments()),
            "offset": draw(st.sampled_from([0, 60, 120, -300, 330, 345])),
            "number": number,
            "site": draw(st.none() | st.sampled_from(sites)) if "site" in optional and sites else None,
            "download": draw(speeds),
            "upload": draw(speeds) if "upload" in optional and draw(st.booleans()) else None,
            "latency": draw(measurement_values(3, 600_000)) if "latency" in optional and draw(st.booleans()) else None,
            "connection": draw(st.sampled_from(["unknown", "wired", "wifi"]))
            if "connection" in optional
            else "unknown",
        }
        cells = cells_for(values)
        if (number, cells["instant"]) in seen:  # one test a second per school; another time is drawn next
            continue
        seen.add((number, cells["instant"]))
        expected.append(
            (
                number,
                values["site"][0] if values["site"] else None,
                cells["instant"],
                float(values["download"]) / divisor,
                None if values["upload"] is None else float(values["upload"]) / divisor,
                None if values["latency"] is None else float(values["latency"]),
                values["connection"],
            )
        )
        rows.append([cells[name] for name in header])
        if draw(st.integers(0, 4)) == 0:  # the same test again, written another way: counted once
            again = cells_for(values)
            if again["instant"] == cells["instant"]:
                rows.append([again[name] for name in header])
    rows = draw(st.permutations(rows))
    return MeasurementFile(
        header=list(header), rows=list(rows), file_format=file_format, delimiter=delimiter, expected=expected
    )


def check_measurements(profile: str):
    def check(reference, generated: MeasurementFile, result) -> None:
        from digileap.connectivity.models import DailyAggregate, Measurement

        stored = Measurement.objects.order_by("school__number", "measured_at").values_list(
            "school__number",
            "site__code",
            "measured_at",
            "download_mbps",
            "upload_mbps",
            "latency_ms",
            "connection",
            "source",
        )
        assert list(stored) == [(*row, profile) for row in sorted(generated.expected, key=lambda r: (r[0], r[2]))]
        assert (result.created, result.updated, result.unchanged) == (
            len(generated.expected),
            0,
            len(generated.rows) - len(generated.expected),
        )
        days: dict[tuple, int] = {}
        for number, site, instant, *_figures in generated.expected:
            key = (number, site, instant.astimezone(BRUSSELS).date())
            days[key] = days.get(key, 0) + 1
        aggregates = DailyAggregate.objects.values_list("school__number", "site__code", "day", "tests")
        assert sorted(aggregates, key=repr) == sorted(((*key, n) for key, n in days.items()), key=repr)

    return check


for _profile in ("generic", "giga"):
    case(
        target="measurements",
        name=_profile,
        profile=lambda reference, name=_profile: name,
        setup=measurements_setup,
        table=lambda reference, file_format, name=_profile: measurements_file(reference, file_format, profile=name),
        types=frozenset({"text"}),
        check=check_measurements(_profile),
        builtin=(_profile,),
        actor=lambda reference: reference.owner,
    )


# -- training: completions (generic, moodle) and xAPI statements ---------------------------------------

COMPLETION_COURSES = {  # course code: (system import, system moodle, system xapi) identifiers
    "DIGI-101": ("Digitale Grundbildung 101", "DIGI 101", "https://lms.example.org/xapi/activities/digi-101"),
    "SAFE-202": ("Sicher im Netz", "safe_202", "https://lms.example.org/xapi/activities/safe-202"),
    "DATA-303": ("Daten & Schule; Teil 3", "data-303", "https://lrs.example.eu/activity/data%20303?x=1"),
}
COMPLETED_VERBS = ("http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed")
OTHER_VERBS = ("http://adlnet.gov/expapi/verbs/experienced", "http://adlnet.gov/expapi/verbs/attempted")


def completions_setup(world) -> SimpleNamespace:
    """Three courses of the INSIDE authority, each mapped for systems import, moodle and xapi; a
    second INSIDE school; known people: the INSIDE teacher (one school, a stored completion of
    DIGI-101 on 2024-03-25) and one who works at both schools (known by identifiers too)."""
    from digileap.accounts.models import Role
    from digileap.accounts.tests.factories import user_with_role
    from digileap.schools.tests.factories import SchoolFactory
    from digileap.training.models import Membership
    from digileap.training.tests.factories import (
        CompletionFactory,
        CourseFactory,
        CourseMappingFactory,
        ProviderFactory,
        StaffIdentifierFactory,
        staff_at,
    )

    programme = ProgrammeFactory(authority=world.authority)
    provider = ProviderFactory(authority=world.authority)
    courses = {}
    for code, identifiers in COMPLETION_COURSES.items():
        course = CourseFactory(programme=programme, provider=provider, code=code)
        for system, identifier in zip(("import", "moodle", "xapi"), identifiers, strict=True):
            CourseMappingFactory(course=course, system=system, identifier=identifier)
        courses[code] = course
    # The same code in the OUTSIDE authority: never matched.
    CourseFactory(programme=ProgrammeFactory(authority=world.other_authority), code="DIGI-101")
    second = SchoolFactory(operator=world.operator, number="2002", name="INSIDE school 2002")
    world.staff.email = "Inside.Teacher@Schule.de"
    world.staff.save(update_fields=["email"])
    CompletionFactory(course=courses["DIGI-101"], school=world.school, staff=world.staff)  # 2024-03-25
    multi = staff_at(world.school, reference="MULTI-7", email="multi7@skola.lv")
    Membership.objects.create(staff=multi, school=second)
    for system in ("import", "moodle", "xapi"):
        identifier = "mailto:multi7@skola.lv" if system == "xapi" else f"{system}-u7"
        StaffIdentifierFactory(staff=multi, system=system, identifier=identifier)
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="completion-importer")
    known = [
        # reference, e-mail, identifier per system (None: none stored; the file may give a new one), school
        SimpleNamespace(reference="INSIDE-teacher", email=world.staff.email, identifiers={}, schools=[world.school]),
        SimpleNamespace(
            reference="MULTI-7",
            email="multi7@skola.lv",
            identifiers={"import": "import-u7", "moodle": "moodle-u7", "xapi": "mailto:multi7@skola.lv"},
            schools=[world.school, second],
        ),
    ]
    stored = {("INSIDE-teacher", "DIGI-101"): datetime.date(2024, 3, 25)}
    return SimpleNamespace(
        world=world, owner=owner, courses=courses, schools=[world.school, second], known=known, stored=stored
    )


@dataclass
class CompletionFile(GeneratedFile):
    """A completion file; ``expected`` holds (course code, staff reference, day) after the import."""

    expected: set[tuple] = field(default_factory=set)  # (course code, person token, reference, day)
    name: str = ""

    @property
    def filename(self) -> str:
        if self.name:
            return self.name + (".xlsx" if self.file_format == "xlsx" else ".csv")
        return super().filename


def completion_days() -> st.SearchStrategy[datetime.date]:
    return st.dates(datetime.date(2019, 1, 1), datetime.date(2025, 12, 31))


def day_cell(day: datetime.date, style: str, file_format: str, draw) -> Any:
    """A day as the file writes it: generic (ISO, 14.03.2024, 14/03/2024) or Moodle's day and time."""
    if file_format == "xlsx" and draw(st.integers(0, 3)) == 0:
        return datetime.datetime.combine(day, datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    if style == "moodle":
        moment = datetime.datetime.combine(day, datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
        pattern = draw(st.sampled_from(["%d/%m/%y, %H:%M", "%d.%m.%y, %H:%M", "%d/%m/%Y, %H:%M", "%d.%m.%Y, %H:%M"]))
        return moment.strftime(pattern)
    return day.strftime(draw(st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"])))


def references(alphabet: str) -> st.SearchStrategy[str]:
    return texts(alphabet.replace("\n", ""), max_size=20, tricky=False).map(str.strip).filter(bool)


@st.composite
def completion_people(draw, reference, system: str, alphabet: str) -> list[SimpleNamespace]:
    """The people of one file: some known, some new (reference, e-mail, identifier, schools)."""
    people = []
    for known in reference.known:
        if draw(st.booleans()):
            choices = ["", f"{system}-new-{known.reference}"] if system == "import" else [f"{system}-new-1"]
            identifier = known.identifiers.get(system) or draw(st.sampled_from(choices))
            people.append(SimpleNamespace(known=True, identifier=identifier, token=known.reference, **vars(known)))
    new_count = draw(st.integers(0 if people else 1, 4))
    refs = draw(st.lists(references(alphabet), min_size=new_count, max_size=new_count, unique_by=str.upper))
    for index, ref in enumerate(refs):
        if ref.upper() in {"INSIDE-TEACHER", "MULTI-7"}:
            continue
        people.append(
            SimpleNamespace(
                known=False,
                token=f"new-{index}",
                reference=ref,
                email=draw(st.sampled_from(["", f"new{index}@schule.de", f"New.{index}@Skola.lv"])),
                identifier=f"u{index}-{draw(st.integers(1, 99999))}",
                schools=[draw(st.sampled_from(reference.schools))],
            )
        )
    return people


@st.composite
def completion_file(draw, reference, file_format: str, *, profile: str) -> CompletionFile:
    """A generic or Moodle completion file: rows of (person, course, day), some repeated exactly,
    each person and course with one day (the stored one for a stored completion)."""
    alphabet = WESTERN if file_format == "cp1252" else BALTIC
    system = "moodle" if profile == "moodle" else "import"
    people = draw(completion_people(reference, system, alphabet))
    moodle = profile == "moodle"
    course_column = not moodle or draw(st.booleans())
    file_course = draw(st.sampled_from(sorted(COMPLETION_COURSES)))
    pairs = []
    for person in people:
        codes = draw(st.lists(st.sampled_from(sorted(COMPLETION_COURSES)), min_size=1, max_size=3, unique=True))
        if not course_column:
            codes = [file_course]
        for code in codes:
            day = reference.stored.get((person.reference, code)) if person.known else None
            pairs.append((person, code, day or draw(completion_days())))
    pairs = draw(st.permutations(pairs))
    if moodle:
        names = {"identifier": "ID", "staff_reference": "ID number", "email": "Email address", "school": "Institution"}
        names |= {"course": "Course", "completed_on": "Course complete"}
        extra = ["Name", "Quiz 1 - Completion date"]
    else:
        names = {"identifier": "platform_id", "staff_reference": "staff_reference", "email": "email"}
        names |= {"school": "school", "course": "course", "completed_on": "completed_on", "score": "score"}
        names |= {"passed": "passed", "first_name": "first_name", "last_name": "last_name"}
        names |= {"gender": "gender", "age_band": "age_band"}
        extra = []
    optional = [name for name in names if name not in ("course", "completed_on") and draw(st.booleans())]
    if moodle:
        optional = sorted(set(optional) | {"identifier"})
    else:  # a person column: the reference always (new people must be told apart)
        optional = sorted(set(optional) | {"staff_reference"})
    if moodle and any(person.known and not person.identifiers.get(system) for person in people):
        optional = sorted(set(optional) | {"staff_reference"})  # Moodle's ID alone does not find them
    if any(len(person.schools) > 1 or not person.known for person in people):
        optional = sorted(set(optional) | {"school"})
    fields = [*optional, "completed_on"] + (["course"] if course_column else [])
    header = draw(st.permutations([names[name] for name in fields] + extra))
    column = {name: names[name] for name in fields}

    rows, expected, seen_person = [], set(), set()
    for person, code, day in pairs:
        cells: dict[str, Any] = {"Name": draw(texts(alphabet, max_size=30)), "Quiz 1 - Completion date": ""}
        # Only at the person's schools: naming a known person at another school is covered by
        # test_a_known_person_named_at_a_second_school_is_unchanged_on_reimport.
        school = draw(st.sampled_from(person.schools))
        first_time = id(person) not in seen_person
        seen_person.add(id(person))
        values = {
            "identifier": person.identifier,
            "staff_reference": person.reference if not person.known or draw(st.booleans()) else "",
            "email": draw(st.sampled_from([person.email, person.email.upper(), person.email.lower()])),
            "school": school.number
            if (first_time and not person.known) or len(person.schools) > 1 or draw(st.booleans())
            else "",
            "course": draw(st.sampled_from([code, COMPLETION_COURSES[code][1 if moodle else 0]])),
            "completed_on": day_cell(day, "moodle" if moodle else "generic", file_format, draw),
            "score": ""
            if draw(st.booleans())
            else decimal_cell(Decimal(draw(st.integers(0, 9999))).scaleb(-draw(st.integers(0, 2))), file_format, draw),
            "passed": draw(st.sampled_from(["", "yes", "no", "ja", "nee", "oui", "non", "1", "0", "TRUE", "false"])),
            "first_name": draw(st.just("") | texts(alphabet, max_size=20)),
            "last_name": draw(st.just("") | texts(alphabet, max_size=20)),
            "gender": draw(st.sampled_from(["", "female", "male", "non_binary", "F", "m", "X"])),
            "age_band": draw(st.sampled_from(["", "0-17", "18-29", "30-54", "55+"])),
        }
        if person.known and "staff_reference" in column and not values["staff_reference"]:
            # a known person is found by another key the row gives, else by the reference
            stored_identifier = person.identifiers.get(system) == values["identifier"]
            if not (("email" in column and values["email"]) or ("identifier" in column and stored_identifier)):
                values["staff_reference"] = person.reference
        if not person.known and "school" in column and first_time:
            values["school"] = school.number
        for name, source in column.items():
            cells[source] = values[name]
        row = [cells.get(source, "") for source in header]
        rows.append(row)
        if draw(st.integers(0, 4)) == 0:
            rows.append(list(row))  # the same row again: counted once
        if moodle and draw(st.integers(0, 4)) == 0:  # not complete: left out
            rows.append(["" if source == "Course complete" else cell for source, cell in zip(header, row, strict=True)])
        new_reference = person.reference
        if moodle and not person.known and "staff_reference" not in column:
            new_reference = None  # the e-mail or moodle-<id> (not checked)
        expected.add((code, person.token, new_reference, day))
    return CompletionFile(
        header=list(header),
        rows=rows,
        expected=expected,
        name="" if course_column else f"completion-{normalise_moodle(COMPLETION_COURSES[file_course][1])}",
    )


def normalise_moodle(short_name: str) -> str:
    from digileap.training.importers.completions import normalise_short_name

    return normalise_short_name(short_name)


def check_completions(reference, generated: CompletionFile, result) -> None:
    from digileap.training.models import Completion

    stored = set(
        Completion.objects.filter(staff__authority=reference.world.authority).values_list(
            "course__code", "staff__reference", "completed_on"
        )
    )
    expected = {(code, ref, day) for code, _token, ref, day in generated.expected if ref is not None}
    assert expected <= stored
    pairs = {(code, token) for code, token, _ref, _day in generated.expected}
    assert len(stored) == len(pairs | {(code, ref) for ref, code in reference.stored})


for _profile in ("generic", "moodle"):
    case(
        target="completions",
        name=_profile,
        profile=lambda reference, name=_profile: name,
        setup=completions_setup,
        table=lambda reference, file_format, name=_profile: completion_file(reference, file_format, profile=name),
        types=frozenset({"text", "email", "decimal", "boolean"}),
        check=check_completions,
        builtin=(_profile,),
        actor=lambda reference: reference.owner,
    )


@dataclass
class XapiFile(CompletionFile):
    """xAPI statements as JSON: an array, a statements page, or one statement."""

    statements: list[dict] = field(default_factory=list)
    shape: str = "array"

    @property
    def filename(self) -> str:
        return "statements.json"

    def data(self) -> bytes:
        if self.shape == "page":
            document: Any = {"statements": self.statements, "more": "/xapi/statements?more=abc"}
        elif self.shape == "one" and len(self.statements) == 1:
            document = self.statements[0]
        else:
            document = self.statements
        text = json.dumps(document, ensure_ascii=self.file_format == "json-ascii", indent=2 if self.shape else None)
        return text.encode("utf-8-sig" if self.file_format == "json-bom" else "utf-8")


@st.composite
def xapi_file(draw, reference, file_format: str) -> XapiFile:
    from django.conf import settings as django_settings

    zone = zoneinfo.ZoneInfo(django_settings.TIME_ZONE)
    people = draw(completion_people(reference, "xapi", BALTIC))
    for index, person in enumerate(people):  # an xAPI actor here is its mbox
        if not person.email:
            person.email = f"lrs{index}@school.example.org"
    statements, expected = [], set()

    def moment_on(day: datetime.date) -> str:
        local = datetime.datetime.combine(day, datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
        instant = local.replace(tzinfo=zone).astimezone(datetime.UTC)
        if instant.astimezone(zone).date() != day:  # a local time the clocks skip
            instant = datetime.datetime.combine(day, datetime.time(12), tzinfo=zone).astimezone(datetime.UTC)
        if draw(st.booleans()):
            return instant.strftime("%Y-%m-%dT%H:%M:%S") + draw(st.sampled_from(["Z", ".000Z", "+00:00"]))
        offset = datetime.timedelta(minutes=draw(st.sampled_from([60, 120, -300, 330])))
        return instant.astimezone(datetime.timezone(offset)).isoformat()

    for person in people:
        codes = draw(st.lists(st.sampled_from(sorted(COMPLETION_COURSES)), min_size=1, max_size=3, unique=True))
        for code in codes:
            day = (reference.stored.get((person.reference, code)) if person.known else None) or draw(completion_days())
            for _again in range(draw(st.integers(1, 2))):  # passed and completed of one activity: one completion
                mbox = draw(st.sampled_from([person.email, person.email.upper(), person.email.lower()]))
                statement: dict[str, Any] = {
                    "id": f"{len(statements):08x}-0000-4000-8000-000000000000",
                    "actor": {
                        "objectType": "Agent",
                        "name": draw(texts(BALTIC, max_size=20)),
                        "mbox": draw(st.sampled_from(["mailto:", "MAILTO:"])) + mbox,
                    },
                    "verb": {"id": draw(st.sampled_from(COMPLETED_VERBS)), "display": {"en-US": "completed"}},
                    "object": {"objectType": "Activity", "id": COMPLETION_COURSES[code][2]},
                    "timestamp": moment_on(day),
                    "stored": "2026-01-01T00:00:00Z",
                }
                if draw(st.booleans()):
                    result: dict[str, Any] = {"success": draw(st.booleans()), "completion": True}
                    if draw(st.booleans()):
                        result["score"] = {"scaled": draw(st.integers(0, 10000)) / 10000}
                    statement["result"] = result
                school = draw(st.sampled_from(person.schools))
                if not person.known or len(person.schools) > 1 or draw(st.booleans()):
                    statement["context"] = {"extensions": {"https://digileap.eu/xapi/school": school.number}}
                statements.append(statement)
            token = person.token if person.known else person.email.lower()
            expected.add((code, token, person.reference if person.known else None, day))
        if draw(st.booleans()):  # another verb: left out (it need not name a known activity)
            statements.append(
                {
                    "actor": {"mbox": "mailto:" + person.email},
                    "verb": {"id": draw(st.sampled_from(OTHER_VERBS))},
                    "object": {"id": "https://lms.example.org/xapi/activities/unknown"},
                    "timestamp": "2099-01-01T00:00:00Z",
                }
            )
    statements = draw(st.permutations(statements))
    # A new person's first counted statement names the school (they all do here).
    return XapiFile(
        header=[],
        rows=[],
        expected=expected,
        statements=list(statements),
        shape=draw(st.sampled_from(["array", "page", "one", ""])),
    )


case(
    target="completions_xapi",
    name="xapi",
    profile=lambda reference: "xapi",
    setup=completions_setup,
    table=xapi_file,
    types=frozenset({"text", "email", "decimal", "boolean", "integer"}),
    formats=("json", "json-bom", "json-ascii"),
    check=check_completions,
    builtin=("xapi",),
    actor=lambda reference: reference.owner,
)


# -- the tests --------------------------------------------------------------------------------------------


def declared_types(target: str) -> set[str]:
    """The field types a target declares: its fields' types and its built-in profiles' column types."""
    importer = import_targets()[target]
    declared = {spec.type for spec in importer.fields}
    for profile in builtin_profiles(target).values():
        declared |= {column.type for column in profile.columns}
        declared |= {pattern.get("type", "text") for pattern in profile.pattern_columns}
    return declared


@pytest.mark.parametrize("target", sorted(import_targets()))
def test_every_import_target_has_a_strategy(target):
    cases = [registered for registered in CASES if registered.target == target]
    assert cases, f"the import target {target!r} has no re-import strategy in {__name__}: add a case"
    covered = set().union(*(registered.types for registered in cases))
    missing = declared_types(target) - covered
    assert not missing, f"{target}: no case exercises the field type(s) {sorted(missing)}"
    exercised = {name for registered in cases for name in registered.builtin}
    assert set(builtin_profiles(target)) <= exercised, (
        f"{target}: built-in profile(s) {sorted(set(builtin_profiles(target)) - exercised)} have no case"
    )


def _run(target: str, profile, generated: GeneratedFile, actor):
    return run_import(
        target=target,
        source=io.BytesIO(generated.data()),
        profile=profile,
        actor=actor,
        filename=generated.filename,
    )


@pytest.mark.parametrize("registered", CASES, ids=lambda registered: f"{registered.target}-{registered.name}")
def test_reimporting_the_same_file_changes_nothing(registered: Case, world):
    reference = registered.setup(world)
    profile = registered.profile(reference)
    actor = registered.actor(reference)

    @SETTINGS
    @given(data=st.data())
    def example(data):
        file_format = data.draw(st.sampled_from(registered.formats), label="format")
        generated = data.draw(registered.table(reference, file_format), label="file")
        generated.file_format = file_format
        with transaction.atomic():
            try:
                first = _run(registered.target, profile, generated, actor)
            except ImportRejected as rejected:
                errors = [(e.line, e.column, e.message, e.value) for e in rejected.result.errors]
                pytest.fail(f"the first import rejected rows of a valid file: {errors}")
            assert first.committed
            assert first.rejected == 0
            if registered.check is not None:
                registered.check(reference, generated, first)
            before = database_dump()
            second = _run(registered.target, profile, generated, actor)
            after = database_dump()
            summary = second.summary()
            assert (summary["created"], summary["updated"], summary["rejected"]) == (0, 0, 0), (
                f"re-import of the same file: {summary} (first: {first.summary()})"
            )
            assert summary["unchanged"] == first.created + first.updated + first.unchanged
            assert before == after, dump_difference(before, after)
            transaction.set_rollback(True)

    example()


def test_two_sites_of_a_school_with_the_same_name_are_both_stored(world):
    """Found by the property test: two buildings of one school whose names are equal (here: no name,
    the same street) made the commit fail with the database's UNIQUE (school, name) error. A site is
    identified by its code: both buildings are stored, and a re-import changes nothing."""
    profile = profile_from_dict(json.loads(json.dumps(SITE_PROFILE)), is_builtin=False)
    rows = [
        ["1", "Athénée", "", "5001", "", "Rue de l'École 1", "1180", "Uccle", "", "", "100", ""],
        ["1", "Athénée", "", "5002", "", "Rue de l'École 1", "1180", "Uccle", "", "", "50", ""],
    ]
    generated = GeneratedFile(header=SITE_HEADER, rows=rows, file_format="cp1252")
    first = _run("schools", profile, generated, SYSTEM)
    assert first.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    school = School.objects.get(authority=world.authority, number="1")
    assert sorted(school.sites.values_list("code", flat=True)) == ["5001", "5002"]
    before = database_dump()
    again = _run("schools", profile, generated, SYSTEM)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert database_dump() == before


def test_a_shared_site_whose_name_repeats_at_its_holding_school_is_not_refused(world):
    """Found by the property test: school 1 has two buildings named alike (no name, the same street);
    one of them (5001) is shared with school 2, whose row gives it the same attributes. The sharing
    row was refused ("site 5001 is given with another name ... on line 2"): the name told apart at
    school 1 was compared with the name the rows give."""
    profile = profile_from_dict(json.loads(json.dumps(SITE_PROFILE)), is_builtin=False)
    rows = [
        ["1", "Athénée", "", "5001", "", "Rue de l'École 1", "1180", "Uccle", "", "", "100", ""],
        ["1", "Athénée", "", "5002", "", "Rue de l'École 1", "1180", "Uccle", "", "", "50", ""],
        ["2", "École fondamentale", "", "5001", "", "Rue de l'École 1", "1180", "Uccle", "", "", "80", ""],
    ]
    generated = GeneratedFile(header=SITE_HEADER, rows=rows, file_format="cp1252")
    try:
        first = _run("schools", profile, generated, SYSTEM)
    except ImportRejected as rejected:
        pytest.fail(f"a valid file was refused: {[(e.line, e.column, e.message) for e in rejected.result.errors]}")
    assert first.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    holder = School.objects.get(authority=world.authority, number="1")
    sharer = School.objects.get(authority=world.authority, number="2")
    assert sorted(holder.sites.values_list("code", flat=True)) == ["5001", "5002"]
    assert list(sharer.shared_sites.values_list("site__code", "site__school__number")) == [("5001", "1")]
    before = database_dump()
    again = _run("schools", profile, generated, SYSTEM)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert database_dump() == before


def test_the_dump_sees_a_changed_value(world):
    """The comparison is not vacuous: a changed stored value shows in the dump."""
    before = database_dump()
    School.objects.filter(pk=world.school.pk).update(latitude=Decimal("53.123457"))
    assert dump_difference(before, database_dump()).startswith("schools.School:")


def test_a_known_person_named_at_a_second_school_is_unchanged_on_reimport(world):
    """Found by the property test's completion case: a known person of one school, named at a second
    school of the authority in one row and without a school in another. The first import stores both
    completions and adds the membership at the second school; the re-import of the same file refused
    the second row ("the person works at 2 of your schools: give the school") although its
    completion is stored with the same day. Now the stored completion's school stands for it."""
    reference = completions_setup(world)
    rows = [
        ["INSIDE-teacher", "2002", "SAFE-202", "2024-03-01"],
        ["INSIDE-teacher", "", "DATA-303", "2024-03-02"],
    ]
    generated = GeneratedFile(header=["staff_reference", "school", "course", "completed_on"], rows=rows)
    first = _run("completions", "generic", generated, reference.owner)
    assert first.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    before = database_dump()
    again = _run("completions", "generic", generated, reference.owner)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert database_dump() == before
