"""Profile features of issue 10: transforms, when, on_invalid, filter, merge, grades, shared code lists.

Every test writes its file as the registries do (CSV with ``;`` in Windows-1252, CRLF) and asserts
the exact parsed rows.
"""

import json
from decimal import Decimal

import pytest

from digileap.core.tabular import codelists
from digileap.core.tabular.errors import RowError
from digileap.core.tabular.parsing import ParseStats, grade_renames, parse_rows
from digileap.core.tabular.profiles import ProfileError, profile_from_dict
from digileap.core.tabular.readers import open_table
from digileap.core.tabular.transforms import school_year


def parse(tmp_path, lines: list[str], profile: dict, stats: ParseStats | None = None):
    path = tmp_path / "liste.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    spec = profile_from_dict({"name": "t", "target": "schools", **profile})
    table = open_table(path, delimiter=spec.delimiter, expected_headers=spec.expected_headers)
    try:
        return list(parse_rows(table, spec, stats=stats))
    finally:
        table.close()


@pytest.fixture
def shared_lists(tmp_path, monkeypatch):
    """A folder of shared code lists and grade tables of known content."""
    folder = tmp_path / "code_lists"
    (folder / "grades").mkdir(parents=True)
    (folder / "laender.json").write_text(
        json.dumps(
            {
                "name": "laender",
                "label": "Länder",
                "source": "test",
                "codes": {
                    "01": {"name": "Schleswig-Holstein", "iso": "DE-SH"},
                    "02": {"name": "Hamburg", "iso": "DE-HH"},
                },
            }
        ),
        encoding="utf-8",
    )
    (folder / "arten.json").write_text(
        json.dumps({"name": "arten", "label": "Arten", "source": "test", "codes": {"GS": "Grundschule"}}),
        encoding="utf-8",
    )
    (folder / "grades" / "XX.json").write_text(
        json.dumps({"name": "XX", "label": "XX", "source": "test", "grades": {"1": 1, "4": 1, "5": 2, "11": 3}}),
        encoding="utf-8",
    )
    monkeypatch.setattr(codelists, "CODE_LISTS_DIR", folder)
    monkeypatch.setattr(codelists, "GRADES_DIR", folder / "grades")
    codelists.clear_cache()
    yield folder
    codelists.clear_cache()


# -- transforms ---------------------------------------------------------------------------------


def test_transforms_split_strip_pad_regex_school_year(tmp_path):
    profile = {
        "columns": [
            {"field": "number", "source": "Dienststelle", "transforms": [{"strip_suffix": "-0"}, {"pad": 6}]},
            {"field": "postcode", "source": "Ort", "transforms": [{"regex": "^(\\d{5})\\s", "group": 1}]},
            {"field": "city", "source": "Ort", "transforms": [{"split": " ", "part": 1, "maxsplit": 1}]},
            {"field": "school_year", "source": "Jahr", "transforms": [{"school_year": True}]},
            {"field": "kind", "source": "Art", "transforms": [{"upper": True}, {"map": {"GS": "Grundschule"}}]},
            {"field": "code", "source": "Kennung", "transforms": [{"strip_prefix": "DE"}, {"replace": ["/", "-"]}]},
        ]
    }
    rows = parse(
        tmp_path,
        [
            "Dienststelle;Ort;Jahr;Art;Kennung",
            "3201-0;22337 Hamburg Nord;2013;gs;DE12/3",
            "77;Hamburg;2013/2014;gym;12",
        ],
        profile,
    )
    assert rows[0].errors == []
    assert rows[0].values == {
        "number": "003201",
        "postcode": "22337",
        "city": "Hamburg Nord",
        "school_year": "2013/14",
        "kind": "Grundschule",
        "code": "12-3",
    }
    assert rows[1].errors == [RowError(3, "Ort", "'Hamburg' does not match the pattern '^(\\\\d{5})\\\\s'", "Hamburg")]
    assert rows[1].values == {"number": "000077", "city": None, "school_year": "2013/14", "kind": "GYM", "code": "12"}


def test_school_year_shapes():
    assert [school_year(text) for text in ("2013", "2013/2014", "2013-14", "13/14", "2013/14", "2019 – 2020")] == [
        "2013/14",
        "2013/14",
        "2013/14",
        "2013/14",
        "2013/14",
        "2019/20",
    ]
    for text in ("2013/2015", "Schuljahr", "2013/13"):
        with pytest.raises(ValueError):
            school_year(text)


def test_a_regex_default_and_a_template_for_composite_keys(tmp_path):
    profile = {
        "columns": [
            {
                "field": "number",
                "source": ["Gemeinde", "Schule"],
                "transforms": [{"pad": 3}, {"template": "{0}-{1}"}, {"strip_prefix": "000-"}],
            },
            {"field": "postcode", "source": "Ort", "transforms": [{"regex": "\\d{5}", "default": "00000"}]},
        ]
    }
    rows = parse(tmp_path, ["Gemeinde;Schule;Ort", "1;23;22337 Hamburg", "0;5;Hamburg", ";;x"], profile)
    assert [row.values for row in rows] == [
        {"number": "001-023", "postcode": "22337"},
        {"number": "005", "postcode": "00000"},
        {"number": None, "postcode": "00000"},
    ]


@pytest.mark.parametrize(
    ("transforms", "message"),
    [
        ([{"pad": 0}], "profile t, column 1: transform 1: 'pad' needs a length of 1 or more"),
        (
            [{"regex": "("}],
            "profile t, column 1: transform 1: '(' is not a regular expression (missing ), unterminated subpattern at position 0)",
        ),
        ([{"template": "{0}-{1}"}], "profile t, column 1: transform 1: 'template' needs a column with several sources"),
        (
            [{"upper": True, "lower": True}],
            "profile t, column 1: transform 1: a transform needs exactly one of strip_suffix, strip_prefix, pad, regex, split, replace, upper, lower, map, school_year, template; got {'upper': True, 'lower': True}",
        ),
    ],
)
def test_malformed_transforms_are_named(transforms, message):
    with pytest.raises(ProfileError) as error:
        profile_from_dict(
            {"name": "t", "target": "schools", "columns": [{"field": "a", "source": "A", "transforms": transforms}]}
        )
    assert str(error.value) == message


# -- when, on_invalid ---------------------------------------------------------------------------


def test_when_maps_a_column_only_where_another_holds(tmp_path):
    profile = {
        "columns": [
            {"field": "number", "source": "Nr"},
            {"field": "sector", "source": "Rechtsform", "type": "code", "codes": "sectors"},
            {"field": "operator_name", "source": "Träger", "when": {"column": "Rechtsform", "equals": "öffentlich"}},
            {
                "field": "operator_code",
                "source": "Träger",
                "default": "-",
                "when": {"field": "sector", "in": ["private"]},
            },
        ],
        "code_lists": {"sectors": {"öffentlich": "public", "privat": "private"}},
    }
    rows = parse(tmp_path, ["Nr;Rechtsform;Träger", "1;öffentlich;Stadt Kiel", "2;privat;Verein e. V."], profile)
    assert [row.values for row in rows] == [
        {"number": "1", "sector": "public", "operator_name": "Stadt Kiel", "operator_code": "-"},
        {"number": "2", "sector": "private", "operator_name": None, "operator_code": "Verein e. V."},
    ]


def test_on_invalid_reject_empty_warn(tmp_path):
    profile = {
        "columns": [
            {"field": "number", "source": "Nr"},
            {"field": "email", "source": "Mail", "type": "email", "on_invalid": "empty"},
            {"field": "phone", "source": "Tel", "transforms": [{"regex": "^[0-9 /+-]+$"}], "on_invalid": "warn"},
            {"field": "website", "source": "Web", "max_length": 10, "on_invalid": "warn"},
            {"field": "pupils_total", "source": "SuS", "type": "count"},
        ]
    }
    header = "Nr;Mail;Tel;Web;SuS"
    (row,) = parse(tmp_path, [header, "1;sekretariat(at)schule.de;040 / 123 (Büro);x.de;12"], profile)
    assert row.errors == []
    assert row.warnings == [
        RowError(
            2, "Mail", "'sekretariat(at)schule.de' is not an e-mail address; left empty", "sekretariat(at)schule.de"
        ),
        RowError(
            2,
            "Tel",
            "'040 / 123 (Büro)' does not match the pattern '^[0-9 /+-]+$'; kept as given",
            "040 / 123 (Büro)",
        ),
    ]
    assert row.values == {
        "number": "1",
        "email": None,
        "phone": "040 / 123 (Büro)",
        "website": "x.de",
        "pupils_total": 12,
    }
    (row,) = parse(tmp_path, [header, "1;;;www.schule-am-see.de;zwölf"], profile)
    assert row.errors == [
        RowError(2, "Web", "longer than 10 characters", "www.schule-am-see.de"),
        RowError(2, "SuS", "'zwölf' is not a whole number", "zwölf"),
    ]
    assert row.warnings == []


def test_warn_is_only_for_texts():
    with pytest.raises(ProfileError) as error:
        profile_from_dict(
            {
                "name": "t",
                "target": "schools",
                "columns": [{"field": "a", "source": "A", "type": "count", "on_invalid": "warn"}],
            }
        )
    assert str(error.value) == (
        "profile t, column 1: on_invalid 'warn' keeps the text as given, so it is only for text and email columns"
    )


# -- filter -------------------------------------------------------------------------------------


def test_filter_leaves_rows_out_and_counts_them(tmp_path):
    profile = {
        "columns": [{"field": "number", "source": "Nr"}, {"field": "pupils_total", "source": "SuS", "type": "count"}],
        "filter": [
            {"column": "Schulart", "not_in": ["Hochschule", "Universität"]},
            {"field": "number", "not_matches": "^9"},
        ],
    }
    stats = ParseStats()
    rows = parse(
        tmp_path,
        [
            "Nr;Schulart;SuS",
            "1;Grundschule;10",
            "2;Hochschule;x",
            "3;  Universität ;20",
            "9001;Grundschule;5",
            "4;Gymnasium;minus",
        ],
        profile,
        stats,
    )
    assert [(row.line, row.values.get("number")) for row in rows] == [(2, "1"), (6, "4")]
    assert rows[1].errors == [RowError(6, "SuS", "'minus' is not a whole number", "minus")]
    assert stats.filtered == 3


def test_a_field_filter_keeps_a_row_whose_field_is_invalid(tmp_path):
    profile = {
        "columns": [{"field": "pupils_total", "source": "SuS", "type": "count"}],
        "filter": [{"field": "pupils_total", "not_in": ["0"]}],
    }
    stats = ParseStats()
    rows = parse(tmp_path, ["SuS", "0", "viele", "3"], profile, stats)
    assert [(row.line, row.values, len(row.errors)) for row in rows] == [(3, {}, 1), (4, {"pupils_total": 3}, 0)]
    assert stats.filtered == 1


# -- merge --------------------------------------------------------------------------------------

MERGE_PROFILE = {
    "columns": [
        {"field": "number", "source": "Schulnummer"},
        {"field": "name", "source": "Name"},
        {"field": "pupils_isced_1", "source": "SuS Primar", "type": "count"},
        {"field": "levels", "source": "Stufen", "type": "levels"},
        {"field": "type_label", "source": "Bildungsgang"},
        {"field": "email", "source": "Mail"},
        {"field": "founded", "source": "Gründung", "type": "integer"},
    ],
    "merge": {
        "key": ["number"],
        "rules": {"pupils_isced_1": "sum", "levels": "union", "type_label": "join", "email": "first", "founded": "min"},
    },
}
MERGE_HEADER = "Schulnummer;Name;SuS Primar;Stufen;Bildungsgang;Mail;Gründung"


def test_rows_of_one_school_and_track_are_merged(tmp_path):
    rows = parse(
        tmp_path,
        [
            MERGE_HEADER,
            "100;Schule am See;121;1;Grundschule;;1970",
            "200;Nordschule;40;2;Realschule;n@x.de;1990",
            "100;Schule am See;468;1,2;Hauptschule;see@x.de;1965",
            "100;;;2;Grundschule;other@x.de;",
        ],
        MERGE_PROFILE,
    )
    assert [(row.line, [m.line for m in row.members]) for row in rows] == [(2, [2, 4, 5]), (3, [3])]
    merged = rows[0]
    assert merged.errors == []
    assert merged.values == {
        "number": "100",
        "name": "Schule am See",
        "pupils_isced_1": 589,
        "levels": [1, 2],
        "type_label": "Grundschule, Hauptschule",
        "email": "see@x.de",
        "founded": 1965,
    }
    assert rows[1].members == [rows[1]]


def test_a_same_conflict_names_the_column_the_values_and_the_other_lines(tmp_path):
    rows = parse(
        tmp_path,
        [MERGE_HEADER, "100;Schule am See;1;1;;;", "100;Seeschule;2;1;;;", "100;Schule am See;3;1;;;"],
        MERGE_PROFILE,
    )
    (row,) = rows
    message = (
        "the rows with number '100' differ in column 'Name': 'Schule am See' (line 2), 'Seeschule' (line 3), "
        "'Schule am See' (line 4); the other line(s) of this key: {others}"
    )
    assert row.errors == [
        RowError(2, "Name", message.format(others="3, 4"), "Schule am See | Seeschule"),
        RowError(3, "Name", message.format(others="2, 4"), "Schule am See | Seeschule"),
        RowError(4, "Name", message.format(others="2, 3"), "Schule am See | Seeschule"),
    ]
    assert row.values["pupils_isced_1"] == 6


def test_merged_rows_keep_their_members_errors_and_warnings(tmp_path):
    profile = {
        **MERGE_PROFILE,
        "columns": [
            *MERGE_PROFILE["columns"][:5],
            {"field": "email", "source": "Mail", "type": "email", "on_invalid": "empty"},
        ],
    }
    (row,) = parse(tmp_path, [MERGE_HEADER, "1;A;x;1;;kaputt;", "1;A;2;1;;;"], profile)
    assert row.errors == [RowError(2, "SuS Primar", "'x' is not a whole number", "x")]
    assert row.warnings == [RowError(2, "Mail", "'kaputt' is not an e-mail address; left empty", "kaputt")]
    assert row.values["pupils_isced_1"] == 2


def test_an_unknown_merge_rule_is_a_profile_error():
    with pytest.raises(ProfileError) as error:
        profile_from_dict({"name": "t", "target": "schools", "merge": {"key": ["number"], "rules": {"a": "average"}}})
    assert str(error.value).startswith("profile t, merge: unknown rule(s) average; known: sum, max, min")


# -- grades and shared code lists ---------------------------------------------------------------


def test_grades_become_isced_grade_fields(tmp_path, shared_lists):
    profile = {
        "grades": "XX",
        "columns": [
            {"field": "number", "source": "Nr"},
            {"field": "pupils_grade_1", "source": "Klasse 1", "type": "count"},
            {"field": "pupils_grade_5", "source": "Klasse 5", "type": "count"},
            {"field": "pupils_grade_12", "source": "Klasse 12", "type": "count"},
        ],
    }
    rows = parse(tmp_path, ["Nr;Klasse 1;Klasse 5;Klasse 12", "1;20;30;", "2;1;;4"], profile)
    assert rows[0].errors == []
    assert rows[0].values == {"number": "1", "pupils_isced_1_grade_1": 20, "pupils_isced_2_grade_5": 30}
    assert rows[1].errors == [RowError(3, "Klasse 12", "grade 12 is not in the grade table XX", "4")]
    spec = profile_from_dict({"name": "t", "target": "schools", **profile})
    assert grade_renames(spec, ["number", "pupils_grade_1", "pupils_grade_12"]) == {
        "pupils_grade_1": "pupils_isced_1_grade_1",
        "pupils_grade_12": None,
    }


def test_an_unknown_grade_table_is_a_profile_error(shared_lists):
    with pytest.raises(ProfileError) as error:
        profile_from_dict({"name": "t", "target": "schools", "grades": "ZZ"})
    assert str(error.value) == "profile t: unknown shared grade table 'ZZ'"


def test_shared_code_lists_by_reference_fields_and_value(tmp_path, shared_lists):
    profile = {
        "columns": [
            {"field": "land", "source": "Land", "type": "code", "codes": "shared:laender"},
            {"field": "state", "source": "Land2", "type": "code", "codes": "laender_renamed"},
            {"field": "state_name", "source": "Land3", "type": "code", "codes": "laender_names"},
            {"field": "type_label", "source": "Art", "type": "code", "codes": "shared:arten"},
        ],
        "code_lists": {
            "laender_renamed": {"shared": "laender", "fields": {"iso": "authority_code"}},
            "laender_names": {"shared": "laender", "value": "name"},
        },
    }
    (row,) = parse(tmp_path, ["Land;Land2;Land3;Art", "01;02;01;GS"], profile)
    assert row.errors == []
    assert row.values == {
        "name": "Schleswig-Holstein",
        "iso": "DE-SH",
        "authority_code": "DE-HH",
        "state_name": "Schleswig-Holstein",
        "type_label": "Grundschule",
    }
    assert codelists.shared_code_lists() == {"arten": "Arten", "laender": "Länder"}
    assert codelists.grade_table("XX") == {"1": 1, "4": 1, "5": 2, "11": 3}


def test_an_unknown_shared_list_is_a_profile_error(shared_lists):
    with pytest.raises(ProfileError) as error:
        profile_from_dict(
            {
                "name": "t",
                "target": "schools",
                "columns": [{"field": "a", "source": "A", "type": "code", "codes": "shared:nope"}],
            }
        )
    assert str(error.value) == "profile t, column 1: unknown shared code list 'nope'"


def test_sums_of_decimals_stay_exact(tmp_path):
    profile = {"columns": [{"field": "teachers", "source": ["A", "B", "C"], "type": "decimal"}]}
    (row,) = parse(tmp_path, ["A;B;C", "0,1;0,2;"], profile)
    assert row.values == {"teachers": Decimal("0.3")}


def test_merge_rules_may_name_grades_as_the_columns_do(tmp_path, shared_lists):
    profile = {
        "grades": "XX",
        "columns": [
            {"field": "number", "source": "Nr"},
            {"field": "pupils_grade_5", "source": "Klasse 5", "type": "count"},
            {"field": "track", "source": "Zweig"},
        ],
        "merge": {"key": ["number"], "rules": {"pupils_grade_5": "sum", "track": "union"}},
    }
    (row,) = parse(tmp_path, ["Nr;Klasse 5;Zweig", "1;20;Gymnasium", "1;7;Realschule"], profile)
    assert row.errors == []
    assert row.values == {"number": "1", "track": "Gymnasium; Realschule", "pupils_isced_2_grade_5": 27}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"merge": {"key": ["nummer"]}}, "profile t, merge key: 'nummer' is not a field the profile reads"),
        (
            {"filter": [{"field": "sektor", "equals": "x"}]},
            "profile t, filter: 'sektor' is not a field the profile reads",
        ),
        (
            {"columns": [{"field": "number", "source": "Nr", "when": {"field": "sektor", "equals": "x"}}]},
            "profile t, condition of column number: 'sektor' is not a field the profile reads",
        ),
    ],
)
def test_references_to_fields_the_profile_does_not_read_are_profile_errors(change, message):
    with pytest.raises(ProfileError) as error:
        profile_from_dict(
            {"name": "t", "target": "schools", "columns": [{"field": "number", "source": "Nr"}], **change}
        )
    assert str(error.value) == message
