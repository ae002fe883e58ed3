"""docs/import-fields.md is generated from the importers' field declarations and stays in step."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digileap.core.management.commands import import_fields_doc
from digileap.core.tabular.engine import import_targets
from digileap.core.tabular.fields import CHECKED, STORED
from digileap.core.tabular.profiles import COLUMN_TYPES


def test_the_committed_page_matches_the_code():
    out = io.StringIO()
    call_command("import_fields_doc", "--check", stdout=out)
    assert out.getvalue().strip() == "up to date"


def test_check_fails_when_the_page_differs(tmp_path, monkeypatch):
    stale = tmp_path / "import-fields.md"
    stale.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(import_fields_doc, "DOC_PATH", stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("import_fields_doc", "--check", stdout=io.StringIO())
    call_command("import_fields_doc", stdout=io.StringIO())
    assert stale.read_text(encoding="utf-8") == import_fields_doc.render()


@pytest.mark.parametrize("target", sorted(import_targets()))
def test_every_target_declares_its_fields(target):
    fields = import_targets()[target].fields
    assert fields, f"{target} declares no fields"
    names = [spec.name for spec in fields]
    assert len(names) == len(set(names)), f"{target} declares a field twice"
    for spec in fields:
        assert spec.type in COLUMN_TYPES | {"date", "datetime"}, (target, spec.name, spec.type)
        assert spec.kept in (STORED, CHECKED), (target, spec.name)
        assert str(spec.label), (target, spec.name)
