"""The published JSON Schema of profiles (``digileap/core/tabular/profile.schema.json``).

Every built-in profile of every registered target is valid, every key the engine reads is in the
schema (the format only grows), and a mistake is named by its JSON path.
"""

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest

from digileap.core.tabular.engine import import_targets
from digileap.core.tabular.profiles import (
    ColumnSpec,
    ProfileError,
    builtin_profiles,
    profile_from_dict,
    profile_json_schema,
)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "imports.md"


def test_the_schema_is_a_valid_draft_2020_12_schema_with_descriptions():
    schema = profile_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undescribed = [name for name, spec in schema["properties"].items() if "description" not in spec]
    undescribed += [name for name, spec in schema["$defs"]["column"]["properties"].items() if "description" not in spec]
    assert undescribed == []


def test_every_builtin_profile_of_every_target_is_valid():
    checked = []
    for target in sorted(import_targets()):
        for name, profile in builtin_profiles(target).items():
            assert profile.target == target
            checked.append(f"{target}/{name}")
    assert len(checked) >= 8
    assert {"schools/generic", "schools/hamburg", "deliveries/generic"} <= set(checked)


def test_every_profile_file_is_valid_against_the_schema_alone():
    validator = jsonschema.Draft202012Validator(profile_json_schema())
    root = Path(__file__).resolve().parents[2]
    files = sorted(root.glob("*/import_profiles/**/*.json"))
    assert files
    for path in files:
        errors = [error.message for error in validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
        assert errors == [], path


def test_every_column_key_the_engine_reads_is_in_the_schema():
    schema = profile_json_schema()
    column_keys = set(schema["$defs"]["column"]["properties"])
    # ColumnSpec field names are the JSON keys, except the ones the JSON spells differently.
    read = {spec.name for spec in dataclasses.fields(ColumnSpec)} - {"sources"} | {"source"}
    assert read - column_keys == set()
    top_keys = set(schema["properties"])
    assert {
        "name", "target", "label", "description", "delimiter", "encoding", "duplicates", "constants", "columns",
        "code_lists", "coordinates", "pattern_columns", "header_row", "sheet", "filter", "merge", "grades", "options",
    } <= top_keys  # fmt: skip


def test_the_documented_example_is_valid():
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    profiles = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue  # a fragment, not a whole profile
        if isinstance(data, dict) and "name" in data and "target" in data:
            profiles.append(data)
    assert profiles
    for data in profiles:
        assert profile_from_dict(data).name == data["name"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"header_row": 0}, "profile t: header_row must be a row number from 1"),
        ({"sheet": [1]}, "profile t: sheet must be a sheet's name or its number from 1"),
        ({"options": []}, "profile t, $.options: [] is not of type 'object'"),
        (
            {"filter": [{"column": "A"}]},
            "profile t, filter 1: a condition names one 'column' or 'field' and one of equals, in, not_in, matches, not_matches",
        ),
        ({"merge": {"rules": {}}}, "profile t, merge: 'key' must list one or more fields"),
        (
            {"columns": [{"field": "a", "source": "A", "on_invalid": "ignore"}]},
            "profile t, column 1: on_invalid must be one of reject, empty, warn",
        ),
        (
            {"columns": [{"field": "a", "source": "A", "when": {"field": "b", "in": "x"}}]},
            "profile t, column 1, when: 'in' needs a list",
        ),
        (
            {"columns": [{"field": "a", "source": "A", "required": "yes"}]},
            "profile t, $.columns[0].required: 'yes' is not of type 'boolean', 'integer'",
        ),
        (
            {"columns": [{"field": "a", "source": ["A", "B"], "combine": "add"}]},
            "profile t, column 1: combine must be one of sum, join, first",
        ),
        (
            {"code_lists": {"x": {"shared": "de-laender", "valu": "name"}}},
            "profile t, $.code_lists.x: {'shared': 'de-laender', 'valu': 'name'} is not valid under any of the given schemas",
        ),
    ],
)
def test_mistakes_are_named(change, message):
    with pytest.raises(ProfileError) as error:
        profile_from_dict({"name": "t", "target": "schools", **change})
    assert str(error.value) == message


def test_unknown_keys_are_still_ignored():
    """A profile valid before the schema keeps working: keys the engine does not know are ignored."""
    profile = profile_from_dict(
        {"name": "t", "target": "schools", "comment": "x", "columns": [{"field": "a", "source": "A", "note": "y"}]}
    )
    assert profile.columns[0].field == "a"


def test_coordinates_need_x_and_y_unless_empty():
    assert profile_from_dict({"name": "t", "target": "schools", "coordinates": {}}).coordinates == {}
    with pytest.raises(ProfileError) as error:
        profile_from_dict({"name": "t", "target": "schools", "coordinates": {"x": "x"}})
    assert str(error.value) == "profile t: coordinates need the fields 'x' and 'y'"


def test_flags_written_as_1_and_0_still_work():
    profile = profile_from_dict(
        {
            "name": "t",
            "target": "schools",
            "columns": [{"field": "a", "source": "A", "required": 1, "optional_column": 0}],
        }
    )
    assert (profile.columns[0].required, profile.columns[0].optional_column) == (True, False)
