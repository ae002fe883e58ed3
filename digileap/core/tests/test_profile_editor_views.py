"""The profile editor's pages: start from a file, propose, preview, save; saved profiles; the schema URL.

Every role is walked: whoever may import a target may write its profiles, the others are refused,
and a saved profile is seen only by users who may import its target.
"""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.imports import import_job_create, job_overrides
from digileap.core.models import AuditEvent, ImportJob, ImportProfile
from digileap.core.profile_services import import_profile_create
from digileap.core.tabular.profiles import profile_json_schema
from digileap.devices.models import Recipient
from digileap.schools.models import School

pytestmark = pytest.mark.django_db

GERMAN_HEADERS = ["Schulnummer", "Name der Schule", "PLZ", "Ort", "Schüler gesamt"]
GERMAN_ROWS = [
    ["3001", "Grundschule am Park", "22337", "Hamburg", "121"],
    ["3002", "Gymnasium Süd", "22339", "Hamburg", "viele"],
]
# Who may import what (engine.may_import): the editor offers exactly these targets.
TARGETS = {
    Role.ADMINISTRATOR: [
        "schools",
        "deliveries",
        "autopilot_hashes",
        "management_reports",
        "recipients",
        "transactions",
        "measurements",
        "completions",
        "completions_xapi",
    ],
    Role.PROGRAMME_OWNER: [
        "schools",
        "autopilot_hashes",
        "transactions",
        "measurements",
        "completions",
        "completions_xapi",
    ],
    Role.FUNDING_ADMINISTRATOR: ["transactions"],
    Role.OPERATOR_STAFF: [
        "schools",
        "deliveries",
        "autopilot_hashes",
        "management_reports",
        "recipients",
        "completions",
        "completions_xapi",
    ],
    Role.SCHOOL_COORDINATOR: [
        "deliveries",
        "autopilot_hashes",
        "management_reports",
        "recipients",
        "completions",
        "completions_xapi",
    ],
    Role.SUPPLIER: ["deliveries", "autopilot_hashes"],
    Role.AUDITOR: [],
    Role.TEACHER: [],
    Role.DATA_PROTECTION_OFFICER: [],
}
# The mapping a person chooses for the German file (the schools importer's own names).
GERMAN_MAPPING = {
    "Schulnummer": "number",
    "Name der Schule": "name",
    "PLZ": "postal_code",
    "Ort": "city",
    "Schüler gesamt": "pupils_total",
}


def german_csv(rows=None) -> bytes:
    """Semicolon-separated Windows-1252, as Excel writes a CSV file in Germany."""
    lines = [";".join(GERMAN_HEADERS)] + [";".join(row) for row in (rows or GERMAN_ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def signed_in(client, user):
    client.force_login(user)
    return client


def start(client, *, target="schools", content=None, name="schulen-hamburg.csv", header_row=1):
    return client.post(
        reverse("importprofile-start"),
        {"target": target, "file": SimpleUploadedFile(name, content or german_csv()), "header_row": header_row},
    )


def form_values(response) -> dict:
    """What the editor page's form submits when nothing is changed."""
    editor = response.context["editor"]
    values = {
        "rows": len(editor.mappings),
        "constants": len(editor.constants),
        "filters": len(editor.filters),
        "code_lists": len(editor.code_lists),
        "definition_json": editor.definition_json,
        "definition_json_original": editor.definition_json,
    }
    for form in editor.forms():
        for bound in form:
            value = bound.value()
            if value is None or value is False or value == "":
                continue
            values[bound.html_name] = "on" if value is True else value
    return values


def mapping_index(values: dict, source: str) -> int:
    return next(
        int(key[1:].split("-")[0]) for key, value in values.items() if key.endswith("-source") and value == source
    )


def map_german_file(client) -> dict:
    """Start from the German file, choose the fields and constants; the editor's form values."""
    assert start(client).status_code == 302
    values = form_values(client.get(reverse("importprofile-editor")))
    for source, field in GERMAN_MAPPING.items():
        values[f"m{mapping_index(values, source)}-field"] = field
    values[f"m{mapping_index(values, 'Schüler gesamt')}-type"] = "count"
    values.update({"c0-field": "authority_code", "c0-value": "IN", "c1-field": "operator_name"})
    values.update({"c1-value": "INSIDE operator", "constants": 3, "c2-field": "school_year", "c2-value": "2024/25"})
    return values


def post(client, values: dict, **changes):
    return client.post(reverse("importprofile-editor"), {**values, **changes})


# -- who may --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_the_profiles_page_offers_the_targets_the_role_may_import(client, role_users, role):
    response = signed_in(client, role_users[role]).get(reverse("importprofile-list"))
    if not TARGETS[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    offered = [value for value, _label in response.context["start_form"].fields["target"].choices]
    assert sorted(offered) == sorted(TARGETS[role])


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_a_role_that_may_not_import_schools_cannot_start_a_school_profile(client, role_users, role):
    response = start(signed_in(client, role_users[role]))
    assert response.status_code == 400
    assert response.context["start_form"].errors["target"] == [
        "Select a valid choice. schools is not one of the available choices."
    ]
    assert client.get(reverse("importprofile-editor")).status_code == 404


@pytest.mark.parametrize("role", [Role.AUDITOR])
def test_roles_that_import_nothing_are_refused_everywhere(client, role_users, world, role):
    saved = import_profile_create(actor=role_users[Role.ADMINISTRATOR], target="schools", definition=_definition())
    client = signed_in(client, role_users[role])
    assert start(client).status_code == 403
    assert client.get(reverse("importprofile-download"), {"id": saved.pk}).status_code == 404
    assert client.post(reverse("importprofile-delete"), {"id": saved.pk}).status_code == 404
    assert client.post(reverse("importprofile-edit"), {"id": saved.pk}).status_code == 404
    assert ImportProfile.objects.filter(pk=saved.pk).exists()


def _definition(name="land-hamburg", target="schools", **extra) -> dict:
    return {
        "name": name,
        "target": target,
        "columns": [{"field": "number", "source": "Schulnummer"}, {"field": "name", "source": "Name der Schule"}],
        **extra,
    }


def test_saved_profiles_are_seen_by_whoever_may_import_their_target(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    schools = import_profile_create(actor=admin, target="schools", definition=_definition())
    lists = import_profile_create(
        actor=admin,
        target="recipients",
        definition={
            "name": "klassenliste",
            "target": "recipients",
            "columns": [{"field": "reference", "source": "ID"}],
        },
    )
    seen = {}
    for role in (Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER):
        client.force_login(role_users[role])
        listed = [profile.name for profile, _label in client.get(reverse("importprofile-list")).context["saved"]]
        statuses = [client.get(reverse("importprofile-download"), {"id": p.pk}).status_code for p in (schools, lists)]
        seen[role] = (listed, statuses)
    assert seen == {
        Role.PROGRAMME_OWNER: (["land-hamburg"], [200, 404]),
        Role.OPERATOR_STAFF: (["klassenliste", "land-hamburg"], [200, 200]),
        Role.SCHOOL_COORDINATOR: (["klassenliste"], [404, 200]),
        Role.SUPPLIER: ([], [404, 404]),
    }


# -- the editor -----------------------------------------------------------------------------------------


def test_starting_from_a_file_proposes_fields_from_the_headers(client, role_users):
    """A German device report: the importer's declared aliases find every column."""
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    content = "Seriennummer;Hersteller;Modell;Gerätename;Bemerkung\r\nSN1;Lenovo;X13;Raum 4;\r\n".encode("cp1252")
    assert start(client, target="management_reports", content=content, name="Geräte.csv").status_code == 302
    response = client.get(reverse("importprofile-editor"))
    assert response.status_code == 200
    values = form_values(response)
    pairs = [(values.get(f"m{index}-source"), values.get(f"m{index}-field")) for index in range(values["rows"])]
    assert pairs == [
        ("Seriennummer", "serial"),
        ("Hersteller", "manufacturer"),
        ("Modell", "model_name"),
        ("Gerätename", "device_name"),
        ("Bemerkung", None),
        (None, None),
        (None, None),
    ]
    assert values["s-name"] == "gerate"
    assert 'href="/imports/profile.schema.json"' in response.content.decode()


def test_the_preview_shows_the_first_rows_parsed_with_their_errors(client, role_users):
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    values = map_german_file(client)
    response = post(client, values, action="preview")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["fields"] == [
        "number",
        "name",
        "postal_code",
        "city",
        "pupils_total",
        "authority_code",
        "operator_name",
        "school_year",
    ]
    assert [(row["line"], row["values"]) for row in preview["rows"]] == [
        (2, ["3001", "Grundschule am Park", "22337", "Hamburg", "121", "IN", "INSIDE operator", "2024/25"]),
        (3, ["3002", "Gymnasium Süd", "22339", "Hamburg", "", "IN", "INSIDE operator", "2024/25"]),
    ]
    problems = [
        (problem.line, problem.column, problem.message, problem.value, kind)
        for row in preview["rows"]
        for problem, kind in row["problems"]
    ]
    assert problems == [(3, "Schüler gesamt", "'viele' is not a whole number", "viele", "error")]
    page = response.content.decode()
    assert "line 3, column Schüler gesamt: &#x27;viele&#x27; is not a whole number" in page
    # htmx asks for the preview alone.
    partial = client.post(
        reverse("importprofile-editor"), {**values, "action": "preview"}, headers={"HX-Request": "true"}
    )
    assert partial.content.decode().lstrip().startswith('<section id="profile-preview"')


def test_transforms_conditions_and_filters_from_the_form(client, role_users):
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    values = map_german_file(client)
    number = mapping_index(values, "Schulnummer")
    values.update({f"m{number}-t1_kind": "pad", f"m{number}-t1_a": "6", f"m{number}-t1_b": ""})
    city = mapping_index(values, "Ort")
    values.update({f"m{city}-t1_kind": "upper"})
    values.update({"f0-subject": "column:Name der Schule", "f0-test": "not_matches", "f0-value": "^Gymnasium"})
    response = post(client, values, action="preview")
    assert response.status_code == 200
    definition = client.session["profile_editor_draft"]["definition"]
    assert definition["columns"][0] == {
        "field": "number",
        "source": "Schulnummer",
        "required": True,
        "transforms": [{"pad": 6}],
    }
    assert definition["filter"] == [{"column": "Name der Schule", "not_matches": "^Gymnasium"}]
    preview = response.context["preview"]
    assert (preview["filtered"], len(preview["rows"])) == (1, 1)
    assert preview["rows"][0]["values"][:4] == ["003001", "Grundschule am Park", "22337", "HAMBURG"]
    assert "1 row of the first 20 is left out by the row filter." in response.content.decode()


def test_a_wrong_transform_input_is_shown_and_nothing_is_lost(client, role_users):
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    values = map_german_file(client)
    number = mapping_index(values, "Schulnummer")
    response = post(client, values, action="preview", **{f"m{number}-t1_kind": "pad", f"m{number}-t1_a": "x"})
    assert response.status_code == 400
    assert response.context["editor"].errors == ["pad needs a length such as 8"]
    assert "pad needs a length such as 8" in response.content.decode()


def test_saving_stores_an_audited_profile_the_upload_offers(client, role_users, world):
    admin = role_users[Role.ADMINISTRATOR]
    client = signed_in(client, admin)
    values = map_german_file(client)
    response = post(client, values, **{"s-name": "hamburg-schulen", "s-label": "Hamburg (Schulliste)"}, action="save")
    assert response.status_code == 302
    assert response["Location"] == "/imports/new/?target=schools&profile=hamburg-schulen"
    saved = ImportProfile.objects.get(name="hamburg-schulen")
    assert saved.target == "schools"
    assert saved.definition["columns"] == [
        {"field": "number", "source": "Schulnummer", "required": True},
        {"field": "name", "source": "Name der Schule", "required": True},
        {"field": "postal_code", "source": "PLZ"},
        {"field": "city", "source": "Ort"},
        {"field": "pupils_total", "source": "Schüler gesamt", "type": "count"},
    ]
    assert saved.definition["constants"] == {
        "authority_code": "IN",
        "operator_name": "INSIDE operator",
        "school_year": "2024/25",
    }
    event = AuditEvent.objects.get(object_type="core.importprofile")
    assert (event.action, event.actor_label, event.after["name"]) == ("create", admin.username, "hamburg-schulen")
    assert "profile_editor_draft" not in client.session
    form = client.get(response["Location"]).context["form"]
    assert (form["target"].value(), form["profile"].value()) == ("schools", "hamburg-schulen")
    # The saved profile imports the file (the row with 'viele' skipped).
    job = import_job_create(
        actor=admin,
        target="schools",
        profile="hamburg-schulen",
        uploaded_file=SimpleUploadedFile("schulen.csv", german_csv()),
    )
    from digileap.core.imports import import_job_preview

    import_job_preview(job=job)
    job.refresh_from_db()
    assert (job.status, job.summary) == ("previewed", {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1})


def test_names_are_unique_per_target_and_built_in_names_are_kept(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    import_profile_create(actor=admin, target="schools", definition=_definition("taken"))
    client = signed_in(client, admin)
    values = map_german_file(client)
    response = post(client, values, **{"s-name": "taken"}, action="save")
    assert response.status_code == 400
    assert response.context["editor"].errors == ["A saved profile for this target is already called taken."]
    response = post(client, values, **{"s-name": "hamburg"}, action="save")
    assert response.context["editor"].errors == ["A built-in profile is called hamburg; choose another name."]
    assert ImportProfile.objects.count() == 1


def test_editing_a_saved_profile_audits_what_changed(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    saved = import_profile_create(actor=admin, target="schools", definition=_definition(label="Hamburg"))
    client = signed_in(client, admin)
    assert client.post(reverse("importprofile-edit"), {"id": saved.pk}).status_code == 302
    response = client.get(reverse("importprofile-editor"))
    values = form_values(response)
    assert (values["s-name"], values["s-label"], values["m0-field"], values["m1-field"]) == (
        "land-hamburg",
        "Hamburg",
        "number",
        "name",
    )
    assert "Upload a sample file to see the preview." in post(client, values, action="preview").content.decode()
    assert post(client, values, **{"s-label": "Hamburg, 2024"}, action="save").status_code == 302
    saved.refresh_from_db()
    assert saved.definition["label"] == "Hamburg, 2024"
    event = AuditEvent.objects.filter(object_type="core.importprofile").latest("id")
    assert event.action == "update"
    assert event.before["definition"]["label"] == "Hamburg" and event.after["definition"]["label"] == "Hamburg, 2024"


def test_the_json_written_by_hand_wins_and_is_checked(client, role_users):
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    values = map_german_file(client)
    written = json.loads(values["definition_json"])
    written.update(name="von-hand", columns=[{"field": "number", "source": "Schulnummer", "type": "nonsense"}])
    response = post(client, values, definition_json=json.dumps(written), action="save")
    assert response.status_code == 400
    assert response.context["editor"].errors[0].startswith("profile von-hand, ")
    assert "nonsense" in response.context["editor"].errors[0]
    written["columns"][0]["type"] = "text"
    assert post(client, values, definition_json=json.dumps(written), action="save").status_code == 302
    assert ImportProfile.objects.get(name="von-hand").definition["columns"] == [
        {"field": "number", "source": "Schulnummer", "type": "text"}
    ]


def test_a_latvian_xlsx_with_its_header_on_row_4_on_the_second_sheet(
    client, role_users, world, django_capture_on_commit_callbacks
):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Piezīmes"
    workbook.active.append(["nothing here"])
    sheet = workbook.create_sheet("Skolas")
    sheet.append(["Izglītības iestāžu saraksts"])
    sheet.append(["2024./2025. mācību gads"])
    sheet.append([])
    sheet.append(["Reģistrācijas numurs", "Iestādes nosaukums", "Novads", "Izglītojamo skaits"])
    sheet.append(["4001", "Rīgas 1. vidusskola", "Rīga", 812])
    sheet.append(["4002", "Cēsu pamatskola", "Cēsu novads", 240])
    buffer = io.BytesIO()
    workbook.save(buffer)
    admin = role_users[Role.ADMINISTRATOR]
    client = signed_in(client, admin)
    assert start(client, content=buffer.getvalue(), name="skolas.xlsx", header_row=4).status_code == 302
    response = client.get(reverse("importprofile-editor"))
    # The first sheet has no row 4: the editor says so, and offers the sheets.
    assert response.context["editor"].file_error == (
        "skolas.xlsx, line 4: the sheet 'Piezīmes' has no row 4, the profile's header row"
    )
    values = form_values(response)
    values["s-sheet"] = "Skolas"
    assert post(client, values, action="propose").status_code == 302
    response = client.get(reverse("importprofile-editor"))
    editor = response.context["editor"]
    assert (editor.sheets, editor.headers, editor.file_error) == (
        ["Piezīmes", "Skolas"],
        ["Reģistrācijas numurs", "Iestādes nosaukums", "Novads", "Izglītojamo skaits"],
        "",
    )
    values = form_values(response)
    pairs = [(values.get(f"m{index}-source"), values.get(f"m{index}-field")) for index in range(4)]
    assert pairs == [
        ("Reģistrācijas numurs", "number"),
        ("Iestādes nosaukums", "name"),
        ("Novads", "city"),
        ("Izglītojamo skaits", "pupils_total"),
    ]
    values.update({"c0-field": "authority_code", "c0-value": "IN", "c1-field": "operator_name"})
    values.update({"c1-value": "INSIDE operator", "constants": 3, "c2-field": "school_year", "c2-value": "2024/25"})
    preview = post(client, values, action="preview").context["preview"]
    assert [(row["line"], row["values"][:4]) for row in preview["rows"]] == [
        (5, ["4001", "Rīgas 1. vidusskola", "Rīga", "812"]),
        (6, ["4002", "Cēsu pamatskola", "Cēsu novads", "240"]),
    ]
    assert post(client, values, action="save").status_code == 302
    assert ImportProfile.objects.get(name="skolas").definition["sheet"] == "Skolas"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=admin,
            target="schools",
            profile="skolas",
            uploaded_file=SimpleUploadedFile("s.xlsx", buffer.getvalue()),
        )
    job.refresh_from_db()
    assert (job.status, job.summary) == ("previewed", {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0})


# -- saved profiles -------------------------------------------------------------------------------------


def test_duplicate_delete_download_and_upload(client, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    saved = import_profile_create(actor=admin, target="schools", definition=_definition())
    client = signed_in(client, admin)
    assert client.post(reverse("importprofile-duplicate"), {"id": saved.pk}).status_code == 302
    assert client.post(reverse("importprofile-duplicate"), {"target": "schools", "name": "mv"}).status_code == 302
    assert sorted(ImportProfile.objects.values_list("name", flat=True)) == [
        "land-hamburg",
        "land-hamburg-copy",
        "mv-copy",
    ]
    download = client.get(reverse("importprofile-download"), {"id": saved.pk})
    assert download["Content-Disposition"] == 'attachment; filename="land-hamburg.json"'
    assert json.loads(download.content) == saved.definition
    builtin = client.get(reverse("importprofile-download"), {"target": "schools", "name": "hamburg"})
    assert json.loads(builtin.content)["name"] == "hamburg"
    assert client.get(reverse("importprofile-delete"), {"id": saved.pk}).status_code == 200
    assert client.post(reverse("importprofile-delete"), {"id": saved.pk}).status_code == 302
    assert not ImportProfile.objects.filter(pk=saved.pk).exists()
    assert AuditEvent.objects.filter(object_type="core.importprofile", action="delete").count() == 1
    upload = SimpleUploadedFile("p.json", json.dumps(_definition("hochgeladen")).encode())
    assert client.post(reverse("importprofile-upload"), {"target": "schools", "file": upload}).status_code == 302
    assert ImportProfile.objects.get(name="hochgeladen").target == "schools"
    bad = SimpleUploadedFile("p.json", json.dumps(_definition("kaputt", delimiter="ab")).encode())
    response = client.post(reverse("importprofile-upload"), {"target": "schools", "file": bad})
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"][0].startswith("profile kaputt")
    assert "delimiter" in response.context["upload_form"].errors["file"][0]


def test_the_json_schema_is_published(client):
    response = client.get("/imports/profile.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == profile_json_schema()


# -- the class-list upload's school --------------------------------------------------------------------


def test_the_upload_offers_the_schools_of_the_scope_for_class_lists(client, role_users, world):
    client = signed_in(client, role_users[Role.OPERATOR_STAFF])
    form = client.get(reverse("importjob-create"), {"target": "recipients"}).context["form"]
    assert form.fields["school"].choices == [("", "the school column of the file"), (str(world.school.pk), "INSIDE school (1001)")]  # fmt: skip
    programme_owner_form = signed_in(client, role_users[Role.PROGRAMME_OWNER]).get(
        reverse("importjob-create"), {"target": "recipients"}
    )
    assert "school" not in programme_owner_form.context["form"].fields


def test_a_class_list_without_a_school_column_imports_into_the_chosen_school(
    client, role_users, world, django_capture_on_commit_callbacks
):
    admin = role_users[Role.ADMINISTRATOR]
    client = signed_in(client, admin)
    content = "reference;class;grade\r\nP-1;4a;4\r\nP-2;4a;4\r\n".encode("cp1252")
    outside = client.post(
        reverse("importjob-create"),
        {
            "target": "recipients",
            "profile": "class-list",
            "file": SimpleUploadedFile("klasse.csv", content),
            "school": "999999",
        },  # fmt: skip
    )
    assert outside.context["form"].errors["school"][0].startswith("Select a valid choice.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importjob-create"),
            {
                "target": "recipients",
                "profile": "class-list",
                "file": SimpleUploadedFile("klasse.csv", content),
                "school": str(world.school.pk),
            },
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job_overrides(job) == {"school": "1001"}
    assert (job.status, job.summary) == ("previewed", {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0})
    assert AuditEvent.objects.get(object_type="core.importjob").after["overrides"] == {"school": "1001"}
    assert "INSIDE school" not in School.objects.exclude(pk=world.school.pk).values_list("name", flat=True)
    assert Recipient.objects.count() == 0  # only previewed


def test_a_school_is_offered_for_class_lists_only(client, role_users, world):
    """Each target shows only its own fields (issue 11, defect 7): no school picker for other targets."""
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    for target in ("schools", "deliveries", "transactions"):
        form = client.get(reverse("importjob-create"), {"target": target}).context["form"]
        assert "school" not in form.fields, target
    assert "school" in client.get(reverse("importjob-create"), {"target": "recipients"}).context["form"].fields


def test_rows_per_school_and_track_are_merged_by_the_key_chosen_in_the_editor(
    client, role_users, world, django_capture_on_commit_callbacks
):
    """A Saxon-style list: one row per school and track. No code: the key and the rules are form fields."""
    admin = role_users[Role.ADMINISTRATOR]
    client = signed_in(client, admin)
    content = (
        "Schulnummer;Schulname;Bildungsgang;Schüler\r\n"
        "3001;Oberschule Nord;Hauptschule;80\r\n"
        "3001;Oberschule Nord;Realschule;120\r\n"
        "3002;Grundschule Süd;Grundschule;150\r\n"
    ).encode("cp1252")
    assert start(client, content=content, name="sachsen.csv").status_code == 302
    values = form_values(client.get(reverse("importprofile-editor")))
    number, name = mapping_index(values, "Schulnummer"), mapping_index(values, "Schulname")
    pupils = mapping_index(values, "Schüler")
    assert (values[f"m{number}-field"], values[f"m{name}-field"]) == ("number", "name")
    values.update({f"m{pupils}-field": "pupils_total", f"m{pupils}-type": "count", f"m{pupils}-merge_rule": "sum"})
    values.update({f"m{number}-merge_key": "on", f"m{name}-merge_rule": "first"})
    values.update({"c0-field": "authority_code", "c0-value": "IN", "c1-field": "operator_name"})
    values.update({"c1-value": "INSIDE operator", "constants": 3, "c2-field": "school_year", "c2-value": "2024/25"})
    assert post(client, values, action="save").status_code == 302
    saved = ImportProfile.objects.get(name="sachsen")
    assert saved.definition["merge"] == {
        "key": ["number"],
        "rules": {"name": "first", "pupils_total": "sum"},
        "default": "same",
    }
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=admin, target="schools", profile="sachsen", uploaded_file=SimpleUploadedFile("s.csv", content)
        )
    job.refresh_from_db()
    assert (job.status, job.summary) == ("previewed", {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0})
    from digileap.core.imports import import_job_confirm

    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=admin)
    assert sorted(School.objects.filter(number__startswith="300").values_list("number", "pupils_total")) == [
        ("3001", 200),
        ("3002", 150),
    ]


FWB_HEADER = [
    "N° FASE établissement",
    "Nom de l'établissement",
    "N° FASE implantation",
    "Adresse de l'implantation",
    "Code postal",
    "Commune",
    "Latitude",
    "Longitude",
    "Élèves",
]
FWB_ROWS = [
    ["1234", "Athénée Royal Uccle 1", "5001", "Rue du Doyenné 1", "1180", "Uccle", "50,8012345", "4,3381234", "300"],
    ["1234", "Athénée Royal Uccle 1", "5002", "Avenue Brugmann 2", "1190", "Forest", "50,8123456", "4,3456789", "150"],
    ["2345", "École fondamentale Les Tilleuls", "5003", "Rue des Tilleuls 3", "1180", "Uccle", "", "", "200"],
    ["2345", "École fondamentale Les Tilleuls", "5002", "Avenue Brugmann 2", "1190", "Forest", "50,8123456", "4,3456789", "80"],
]  # fmt: skip


def test_a_belgian_list_with_one_row_per_site_through_the_editor(
    client, role_users, world, django_capture_on_commit_callbacks
):
    """FWB: one row per building; a school's rows merge, its buildings become sites, one is shared."""
    from digileap.schools.models import SharedSite, Site

    admin = role_users[Role.ADMINISTRATOR]
    client = signed_in(client, admin)
    lines = [";".join(FWB_HEADER)] + [";".join(row) for row in FWB_ROWS]
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    assert start(client, content=content, name="fwb-implantations.csv").status_code == 302
    values = form_values(client.get(reverse("importprofile-editor")))
    chosen = {
        "N° FASE établissement": ("number", "text", ""),
        "Nom de l'établissement": ("name", "text", "first"),
        "N° FASE implantation": ("site_code", "text", "first"),
        "Adresse de l'implantation": ("site_street", "text", "first"),
        "Code postal": ("site_postal_code", "text", "first"),
        "Commune": ("site_city", "text", "first"),
        "Latitude": ("site_latitude", "decimal", "first"),
        "Longitude": ("site_longitude", "decimal", "first"),
        "Élèves": ("pupils_total", "count", "sum"),
    }
    for source, (field, kind, rule) in chosen.items():
        index = mapping_index(values, source)
        values.update({f"m{index}-field": field, f"m{index}-type": kind, f"m{index}-merge_rule": rule})
    values[f"m{mapping_index(values, 'N° FASE établissement')}-merge_key"] = "on"
    constants = {
        "authority_code": "BE-FWB",
        "authority_name": "Fédération Wallonie-Bruxelles",
        "country": "BE",
        "operator_name": "Wallonie-Bruxelles Enseignement",
        "school_year": "2024/25",
    }
    values["constants"] = len(constants)
    for index, (field, value) in enumerate(constants.items()):
        values.update({f"c{index}-field": field, f"c{index}-value": value})
    values["s-options"] = json.dumps(
        {
            "sites": {
                "code": "site_code",
                "street": "site_street",
                "postal_code": "site_postal_code",
                "city": "site_city",
                "latitude": "site_latitude",
                "longitude": "site_longitude",
            }
        }
    )
    values.update({"s-name": "fwb-implantations", "s-delimiter": ";", "s-encoding": "cp1252"})
    response = post(client, values, action="save")
    assert response.status_code == 302, response.context["editor"].errors
    saved = ImportProfile.objects.get(name="fwb-implantations")
    assert saved.definition["options"]["sites"]["code"] == "site_code"
    assert saved.definition["merge"]["key"] == ["number"]
    for round_number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(
                actor=admin,
                target="schools",
                profile="fwb-implantations",
                uploaded_file=SimpleUploadedFile("f.csv", content),
            )
        with django_capture_on_commit_callbacks(execute=True):
            from digileap.core.imports import import_job_confirm

            import_job_confirm(job=job, actor=admin)
        job.refresh_from_db()
        expected = {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
        if round_number == 2:  # the same file again changes nothing
            expected = {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
        assert (job.status, job.summary) == ("done", expected)
    assert dict(School.objects.filter(authority__code="BE-FWB").values_list("number", "pupils_total")) == {
        "1234": 450,
        "2345": 280,
    }
    assert sorted(Site.objects.filter(authority__code="BE-FWB").values_list("school__number", "code")) == [
        ("1234", "5001"),
        ("1234", "5002"),
        ("2345", "5003"),
    ]
    assert SharedSite.objects.get().school.number == "2345"


def test_a_school_coordinator_writes_a_class_list_profile(client, role_users, world):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    client = signed_in(client, coordinator)
    content = "Schüler-ID;Klasse;Jahrgangsstufe\r\nP-1;4a;4\r\n".encode("cp1252")
    assert start(client, target="recipients", content=content, name="klasse-4a.csv").status_code == 302
    values = form_values(client.get(reverse("importprofile-editor")))
    values[f"m{mapping_index(values, 'Schüler-ID')}-field"] = "reference"
    values[f"m{mapping_index(values, 'Klasse')}-field"] = "group"
    values[f"m{mapping_index(values, 'Jahrgangsstufe')}-field"] = "grade"
    values[f"m{mapping_index(values, 'Jahrgangsstufe')}-type"] = "integer"
    assert post(client, values, action="save").status_code == 302
    saved = ImportProfile.objects.get(name="klasse-4a")
    assert saved.target == "recipients"
    event = AuditEvent.objects.get(object_type="core.importprofile")
    assert (event.action, event.actor_id) == ("create", coordinator.pk)
    # The same name for another target is another profile.
    operator_staff = role_users[Role.OPERATOR_STAFF]
    other = import_profile_create(
        actor=operator_staff,
        target="schools",
        definition={"name": "klasse-4a", "target": "schools", "columns": [{"field": "number", "source": "Nr"}]},
    )
    assert sorted(ImportProfile.objects.filter(name="klasse-4a").values_list("target", flat=True)) == [
        "recipients",
        "schools",
    ]
    assert other.pk != saved.pk


@pytest.mark.parametrize(("target", "name"), [("schools", "hamburg"), ("schools", "mv"), ("recipients", "class-list")])
def test_a_built_in_profile_goes_through_the_editor_unchanged(client, role_users, target, name):
    """Duplicate, open in the editor, save without a change: the same definition (only the name differs)."""
    from digileap.core.profile_editor_views import builtin_definitions

    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    assert client.post(reverse("importprofile-duplicate"), {"target": target, "name": name}).status_code == 302
    copy = ImportProfile.objects.get(name=f"{name}-copy")
    assert client.post(reverse("importprofile-edit"), {"id": copy.pk}).status_code == 302
    values = form_values(client.get(reverse("importprofile-editor")))
    response = post(client, values, action="save")
    assert response.status_code == 302, response.context["editor"].errors
    copy.refresh_from_db()
    assert copy.definition == {**builtin_definitions(target)[name], "name": f"{name}-copy"}


def test_sample_files_are_deleted_when_saved_replaced_or_abandoned(client, role_users, settings, tmp_path):
    import os
    import time

    settings.MEDIA_ROOT = str(tmp_path)
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    start(client)
    first = client.session["profile_editor_draft"]["file"]
    assert (tmp_path / first).exists()
    start(client)  # a new draft replaces the one being edited
    second = client.session["profile_editor_draft"]["file"]
    assert (not (tmp_path / first).exists(), (tmp_path / second).exists()) == (True, True)
    old = time.time() - 3 * 24 * 3600
    os.utime(tmp_path / second, (old, old))
    client.session.flush()  # an abandoned draft: its session is gone
    client.force_login(role_users[Role.ADMINISTRATOR])
    start(client)
    assert not (tmp_path / second).exists()
    values = form_values(client.get(reverse("importprofile-editor")))
    third = client.session["profile_editor_draft"]["file"]
    for source, field in GERMAN_MAPPING.items():
        values[f"m{mapping_index(values, source)}-field"] = field
    values.update({"c0-field": "authority_code", "c0-value": "IN"})
    assert post(client, values, action="save").status_code == 302
    assert not (tmp_path / third).exists()
