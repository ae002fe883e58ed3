"""Rows share the texts a column repeats; a column of distinct values stops sharing (memory of a plan)."""

import pytest

from digileap.core.tabular.parsing import parse_rows
from digileap.core.tabular.profiles import profile_from_dict
from digileap.core.tabular.readers import open_table
from digileap.schools.importer import ROW_FIELDS, RowFields

PROFILE = {
    "name": "sharing",
    "target": "schools",
    "columns": [
        {"field": "number", "source": "number", "required": True},
        {"field": "city", "source": "city"},
        {"field": "code", "source": "code"},
    ],
}


def parse(tmp_path, lines: list[str]) -> list:
    path = tmp_path / "file.csv"
    path.write_text("number,city,code\n" + "\n".join(lines) + "\n")
    spec = profile_from_dict(PROFILE)
    table = open_table(path, delimiter=spec.delimiter, expected_headers=spec.expected_headers)
    try:
        return list(parse_rows(table, spec))
    finally:
        table.close()


def test_a_repeated_text_is_one_string_and_a_column_of_distinct_values_stops_sharing(tmp_path):
    # 3,000 rows: ten cities over and over; the code is new on each of the first 1,100 rows
    # (so the review after 1,024 rows stops sharing it), then the same code again and again.
    lines = [f"N{n},City-{n % 10},{f'C-{n}' if n < 1100 else 'C-same'}" for n in range(3000)]
    rows = parse(tmp_path, lines)
    assert len(rows) == 3000
    assert [row.values["city"] for row in rows[:3]] == ["City-0", "City-1", "City-2"]
    assert rows[2990].values["city"] == "City-0"
    assert rows[2990].values["city"] is rows[0].values["city"]
    assert rows[1500].values["code"] == rows[2500].values["code"] == "C-same"
    assert rows[1500].values["code"] is not rows[2500].values["code"]
    assert [row.values["number"] for row in rows[-2:]] == ["N2998", "N2999"]


def test_row_fields_read_and_write_like_a_dict_in_the_order_of_the_audit_entry():
    fields = RowFields({"name": "Grundschule Nord", "city": "Kiel", "isced_1": True})
    assert ROW_FIELDS == (
        "name",
        "type_code",
        "type_label",
        "isced_0",
        "isced_1",
        "isced_2",
        "isced_3",
        "isced_4",
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
        "operator_id",
        "pupils_total",
        "ses_value",
        "ses_scale_id",
    )
    fields["operator_id"] = 7
    assert fields["name"] == "Grundschule Nord"
    assert fields["type_code"] is None
    assert list(fields.as_dict()) == list(ROW_FIELDS)
    assert dict(fields.items()) == {
        **dict.fromkeys(ROW_FIELDS),
        "name": "Grundschule Nord",
        "city": "Kiel",
        "isced_1": True,
        "operator_id": 7,
    }
    with pytest.raises(KeyError):
        fields["number"]
    with pytest.raises(KeyError):
        fields["number"] = "1"
