"""``manage.py import_deliveries``: the one-line JSON summary, exit codes, and its options."""

import json

import pytest
from django.core.management import CommandError, call_command

from digileap.core.models import AuditEvent
from digileap.devices.models import Delivery, Device

from .factories_deliveries import HEADER, csv_bytes, delivery_setup, device_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    return delivery_setup(world)


def command(path, *args) -> tuple[int, list[str], str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_deliveries", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue().splitlines(), err.getvalue()


def test_the_last_line_is_the_json_summary(tmp_path, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(csv_bytes([device_row("AB1"), device_row("AB2")]))
    code, lines, _err = command(path)
    assert code == 0
    assert lines[-1] == '{"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}'
    assert json.loads(lines[-1]) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    code, lines, _err = command(path)
    assert lines[-1] == '{"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}'
    actors = set(AuditEvent.objects.filter(object_type="devices.delivery").values_list("actor_label", flat=True))
    assert actors == {"system (manage.py import_deliveries)"}


def test_dry_run_writes_nothing(tmp_path, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(csv_bytes([device_row("AB1")]))
    code, lines, _err = command(path, "--dry-run")
    assert (code, lines[-1]) == (0, '{"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}')
    assert Device.objects.count() == 0 and Delivery.objects.count() == 0


def test_rejected_rows_go_to_stderr_and_nothing_is_written(tmp_path, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(csv_bytes([device_row("AB1"), device_row("AB1")]))
    code, lines, err = command(path)
    assert code == 1
    assert lines[-1] == '{"created": 0, "updated": 0, "unchanged": 0, "rejected": 2}'
    assert f"{path}, line 2, column 'serial': serial AB1 (Dell) appears again on line(s) 3" in err
    assert f"{path}, line 3, column 'serial': serial AB1 (Dell) appears again on line(s) 2" in err
    assert "nothing was imported: 2 row(s) rejected." in err
    assert Device.objects.count() == 0


def test_programme_and_supplier_options(tmp_path, world, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(csv_bytes([device_row("AB1", order="")]))
    code, lines, _err = command(path, "--programme", "digi-in", "--supplier", "INSIDE supplier")
    assert (code, lines[-1]) == (0, '{"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}')
    assert Delivery.objects.get().supplier == world.supplier
    with pytest.raises(CommandError, match="--programme 'nope': no such programme"):
        command(path, "--programme", "nope")
    with pytest.raises(CommandError, match="--supplier 'nobody': no such supplier"):
        command(path, "--supplier", "nobody")


def test_a_file_error_exits_with_1(tmp_path, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(";".join(HEADER).encode("utf-16-le"))
    code, lines, err = command(path)
    assert code == 1
    assert lines[-1] == '{"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}'
    assert "the file looks like UTF-16LE text without a byte-order mark" in err


def test_as_a_user_and_unknown_users_profiles_and_files(tmp_path, role_users, setup):
    path = tmp_path / "delivery.csv"
    path.write_bytes(csv_bytes([device_row("AB1")]))
    code, lines, _err = command(path, "--as", "school_coordinator-user")
    assert (code, lines[-1]) == (0, '{"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}')
    with pytest.raises(CommandError, match="--as nobody: no such user"):
        command(path, "--as", "nobody")
    with pytest.raises(CommandError, match="unknown profile 'nope' for deliveries"):
        command(path, "--profile", "nope")
    with pytest.raises(CommandError, match="no such file"):
        command(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="Your role may not import deliveries."):
        command(path, "--as", "auditor-user")
