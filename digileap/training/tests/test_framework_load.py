"""Loading an authority's own framework from JSON or CSV (``services.frameworks.load_framework``)
and ``manage.py load_framework``: exact counts, every refusal with its message, nothing written on
error, who may load."""

import copy
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.programmes.translation import language_codes
from digileap.training.models import Area, Competence, CompetenceLevel, Framework, FrameworkLevel
from digileap.training.services.frameworks import SHIPPED_DIRECTORY, deactivate_framework, load_framework


def shipped_data() -> dict:
    return json.loads((SHIPPED_DIRECTORY / "digcompedu-1.0.json").read_text(encoding="utf-8"))


def variant_data(**changes) -> dict:
    """DigCompEdu as an authority's variant: code digcompedu-by, version 2024."""
    data = shipped_data()
    data.update({"code": "digcompedu-by", "version": "2024", **changes})
    data["name"]["de"] = "DigCompEdu Bayern"
    return data


def json_file(data: dict, name: str = "variant.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data, ensure_ascii=False, indent=2).encode(), "application/json")


def framework_rows(data: dict, languages=None) -> list[dict]:
    """One row per competence and level; the framework's, areas', competences' and levels' texts
    only on the first row that names them."""
    languages = languages or language_codes()
    rows, seen = [], set()
    for area in data["areas"]:
        for competence in area["competences"]:
            for level in data["levels"]:
                row = {"framework_code": data["code"], "framework_version": data["version"]}
                for key, prefix, texts in (
                    ("framework", "framework_name", data["name"]),
                    (("area", area["code"]), "area_name", area["name"]),
                    (("competence", competence["code"]), "competence_name", competence["name"]),
                    (("level", level["code"]), "level_name", level["name"]),
                ):
                    first = key not in seen
                    seen.add(key)
                    for language in languages:
                        row[f"{prefix}_{language}"] = texts.get(language, "") if first else ""
                row.update(
                    area_code=area["code"],
                    competence_code=competence["code"],
                    level_code=level["code"],
                    level_rank=str(level["rank"]),
                )
                for language in languages:
                    row[f"statement_{language}"] = competence["statements"][level["code"]].get(language, "")
                rows.append(row)
    return rows


def csv_text(rows: list[dict], delimiter: str = ";") -> str:
    columns = list(rows[0])
    output = io.StringIO()
    import csv

    writer = csv.writer(output, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return output.getvalue()


def csv_file(rows: list[dict], *, delimiter=";", encoding="utf-8", name="variant.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_text(rows, delimiter).encode(encoding), "text/csv")


def counts(framework: Framework) -> tuple[int, int, int, int]:
    return (
        Area.objects.filter(framework=framework).count(),
        Competence.objects.filter(framework=framework).count(),
        FrameworkLevel.objects.filter(framework=framework).count(),
        CompetenceLevel.objects.filter(competence__framework=framework).count(),
    )


def framework_rows_count() -> tuple[int, int, int, int, int]:
    return (
        Framework.objects.count(),
        Area.objects.count(),
        Competence.objects.count(),
        FrameworkLevel.objects.count(),
        CompetenceLevel.objects.count(),
    )


def refusal(file, *, actor=None, authority=None, world=None) -> list[str]:
    before = framework_rows_count()
    with pytest.raises(ValidationError) as raised:
        load_framework(
            actor=actor or SystemActor(), authority=authority or world.authority, file=file, filename=file.name
        )
    assert framework_rows_count() == before
    return raised.value.messages


# Loading.


def test_json_variant_loads_with_exact_counts_and_is_audited(world, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    framework = load_framework(
        actor=owner, authority=world.authority, file=json_file(variant_data()), filename="variant.json"
    )
    assert (framework.authority, framework.code, framework.version, framework.is_active) == (
        world.authority, "digcompedu-by", "2024", True,
    )  # fmt: skip
    assert framework.name["de"] == "DigCompEdu Bayern"
    assert counts(framework) == (6, 22, 6, 132)
    assert list(framework.competences.values_list("code", flat=True))[:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    statement = CompetenceLevel.objects.get(competence__framework=framework, competence__code="2.2", level__code="C1")
    assert (
        statement.statement["fr"]
        == "Je crée des ressources numériques avec mes collègues et je les publie sous licence ouverte."
    )
    event = AuditEvent.objects.get(object_type="training.framework", object_id=str(framework.pk))
    assert (event.action, event.actor_id) == ("create", owner.pk)
    assert {key: event.after[key] for key in ("areas", "competences", "levels", "statements", "file")} == {
        "areas": 6, "competences": 22, "levels": 6, "statements": 132, "file": "variant.json",
    }  # fmt: skip


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_variant_loads_with_exact_counts(world, delimiter):
    data = variant_data()
    file = csv_file(framework_rows(data), delimiter=delimiter)
    framework = load_framework(actor=SystemActor(), authority=world.authority, file=file, filename="variant.csv")
    assert counts(framework) == (6, 22, 6, 132)
    assert framework.name == data["name"]
    level = framework.levels.get(code="B1")
    assert (level.rank, level.name["de"]) == (3, "Insider")
    competence = framework.competences.get(code="5.1")
    assert (competence.area.code, competence.name["lv"]) == ("5", "Piekļūstamība un iekļaušana")
    assert list(framework.areas.values_list("code", flat=True)) == ["1", "2", "3", "4", "5", "6"]


def test_latin1_csv_with_english_and_german_only(world):
    rows = framework_rows(variant_data(), languages=["en", "de"])
    file = csv_file(rows, encoding="latin-1", delimiter=";")
    framework = load_framework(actor=SystemActor(), authority=world.authority, file=file, filename="variant.csv")
    assert counts(framework) == (6, 22, 6, 132)
    assert framework.areas.get(code="5").name == {"en": "Empowering learners", "de": "Lernendenorientierung"}
    statement = CompetenceLevel.objects.get(competence__framework=framework, competence__code="1.1", level__code="A2")
    assert statement.statement["de"] == (
        "Ich nutze einfache digitale Kanäle wie E-Mail, um mit Kolleginnen und Kollegen, Lernenden und Eltern zu "
        "kommunizieren."
    )


def test_a_small_json_framework_with_plain_english_texts(world):
    data = {
        "code": "small",
        "version": "1",
        "name": "Small framework",
        "levels": [{"code": "L1", "rank": 1, "name": "Basic"}, {"code": "L2", "rank": 2, "name": "Advanced"}],
        "areas": [
            {
                "code": "A",
                "name": "Area A",
                "competences": [{"code": "A.1", "name": "One", "statements": {"L1": "I start.", "L2": "I lead."}}],
            }
        ],
    }
    framework = load_framework(
        actor=SystemActor(), authority=world.authority, file=json_file(data), filename="small.json"
    )
    assert counts(framework) == (1, 1, 2, 2)
    assert framework.name == {"en": "Small framework"}


# Refusals: each with its message, nothing written.


def test_invalid_json_names_line_and_column(world):
    file = SimpleUploadedFile("variant.json", b'{\n  "code": "x",\n  "version": "1",\n}\n')
    assert refusal(file, world=world) == [
        "variant.json, line 4, column 1: not valid JSON: Expecting property name enclosed in double quotes"
    ]


def test_missing_statement_in_json_and_csv(world):
    data = variant_data()
    del data["areas"][0]["competences"][1]["statements"]["B1"]
    assert refusal(json_file(data), world=world) == [
        "variant.json, areas[0].competences[1], field statements: competence 1.2 has no statement for level B1"
    ]
    rows = [
        row for row in framework_rows(variant_data()) if (row["competence_code"], row["level_code"]) != ("1.2", "B1")
    ]
    # Competence 1.2's rows start on line 8 (header, then six rows of 1.1).
    assert refusal(csv_file(rows), world=world) == [
        "variant.csv, line 8, field statements: competence 1.2 has no statement for level B1"
    ]


def test_missing_english_texts(world):
    data = variant_data()
    del data["areas"][2]["competences"][0]["name"]["en"]
    data["areas"][2]["competences"][0]["statements"]["A2"] = {"de": "nur Deutsch"}
    assert refusal(json_file(data), world=world) == [
        "variant.json, areas[2].competences[0], field name: the English text (en) is missing",
        "variant.json, areas[2].competences[0], field statements.A2: the English text (en) is missing",
    ]
    rows = framework_rows(variant_data())
    rows[3]["statement_en"] = ""
    assert refusal(csv_file(rows), world=world) == [
        "variant.csv, line 5, field statement_en: the English statement is missing"
    ]


def test_duplicate_codes(world):
    data = variant_data()
    data["areas"][0]["competences"][1]["code"] = "1.1"
    data["areas"][5]["code"] = "5"
    messages = refusal(json_file(data), world=world)
    assert messages[:2] == [
        "variant.json, areas[0].competences[1], field code: the competence code 1.1 is already used at "
        "areas[0].competences[0]",
        "variant.json, areas[5], field code: the area code 5 is already used at areas[4]",
    ]
    data = variant_data()
    data["levels"][3]["code"] = "B1"
    assert refusal(json_file(data), world=world)[0] == (
        "variant.json, levels[3], field code: the level code B1 is already used at levels[2]"
    )
    rows = framework_rows(variant_data())
    rows.insert(3, dict(rows[0]))
    assert refusal(csv_file(rows), world=world) == [
        "variant.csv, line 5, field level_code: competence 1.1 has a second row for level A1 (the first is on line 2)"
    ]
    rows = framework_rows(variant_data())
    rows[6]["area_code"] = "2"  # competence 1.2's first row
    assert refusal(csv_file(rows), world=world)[0] == (
        "variant.csv, line 9, field competence_code: competence 1.2 is in area 2 on line 8, not in 1"
    )


def test_wrong_rank_sequence(world):
    data = variant_data()
    data["levels"][5]["rank"] = 7
    assert refusal(json_file(data), world=world) == [
        "variant.json, levels, field rank: the levels' ranks must run 1, 2, … 6 without gaps or repeats; "
        "the file has 1, 2, 3, 4, 5, 7"
    ]
    rows = framework_rows(variant_data())
    for row in rows:
        if row["level_code"] == "C2":
            row["level_rank"] = "8"
    assert refusal(csv_file(rows), world=world) == [
        "variant.csv, line 2, field rank: the levels' ranks must run 1, 2, … 6 without gaps or repeats; "
        "the file has 1, 2, 3, 4, 5, 8"
    ]
    rows = framework_rows(variant_data())
    rows[1]["level_rank"] = "3"  # A2 on line 3 claims B1's rank
    messages = refusal(csv_file(rows), world=world)
    assert messages[
        0
    ] == "variant.csv, line 3, field level_rank: rank 3 is level B1 on line 4; two levels cannot share a rank" or (
        messages[0]
        == "variant.csv, line 4, field level_rank: rank 3 is level A2 on line 3; two levels cannot share a rank"
    )


def test_same_code_and_version_again_is_refused(world):
    load_framework(
        actor=SystemActor(), authority=world.authority, file=json_file(variant_data()), filename="variant.json"
    )
    assert refusal(json_file(variant_data()), world=world) == [
        "INSIDE authority already has the framework digcompedu-by in version 2024. A new version is a new "
        "framework: give the file another version."
    ]
    # Another version is a new framework; another authority may use the same code and version.
    load_framework(
        actor=SystemActor(), authority=world.authority, file=json_file(variant_data(version="2025")), filename="v.json"
    )
    load_framework(
        actor=SystemActor(), authority=world.other_authority, file=json_file(variant_data()), filename="v.json"
    )
    assert Framework.objects.filter(code="digcompedu-by").count() == 3


@override_settings(DIGILEAP_TRAINING_FRAMEWORK_MAX_BYTES=10_000)
def test_a_file_over_the_upload_limit_is_refused(world):
    file = json_file(variant_data())
    assert file.size > 10_000
    assert refusal(file, world=world) == [
        f"variant.json: the file is {_size(file.size)}; a framework file may be at most {_size(10_000)}"
    ]


def _size(size: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(size)


def test_other_refusals(world):
    assert refusal(SimpleUploadedFile("variant.xlsx", b"PK\x03\x04"), world=world) == [
        "variant.xlsx: give a JSON (.json) or CSV (.csv) file"
    ]
    assert refusal(SimpleUploadedFile("variant.json", b"  "), world=world) == ["variant.json: the file is empty"]
    assert refusal(SimpleUploadedFile("variant.json", b"[1, 2]"), world=world) == [
        "variant.json: the file must hold one JSON object, the framework"
    ]
    data = variant_data(version=2.0)
    assert refusal(json_file(data), world=world) == [
        'variant.json, field version: give 2.0 as text in quotes, e.g. "1.0"'
    ]
    data = variant_data()
    data["areas"][0]["name"]["es"] = "Compromiso profesional"
    assert refusal(json_file(data), world=world) == [
        "variant.json, areas[0], field name: unknown language code 'es'; use en, nl, fr, de, lv"
    ]
    rows = framework_rows(variant_data())
    for row in rows:
        row["statement_es"] = "x"
    assert refusal(csv_file(rows), world=world) == [
        "variant.csv, line 1: column 32, 'statement_es', is not a column of the format "
        "(see docs/training-frameworks.md)"
    ]
    rows = [{key: value for key, value in row.items() if key != "level_rank"} for row in framework_rows(variant_data())]
    assert refusal(csv_file(rows), world=world) == ["variant.csv, line 1: the column 'level_rank' is missing"]


def test_many_errors_are_capped(world):
    data = variant_data()
    for area in data["areas"]:
        for competence in area["competences"]:
            competence["statements"] = {level: {"de": "x"} for level in competence["statements"]}
    messages = refusal(json_file(data), world=world)
    assert len(messages) == 51
    assert messages[-1] == "… and 82 more errors; nothing was written."


# Who may load.


@pytest.mark.parametrize(
    "role",
    [
        Role.FUNDING_ADMINISTRATOR,
        Role.OPERATOR_STAFF,
        Role.SCHOOL_COORDINATOR,
        Role.AUDITOR,
        Role.TEACHER,
        Role.SUPPLIER,
    ],
)
def test_only_owners_and_administrators_load(role, world, role_users):
    with pytest.raises(PermissionDenied):
        load_framework(
            actor=role_users[role], authority=world.authority, file=json_file(variant_data()), filename="v.json"
        )
    assert not Framework.objects.filter(code="digcompedu-by").exists()


def test_an_owner_loads_only_for_their_authority(world, role_users):
    with pytest.raises(PermissionDenied):
        load_framework(
            actor=role_users[Role.PROGRAMME_OWNER],
            authority=world.other_authority,
            file=json_file(variant_data()),
            filename="v.json",
        )
    framework = load_framework(
        actor=role_users[Role.ADMINISTRATOR],
        authority=world.other_authority,
        file=json_file(variant_data()),
        filename="v.json",
    )
    assert framework.authority == world.other_authority


def test_deactivate_own_variant_only(world, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    framework = load_framework(
        actor=owner, authority=world.authority, file=json_file(variant_data()), filename="v.json"
    )
    with pytest.raises(PermissionDenied):
        deactivate_framework(actor=role_users[Role.SCHOOL_COORDINATOR], framework=framework)
    deactivate_framework(actor=owner, framework=framework)
    framework.refresh_from_db()
    assert framework.is_active is False
    with pytest.raises(ValidationError, match="already out of use"):
        deactivate_framework(actor=owner, framework=framework)
    shipped = Framework.objects.get(authority=None, code="digcompedu")
    with pytest.raises(PermissionDenied):
        deactivate_framework(actor=owner, framework=shipped)
    with pytest.raises(ValidationError, match="Digileap ships cannot be taken out of use"):
        deactivate_framework(actor=role_users[Role.ADMINISTRATOR], framework=shipped)
    event = AuditEvent.objects.filter(object_type="training.framework", object_id=str(framework.pk)).latest("pk")
    assert (event.action, event.before, event.after) == ("update", {"is_active": True}, {"is_active": False})


# The command.


def _write(tmp_path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_command_dry_run_writes_nothing_then_loads(world, tmp_path, capsys):
    path = _write(tmp_path, "by.csv", csv_text(framework_rows(variant_data())))
    before = framework_rows_count()
    call_command("load_framework", path, "--authority", "IN", "--dry-run")
    assert framework_rows_count() == before
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {
        "framework": "digcompedu-by", "version": "2024", "authority": "IN", "created": 0, "areas": 6,
        "competences": 22, "levels": 6, "statements": 132, "errors": 0, "dry_run": True,
    }  # fmt: skip
    call_command("load_framework", path, "--authority", "IN")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["created"], summary["statements"], summary["dry_run"]) == (1, 132, False)
    framework = Framework.objects.get(authority=world.authority, code="digcompedu-by")
    assert counts(framework) == (6, 22, 6, 132)


def test_command_errors_exit_1_with_the_summary(world, tmp_path, capsys):
    data = copy.deepcopy(variant_data())
    data["levels"][0]["rank"] = 0
    path = _write(tmp_path, "by.json", json.dumps(data))
    with pytest.raises(SystemExit) as exited:
        call_command("load_framework", path, "--authority", "IN", "--dry-run")
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["errors"] == 2
    assert captured.err.splitlines() == [
        "by.json, levels[0], field rank: the rank must be a whole number from 1, not 0",
        "by.json, levels, field rank: the levels' ranks must run 1, 2, … 6 without gaps or repeats; the file has 2, 3, 4, 5, 6",
    ]
    assert not Framework.objects.filter(code="digcompedu-by").exists()


def test_command_refuses_unknown_authority_and_file(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--authority NOPE: no such authority"):
        call_command("load_framework", _write(tmp_path, "x.json", "{}"), "--authority", "NOPE")
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_framework", str(tmp_path / "missing.json"), "--authority", "IN")
