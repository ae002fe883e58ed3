"""The ``measurements`` import target: both profiles on real-shaped files, every bad input (file
line and column, nothing written), re-imports, dry runs, who may import, and the command."""

import datetime
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.schools.tests.factories import SchoolFactory, SiteFactory

from ..models import Connection, DailyAggregate, Measurement, Source

DATA = Path(__file__).resolve().parent / "data"
UTC = datetime.UTC


@pytest.fixture
def sites(world):
    return {
        "main": SiteFactory(school=world.school, authority=world.authority, name="Hauptgebäude", code="IN-1001-A"),
        "gym": SiteFactory(school=world.school, authority=world.authority, name="Turnhalle", code="IN-1001-B"),
    }


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


def write(tmp_path, text: str, name: str = "m.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows():
    return list(
        Measurement.objects.order_by("measured_at").values_list(
            "school__number",
            "site__name",
            "measured_at",
            "download_mbps",
            "upload_mbps",
            "latency_ms",
            "connection",
            "source",
        )
    )


def nothing_written(events_before: int) -> None:
    assert Measurement.objects.count() == 0
    assert DailyAggregate.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_generic_latin1_semicolon_file(world, sites, owner):
    result = run_import(
        target="measurements", source=DATA / "measurements-generic-latin1.csv", profile="generic", actor=owner
    )
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert result.encoding.lower() in {"cp1252", "windows-1252"}
    assert result.delimiter == ";"
    assert rows() == [
        (
            "1001",
            "Hauptgebäude",
            datetime.datetime(2026, 11, 3, 7, 10, tzinfo=UTC),
            48.5,
            9.8,
            21.0,
            "wired",
            "generic",
        ),
        (
            "1001",
            "Hauptgebäude",
            datetime.datetime(2026, 11, 3, 8, 15, tzinfo=UTC),
            52.0,
            10.2,
            19.0,
            "wired",
            "generic",
        ),
        ("1001", "Turnhalle", datetime.datetime(2026, 11, 3, 13, 30, tzinfo=UTC), 12.5, 2.0, 45.5, "wifi", "generic"),
        ("1001", None, datetime.datetime(2026, 11, 4, 7, 5, 30, tzinfo=UTC), 100.0, 20.0, 15.0, "unknown", "generic"),
    ]
    # The import aggregated the days it touched: one row per school, site and local day.
    aggregates = list(
        DailyAggregate.objects.order_by("day", "site__name").values_list(
            "site__name", "day", "tests", "download_median", "download_p95"
        )
    )
    assert aggregates == [
        ("Hauptgebäude", datetime.date(2026, 11, 3), 2, 50.25, 48.5 + 0.95 * (52.0 - 48.5)),
        ("Turnhalle", datetime.date(2026, 11, 3), 1, 12.5, 12.5),
        (None, datetime.date(2026, 11, 4), 1, 100.0, 100.0),
    ]
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.after["created"] == 4
    assert event.after["daily_summaries"] == 3


def test_reimport_changes_nothing(world, sites, owner):
    path = DATA / "measurements-generic-latin1.csv"
    run_import(target="measurements", source=path, profile="generic", actor=owner)
    before = (rows(), list(DailyAggregate.objects.values_list("id", flat=True)), AuditEvent.objects.count())
    again = run_import(target="measurements", source=path, profile="generic", actor=owner)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert (rows(), list(DailyAggregate.objects.values_list("id", flat=True)), AuditEvent.objects.count()) == before


def test_dry_run_writes_nothing_and_reports(world, sites, owner):
    events = AuditEvent.objects.count()
    result = run_import(
        target="measurements",
        source=DATA / "measurements-generic-latin1.csv",
        profile="generic",
        actor=owner,
        dry_run=True,
    )
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert result.committed is False
    nothing_written(events)


def test_giga_export_in_kbit_per_second(world, owner):
    result = run_import(target="measurements", source=DATA / "measurements-giga.csv", profile="giga", actor=owner)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [
        ("1001", None, datetime.datetime(2026, 11, 5, 7, 0, tzinfo=UTC), 54.3, 10.25, 23.0, "unknown", "giga"),
        ("1001", None, datetime.datetime(2026, 11, 5, 12, 30, tzinfo=UTC), 61.7, 11.8, 19.0, "unknown", "giga"),
        ("1001", None, datetime.datetime(2026, 11, 6, 7, 5, tzinfo=UTC), 0.95, 0.32, 210.0, "unknown", "giga"),
    ]
    assert list(DailyAggregate.objects.order_by("day").values_list("day", "tests", "download_median")) == [
        (datetime.date(2026, 11, 5), 2, (54.3 + 61.7) / 2),
        (datetime.date(2026, 11, 6), 1, 0.95),
    ]


def test_same_time_from_two_sources_are_two_rows(world, owner):
    generic = "measured_at;school;download_mbps\n2026-11-05T07:00:00Z;1001;54,3\n"
    giga = "Timestamp,school_id,Download\n2026-11-05T07:00:00Z,1001,54300\n"
    run_import(
        target="measurements", source=io.BytesIO(generic.encode()), filename="a.csv", profile="generic", actor=owner
    )
    run_import(target="measurements", source=io.BytesIO(giga.encode()), filename="b.csv", profile="giga", actor=owner)
    assert sorted(Measurement.objects.values_list("source", flat=True)) == [Source.GENERIC, Source.GIGA]
    assert DailyAggregate.objects.get().tests == 2


def test_xlsx_with_date_and_number_cells(world, sites, owner, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["measured_at", "school", "site", "download_mbps", "upload_mbps", "latency_ms", "connection"])
    sheet.append([datetime.datetime(2026, 11, 3, 10, 0), 1001, "IN-1001-B", 95.5, 20, 12.25, "Wi-Fi"])
    sheet.append(["2026-11-03T23:30:00Z", "1001", None, 80, None, None, None])
    path = tmp_path / "measurements.xlsx"
    workbook.save(path)
    result = run_import(target="measurements", source=path, profile="generic", actor=owner)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [
        ("1001", "Turnhalle", datetime.datetime(2026, 11, 3, 9, 0, tzinfo=UTC), 95.5, 20.0, 12.25, "wifi", "generic"),
        ("1001", None, datetime.datetime(2026, 11, 3, 23, 30, tzinfo=UTC), 80.0, None, None, "unknown", "generic"),
    ]
    # 23:30 UTC is 00:30 on the 4th in Brussels: the local day counts.
    assert list(DailyAggregate.objects.order_by("day").values_list("day", "upload_median", "latency_p95")) == [
        (datetime.date(2026, 11, 3), 20.0, 12.25),
        (datetime.date(2026, 11, 4), None, None),
    ]


HEADER = "measured_at;school;site;download_mbps;upload_mbps;latency_ms;connection\n"
GOOD = "2026-11-03 10:00;1001;;50;10;20;wired\n"


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        ("2026-11-03 11:00;2002;;50;10;20;\n", "school", "unknown school 2002 (or a school outside your scope)"),
        ("2026-11-03 11:00;9999;;50;10;20;\n", "school", "unknown school 9999 (or a school outside your scope)"),
        ("2036-11-03 11:00;1001;;50;10;20;\n", "measured_at", "2036-11-03 11:00 is in the future"),
        (
            "gestern;1001;;50;10;20;\n",
            "measured_at",
            "'gestern' is not a time (use 2024-05-03T10:15:00+02:00 or 2024-05-03 10:15)",
        ),
        ("2026-11-03 11:00;1001;;schnell;10;20;\n", "download_mbps", "'schnell' is not a number"),
        ("2026-11-03 11:00;1001;;50;zehn;20;\n", "upload_mbps", "'zehn' is not a number"),
        ("2026-11-03 11:00;1001;;50;10;n/a;\n", "latency_ms", "'n/a' is not a number"),
        ("2026-11-03 11:00;1001;;-5;10;20;\n", "download_mbps", "-5 is negative"),
        ("2026-11-03 11:00;1001;;50;10;-1;\n", "latency_ms", "-1 is negative"),
        (
            "2026-11-03 11:00;1001;;100000,5;10;20;\n",
            "download_mbps",
            "100000,5 is 100,000 Mbit/s: more than 100 Gbit/s is not a real measurement",
        ),
        (
            "2026-11-03 11:00;1001;;50;250000;20;\n",
            "upload_mbps",
            "250000 is 250,000 Mbit/s: more than 100 Gbit/s is not a real measurement",
        ),
        ("2026-11-03 11:00;1001;Keller;50;10;20;\n", "site", "the school has no site 'Keller'"),
        (
            "2026-11-03 11:00;1001;;50;10;20;satellite\n",
            "connection",
            "unknown connection 'satellite'; use wired or wifi",
        ),
        (
            "2026-11-03 10:00;1001;;51;10;20;wired\n",
            "measured_at",
            "line 2 has a measurement of the same school at the same time with other figures",
        ),
    ],
)
def test_bad_input_is_refused_with_line_and_column(world, sites, owner, tmp_path, bad_row, column, message):
    path = write(tmp_path, HEADER + GOOD + bad_row)
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRejected) as raised:
        run_import(target="measurements", source=path, profile="generic", actor=owner)
    errors = [(e.line, e.column, e.message) for e in raised.value.result.errors]
    assert errors == [(3, column, message)]
    nothing_written(events)


def test_missing_download_is_refused(world, owner, tmp_path):
    path = write(tmp_path, HEADER + GOOD + "2026-11-03 11:00;1001;;;10;20;\n")
    with pytest.raises(ImportRejected) as raised:
        run_import(target="measurements", source=path, profile="generic", actor=owner)
    assert [(e.line, e.column) for e in raised.value.result.errors] == [(3, "download_mbps")]
    assert Measurement.objects.count() == 0


def test_every_error_of_a_file_is_reported(world, owner, tmp_path):
    path = write(
        tmp_path,
        HEADER + "2026-11-03 11:00;2002;;50;10;20;\n" + GOOD + "2036-01-01 00:00;1001;;x;10;20;\n",
    )
    with pytest.raises(ImportRejected) as raised:
        run_import(target="measurements", source=path, profile="generic", actor=owner)
    assert [(e.line, e.column) for e in raised.value.result.errors] == [
        (2, "school"),
        (4, "download_mbps"),
        (4, "measured_at"),
    ]
    assert raised.value.result.created == 1
    assert Measurement.objects.count() == 0


def test_a_stored_row_with_other_figures_is_refused(world, owner, tmp_path):
    run_import(target="measurements", source=write(tmp_path, HEADER + GOOD), profile="generic", actor=owner)
    changed = write(tmp_path, HEADER + GOOD.replace(";50;", ";55;") + "2026-11-03 12:00;1001;;40;10;20;\n", "n.csv")
    with pytest.raises(ImportRejected) as raised:
        run_import(target="measurements", source=changed, profile="generic", actor=owner)
    assert [(e.line, e.column) for e in raised.value.result.errors] == [(2, "measured_at")]
    assert list(Measurement.objects.values_list("download_mbps", flat=True)) == [50.0]
    # With --skip-invalid the new row goes in, the stored one stays as it was.
    result = run_import(target="measurements", source=changed, profile="generic", actor=owner, skip_invalid=True)
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert sorted(Measurement.objects.values_list("download_mbps", flat=True)) == [40.0, 50.0]


def test_an_identical_repeated_row_counts_once(world, owner, tmp_path):
    result = run_import(
        target="measurements", source=write(tmp_path, HEADER + GOOD + GOOD), profile="generic", actor=owner
    )
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}
    assert Measurement.objects.count() == 1


def test_same_number_in_two_authorities_needs_the_authority(world, tmp_path):
    SchoolFactory(operator=world.other_operator, number="1001", name="OUTSIDE twin")
    path = write(tmp_path, HEADER + GOOD)
    with pytest.raises(ImportRejected) as raised:
        run_import(target="measurements", source=path, profile="generic", actor=SystemActor())
    assert raised.value.result.errors[0].message == (
        "school number 1001 exists in several authorities (IN, OUT); add an authority column"
    )
    result = run_import(
        target="measurements", source=path, profile="generic", actor=SystemActor(), overrides={"authority": "IN"}
    )
    assert result.created == 1
    assert Measurement.objects.get().school == world.school


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
def test_roles_that_may_not_import(world, role_users, tmp_path, role):
    with pytest.raises(PermissionDenied):
        run_import(
            target="measurements", source=write(tmp_path, HEADER + GOOD), profile="generic", actor=role_users[role]
        )
    assert Measurement.objects.count() == 0


def test_administrator_imports_any_school(world, role_users, tmp_path):
    path = write(tmp_path, HEADER + GOOD + "2026-11-03 11:00;2002;;50;10;20;\n")
    result = run_import(target="measurements", source=path, profile="generic", actor=role_users[Role.ADMINISTRATOR])
    assert result.created == 2


def test_command_prints_the_json_summary(world, sites, capsys, tmp_path):
    path = tmp_path / "m.csv"
    shutil.copy(DATA / "measurements-generic-latin1.csv", path)
    call_command("import_measurements", str(path), "--profile", "generic", "--dry-run")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert Measurement.objects.count() == 0
    call_command("import_measurements", str(path), "--profile", "generic")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["created"] == 4
    call_command("import_measurements", str(path), "--profile", "generic")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "rejected": 0,
    }
    assert Measurement.objects.filter(connection=Connection.WIFI).count() == 1


def test_command_refuses_bad_rows_with_file_and_line(world, capsys, tmp_path):
    path = write(tmp_path, HEADER + GOOD + "2026-11-03 11:00;1001;;schnell;10;20;\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import_measurements", str(path), "--profile", "generic")
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert f"{path}, line 3, column 'download_mbps': 'schnell' is not a number" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert Measurement.objects.count() == 0


def test_the_engines_upload_preview_and_confirm(world, sites, owner, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from digileap.core.imports import import_job_confirm, import_job_create

    content = (DATA / "measurements-generic-latin1.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=owner,
            target="measurements",
            profile="generic",
            uploaded_file=SimpleUploadedFile("tests.csv", content, content_type="text/csv"),
        )
    job.refresh_from_db()
    assert job.summary == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Measurement.objects.count() == 0  # the preview wrote nothing
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=owner)
    job.refresh_from_db()
    assert job.status == "done"
    assert Measurement.objects.count() == 4
    assert DailyAggregate.objects.count() == 3
