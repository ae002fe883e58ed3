"""Three official school lists, each imported through a profile made in the editor, without code.

Issue 10, "Done means": a German Land's list with one row per school and track (Niedersachsen's
shape), a Latvian ministry list as XLSX with its header on row 4, and a Belgian list (Fédération
Wallonie-Bruxelles) with one row per site (implantation), one site shared by two schools. Each test
generates the file, then works as a programme owner would: uploads it on the profile pages, keeps the
proposed mapping where it is right and changes what needs changing through the editor's forms
(exactly the fields a browser submits: the page's HTML form is read, changed and posted), previews,
saves, imports the file with the saved profile through the normal import flow, checks the stored
values, and imports it again: nothing created, nothing updated.
"""

import csv
import io
import json
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent, ImportProfile
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.schools.models import Enrolment, School, SchoolOperator, SharedSite, Site

pytestmark = pytest.mark.django_db


# -- the editor's HTML form, as a browser submits it -------------------------------------------------------


class _FormReader(HTMLParser):
    """The values a browser would submit for the form with ``form_id`` (no button, no file)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, Any] = {}
        self.order: list[str] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self.options: dict[str, list[str]] = {}

    def _set(self, name: str, value: Any) -> None:
        if name not in self.values:
            self.order.append(name)
        self.values[name] = value

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._set(name, attributes.get("value") or "on")
                return
            self._set(name, attributes.get("value") or "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self.options[name] = []
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            self._option = {"value": value, "selected": "selected" in attributes, "text": []}
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None and self._select:
            option = self._option
            value = option["value"] if option["value"] is not None else "".join(option["text"]).strip()
            self.options[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if option["selected"] and not self._select_chosen:
                self._set(self._select, value)
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._set(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self._set(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


class EditorPage:
    """The editor as a person uses it: read the form, change inputs, press a button."""

    def __init__(self, client):
        self.client = client
        # What the forms could not say (a field or code list the page does not offer): written in the
        # page's JSON box instead, and reported by ``assert_no_missing_capability``.
        self.missing: list[str] = []
        self.json_columns: list[dict[str, Any]] = []
        self.reload()

    def reload(self) -> None:
        response = self.client.get(reverse("importprofile-editor"))
        assert response.status_code == 200, response.content[:2000]
        self.response = response
        reader = _FormReader("profile-editor")
        reader.feed(response.content.decode())
        self.values = reader.values
        self.options = reader.options

    # -- mapping rows (prefix m0, m1, ...) --

    def rows(self) -> int:
        return int(self.values["rows"])

    def row_of(self, source: str) -> int:
        """The first mapping row reading ``source``."""
        for index in range(self.rows()):
            if self.values.get(f"m{index}-source") == source:
                return index
        raise AssertionError(f"no mapping row for the column {source!r}; rows: {self.mapping()}")

    def mapping(self) -> dict[str, str]:
        return {
            self.values.get(f"m{index}-source", ""): self.values.get(f"m{index}-field", "")
            for index in range(self.rows())
            if self.values.get(f"m{index}-source")
        }

    def new_row(self, source: str) -> int:
        """A further mapping row (the page offers blank rows; more are added like the page's "add")."""
        for index in range(self.rows()):
            if not self.values.get(f"m{index}-source") and not self.values.get(f"m{index}-field"):
                self.values[f"m{index}-source"] = source
                return index
        index = self.rows()
        self.values["rows"] = str(index + 1)
        self.values.update({f"m{index}-source": source, f"m{index}-type": "text", f"m{index}-on_invalid": "reject"})
        return index

    def choose(self, name: str, value: str) -> None:
        """Choose ``value`` in the select ``name``: it must be one of the page's options."""
        if name in self.options:
            assert value in self.options[name], (
                f"the editor offers no {value!r} for {name}; it offers {self.options[name][:80]}"
            )
        self.values[name] = value

    def map(
        self,
        source: str,
        field: str,
        *,
        row: int | None = None,
        type: str = "text",
        required: bool = False,
        codes: str = "",
        on_invalid: str = "reject",
        merge_key: bool = False,
        merge_rule: str = "",
        transforms: list[tuple[str, str, str]] = (),
        when: tuple[str, str, str] = ("", "", ""),
        default: str = "",
    ) -> int:
        index = self.row_of(source) if row is None else row
        prefix = f"m{index}-"
        if field not in self.options.get(prefix + "field", [field]):
            self.missing.append(f"the field {field!r} is not offered for the column {source!r}")
            column: dict[str, Any] = {"field": field, "source": source, "type": type}
            column.update({"transforms": [], "merge_rule": merge_rule})
            self.json_columns.append(column)
            self.values[prefix + "field"] = ""
            return index
        self.choose(prefix + "field", field)
        self.choose(prefix + "type", type)
        self.choose(prefix + "codes", codes)
        self.choose(prefix + "on_invalid", on_invalid)
        self.choose(prefix + "merge_rule", merge_rule)
        for name, checked in (("required", required), ("merge_key", merge_key)):
            if checked:
                self.values[prefix + name] = "on"
            else:
                self.values.pop(prefix + name, None)
        for slot in range(1, 4):
            kind, first, second = transforms[slot - 1] if slot <= len(transforms) else ("", "", "")
            self.choose(f"{prefix}t{slot}_kind", kind)
            self.values[f"{prefix}t{slot}_a"] = first
            self.values[f"{prefix}t{slot}_b"] = second
        self.values[prefix + "default"] = default
        subject, test, value = when
        self.choose(prefix + "when_subject", subject)
        self.choose(prefix + "when_test", test or "equals")
        self.values[prefix + "when_value"] = value
        return index

    def unmap(self, source: str) -> None:
        self.values[f"m{self.row_of(source)}-field"] = ""

    def constant(self, field: str, value: str) -> None:
        count = int(self.values["constants"])
        for index in range(count):
            if not self.values.get(f"c{index}-field"):
                break
        else:
            index = count
            self.values["constants"] = str(count + 1)
        self.choose(f"c{index}-field", field) if index < count else None
        self.values[f"c{index}-field"] = field
        self.values[f"c{index}-value"] = value

    def filter(self, subject: str, test: str, value: str) -> None:
        count = int(self.values["filters"])
        for index in range(count):
            if not self.values.get(f"f{index}-subject"):
                break
        else:
            index = count
            self.values["filters"] = str(count + 1)
        self.values.update({f"f{index}-subject": subject, f"f{index}-test": test, f"f{index}-value": value})

    def code_list(self, name: str, entries: str) -> None:
        count = int(self.values["code_lists"])
        for index in range(count):
            if not self.values.get(f"l{index}-name"):
                break
        else:
            index = count
            self.values["code_lists"] = str(count + 1)
        self.values.update({f"l{index}-name": name, f"l{index}-shared": "", f"l{index}-entries": entries})

    def settings(self, **values: str) -> None:
        for name, value in values.items():
            self.choose(f"s-{name}", str(value))

    def press(self, action: str):
        """Press a button: the form as it stands is posted (the JSON box unchanged, so the form counts)."""
        response = self.client.post(reverse("importprofile-editor"), {**self.values, "action": action})
        return response

    def preview(self) -> dict[str, Any]:
        preview = self._preview()
        if self.json_columns:
            pending, self.json_columns = self.json_columns, []

            def add_columns(definition):
                for column in pending:
                    rule = column.pop("merge_rule")
                    column.pop("transforms")
                    definition["columns"].append(column)
                    if rule:
                        definition.setdefault("merge", {"key": []}).setdefault("rules", {})[column["field"]] = rule

            self.edit_json(add_columns)
            preview = self._preview()
        return preview

    def assert_no_missing_capability(self) -> None:
        assert not self.missing, "the editor's forms cannot: " + "; ".join(self.missing)

    def _preview(self) -> dict[str, Any]:
        response = self.press("preview")
        assert response.status_code == 200, _page_errors(response)
        preview = response.context["preview"]
        assert preview and not preview.get("error"), preview
        self.response = response
        reader = _FormReader("profile-editor")
        reader.feed(response.content.decode())
        self.values, self.options = reader.values, reader.options
        return preview

    def edit_json(self, change) -> None:
        """Change the profile in the page's JSON box (what the form cannot say), and post it."""
        definition = json.loads(self.values["definition_json"])
        change(definition)
        self.values["definition_json"] = json.dumps(definition, ensure_ascii=False, indent=2)

    def save(self) -> ImportProfile:
        response = self.press("save")
        assert response.status_code == 302, _page_errors(response)
        name = json.loads(self.values["definition_json"])["name"] if "definition_json" in self.values else ""
        saved = ImportProfile.objects.order_by("-pk").first()
        assert saved is not None and (not name or saved.name), name
        return saved


def _page_errors(response) -> str:
    context = response.context or {}
    editor = context.get("editor")
    if editor is None:
        return response.content.decode()[:3000]
    problems = list(editor.errors)
    for form in editor.forms():
        if form.is_bound and form.errors:
            problems.append(f"{form.prefix}: {form.errors.as_json()}")
    return "; ".join(problems) or response.content.decode()[:3000]


def start_editor(client, *, filename: str, content: bytes, target: str = "schools", header_row: int = 1):
    response = client.post(
        reverse("importprofile-start"),
        {"target": target, "file": SimpleUploadedFile(filename, content), "header_row": header_row},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("importprofile-editor")
    return EditorPage(client)


def preview_rows(preview: dict[str, Any]) -> list[dict[str, str]]:
    """The preview's rows as {field: shown value}, with the problems."""
    return [
        {**dict(zip(preview["fields"], row["values"], strict=True)), "_line": row["line"], "_problems": row["problems"]}
        for row in preview["rows"]
    ]


def import_with(profile: ImportProfile, *, content: bytes, filename: str, actor):
    try:
        return run_import(
            target=profile.target, source=io.BytesIO(content), profile=profile.name, actor=actor, filename=filename
        )
    except ImportRejected as rejected:
        errors = [(error.line, error.column, error.message, error.value) for error in rejected.result.errors]
        pytest.fail(f"the import rejected rows: {errors}")


def registry_state() -> tuple:
    return (
        list(School.objects.order_by("pk").values_list()),
        list(SchoolOperator.objects.order_by("pk").values_list()),
        list(Site.objects.order_by("pk").values_list()),
        list(Enrolment.objects.order_by("pk").values_list()),
        list(SharedSite.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


def pupils_by_grade(school: School, year: str) -> dict[tuple, int]:
    return {
        (row.level, row.grade): row.pupils
        for row in Enrolment.objects.filter(school=school, school_year=year).order_by("level", "grade")
    }


@pytest.fixture
def owner(world, role_users):
    """A programme owner of the INSIDE authority: imports its schools and writes profiles."""
    return role_users[Role.PROGRAMME_OWNER]


# -- (a) a German Land's list: one row per school and track ------------------------------------------------

NI_GRADES = range(1, 14)
NI_HEADER = ["Gemeinde-Nr.", "Schul-Nr.", "Schulname", "Schulform", "Schulzweig", "Trägerschaft", "Schulträger"]
NI_HEADER += ["Straße", "PLZ Ort", "E-Mail"] + [f"Jahrgang {grade}" for grade in NI_GRADES]


def ni_row(municipality, number, name, form, branch, sector, operator, street, town, email, grades: dict[int, int]):
    return [municipality, number, name, form, branch, sector, operator, street, town, email] + [
        str(grades[grade]) if grade in grades else "" for grade in NI_GRADES
    ]


NI_ROWS = [
    ni_row("03241001", "71234", "Grundschule Am Lindener Berge", "Grundschule", "", "öffentlich",
           "Landeshauptstadt Hannover", "Am Lindener Berge 28", "30449 Hannover", "gs-lindener-berge@hannover-stadt.de",
           {1: 52, 2: 48, 3: 50, 4: 47}),
    # The Oberschule lists its tracks on rows of their own: its pupils are their sums.
    ni_row("03241001", "72345", "Oberschule „Ahlem“", "Oberschule", "Hauptschulzweig", "öffentlich",
           "Landeshauptstadt Hannover", "Heisterbergallee 8", "30453 Hannover", "obs-ahlem@hannover-stadt.de",
           {5: 20, 6: 22, 7: 19, 8: 21, 9: 18}),
    ni_row("03241001", "72345", "Oberschule „Ahlem“", "Oberschule", "Realschulzweig", "öffentlich",
           "Landeshauptstadt Hannover", "Heisterbergallee 8", "30453 Hannover", "obs-ahlem@hannover-stadt.de",
           {5: 40, 6: 41, 7: 39, 8: 42, 9: 38, 10: 44}),
    # The same school number in another municipality is another school.
    ni_row("03252008", "72345", "Oberschule Bad Pyrmont", "Oberschule", "", "öffentlich", "Stadt Bad Pyrmont",
           "Schulstraße 1", "31812 Bad Pyrmont", "info(at)obs-pyrmont.de", {5: 60, 6: 58}),
    # A private school: the Träger column names its association, but the operator comes only for public schools.
    ni_row("03241001", "75001", "Freie Waldorfschule Hannover-Maschsee", "Freie Waldorfschule", "", "privat",
           "Verein für Waldorfpädagogik e. V.", "Rudolf-von-Bennigsen-Ufer 70", "30519 Hannover",
           "info@waldorfschule-maschsee.de", {1: 26, 11: 30, 12: 28, 13: 25}),
    # Higher education is in the Land's list too; it is left out.
    ni_row("03241001", "99001", "Hochschule Hannover", "Hochschule", "", "öffentlich", "Land Niedersachsen",
           "Ricklinger Stadtweg 120", "30459 Hannover", "info@hs-hannover.de", {}),
]  # fmt: skip


def ni_file() -> bytes:
    """Semicolon-separated Windows-1252, CR LF, as Excel writes a CSV file in Germany."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([NI_HEADER, *NI_ROWS])
    return buffer.getvalue().encode("cp1252")


def test_a_german_lands_list_with_rows_per_track_through_a_profile_made_in_the_editor(client, owner, world):
    content = ni_file()
    client.force_login(owner)
    page = start_editor(client, filename="schulen-niedersachsen.csv", content=content)
    # The editor proposed a field for the headers it recognises.
    proposed = page.mapping()
    assert proposed["Schul-Nr."] == "number"
    assert proposed["Schulname"] == "name"
    assert proposed["Straße"] == "street"
    page.settings(name="niedersachsen", delimiter=";", encoding="auto", grades="DE", merge_default="same")
    # A code list of the profile's own, offered for the mapping once the page shows it again.
    page.code_list("sectors", "öffentlich = public\nprivat = private")
    page.preview()
    # The school is its municipality's number and its own: a composite key, the key of the merge.
    page.map("Gemeinde-Nr.", "number", required=True, merge_key=True, transforms=[("template", "{0}-{1}", "")])
    page.map("Schul-Nr.", "number")
    page.map("Schulname", "name", required=True, merge_rule="first")
    page.map("Schulform", "type_code")
    page.map("Schulform", "school_type", row=page.new_row("Schulform"), type="code",
             codes="shared:de-school-types-ni")  # fmt: skip
    page.map("Trägerschaft", "sector", type="code", codes="sectors")
    # The operator only for public schools; the private ones get the value for an empty mapping.
    page.map(
        "Schulträger",
        "operator_name",
        when=("column:Trägerschaft", "equals", "öffentlich"),
        default="Schulen in freier Trägerschaft",
    )
    page.map("PLZ Ort", "postal_code", transforms=[("regex", r"^(\d{5})\s", "1")])
    page.map("PLZ Ort", "city", row=page.new_row("PLZ Ort"), transforms=[("regex", r"^\d{5}\s+(.+)$", "1")])
    page.map("E-Mail", "email", type="email", on_invalid="empty")
    for grade in NI_GRADES:
        page.map(f"Jahrgang {grade}", f"pupils_grade_{grade}", type="count", merge_rule="sum")
    page.constant("authority_code", "IN")
    page.constant("school_year", "2024/25")
    page.filter("column:Schulform", "not_in", "Hochschule, Berufsakademie")
    preview = page.preview()
    rows = preview_rows(preview)
    assert [row["_line"] for row in rows] == [2, 3, 5, 6]
    by_number = {row["number"]: row for row in rows}
    assert by_number["03241001-72345"]["_problems"] == []
    assert by_number["03252008-72345"]["email"] == ""
    assert [(problem.column, kind) for problem, kind in by_number["03252008-72345"]["_problems"]] == [
        ("E-Mail", "warning")
    ]
    saved = page.save()
    assert saved.name == "niedersachsen"
    assert saved.target == "schools"

    result = import_with(saved, content=content, filename="schulen-niedersachsen.csv", actor=owner)
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1,
                                "warnings": 1}  # fmt: skip
    schools = {school.number: school for school in School.objects.filter(authority=world.authority)}
    assert sorted(schools) == ["03241001-71234", "03241001-72345", "03241001-75001", "03252008-72345", "1001"]
    ahlem = schools["03241001-72345"]
    assert (ahlem.name, ahlem.type_code, ahlem.type_label) == ("Oberschule „Ahlem“", "Oberschule", "Oberschule")
    assert (ahlem.street, ahlem.postal_code, ahlem.city) == ("Heisterbergallee 8", "30453", "Hannover")
    assert ahlem.operator.name == "Landeshauptstadt Hannover"
    assert (ahlem.sector, ahlem.isced_1, ahlem.isced_2, ahlem.isced_3) == ("public", False, True, False)
    assert pupils_by_grade(ahlem, "2024/25") == {
        (2, 5): 60, (2, 6): 63, (2, 7): 58, (2, 8): 63, (2, 9): 56, (2, 10): 44,
    }  # fmt: skip
    assert ahlem.pupils_total == 344
    pyrmont = schools["03252008-72345"]
    assert (pyrmont.postal_code, pyrmont.city, pyrmont.email) == ("31812", "Bad Pyrmont", "")
    assert pyrmont.operator.name == "Stadt Bad Pyrmont"
    waldorf = schools["03241001-75001"]
    assert waldorf.sector == "private"
    assert waldorf.operator.name == "Schulen in freier Trägerschaft"
    assert (waldorf.type_label, waldorf.isced_1, waldorf.isced_2, waldorf.isced_3) == (
        "Freie Waldorfschule", True, True, True,
    )  # fmt: skip
    assert pupils_by_grade(waldorf, "2024/25") == {(1, 1): 26, (3, 11): 30, (3, 12): 28, (3, 13): 25}
    assert schools["03241001-71234"].pupils_total == 197
    assert not School.objects.filter(name="Hochschule Hannover").exists()

    before = registry_state()
    again = import_with(saved, content=content, filename="schulen-niedersachsen.csv", actor=owner)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 0)
    assert registry_state() == before
    # The preview shows each mapped field's value: the pupils of grade 5 summed over the two tracks.
    assert by_number["03241001-72345"]["pupils_grade_5"] == "60"
    page.assert_no_missing_capability()


# -- (b) a Latvian ministry list: XLSX, header on row 4 ----------------------------------------------------

LV_HEADER = ["Nr. p.k.", "Iestādes nosaukums", "Reģistrācijas Nr.", "Novads", "Adrese", "Dibinātājs"]
LV_HEADER += [f"{grade}. klase" for grade in range(1, 13)] + ["Kopā"]
LV_ROWS = [
    [1, "Rīgas 1. pamatskola", "2712900001", "Rīga", "Skolas iela 1, Rīga, LV-1010", "Rīgas valstspilsētas pašvaldība",
     30, 31, 29, 28, 27, 26, 25, 24, 23, None, None, None, 243],
    [2, "Ogres Valsts ģimnāzija", "4413900002", "Ogres novads", "Zinību iela 3, Ogre, LV-5001", "Ogres novada pašvaldība",
     None, None, None, None, None, None, 60, 58, 62, 90, 88, 85, 443],
    [3, "Jūrmalas Valsts ģimnāzija", "2715900003", "Jūrmala", "Raiņa iela 55, Jūrmala, LV-2015",
     "Jūrmalas valstspilsētas pašvaldība", None, None, None, None, None, None, 40, 41, 39, 70, 72, 69, 331],
]  # fmt: skip


def lv_file() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2024_2025"
    sheet.append(["Izglītības iestāžu saraksts un izglītojamo skaits"])
    sheet.append(["Izglītības un zinātnes ministrija, 2024./2025. mācību gads"])
    sheet.append([])
    sheet.append(LV_HEADER)
    for row in LV_ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_latvian_ministry_list_with_its_header_on_row_4_through_a_profile_made_in_the_editor(client, owner, world):
    content = lv_file()
    client.force_login(owner)
    page = start_editor(client, filename="izglitibas-iestades.xlsx", content=content, header_row=4)
    proposed = page.mapping()
    # The Latvian headers are recognised by the fields' Latvian aliases.
    assert {header: proposed[header] for header in ("Iestādes nosaukums", "Reģistrācijas Nr.", "Dibinātājs")} == {
        "Iestādes nosaukums": "name",
        "Reģistrācijas Nr.": "number",
        "Dibinātājs": "operator_name",
    }
    page.settings(name="latvija-izm", header_row="4", grades="LV")
    page.unmap("Nr. p.k.")
    page.map("Reģistrācijas Nr.", "number", required=True)
    page.map("Iestādes nosaukums", "name", required=True)
    page.map("Novads", "city")
    page.map("Adrese", "street", transforms=[("regex", r"^([^,]+),", "1")])
    page.map("Adrese", "postal_code", row=page.new_row("Adrese"), transforms=[("regex", r"(LV-\d{4})\s*$", "1")])
    page.map("Dibinātājs", "operator_name", required=True)
    for grade in range(1, 13):
        page.map(f"{grade}. klase", f"pupils_grade_{grade}", type="count")
    page.map("Kopā", "pupils_total", type="count")
    page.constant("authority_code", "IN")
    page.constant("school_year", "2024/25")
    page.constant("language", "lv")
    preview = page.preview()
    rows = preview_rows(preview)
    assert [row["_line"] for row in rows] == [5, 6, 7]
    assert all(not row["_problems"] for row in rows), [row["_problems"] for row in rows]
    preview_of_riga = rows[0]
    saved = page.save()

    result = import_with(saved, content=content, filename="izglitibas-iestades.xlsx", actor=owner)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    riga = School.objects.get(authority=world.authority, number="2712900001")
    assert (riga.name, riga.city, riga.street, riga.postal_code, riga.language) == (
        "Rīgas 1. pamatskola", "Rīga", "Skolas iela 1", "LV-1010", "lv",
    )  # fmt: skip
    assert riga.operator.name == "Rīgas valstspilsētas pašvaldība"
    assert pupils_by_grade(riga, "2024/25") == {
        (1, 1): 30, (1, 2): 31, (1, 3): 29, (1, 4): 28, (1, 5): 27, (1, 6): 26, (2, 7): 25, (2, 8): 24, (2, 9): 23,
    }  # fmt: skip
    assert riga.pupils_total == 243
    assert (riga.isced_1, riga.isced_2, riga.isced_3) == (True, True, False)
    ogre = School.objects.get(authority=world.authority, number="4413900002")
    assert pupils_by_grade(ogre, "2024/25") == {
        (2, 7): 60, (2, 8): 58, (2, 9): 62, (3, 10): 90, (3, 11): 88, (3, 12): 85,
    }  # fmt: skip
    assert ogre.pupils_total == 443
    assert (ogre.postal_code, ogre.city) == ("LV-5001", "Ogres novads")

    before = registry_state()
    again = import_with(saved, content=content, filename="izglitibas-iestades.xlsx", actor=owner)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert registry_state() == before
    # The preview showed each mapped field's value, the pupils of each grade too.
    assert (preview_of_riga["pupils_grade_1"], preview_of_riga["pupils_grade_9"]) == ("30", "23")
    page.assert_no_missing_capability()


# -- (c) a Belgian list (Fédération Wallonie-Bruxelles): one row per site, a site shared by two schools -----

FWB_HEADER = ["N° FASE établissement", "Nom de l'établissement", "Pouvoir organisateur", "Niveau"]
FWB_HEADER += ["N° FASE implantation", "Nom de l'implantation", "Adresse de l'implantation", "Code postal", "Commune"]
FWB_HEADER += ["Élèves"]
FWB_ROWS = [
    ["1234", "Athénée Royal d'Uccle", "Wallonie-Bruxelles Enseignement", "Secondaire", "5001", "Site Doyenné",
     "Rue du Doyenné 1", "1180", "Uccle", "300"],
    ["1234", "Athénée Royal d'Uccle", "Wallonie-Bruxelles Enseignement", "Secondaire", "5002", "Site Brugmann",
     "Avenue Brugmann 2", "1190", "Forest", "150"],
    ["2345", "École fondamentale « Les Tilleuls »", "Commune d'Uccle", "Fondamental", "5003", "Les Tilleuls",
     "Rue des Tilleuls 3", "1180", "Uccle", "200"],
    # The fundamental school has classes in the Athénée's building too: one site, two schools.
    ["2345", "École fondamentale « Les Tilleuls »", "Commune d'Uccle", "Fondamental", "5002", "Site Brugmann",
     "Avenue Brugmann 2", "1190", "Forest", "80"],
]  # fmt: skip


def fwb_file() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([FWB_HEADER, *FWB_ROWS])
    return buffer.getvalue().encode("cp1252")


def test_a_belgian_list_with_a_row_per_site_through_a_profile_made_in_the_editor(client, owner, world):
    content = fwb_file()
    client.force_login(owner)
    page = start_editor(client, filename="implantations-fwb.csv", content=content)
    proposed = page.mapping()
    assert {header: proposed[header] for header in FWB_HEADER} == {
        "N° FASE établissement": "number",
        "Nom de l'établissement": "name",
        "Pouvoir organisateur": "operator_name",
        "Niveau": "levels",
        "N° FASE implantation": "site_code",
        "Nom de l'implantation": "site_name",
        "Adresse de l'implantation": "site_street",
        "Code postal": "postal_code",
        "Commune": "city",
        "Élèves": "pupils_total",
    }
    page.settings(name="fwb-implantations", delimiter=";", merge_default="same")
    page.code_list("niveaux", 'Fondamental = {"levels": [0, 1]}\nSecondaire = {"levels": [2, 3]}')
    page.preview()
    page.map("N° FASE établissement", "number", required=True, merge_key=True)
    page.map("Nom de l'établissement", "name", required=True)
    page.map("Pouvoir organisateur", "operator_name", required=True)
    page.map("Niveau", "levels", type="code", codes="niveaux", merge_rule="union")
    page.map("N° FASE implantation", "site_code", required=True, merge_rule="first")
    page.map("Nom de l'implantation", "site_name", merge_rule="first")
    page.map("Adresse de l'implantation", "site_street", merge_rule="first")
    page.map("Code postal", "site_postal_code", merge_rule="first")
    page.map("Commune", "site_city", merge_rule="first")
    page.map("Élèves", "pupils_total", type="count", merge_rule="sum")
    page.constant("authority_code", "IN")
    page.constant("school_year", "2024/25")
    page.constant("language", "fr")
    page.preview()
    definition = json.loads(page.values["definition_json"])
    if "sites" not in (definition.get("options") or {}):
        # Nothing on the page turns on the school importer's sites (buildings) from rows.
        page.missing.append("the option to read sites (buildings) from rows ('options': {'sites': ...})")
        page.edit_json(lambda definition: definition.setdefault("options", {}).update(sites=True))
    preview = page.preview()
    rows = preview_rows(preview)
    assert [row["_line"] for row in rows] == [2, 4]
    assert [(row["number"], row["pupils_total"], row["levels"]) for row in rows] == [
        ("1234", "450", "2, 3"),
        ("2345", "280", "0, 1"),
    ]
    assert all(not row["_problems"] for row in rows), [row["_problems"] for row in rows]
    saved = page.save()

    result = import_with(saved, content=content, filename="implantations-fwb.csv", actor=owner)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    athenee = School.objects.get(authority=world.authority, number="1234")
    tilleuls = School.objects.get(authority=world.authority, number="2345")
    assert (athenee.name, athenee.operator.name, athenee.pupils_total) == (
        "Athénée Royal d'Uccle", "Wallonie-Bruxelles Enseignement", 450,
    )  # fmt: skip
    assert (tilleuls.name, tilleuls.operator.name, tilleuls.pupils_total) == (
        "École fondamentale « Les Tilleuls »", "Commune d'Uccle", 280,
    )  # fmt: skip
    assert (athenee.isced_0, athenee.isced_1, athenee.isced_2, athenee.isced_3) == (False, False, True, True)
    assert (tilleuls.isced_0, tilleuls.isced_1, tilleuls.isced_2, tilleuls.isced_3) == (True, True, False, False)
    sites = ("code", "name", "is_main", "street", "postal_code", "city")
    assert list(Site.objects.filter(school=athenee).order_by("code").values_list(*sites)) == [
        ("5001", "Site Doyenné", True, "Rue du Doyenné 1", "1180", "Uccle"),
        ("5002", "Site Brugmann", False, "Avenue Brugmann 2", "1190", "Forest"),
    ]
    assert list(Site.objects.filter(school=tilleuls).order_by("code").values_list(*sites)) == [
        ("5003", "Les Tilleuls", True, "Rue des Tilleuls 3", "1180", "Uccle"),
    ]
    shared = SharedSite.objects.select_related("site__school").get(school=tilleuls)
    assert (shared.site.code, shared.site.school) == ("5002", athenee)

    before = registry_state()
    again = import_with(saved, content=content, filename="implantations-fwb.csv", actor=owner)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert registry_state() == before
    page.assert_no_missing_capability()
