"""The pure parts of reconciliation: serials, manufacturers, matching and check-in times."""

import datetime

import pytest

from digileap.devices.exchange import FundedDevice, manufacturer_key, match_device, normalise_serial, parse_check_in


@pytest.mark.parametrize(
    "name, key",
    [
        ("LENOVO", "lenovo"),
        ("Lenovo", "lenovo"),
        ("Dell Inc.", "dell"),
        ("Microsoft Corporation", "microsoft"),
        ("Hewlett-Packard", "hp"),
        ("HP", "hp"),
        ("ASUSTeK COMPUTER INC.", "asustek"),
        ("Acer", "acer"),
        ("", ""),
    ],
)
def test_manufacturer_keys(name, key):
    assert manufacturer_key(name) == key


def test_serials_are_compared_upper_case_without_spaces():
    assert normalise_serial("  pf3abc12 ") == "PF3ABC12"
    assert normalise_serial(None) == ""


LENOVO = FundedDevice(1, "SN1", "Lenovo")
DELL = FundedDevice(2, "SN1", "Dell")


def test_a_row_with_a_manufacturer_matches_only_that_manufacturer():
    assert match_device("SN1", "LENOVO", [LENOVO, DELL]) == 1
    assert match_device("SN1", "Dell Inc.", [LENOVO, DELL]) == 2
    assert match_device("SN1", "HP", [LENOVO, DELL]) is None
    assert match_device("SN1", "LENOVO", []) is None


def test_a_row_without_a_manufacturer_matches_an_unambiguous_serial():
    assert match_device("SN1", "", [LENOVO]) == 1
    assert match_device("SN1", " ", [LENOVO, DELL]) is None


UTC = datetime.UTC


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-09-30 14:05:00.0000000", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("2024-09-30T14:05:00.123Z", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("2024-09-30T16:05:00+02:00", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("9/30/2024 2:05:00 PM", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("30.09.2024 14:05", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("2024-09-30 14:05:00 UTC", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("2024-09-30", datetime.datetime(2024, 9, 30, tzinfo=UTC)),
        ("", None),
    ],
)
def test_check_in_times(text, expected):
    parsed = parse_check_in(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() is not None


def test_an_unreadable_time_names_the_formats():
    with pytest.raises(ValueError) as error:
        parse_check_in("last week")
    assert str(error.value) == (
        "'last week' is not a date and time such as 2024-09-30 14:05:00, 2024-09-30T14:05:00Z or 9/30/2024 2:05:00 PM"
    )
