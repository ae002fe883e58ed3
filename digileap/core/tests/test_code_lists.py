"""The shared code lists and grade tables in ``digileap/core/tabular/code_lists/``.

Every file has the contract's shape (``name``, ``label``, ``source`` and ``codes`` or ``grades``),
no key twice, and the reference data holds the official counts: 16 Länder, 400 Kreise with the
count per Land, 42 Latvian local governments (43 from July 2021 to June 2025), 3 Belgian
communities, 10 provinces and Brussels. The school-type lists carry exactly the school importer's
fields (``type_label``, ``levels``) and cover the codes of the Hamburg and MV registers as the
built-in profiles map them. Every list loads through the engine's loader and works in a profile.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from digileap.core.tabular.parsing import parse_rows
from digileap.core.tabular.profiles import profile_from_dict
from digileap.core.tabular.readers import open_table

CODE_LISTS = Path(__file__).resolve().parents[1] / "tabular" / "code_lists"
GRADES = CODE_LISTS / "grades"
PROFILES = Path(__file__).resolve().parents[2] / "schools" / "import_profiles"
LIST_FILES = sorted(CODE_LISTS.glob("*.json"))
GRADE_FILES = sorted(GRADES.glob("*.json"))
SCHOOL_TYPE_FILES = sorted(CODE_LISTS.glob("de-school-types-*.json"))

# Kreise per Land (Destatis, territorial status from 1 July 2021 to 31 December 2024).
KREISE_PER_LAND = {
    "01": 15, "02": 1, "03": 45, "04": 2, "05": 53, "06": 26, "07": 36, "08": 44,
    "09": 96, "10": 6, "11": 1, "12": 18, "13": 8, "14": 13, "15": 14, "16": 22,
}  # fmt: skip


def _no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    duplicates = sorted(key for key, count in Counter(keys).items() if count > 1)
    assert not duplicates, f"keys written twice: {duplicates}"
    return dict(pairs)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicates)


def codes(name: str) -> dict:
    return load(CODE_LISTS / f"{name}.json")["codes"]


def grades(name: str) -> dict:
    return load(GRADES / f"{name}.json")["grades"]


def test_the_expected_files_are_there():
    assert sorted(path.stem for path in LIST_FILES) == [
        "be-communities",
        "be-provinces",
        "de-kreise",
        "de-laender",
        "de-laender-iso",
        *[f"de-school-types-{land}" for land in sorted(iso[3:].lower() for iso in codes("de-laender-iso"))],
        "lv-municipalities",
        "lv-municipalities-2021",
    ]
    assert sorted(path.stem for path in GRADE_FILES) == [
        "BE-DG",
        "BE-DG-secondary",
        "BE-FR",
        "BE-FR-secondary",
        "BE-NL",
        "BE-NL-secondary",
        "DE",
        "DE-BE",
        "LV",
    ]


@pytest.mark.parametrize("path", LIST_FILES, ids=lambda path: path.stem)
def test_every_code_list_has_the_contract_shape(path):
    data = load(path)
    assert list(data) == ["name", "label", "source", "codes"]
    assert data["name"] == path.stem
    assert isinstance(data["label"], str) and data["label"].strip()
    # The source names where the codes come from and when they are valid (a year).
    assert isinstance(data["source"], str) and re.search(r"\b(19|20)\d\d\b", data["source"])
    assert isinstance(data["codes"], dict) and data["codes"]
    for code, entry in data["codes"].items():
        assert isinstance(code, str) and code == " ".join(code.split()) and code
        assert isinstance(entry, dict) and entry
        assert all(isinstance(attribute, str) for attribute in entry)
    # Every entry of a list has the same attributes, so a profile's "fields" or "value" fits them all.
    assert len({tuple(entry) for entry in data["codes"].values()}) == 1


@pytest.mark.parametrize("path", GRADE_FILES, ids=lambda path: path.stem)
def test_every_grade_table_has_the_contract_shape(path):
    data = load(path)
    assert list(data) == ["name", "label", "source", "grades"]
    assert data["name"] == path.stem
    assert data["label"].strip() and data["source"].strip()
    table = data["grades"]
    numbers = [int(grade) for grade in table]
    assert all(grade.isdigit() and grade == str(int(grade)) for grade in table)
    assert numbers == list(range(1, len(numbers) + 1))
    levels = list(table.values())
    assert all(type(level) is int and 0 <= level <= 4 for level in levels)
    assert levels == sorted(levels)


def test_german_laender():
    laender = codes("de-laender")
    assert list(laender) == [f"{number:02d}" for number in range(1, 17)]
    assert laender["01"] == {"name": "Schleswig-Holstein", "iso": "DE-SH", "nuts1": "DEF"}
    assert laender["02"] == {"name": "Hamburg", "iso": "DE-HH", "nuts1": "DE6"}
    assert laender["08"] == {"name": "Baden-Württemberg", "iso": "DE-BW", "nuts1": "DE1"}
    assert laender["13"] == {"name": "Mecklenburg-Vorpommern", "iso": "DE-MV", "nuts1": "DE8"}
    assert laender["16"] == {"name": "Thüringen", "iso": "DE-TH", "nuts1": "DEG"}
    isos = [entry["iso"] for entry in laender.values()]
    assert all(re.fullmatch(r"DE-[A-Z]{2}", iso) for iso in isos)
    assert len(set(isos)) == 16
    nuts = sorted(entry["nuts1"] for entry in laender.values())
    assert nuts == [f"DE{digit}" for digit in "123456789ABCDEFG"]


def test_german_laender_by_iso_code_is_the_same_list():
    by_iso = codes("de-laender-iso")
    assert len(by_iso) == 16
    assert by_iso["DE-NW"] == {"name": "Nordrhein-Westfalen", "ags": "05"}
    assert {iso: (entry["name"], entry["ags"]) for iso, entry in by_iso.items()} == {
        entry["iso"]: (entry["name"], ags) for ags, entry in codes("de-laender").items()
    }


def test_german_kreise_counts_per_land():
    kreise = codes("de-kreise")
    assert len(kreise) == 400
    assert sum(KREISE_PER_LAND.values()) == 400
    assert dict(sorted(Counter(entry["land"] for entry in kreise.values()).items())) == KREISE_PER_LAND
    for key, entry in kreise.items():
        assert re.fullmatch(r"\d{5}", key)
        assert key.startswith(entry["land"])
        assert entry["land"] in codes("de-laender")
    # 106 kreisfreie Städte (incl. Berlin and Hamburg) and 294 Kreise.
    kinds = Counter(entry["kind"] for entry in kreise.values())
    assert kinds == {"Landkreis": 251, "Kreisfreie Stadt": 97, "Kreis": 42, "Stadtkreis": 9, "Regionalverband": 1}


def test_german_kreise_kinds_follow_each_lands_terms():
    kreise = codes("de-kreise")
    kinds_per_land: dict[str, set] = {}
    for entry in kreise.values():
        kinds_per_land.setdefault(entry["land"], set()).add(entry["kind"])
    assert kinds_per_land["08"] == {"Stadtkreis", "Landkreis"}
    assert kinds_per_land["01"] == {"Kreisfreie Stadt", "Kreis"}
    assert kinds_per_land["05"] == {"Kreisfreie Stadt", "Kreis"}
    assert kinds_per_land["10"] == {"Regionalverband", "Landkreis"}
    for land in ("02", "04", "11"):
        assert kinds_per_land[land] == {"Kreisfreie Stadt"}


@pytest.mark.parametrize(
    ("key", "entry"),
    [
        ("01001", {"name": "Flensburg", "kind": "Kreisfreie Stadt", "land": "01"}),
        ("02000", {"name": "Hamburg", "kind": "Kreisfreie Stadt", "land": "02"}),
        ("03159", {"name": "Göttingen", "kind": "Landkreis", "land": "03"}),
        ("03241", {"name": "Region Hannover", "kind": "Landkreis", "land": "03"}),
        ("04011", {"name": "Bremen", "kind": "Kreisfreie Stadt", "land": "04"}),
        ("04012", {"name": "Bremerhaven", "kind": "Kreisfreie Stadt", "land": "04"}),
        ("05334", {"name": "Städteregion Aachen", "kind": "Kreis", "land": "05"}),
        ("08111", {"name": "Stuttgart", "kind": "Stadtkreis", "land": "08"}),
        ("09162", {"name": "München", "kind": "Kreisfreie Stadt", "land": "09"}),
        ("09184", {"name": "München", "kind": "Landkreis", "land": "09"}),
        ("10041", {"name": "Regionalverband Saarbrücken", "kind": "Regionalverband", "land": "10"}),
        ("11000", {"name": "Berlin", "kind": "Kreisfreie Stadt", "land": "11"}),
        ("13003", {"name": "Rostock", "kind": "Kreisfreie Stadt", "land": "13"}),
        ("13004", {"name": "Schwerin", "kind": "Kreisfreie Stadt", "land": "13"}),
        ("13072", {"name": "Rostock", "kind": "Landkreis", "land": "13"}),
        ("13076", {"name": "Ludwigslust-Parchim", "kind": "Landkreis", "land": "13"}),
        ("14612", {"name": "Dresden", "kind": "Kreisfreie Stadt", "land": "14"}),
        ("15003", {"name": "Magdeburg", "kind": "Kreisfreie Stadt", "land": "15"}),
        ("16063", {"name": "Wartburgkreis", "kind": "Landkreis", "land": "16"}),
    ],
)
def test_german_kreise_entries(key, entry):
    assert codes("de-kreise")[key] == entry


def test_german_kreise_leave_out_districts_that_were_merged():
    kreise = codes("de-kreise")
    # Eisenach (2021), Göttingen and Osterode am Harz (2016), the city of Aachen (2009), MV before 2011.
    for gone in ("16056", "03152", "03156", "05313", "13001", "13002", "13005", "13006", "13051", "13062"):
        assert gone not in kreise


def test_latvian_local_governments():
    current = codes("lv-municipalities")
    before = codes("lv-municipalities-2021")
    assert len(current) == 42
    assert len(before) == 43
    assert set(before) - set(current) == {"Varakļānu novads"}
    for municipalities, novadi in ((current, 35), (before, 36)):
        kinds = Counter(entry["kind"] for entry in municipalities.values())
        assert kinds == {"valstspilsēta": 7, "novads": novadi}
        isos = [entry["iso"] for entry in municipalities.values()]
        assert len(set(isos)) == len(isos)
        for key, entry in municipalities.items():
            assert entry["name"] == key
            assert re.fullmatch(r"LV-(\d{3}|[A-Z]{3})", entry["iso"])
            assert entry["official_name"].endswith(" pašvaldība")
            assert key.endswith(" novads") == (entry["kind"] == "novads")
    state_cities = sorted(key for key, entry in current.items() if entry["kind"] == "valstspilsēta")
    assert state_cities == ["Daugavpils", "Jelgava", "Jūrmala", "Liepāja", "Rēzekne", "Rīga", "Ventspils"]
    assert current["Rīga"] == {
        "name": "Rīga",
        "kind": "valstspilsēta",
        "iso": "LV-RIX",
        "official_name": "Rīgas valstspilsētas pašvaldība",
    }
    assert current["Augšdaugavas novads"] == {
        "name": "Augšdaugavas novads",
        "kind": "novads",
        "iso": "LV-111",
        "official_name": "Augšdaugavas novada pašvaldība",
    }
    assert before["Varakļānu novads"]["iso"] == "LV-102"


def test_belgian_communities():
    communities = codes("be-communities")
    assert list(communities) == ["VL", "FR", "DG"]
    assert communities["DG"] == {
        "name_nl": "Duitstalige Gemeenschap",
        "name_fr": "Communauté germanophone",
        "name_de": "Deutschsprachige Gemeinschaft",
        "name_en": "German-speaking Community",
        "language": "de",
    }
    assert [entry["language"] for entry in communities.values()] == ["nl", "fr", "de"]


def test_belgian_provinces():
    provinces = codes("be-provinces")
    assert list(provinces) == [
        "04000", "10000", "20001", "20002", "30000", "40000", "50000", "60000", "70000", "80000", "90000",
    ]  # fmt: skip
    isos = [entry["iso"] for entry in provinces.values()]
    assert all(re.fullmatch(r"BE-[A-Z]{3}", iso) for iso in isos)
    assert len(set(isos)) == 11
    assert Counter(entry["region"] for entry in provinces.values()) == {"BE-VLG": 5, "BE-WAL": 5, "BE-BRU": 1}
    assert provinces["10000"] == {
        "name_nl": "Antwerpen",
        "name_fr": "Anvers",
        "name_de": "Antwerpen",
        "name_en": "Antwerp",
        "iso": "BE-VAN",
        "region": "BE-VLG",
    }
    assert provinces["60000"]["name_de"] == "Lüttich"
    assert provinces["20002"]["iso"] == "BE-WBR"
    assert provinces["04000"]["iso"] == "BE-BRU"


@pytest.mark.parametrize("path", SCHOOL_TYPE_FILES, ids=lambda path: path.stem)
def test_school_types_carry_the_school_importers_fields(path):
    types = load(path)["codes"]
    for code, entry in types.items():
        assert list(entry) == ["type_label", "levels"], code
        assert entry["type_label"].strip()
        levels = entry["levels"]
        assert levels and levels == sorted(set(levels))
        assert all(type(level) is int and 0 <= level <= 4 for level in levels)
    # Every Land's list knows its primary school and its Gymnasium by name.
    assert types["Grundschule"] == {"type_label": "Grundschule", "levels": [1]}
    assert types["Gymnasium"] == {"type_label": "Gymnasium", "levels": [2, 3]}
    assert types["Berufsschule"] == {"type_label": "Berufsschule", "levels": [3]}


def test_school_types_cover_all_sixteen_laender():
    assert sorted(path.stem.removeprefix("de-school-types-") for path in SCHOOL_TYPE_FILES) == sorted(
        iso.removeprefix("DE-").lower() for iso in codes("de-laender-iso")
    )


def test_school_types_examples():
    by = codes("de-school-types-by")
    assert by["GS"] == {"type_label": "Grundschule", "levels": [1]}
    assert by["MS"] == {"type_label": "Mittelschule", "levels": [2]}
    assert by["FöZ"] == by["SFZ"] == {"type_label": "Sonderpädagogisches Förderzentrum", "levels": [1, 2]}
    assert by["WS"] == {"type_label": "Wirtschaftsschule", "levels": [2]}
    assert by["BOS"] == {"type_label": "Berufsoberschule", "levels": [4]}
    assert codes("de-school-types-bw")["SBBZ"]["levels"] == [1, 2]
    assert codes("de-school-types-nw")["BK"] == {"type_label": "Berufskolleg", "levels": [3, 4]}
    assert codes("de-school-types-th")["TGS"]["levels"] == [1, 2, 3]
    # Fachschulen are ISCED 6: outside the register's levels 0 to 4, so in no list.
    for path in SCHOOL_TYPE_FILES:
        assert "Fachschule" not in load(path)["codes"]


@pytest.mark.parametrize(("land", "profile"), [("hh", "hamburg"), ("mv", "mv")])
def test_school_types_cover_the_built_in_profiles_codes_exactly(land, profile):
    shared = codes(f"de-school-types-{land}")
    own = load(PROFILES / f"{profile}.json")["code_lists"]["school_types"]
    assert {code: shared[" ".join(code.split())] for code in own} == own


def test_hamburg_private_school_codes_match_the_state_ones():
    hh = codes("de-school-types-hh")
    for code in ("G", "STS", "GY", "SO"):
        assert hh[f"{code}p"] == hh[code]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DE", {1: 1, 4: 1, 5: 2, 10: 2, 11: 3, 13: 3}),
        ("DE-BE", {1: 1, 6: 1, 7: 2, 10: 2, 11: 3, 13: 3}),
        ("LV", {1: 1, 6: 1, 7: 2, 9: 2, 10: 3, 12: 3}),
        ("BE-FR", {1: 1, 6: 1}),
        ("BE-NL", {1: 1, 6: 1}),
        ("BE-DG", {1: 1, 6: 1}),
        ("BE-FR-secondary", {1: 2, 2: 2, 3: 3, 6: 3, 7: 3}),
        ("BE-NL-secondary", {1: 2, 2: 2, 3: 3, 6: 3, 7: 3}),
        ("BE-DG-secondary", {1: 2, 2: 2, 3: 3, 6: 3, 7: 3}),
    ],
)
def test_grade_tables(name, expected):
    table = grades(name)
    for grade, level in expected.items():
        assert table[str(grade)] == level
    assert max(int(grade) for grade in table) == max(expected)


def test_grade_table_sizes():
    assert {path.stem: len(load(path)["grades"]) for path in GRADE_FILES} == {
        "BE-DG": 6,
        "BE-DG-secondary": 7,
        "BE-FR": 6,
        "BE-FR-secondary": 7,
        "BE-NL": 6,
        "BE-NL-secondary": 7,
        "DE": 13,
        "DE-BE": 13,
        "LV": 12,
    }


# The engine's loader (digileap.core.tabular.codelists, written by the engine's owner).


@pytest.fixture
def codelists():
    return pytest.importorskip("digileap.core.tabular.codelists")


@pytest.mark.parametrize("path", LIST_FILES, ids=lambda path: path.stem)
def test_every_list_loads_through_the_engine(codelists, path):
    data = load(path)
    assert codelists.shared_code_list(path.stem) == data["codes"]
    assert codelists.shared_code_list_info(path.stem) == {
        "name": path.stem,
        "label": data["label"],
        "source": data["source"],
    }


def test_the_engine_lists_every_code_list_and_grade_table(codelists):
    assert codelists.shared_code_lists() == {path.stem: load(path)["label"] for path in LIST_FILES}
    assert codelists.grade_tables() == {path.stem: load(path)["label"] for path in GRADE_FILES}


@pytest.mark.parametrize("path", GRADE_FILES, ids=lambda path: path.stem)
def test_every_grade_table_loads_through_the_engine(codelists, path):
    assert codelists.grade_table(path.stem) == load(path)["grades"]


def _parse(tmp_path, profile: dict, lines: list[str]) -> list:
    # As Excel writes a CSV in Germany: semicolons, Windows-1252.
    path = tmp_path / "schools.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    spec = profile_from_dict(profile)
    table = open_table(path, delimiter=spec.delimiter, expected_headers=spec.expected_headers)
    try:
        return list(parse_rows(table, spec))
    finally:
        table.close()


@pytest.mark.parametrize(("land", "profile_name"), [("hh", "hamburg"), ("mv", "mv")])
def test_a_profile_using_the_shared_school_types_parses_like_the_built_in_one(codelists, tmp_path, land, profile_name):
    own = load(PROFILES / f"{profile_name}.json")
    shared = json.loads(json.dumps(own))
    for column in shared["columns"]:
        if column["field"] == "school_type":
            column["codes"] = f"shared:de-school-types-{land}"
            source = column["source"]
    del shared["code_lists"]["school_types"]
    headers = [column["source"] for column in own["columns"]]
    headers = [header for entry in headers for header in (entry if isinstance(entry, list) else [entry])]
    own_codes = list(own["code_lists"]["school_types"])
    rows = []
    for index, code in enumerate(own_codes, start=1):
        cells = {header: "" for header in headers}
        cells.update({headers[0]: str(1000 + index), headers[1]: f"Schule {index}", source: f'"{code}"'})
        if "C_S_Status" in cells:
            cells["C_S_Status"] = "staatl."
        if "Landkreis/ kreisfr. Stadt" in cells:
            cells["Landkreis/ kreisfr. Stadt"] = "HRO"
        rows.append(";".join(cells[header] for header in headers))
    lines = [";".join(headers), *rows]
    with_own = _parse(tmp_path, own, lines)
    with_shared = _parse(tmp_path, shared, lines)
    assert [row.errors for row in with_shared] == [[] for _ in own_codes]
    assert [row.values for row in with_shared] == [row.values for row in with_own]
    assert [(row.values["type_code"], row.values["type_label"], row.values["levels"]) for row in with_shared] == [
        (" ".join(code.split()), entry["type_label"], entry["levels"])
        for code, entry in own["code_lists"]["school_types"].items()
    ]


def test_a_profile_takes_attributes_of_the_kreise_and_laender_lists(codelists, tmp_path):
    profile = {
        "name": "kreise",
        "target": "schools",
        "delimiter": ";",
        "columns": [
            {"field": "number", "source": "Nr", "required": True},
            {"field": "name", "source": "Name", "required": True},
            {"field": "operator_name", "source": "Kreis", "type": "code", "codes": "kreise"},
            {"field": "authority_code", "source": "Land", "type": "code", "codes": "laender"},
        ],
        "code_lists": {
            "kreise": {"shared": "de-kreise", "value": "name"},
            "laender": {"shared": "de-laender", "fields": {"iso": "authority_code", "name": "authority_name"}},
        },
    }
    rows = _parse(
        tmp_path, profile, ["Nr;Name;Kreis;Land", "1;Schule Süd;16063;16", "2;Schule Nord;13076;13", "3;X;16056;16"]
    )
    assert [row.values for row in rows[:2]] == [
        {
            "number": "1",
            "name": "Schule Süd",
            "operator_name": "Wartburgkreis",
            "authority_code": "DE-TH",
            "authority_name": "Thüringen",
        },
        {
            "number": "2",
            "name": "Schule Nord",
            "operator_name": "Ludwigslust-Parchim",
            "authority_code": "DE-MV",
            "authority_name": "Mecklenburg-Vorpommern",
        },
    ]
    # Eisenach's old key is no longer a Kreis: the row names line, column and value.
    (error,) = rows[2].errors
    assert (error.line, error.column, error.value) == (4, "Kreis", "16056")
    assert "unknown code" in error.message
