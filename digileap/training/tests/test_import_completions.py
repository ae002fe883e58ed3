"""The completion importer (target ``completions``, profiles ``moodle`` and ``generic``) and the
``import_completions`` command: exact counts, one person across files, every refusal with its
line and column and nothing written, re-import and dry run changing nothing."""

import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, import_targets, may_import, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Completion, Membership, Source, StaffIdentifier, StaffMember
from .factories import CompletionFactory, CourseFactory, CourseMappingFactory, ProviderFactory, staff_at

DATA = Path(__file__).resolve().parent / "data"
MOODLE_CSV = DATA / "completion-digi_101.csv"
MOODLE_XLSX = DATA / "completion-safe_202.xlsx"
GENERIC = DATA / "completions-generic.csv"


@pytest.fixture
def courses(world):
    programme = ProgrammeFactory(authority=world.authority)
    provider = ProviderFactory(authority=world.authority)
    digi = CourseFactory(programme=programme, provider=provider, code="DIGI-101")
    safe = CourseFactory(programme=programme, provider=provider, code="SAFE-202")
    CourseMappingFactory(course=digi, system="moodle", identifier="DIGI_101")
    CourseMappingFactory(course=safe, system="moodle", identifier="SAFE 202")
    outside_programme = ProgrammeFactory(authority=world.other_authority)
    outside = CourseFactory(
        programme=outside_programme,
        provider=ProviderFactory(authority=world.other_authority),
        code="OUT-1",
    )
    return {"digi": digi, "safe": safe, "outside": outside}


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts() -> tuple[int, int, int, int]:
    return (
        StaffMember.objects.count(),
        Membership.objects.count(),
        StaffIdentifier.objects.count(),
        Completion.objects.count(),
    )


def run(path, profile: str, actor, **options):
    return run_import(target="completions", source=str(path), profile=profile, actor=actor, **options)


def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


# -- Moodle ---------------------------------------------------------------------------------------


def test_the_moodle_export_creates_new_people_and_their_completions(world, courses, role_users):
    before = counts()
    result = run(MOODLE_CSV, "moodle", owner(role_users))
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1}
    assert (result.encoding, result.delimiter) == ("windows-1252", ";") or result.delimiter == ";"
    # Anneliese is world.staff (by her ID number); Jérôme and Björn are new.
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 3, before[3] + 3)
    anneliese = Completion.objects.get(staff=world.staff)
    assert (anneliese.course, anneliese.school, anneliese.completed_on) == (
        courses["digi"],
        world.school,
        datetime.date(2024, 3, 14),
    )
    assert (anneliese.source, anneliese.source_detail) == (Source.PLATFORM, "completion-digi_101.csv")
    jerome = StaffMember.objects.get(reference="T-0002")
    assert (jerome.authority, jerome.email) == (world.authority, "jerome.dupont@school.example")
    assert list(jerome.memberships.values_list("school", flat=True)) == [world.school.pk]
    assert list(jerome.identifiers.values_list("system", "identifier")) == [("moodle", "18")]
    assert list(world.staff.identifiers.values_list("system", "identifier")) == [("moodle", "17")]
    assert Completion.objects.get(staff=jerome).completed_on == datetime.date(2024, 3, 15)
    # One audit event for the import.
    event = AuditEvent.objects.filter(object_type="training.import").get()
    assert event.after["completions"] == 3 and event.after["people_created"] == 2


def test_the_same_person_in_two_files_is_one_person(world, courses, role_users):
    run(MOODLE_CSV, "moodle", owner(role_users))
    people = StaffMember.objects.count()
    result = run(MOODLE_XLSX, "moodle", owner(role_users))
    # Jérôme by his Moodle id, Björn by his e-mail in capitals (another Moodle id), Chloé is new,
    # Kees did not complete.
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1}
    assert StaffMember.objects.count() == people + 1
    jerome = StaffMember.objects.get(reference="T-0002")
    assert sorted(jerome.completions.values_list("course__code", flat=True)) == ["DIGI-101", "SAFE-202"]
    bjorn = StaffMember.objects.get(reference="T-0004")
    assert sorted(bjorn.identifiers.values_list("identifier", flat=True)) == ["20", "31"]
    assert bjorn.completions.get(course=courses["safe"]).school == world.school
    assert StaffMember.objects.get(reference="T-0022").completions.get().completed_on == datetime.date(2024, 4, 4)


def test_a_reimport_changes_nothing(world, courses, role_users):
    run(MOODLE_CSV, "moodle", owner(role_users))
    before, events = counts(), AuditEvent.objects.count()
    stored = list(Completion.objects.values_list("pk", "certificate_number", "completed_on"))
    result = run(MOODLE_CSV, "moodle", owner(role_users))
    assert result.summary() == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0, "filtered": 1}
    assert counts() == before
    assert AuditEvent.objects.count() == events
    assert list(Completion.objects.values_list("pk", "certificate_number", "completed_on")) == stored


def test_a_dry_run_writes_nothing(world, courses, role_users):
    before, events = counts(), AuditEvent.objects.count()
    result = run(MOODLE_CSV, "moodle", owner(role_users), dry_run=True)
    assert (result.created, result.committed) == (3, False)
    assert counts() == before
    assert AuditEvent.objects.count() == events


def test_the_file_name_must_name_a_mapped_course(world, courses, role_users, tmp_path):
    path = tmp_path / "completion-unknown_course.csv"
    shutil.copy(MOODLE_CSV, path)
    before = counts()
    with pytest.raises(ImportRejected) as refused:
        run(path, "moodle", owner(role_users))
    errors = refused.value.result.errors
    assert [(e.line, e.column) for e in errors] == [(2, "Course"), (3, "Course"), (5, "Course")]
    assert errors[0].message == "unknown course 'unknown_course': no course has this code or identifier (moodle)"
    assert counts() == before


def test_an_xlsx_export_reads_like_the_csv(world, courses, role_users, tmp_path):
    path = tmp_path / "completion-digi_101.xlsx"
    shutil.copy(MOODLE_XLSX, path)
    result = run(path, "moodle", owner(role_users), dry_run=True)
    assert result.file_format == "xlsx"
    # Jérôme (Moodle id 18) and Björn (31) are unknown without the first file and have no school.
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (2, "Institution", "unknown person and no school: give the school to add them"),
        (3, "Institution", "unknown person and no school: give the school to add them"),
    ]
    assert result.created == 1


# -- generic --------------------------------------------------------------------------------------


def test_the_generic_file(world, courses, role_users):
    before = counts()
    result = run(GENERIC, "generic", owner(role_users))
    # The last row repeats line 4 exactly: unchanged.
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}
    assert counts()[0] == before[0] + 2
    assert counts()[2] == before[2]  # no platform identifiers in this file
    own = Completion.objects.get(staff=world.staff)
    assert (own.score, own.assessment_passed, own.source) == (87.5, True, Source.IMPORT)
    g1 = StaffMember.objects.get(reference="G-0001")
    assert (g1.email, g1.gender, g1.age_band) == ("g1@school.example", "female", "30-54")
    g2 = StaffMember.objects.get(reference="G-0002")
    assert g2.completions.get().completed_on == datetime.date(2024, 3, 21)
    assert g2.completions.get().assessment_passed is False


def generic(tmp_path, *lines: str, header="staff_reference,email,school,course,completed_on") -> Path:
    return write(tmp_path, "completions.csv", "\n".join([header, *lines]) + "\n")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "X-1,,1001,NOPE-1,2024-03-01",
            (2, "course", "unknown course 'NOPE-1': no course has this code or identifier (import)"),
        ),
        (
            "X-1,,1001,OUT-1,2024-03-01",
            (2, "course", "unknown course 'OUT-1': no course has this code or identifier (import)"),
        ),
        (
            "X-1,,9999,DIGI-101,2024-03-01",
            (2, "school", "unknown school '9999' (or not one you may import completions for)"),
        ),
        (
            "X-1,,2002,DIGI-101,2024-03-01",
            (2, "school", "unknown school '2002' (or not one you may import completions for)"),
        ),
        ("X-1,,1001,DIGI-101,2099-01-01", (2, "completed_on", "2099-01-01 is in the future")),
        ("X-1,,1001,DIGI-101,31.02.2024", (2, "completed_on", "'31.02.2024' is not a date")),
        ("X-1,,1001,DIGI-101,soon", (2, "completed_on", "'soon' is not a date")),
        ("X-1,not-an-address,1001,DIGI-101,2024-03-01", (2, "email", "'not-an-address' is not an e-mail address")),
        ("X-1,,,DIGI-101,2024-03-01", (2, "school", "unknown person and no school: give the school to add them")),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_column(world, courses, role_users, tmp_path, line, expected):
    path = generic(tmp_path, "INSIDE-teacher,,1001,DIGI-101,2024-03-01", line)
    before = counts()
    with pytest.raises(ImportRejected) as refused:
        run(path, "generic", owner(role_users))
    error = refused.value.result.errors[0]
    assert (error.line, error.column, error.message) == (3, *expected[1:])
    assert refused.value.result.rejected == 1
    assert counts() == before


def test_a_person_matching_two_records_is_refused(world, courses, role_users, tmp_path):
    staff_at(world.school, reference="B-2", email="b2@school.example")
    path = generic(tmp_path, "INSIDE-teacher,B2@school.example,1001,DIGI-101,2024-03-01")
    with pytest.raises(ImportRejected) as refused:
        run(path, "generic", owner(role_users))
    error = refused.value.result.errors[0]
    assert (error.line, error.column) == (2, "email")
    assert error.message == "this person matches two different staff records: INSIDE-teacher and B-2"
    assert not Completion.objects.exists()


def test_a_repeated_row_with_another_date_is_refused(world, courses, role_users, tmp_path):
    path = generic(
        tmp_path,
        "INSIDE-teacher,,1001,DIGI-101,2024-03-01",
        "INSIDE-teacher,,1001,DIGI-101,2024-03-02",
    )
    with pytest.raises(ImportRejected) as refused:
        run(path, "generic", owner(role_users))
    error = refused.value.result.errors[0]
    assert (error.line, error.column, error.message) == (
        3,
        "completed_on",
        "line 2 has the same person and course with another date (2024-03-01)",
    )
    assert not Completion.objects.exists()


def test_a_stored_completion_with_another_date_is_refused_and_with_the_same_unchanged(
    world, courses, role_users, tmp_path
):
    CompletionFactory(
        course=courses["digi"], staff=world.staff, school=world.school, completed_on=datetime.date(2024, 3, 1)
    )
    same = generic(tmp_path, "INSIDE-teacher,,1001,DIGI-101,01.03.2024")
    assert run(same, "generic", owner(role_users)).summary()["unchanged"] == 1
    other = generic(tmp_path, "INSIDE-teacher,,1001,DIGI-101,2024-03-05")
    with pytest.raises(ImportRejected) as refused:
        run(other, "generic", owner(role_users))
    error = refused.value.result.errors[0]
    assert (error.line, error.column, error.message) == (
        2,
        "completed_on",
        "this person completed this course on 2024-03-01 already (a stored completion)",
    )
    assert Completion.objects.count() == 1


def test_a_school_coordinator_imports_for_their_school_only(world, courses, role_users, tmp_path):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    assert may_import(coordinator, "completions")
    assert not may_import(role_users[Role.TEACHER], "completions")
    assert not may_import(role_users[Role.AUDITOR], "completions")
    second = SchoolFactory(operator=world.operator, number="1002")
    path = generic(tmp_path, "INSIDE-teacher,,1001,DIGI-101,2024-03-01", "Y-1,,1002,DIGI-101,2024-03-01")
    with pytest.raises(ImportRejected) as refused:
        run(path, "generic", coordinator)
    assert [(e.line, e.column) for e in refused.value.result.errors] == [(3, "school")]
    assert second.pk and not Completion.objects.exists()


def test_a_person_at_several_schools_needs_the_school(world, courses, role_users, tmp_path):
    second = SchoolFactory(operator=world.operator, number="1002")
    Membership.objects.create(staff=world.staff, school=second)
    path = generic(tmp_path, "INSIDE-teacher,,,DIGI-101,2024-03-01")
    with pytest.raises(ImportRejected) as refused:
        run(path, "generic", owner(role_users))
    assert refused.value.result.errors[0].message == "the person works at 2 of your schools: give the school"


def test_a_known_person_at_a_new_school_gets_the_membership(world, courses, role_users, tmp_path):
    second = SchoolFactory(operator=world.operator, number="1002")
    path = generic(tmp_path, "INSIDE-teacher,,1002,DIGI-101,2024-03-01")
    assert run(path, "generic", owner(role_users)).created == 1
    assert sorted(world.staff.memberships.values_list("school__number", flat=True)) == ["1001", "1002"]
    assert Completion.objects.get().school == second


def test_the_targets_are_offered(world, role_users):
    assert str(import_targets()["completions"].label) == "Course completions (Moodle, other learning platforms)"
    assert str(import_targets()["completions_xapi"].label) == "Course completions from xAPI statements (JSON)"


# -- the command ----------------------------------------------------------------------------------


def test_the_command_ends_with_the_json_summary(world, courses):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_completions", str(MOODLE_CSV), "--profile", "moodle", stdout=out, stderr=err)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "filtered": 1,
    }
    out = io.StringIO()
    call_command("import_completions", str(MOODLE_CSV), "--profile", "moodle", stdout=out, stderr=err)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 0


def test_the_command_dry_run_and_refusal(world, courses, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_completions", str(GENERIC), "--profile", "generic", "--dry-run", stdout=out, stderr=err)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 4
    assert not Completion.objects.exists()
    path = generic(tmp_path, "X-1,,1001,DIGI-101,2099-01-01")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_completions", str(path), "--profile", "generic", stdout=out, stderr=err)
    assert f"{path}, line 2, column 'completed_on': 2099-01-01 is in the future" in err.getvalue()
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }


def test_a_file_without_its_columns_is_a_file_error(world, courses, role_users, tmp_path):
    path = write(tmp_path, "completion-digi_101.csv", "ID;Name\n17;Someone\n")
    with pytest.raises(ImportFileError) as refused:
        run(path, "moodle", owner(role_users))
    assert "Course complete" in str(refused.value)


def test_today_is_not_the_future(world, courses, role_users, tmp_path):
    path = generic(tmp_path, f"INSIDE-teacher,,1001,DIGI-101,{timezone.localdate().isoformat()}")
    assert run(path, "generic", owner(role_users)).created == 1


def test_an_upload_through_the_import_pages_records_its_job(world, courses, role_users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from digileap.core.imports import import_job_commit, import_job_create, import_job_preview
    from digileap.core.models import ImportJob

    settings.MEDIA_ROOT = str(tmp_path)
    user = owner(role_users)
    upload = SimpleUploadedFile("completion-digi_101.csv", MOODLE_CSV.read_bytes())
    job = import_job_create(actor=user, target="completions", profile="moodle", uploaded_file=upload)
    import_job_preview(job=job)
    job.refresh_from_db()
    assert (job.status, job.summary) == (
        ImportJob.Status.PREVIEWED,
        {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "filtered": 1},
    )
    assert not Completion.objects.exists()
    job.status = ImportJob.Status.PREVIEWED
    import_job_commit(job=job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert set(Completion.objects.values_list("import_job_id", "source_detail")) == {
        (job.pk, "completion-digi_101.csv")
    }


def test_the_upload_page_offers_the_targets(client, world, role_users):
    from django.urls import reverse

    client.force_login(owner(role_users))
    response = client.get(reverse("importjob-create") + "?target=completions")
    assert response.status_code == 200
    offered = dict(response.context["form"].fields["target"].choices)
    assert {"completions", "completions_xapi"} <= set(offered)
    profiles = [value for value, _label in response.context["form"].fields["profile"].choices]
    assert profiles == ["generic", "moodle"]
