"""Several source columns for one field (issue 10, bug 1) and the fields' plausibility limits.

A profile that mapped two pupil columns to one count joined them as text: 121 and 468 became
121468. Numbers from several columns are summed; texts are joined with the profile's separator.
"""

from decimal import Decimal

import pytest

from digileap.core.tabular.errors import RowError
from digileap.core.tabular.fields import FieldSpec
from digileap.core.tabular.parsing import parse_rows
from digileap.core.tabular.profiles import ProfileError, profile_from_dict
from digileap.core.tabular.readers import open_table

PROFILE = {
    "name": "sums",
    "target": "schools",
    "columns": [
        {"field": "number", "source": "Schulnummer", "required": True},
        {"field": "name", "source": ["Name 1", "Name 2"], "join": " – "},
        {"field": "pupils_isced_1", "source": ["Schüler Primar m", "Schüler Primar w"], "type": "count"},
        {"field": "teachers", "source": ["Lehrkräfte Voll", "Lehrkräfte Teil"], "type": "decimal"},
    ],
}
HEADER = "Schulnummer;Name 1;Name 2;Schüler Primar m;Schüler Primar w;Lehrkräfte Voll;Lehrkräfte Teil"
FIELDS = (
    FieldSpec("number", "number", max_length=8),
    FieldSpec("pupils_isced_1", "pupils", type="count", maximum=Decimal(5000)),
    FieldSpec(
        "pupils_isced_L_grade_G", "grade", type="count", maximum=Decimal(900), pattern=r"^pupils_isced_\d_grade_\d+$"
    ),
)


def parse(tmp_path, lines: list[str], profile: dict = PROFILE, fields=()):
    path = tmp_path / "schulen.csv"
    # As Excel writes a CSV on a German desktop: semicolons, Windows-1252, CRLF.
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    spec = profile_from_dict(profile)
    table = open_table(path, delimiter=spec.delimiter, expected_headers=spec.expected_headers)
    try:
        return list(parse_rows(table, spec, fields=fields))
    finally:
        table.close()


def test_numbers_from_several_columns_are_summed_not_joined(tmp_path):
    (row,) = parse(tmp_path, [HEADER, "0101;Grundschule;Am Markt;121;468;12,5;3,25"])
    assert row.errors == []
    assert row.values == {
        "number": "0101",
        "name": "Grundschule – Am Markt",
        "pupils_isced_1": 589,
        "teachers": Decimal("15.75"),
    }


def test_empty_cells_are_left_out_of_a_sum_and_all_empty_is_empty(tmp_path):
    rows = parse(tmp_path, [HEADER, "1;A;;;468;;", "2;B;;;;;"])
    assert [(row.values["pupils_isced_1"], row.values["teachers"], row.values["name"]) for row in rows] == [
        (468, None, "A"),
        (None, None, "B"),
    ]


def test_a_bad_part_of_a_sum_names_its_own_column(tmp_path):
    (row,) = parse(tmp_path, [HEADER, "1;A;;121;viele;;"])
    assert row.errors == [RowError(2, "Schüler Primar w", "'viele' is not a whole number", "viele")]
    assert "pupils_isced_1" not in row.values


def test_combine_first_and_join_override_the_type(tmp_path):
    profile = {
        **PROFILE,
        "columns": [
            {"field": "number", "source": "Schulnummer"},
            {"field": "name", "source": ["Name 1", "Name 2"], "combine": "first"},
            {
                "field": "pupils_isced_1",
                "source": ["Schüler Primar m", "Schüler Primar w"],
                "type": "count",
                "combine": "first",
            },
            {"field": "code", "source": ["Lehrkräfte Voll", "Lehrkräfte Teil"], "combine": "join", "join": "/"},
        ],
    }
    rows = parse(tmp_path, [HEADER, "1;;Zweiter;;7;12;3"], profile)
    assert rows[0].values == {"number": "1", "name": "Zweiter", "pupils_isced_1": 7, "code": "12/3"}


def test_summing_a_text_column_is_a_profile_error():
    with pytest.raises(ProfileError) as error:
        profile_from_dict({**PROFILE, "columns": [{"field": "name", "source": ["a", "b"], "combine": "sum"}]})
    assert str(error.value) == "profile sums, column 1: only numbers can be summed"


def test_the_fields_limits_apply_when_the_column_sets_none(tmp_path):
    rows = parse(
        tmp_path,
        [HEADER, "123456789;A;;3000;2001;;", "2;B;;4000;;;", "3;C;;1;;;"],
        fields=FIELDS,
    )
    assert [row.errors for row in rows] == [
        [
            RowError(2, "Schulnummer", "longer than 8 characters", "123456789"),
            RowError(2, "Schüler Primar m", "5001 is above the maximum 5000", "3000 + 2001"),
        ],
        [],
        [],
    ]
    assert rows[1].values["pupils_isced_1"] == 4000


def test_the_columns_own_limit_wins_over_the_fields(tmp_path):
    profile = {
        **PROFILE,
        "columns": [
            {"field": "number", "source": "Schulnummer", "max_length": 12},
            {"field": "pupils_isced_1", "source": "Schüler Primar m", "type": "count", "maximum": 10000},
        ],
    }
    (row,) = parse(tmp_path, [HEADER, "123456789;A;;9000;;;"], profile, fields=FIELDS)
    assert row.errors == []
    assert row.values == {"number": "123456789", "pupils_isced_1": 9000}


def test_a_single_count_column_gets_the_limit_on_the_fast_path(tmp_path):
    profile = {**PROFILE, "columns": [{"field": "pupils_isced_1", "source": "Schüler Primar m", "type": "count"}]}
    rows = parse(tmp_path, [HEADER, "1;A;;5000;;;", "2;A;;5001;;;"], profile, fields=FIELDS)
    assert [(row.values.get("pupils_isced_1"), row.errors) for row in rows] == [
        (5000, []),
        (None, [RowError(3, "Schüler Primar m", "5001 is above the maximum 5000", "5001")]),
    ]


def test_pattern_fields_get_their_familys_limit(tmp_path):
    profile = {
        "name": "grades",
        "target": "schools",
        "columns": [{"field": "number", "source": "Nr"}],
        "pattern_columns": [{"pattern": "^pupils_isced_\\d_grade_\\d+$", "type": "count"}],
    }
    (row,) = parse(tmp_path, ["Nr;pupils_isced_1_grade_1", "1;7731135269"], profile, fields=FIELDS)
    assert row.errors == [RowError(2, "pupils_isced_1_grade_1", "7731135269 is above the maximum 900", "7731135269")]
