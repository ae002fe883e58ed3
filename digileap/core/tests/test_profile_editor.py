"""The profile editor's logic: headers normalised and matched to fields in five languages, and the
editor's rows turned into a profile's JSON and back without loss."""

import pytest
from django.utils.translation import gettext_lazy

from digileap.core import profile_editor as editor
from digileap.core.tabular.engine import importer_for
from digileap.core.tabular.fields import FieldSpec

# A school register's fields as an importer declares them (name, label, aliases in the languages).
SCHOOL_FIELDS = (
    FieldSpec(
        "number",
        gettext_lazy("School number"),
        aliases=("Schulnummer", "Dienststellennummer", "N° FASE", "Skolas kods", "Instellingsnummer"),
        required=True,
    ),  # fmt: skip
    FieldSpec(
        "name",
        gettext_lazy("Name"),
        aliases=(
            "Schulname",
            "Name der Schule",
            "Nom de l'établissement",
            "Naam instelling",
            "Izglītības iestādes nosaukums",
        ),
    ),  # fmt: skip
    FieldSpec(
        "postal_code",
        gettext_lazy("Postal code"),
        aliases=("PLZ", "Postleitzahl", "Code postal", "Postcode", "Pasta indekss"),
    ),  # fmt: skip
    FieldSpec("city", gettext_lazy("City"), aliases=("Ort", "Commune", "Localité", "Gemeente", "Pilsēta")),  # fmt: skip
    FieldSpec(
        "street", gettext_lazy("Street"), aliases=("Straße", "Straße und Hausnummer", "Adresse", "Straat", "Iela")
    ),  # fmt: skip
    FieldSpec(
        "pupils_total",
        gettext_lazy("Pupils in total"),
        type="count",
        aliases=("Schüler gesamt", "Nombre d'élèves", "Aantal leerlingen", "Izglītojamo skaits"),
    ),  # fmt: skip
    FieldSpec(
        "email", gettext_lazy("E-mail"), type="email", aliases=("E-Mail", "Courriel", "E-mailadres", "E-pasts")
    ),  # fmt: skip
    FieldSpec(
        "pupils_isced_L_grade_G",
        gettext_lazy("Pupils by grade"),
        type="count",
        pattern=r"^pupils_isced_[0-4]_grade_\d{1,2}$",
    ),  # fmt: skip
)


def proposed(headers, fields=SCHOOL_FIELDS) -> dict[str, str]:
    return {p.header: p.field for p in editor.propose_mapping(headers=headers, fields=fields)}


def test_normalise_drops_case_accents_spaces_and_punctuation():
    assert editor.normalise("  Straße,\u00a0Haus-Nr. ") == "strasse haus nr"
    assert editor.normalise("Izglītības iestādes\nnosaukums") == "izglitibas iestades nosaukums"
    assert editor.normalise("Nom de l’établissement") == "nom de l etablissement"
    assert editor.normalise("N° FASE") == "n fase"


def test_german_headers():
    headers = ["Dienststellennummer", "SCHULNAME", "Straße und Hausnummer", "PLZ", "Ort", "Schüler gesamt", "E-Mail"]
    assert proposed(headers) == {
        "Dienststellennummer": "number",
        "SCHULNAME": "name",
        "Straße und Hausnummer": "street",
        "PLZ": "postal_code",
        "Ort": "city",
        "Schüler gesamt": "pupils_total",
        "E-Mail": "email",
    }


def test_french_headers_with_other_spellings():
    headers = ["N° FASE", "Nom de l’établissement", "Adresse", "Code postal", "Localité", "Nombre d’élèves", "Courriel"]
    assert proposed(headers) == {
        "N° FASE": "number",
        "Nom de l’établissement": "name",
        "Adresse": "street",
        "Code postal": "postal_code",
        "Localité": "city",
        "Nombre d’élèves": "pupils_total",
        "Courriel": "email",
    }


def test_dutch_headers():
    headers = ["Instellingsnummer", "Naam instelling", "Straat", "Postcode", "Gemeente", "Aantal leerlingen"]
    assert proposed(headers) == {
        "Instellingsnummer": "number",
        "Naam instelling": "name",
        "Straat": "street",
        "Postcode": "postal_code",
        "Gemeente": "city",
        "Aantal leerlingen": "pupils_total",
    }


def test_latvian_headers_also_without_diacritics():
    headers = ["Skolas kods", "Izglitibas iestades nosaukums", "Iela", "Pasta indekss", "Pilsēta", "Izglītojamo skaits"]
    assert proposed(headers) == {
        "Skolas kods": "number",
        "Izglitibas iestades nosaukums": "name",
        "Iela": "street",
        "Pasta indekss": "postal_code",
        "Pilsēta": "city",
        "Izglītojamo skaits": "pupils_total",
    }


def test_the_field_name_and_the_english_label_match_too():
    assert proposed(["postal_code", "Pupils in total", "school number"]) == {
        "postal_code": "postal_code",
        "Pupils in total": "pupils_total",
        "school number": "number",
    }


def test_a_field_is_proposed_once_and_unknown_headers_get_none():
    assert proposed(["PLZ", "Postleitzahl", "Bemerkung", "Träger-ID"]) == {
        "PLZ": "postal_code",
        "Postleitzahl": "",
        "Bemerkung": "",
        "Träger-ID": "",
    }


def test_a_header_with_a_word_more_is_still_proposed():
    assert proposed(["PLZ der Schule", "Ort (Schule)"]) == {"PLZ der Schule": "postal_code", "Ort (Schule)": "city"}


def test_a_family_of_fields_is_proposed_by_its_concrete_name():
    assert proposed(["pupils_isced_1_grade_3", "Pupils ISCED 1 grade 4"]) == {
        "pupils_isced_1_grade_3": "pupils_isced_1_grade_3",
        "Pupils ISCED 1 grade 4": "pupils_isced_1_grade_4",
    }


def test_the_proposal_carries_the_fields_type_and_requirement():
    number, total = editor.propose_mapping(headers=["Schulnummer", "Schüler gesamt"], fields=SCHOOL_FIELDS)
    assert (number.field, number.type, number.required, number.score) == ("number", "text", True, 1.0)
    assert (total.field, total.type, total.required, total.matched) == (
        "pupils_total",
        "count",
        False,
        "schuler gesamt",
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Seriennummer", "Hersteller", "Modell", "Gerätename"],
            ["serial", "manufacturer", "model_name", "device_name"],
        ),
        (
            ["Numéro de série", "Fabricant", "Modèle", "Nom de l'appareil"],
            ["serial", "manufacturer", "model_name", "device_name"],
        ),  # fmt: skip
        (
            ["Serienummer", "Fabrikant", "Model", "Apparaatnaam"],
            ["serial", "manufacturer", "model_name", "device_name"],
        ),
        (
            ["Sērijas numurs", "Ražotājs", "Modelis", "Ierīces nosaukums"],
            ["serial", "manufacturer", "model_name", "device_name"],
        ),  # fmt: skip
    ],
)
def test_the_device_report_importers_own_declarations(headers, expected):
    fields = importer_for("management_reports").fields
    assert [p.field for p in editor.propose_mapping(headers=headers, fields=fields)] == expected


# -- rows and JSON ---------------------------------------------------------------------------------


def test_transform_inputs_become_the_profile_transforms():
    assert editor.slot_to_transform("strip_suffix", "-0", "") == {"strip_suffix": "-0"}
    assert editor.slot_to_transform("pad", "8", "") == {"pad": 8}
    assert editor.slot_to_transform("regex", r"^(\d{5})\s", "1") == {"regex": r"^(\d{5})\s", "group": 1}
    assert editor.slot_to_transform("split", " ", "-1") == {"split": " ", "part": -1}
    assert editor.slot_to_transform("replace", "ß", "ss") == {"replace": ["ß", "ss"]}
    assert editor.slot_to_transform("school_year", "", "") == {"school_year": True}
    assert editor.slot_to_transform("template", "{0}-{1}", "") == {"template": "{0}-{1}"}
    with pytest.raises(ValueError, match="pad needs a length such as 8"):
        editor.slot_to_transform("pad", "eight", "")
    with pytest.raises(ValueError, match="is not a regular expression"):
        editor.slot_to_transform("regex", "(", "")


def test_rows_and_json_round_trip_without_losing_keys():
    definition = {
        "name": "brandenburg",
        "target": "schools",
        "columns": [
            {
                "field": "number",
                "source": ["Gemeinde", "Schulnr"],
                "transforms": [{"template": "{0}-{1}"}],
                "required": True,
            },  # fmt: skip
            {"field": "postal_code", "source": "Ort", "transforms": [{"regex": r"^(\d{5})\s", "group": 1}]},
            {"field": "city", "source": "Ort", "transforms": [{"split": " ", "part": 1}], "blank_values": ["-"]},
            {"field": "operator_name", "source": "Träger", "when": {"column": "Rechtsform", "equals": "öffentlich"}},
            {"field": "pupils_total", "source": "SuS", "type": "count", "on_invalid": "empty"},
            {"field": "levels", "source": "Stufe", "type": "levels", "transforms": [{"map": {"P": "1"}}]},
        ],
        "merge": {"key": ["number"], "rules": {"pupils_total": "sum"}},
    }
    rows = editor.rows_from_definition(
        definition, ["Gemeinde", "Schulnr", "Ort", "Träger", "SuS", "Stufe", "Bemerkung"]
    )
    assert [(row["source"], row["field"]) for row in rows] == [
        ("Gemeinde", "number"),
        ("Schulnr", "number"),
        ("Ort", "postal_code"),
        ("Ort", "city"),
        ("Träger", "operator_name"),
        ("SuS", "pupils_total"),
        ("Stufe", "levels"),
        ("Bemerkung", ""),
    ]
    assert rows[4]["when"] == ("column:Rechtsform", "equals", "öffentlich")
    assert rows[6]["transforms"] == [] and rows[6]["extra"] == {"transforms": [{"map": {"P": "1"}}]}
    columns, merge = editor.columns_from_rows(rows)
    assert columns == definition["columns"]
    assert merge == definition["merge"]


def test_code_entries_are_lines_of_code_and_value():
    entries = editor.parse_code_entries('G = Grundschule\nGY = {"type_label": "Gymnasium", "levels": [2, 3]}\n\n')
    assert entries == {"G": "Grundschule", "GY": {"type_label": "Gymnasium", "levels": [2, 3]}}
    assert editor.code_entries_text(entries) == 'G = Grundschule\nGY = {"type_label": "Gymnasium", "levels": [2, 3]}'
    with pytest.raises(ValueError, match="line 1: write code = value"):
        editor.parse_code_entries("G Grundschule")


def test_conditions_in_and_out_of_the_form():
    assert editor.inputs_to_condition("column:Schulart", "not_in", "HS, FH") == {"column": "Schulart", "not_in": ["HS", "FH"]}  # fmt: skip
    assert editor.inputs_to_condition("field:sector", "equals", "public") == {"field": "sector", "equals": "public"}
    assert editor.inputs_to_condition("", "equals", "x") is None
    assert editor.condition_to_inputs({"column": "Schulart", "not_in": ["HS", "FH"]}) == ("column:Schulart", "not_in", "HS, FH")  # fmt: skip


def test_headers_the_built_in_profiles_read_are_proposed_too():
    """MV's "Plz" and "Straße, Haus-Nr." and the generic template's own names, for any school file."""
    fields = editor.proposal_fields("schools")
    mapping = proposed(["Schulname", "PLZ", "Ort", "Straße, Haus-Nr.", "E-Mail", "C_S_GEO_X", "operator_name"], fields)
    assert mapping == {
        "Schulname": "name",
        "PLZ": "postal_code",
        "Ort": "city",
        "Straße, Haus-Nr.": "street",
        "E-Mail": "email",
        "C_S_GEO_X": "x",
        "operator_name": "operator_name",
    }


@pytest.mark.parametrize(
    "headers",
    [
        ["Schul-Nr.", "Name der Schule", "Straße", "PLZ", "Ort", "Schülerzahl", "E-Mail", "Schuljahr"],
        [
            "Numéro FASE",
            "Dénomination",
            "Adresse",
            "Code postal",
            "Commune",
            "Nombre d’élèves",
            "Courriel",
            "Année scolaire",
        ],  # fmt: skip
        [
            "Instellingsnummer",
            "Naam instelling",
            "Straat",
            "Postcode",
            "Gemeente",
            "Aantal leerlingen",
            "E-mail",
            "Schooljaar",
        ],  # fmt: skip
        [
            "Reģistrācijas numurs",
            "Iestādes nosaukums",
            "Adrese",
            "Pasta indekss",
            "Novads",
            "Izglītojamo skaits",
            "E-pasts",
            "Mācību gads",
        ],  # fmt: skip
    ],
    ids=["de", "fr", "nl", "lv"],
)
def test_school_registers_in_four_languages_map_to_the_school_importers_fields(headers):
    fields = editor.proposal_fields("schools")
    assert [p.field for p in editor.propose_mapping(headers=headers, fields=fields)] == [
        "number",
        "name",
        "street",
        "postal_code",
        "city",
        "pupils_total",
        "email",
        "school_year",
    ]


def test_families_of_fields_are_offered_member_by_member():
    by_level = FieldSpec("pupils_isced_L", "", type="count", pattern=r"^pupils_isced_[0-4]$")
    by_grade = FieldSpec(
        "pupils_isced_L_grade_G", "", type="count", pattern=r"^pupils_isced_[0-4]_grade_(?:[1-9]|1[0-3])$"
    )
    eligible = FieldSpec("eligible_CODE", "", type="count", pattern=r"^eligible_[A-Za-z0-9-]+$")
    assert editor.family_members(by_level) == [f"pupils_isced_{level}" for level in range(5)]
    members = editor.family_members(by_grade)
    assert (len(members), members[:2], members[-1]) == (65, ["pupils_isced_0_grade_1", "pupils_isced_0_grade_2"], "pupils_isced_4_grade_13")  # fmt: skip
    assert editor.family_members(eligible) == []


def test_a_mappings_value_when_empty_goes_into_the_profile_and_back():
    rows = [
        {**editor.empty_row("Schulträger"), "field": "operator_name", "default": "Freie Träger"},
        {**editor.empty_row("Klassen"), "field": "teachers", "type": "count", "default": "0"},
    ]
    columns, _merge = editor.columns_from_rows(rows)
    assert columns == [
        {"field": "operator_name", "source": "Schulträger", "default": "Freie Träger"},
        {"field": "teachers", "source": "Klassen", "type": "count", "default": 0},
    ]
    back = editor.rows_from_definition({"columns": columns}, ["Schulträger", "Klassen"])
    assert [(row["source"], row["default"]) for row in back] == [("Schulträger", "Freie Träger"), ("Klassen", "0")]


def test_mapping_the_site_code_implies_sites_from_rows_for_schools_only():
    assert importer_for("schools").options_for_fields(["number", "site_code"]) == {"sites": True}
    assert importer_for("schools").options_for_fields(["number", "name"]) == {}
    assert importer_for("recipients").options_for_fields(["site_code"]) == {}


def test_a_national_grade_needs_a_grade_table():
    from digileap.core.tabular.profiles import ProfileError, profile_from_dict

    definition = {
        "name": "ni",
        "target": "schools",
        "columns": [{"field": "pupils_grade_5", "source": "Jahrgang 5", "type": "count"}],
    }
    with pytest.raises(ProfileError, match="pupils_grade_5 is a national grade"):
        profile_from_dict(definition)
    assert profile_from_dict({**definition, "grades": "DE"}).grades == "DE"
