"""xAPI statements as completions (target ``completions_xapi``, profile ``xapi``, ``import_xapi``)."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from digileap.accounts.models import Role
from digileap.core.tabular.engine import ImportRejected
from digileap.core.tabular.errors import ImportFileError
from digileap.programmes.tests.factories import ProgrammeFactory

from ..importers.xapi import import_xapi
from ..models import Completion, Source, StaffIdentifier, StaffMember
from .factories import CourseFactory, CourseMappingFactory, ProviderFactory

DATA = Path(__file__).resolve().parent / "data"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


@pytest.fixture
def courses(world):
    programme = ProgrammeFactory(authority=world.authority)
    provider = ProviderFactory(authority=world.authority)
    digi = CourseFactory(programme=programme, provider=provider, code="DIGI-101")
    safe = CourseFactory(programme=programme, provider=provider, code="SAFE-202")
    CourseMappingFactory(course=digi, system="xapi", identifier="https://lms.example.org/xapi/activities/digi-101")
    CourseMappingFactory(course=safe, system="xapi", identifier="https://lms.example.org/xapi/activities/safe-202")
    return {"digi": digi, "safe": safe}


def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


def statements(*items) -> io.BytesIO:
    return io.BytesIO(json.dumps(list(items)).encode())


def statement(**fields) -> dict:
    base = {
        "actor": {"mbox": "mailto:someone@school.example"},
        "verb": {"id": COMPLETED},
        "object": {"id": "https://lms.example.org/xapi/activities/digi-101"},
        "timestamp": "2024-03-14T10:00:00Z",
        "context": {"extensions": {"https://digileap.eu/xapi/school": "1001"}},
    }
    base.update(fields)
    return base


def test_a_statements_page(world, courses, role_users):
    world.staff.email = "anneliese.mueller@school.example"
    world.staff.save()
    with open(DATA / "xapi-statements.json", "rb") as stream:
        summary = import_xapi(actor=owner(role_users), file=stream, filename="xapi-statements.json")
    # completed and passed count; "experienced" is left out and counted.
    assert summary == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1}
    own = Completion.objects.get(staff=world.staff)
    # 23:30 UTC is the next day in Brussels.
    assert (own.course, own.completed_on, own.score, own.assessment_passed) == (
        courses["digi"],
        datetime.date(2024, 3, 15),
        Decimal("85.00"),
        True,
    )
    assert (own.source, own.source_detail) == (Source.PLATFORM, "xapi-statements.json")
    assert list(world.staff.identifiers.values_list("system", "identifier")) == [
        ("xapi", "mailto:anneliese.mueller@school.example")
    ]
    pieter = StaffIdentifier.objects.get(system="xapi", identifier="https://lms.example.org|pclaes").staff
    assert (pieter.reference, pieter.authority) == ("xapi-https://lms.example.org|pclaes", world.authority)
    assert pieter.completions.get().course == courses["safe"]
    # Again: nothing new.
    with open(DATA / "xapi-statements.json", "rb") as stream:
        again = import_xapi(actor=owner(role_users), file=stream, filename="xapi-statements.json")
    assert again == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "filtered": 1}


def test_invalid_json_names_line_and_column(world, courses, role_users):
    with open(DATA / "xapi-invalid.json", "rb") as stream, pytest.raises(ImportFileError) as refused:
        import_xapi(actor=owner(role_users), file=stream, filename="xapi-invalid.json")
    assert refused.value.line == 4
    assert refused.value.describe() == ("xapi-invalid.json, line 4: not valid JSON: Expecting ',' delimiter (column 4)")
    assert not Completion.objects.exists()


def test_a_statement_without_actor_refuses_the_file(world, courses, role_users):
    with open(DATA / "xapi-no-actor.json", "rb") as stream, pytest.raises(ImportFileError) as refused:
        import_xapi(actor=owner(role_users), file=stream, filename="xapi-no-actor.json")
    assert refused.value.message == "statement 2 (index 1) has no actor"
    assert not Completion.objects.exists() and not StaffMember.objects.filter(reference__startswith="xapi").exists()


def test_an_unknown_activity_and_a_future_timestamp(world, courses, role_users):
    file = statements(
        statement(),
        statement(object={"id": "https://lms.example.org/xapi/activities/unknown"}),
        statement(actor={"mbox": "mailto:other@school.example"}, timestamp="2999-01-01T00:00:00Z"),
    )
    with pytest.raises(ImportRejected) as refused:
        import_xapi(actor=owner(role_users), file=file, filename="lrs.json")
    assert [(e.line, e.column, e.message) for e in refused.value.result.errors] == [
        (
            2,
            "object.id",
            "unknown course 'https://lms.example.org/xapi/activities/unknown': no course has this code or identifier (xapi)",
        ),
        (3, "timestamp", "2999-01-01 is in the future"),
    ]
    assert not Completion.objects.exists()


def test_one_statement_by_sha1_and_the_persons_only_school(world, courses, role_users):
    StaffIdentifier.objects.create(
        staff=world.staff, authority=world.authority, system="xapi", identifier="sha1:abc123"
    )
    file = io.BytesIO(
        json.dumps(statement(actor={"mbox_sha1sum": "ABC123"}, context={}, result={"success": False})).encode()
    )
    assert import_xapi(actor=owner(role_users), file=file, filename="one.json")["created"] == 1
    completion = Completion.objects.get()
    assert (completion.staff, completion.school, completion.assessment_passed) == (world.staff, world.school, False)


def test_a_dry_run_writes_nothing(world, courses, role_users):
    summary = import_xapi(actor=owner(role_users), file=statements(statement()), filename="a.json", dry_run=True)
    assert summary["created"] == 1
    assert not Completion.objects.exists()


def test_the_command_routes_the_xapi_profile(world, courses, tmp_path):
    path = tmp_path / "lrs.json"
    path.write_text(json.dumps({"statements": [statement()], "more": ""}))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_completions", str(path), "--profile", "xapi", stdout=out, stderr=err)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    bad = tmp_path / "bad.json"
    bad.write_text('{"statements": [}')
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_completions", str(bad), "--profile", "xapi", stdout=out, stderr=err)
    assert "line 1: not valid JSON" in err.getvalue()
