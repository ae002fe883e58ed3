"""Every rule of ``rules.check``, with exact figures and messages (no database)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ..rules import (
    RULE_AMOUNT,
    RULE_CALL_OPEN,
    RULE_CAP_ABSOLUTE,
    RULE_CAP_PER_PUPIL,
    RULE_CAP_PER_SCHOOL,
    RULE_CAP_SHARE_OF_APPLICATION,
    RULE_CAP_SHARE_OF_ENTITLEMENT,
    RULE_CATEGORY,
    RULE_COFINANCING,
    RULE_DOCUMENT_EXPIRED,
    RULE_DOCUMENT_MISSING,
    RULE_ENTITLEMENT,
    RULE_SCHOOL,
    Category,
    Draft,
    Figures,
    Line,
    Problem,
    Requirement,
    School,
    Terms,
    Upload,
    add_months,
    check,
    line_figures,
    valid_until,
)

UTC = datetime.UTC
OPENS = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime.datetime(2026, 6, 30, 23, 59, tzinfo=UTC)
DURING = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

WIFI = Category(code="wifi", name="Network and Wi-Fi", funding_rate=Decimal("90"))
DEVICES = Category(
    code="devices",
    name="Pupil devices",
    funding_rate=Decimal("90"),
    cap_per_school=Decimal("25000"),
    cap_share_of_entitlement=Decimal("20"),
)
SCHOOLS = {1: School(name="Grundschule Am See", pupils=200), 2: School(name="Gymnasium Nord", pupils=600)}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def terms(**changes) -> Terms:
    values = {
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "cofinancing_rate": Decimal("10"),
        "categories": {"wifi": WIFI, "devices": DEVICES},
        "requirements": (),
        "uses_entitlements": True,
    }
    values.update(changes)
    return Terms(**values)


def line(position, category="wifi", school=1, quantity="1", unit_price="1000.00", description="item") -> Line:
    return Line(position, category, school, description, quantity, unit_price)


def draft(*lines, **changes) -> Draft:
    values = {"schools": SCHOOLS, "lines": lines, "entitlement": Decimal("1000000"), "applied_elsewhere": Decimal(0)}
    values.update(changes)
    return Draft(**values)


def rules_of(result) -> list[tuple[str, int | None]]:
    return [(problem.rule, problem.line) for problem in result.problems]


# Figures.


def test_a_valid_line_has_its_figures_to_the_cent():
    result = check(terms(), draft(line(1, quantity="3", unit_price="333.33")), at=DURING)
    assert result.problems == []
    assert result.figures == {
        1: Figures(amount=Decimal("999.99"), funding=Decimal("899.99"), cofinancing=Decimal("100.00"))
    }
    assert (result.total_amount, result.total_funding, result.total_cofinancing) == (
        Decimal("999.99"),
        Decimal("899.99"),
        Decimal("100.00"),
    )
    assert result.is_valid


def test_the_amount_rounds_half_up_and_the_funding_rounds_down():
    assert line_figures(Decimal("0.5"), Decimal("0.01"), Decimal("90")) == Figures(
        Decimal("0.01"), Decimal("0.00"), Decimal("0.01")
    )
    assert line_figures(Decimal("1.5"), Decimal("0.03"), Decimal("90")) == Figures(
        Decimal("0.05"), Decimal("0.04"), Decimal("0.01")
    )
    assert line_figures(Decimal("2"), Decimal("10.00"), Decimal("100")) == Figures(
        Decimal("20.00"), Decimal("20.00"), Decimal("0.00")
    )


@given(
    quantity=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    price=st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2),
    rate=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
)
def test_funding_and_cofinancing_always_add_up_to_the_amount(quantity, price, rate):
    figures = line_figures(quantity, price, rate)
    assert figures.funding + figures.cofinancing == figures.amount
    assert figures.funding <= figures.amount * rate / 100
    assert figures.funding >= 0 and figures.cofinancing >= 0
    assert figures.amount.as_tuple().exponent == -2 and figures.funding.as_tuple().exponent == -2


# The call open.


@pytest.mark.parametrize(
    "moment, expected",
    [
        (OPENS - datetime.timedelta(seconds=1), "The call is not open yet: it opens on"),
        (OPENS, None),
        (CLOSES - datetime.timedelta(seconds=1), None),
        (CLOSES, "The call closed on"),
    ],
)
def test_the_call_must_be_open(moment, expected):
    result = check(terms(), draft(line(1)), at=moment)
    if expected is None:
        assert result.problems == []
    else:
        assert rules_of(result) == [(RULE_CALL_OPEN, None)]
        assert result.problems[0].message.startswith(expected)
        assert result.problems[0].message.endswith("(rule: call open).")


# Amounts.


@pytest.mark.parametrize(
    "quantity, unit_price, field, message",
    [
        ("abc", "1", "quantity", "Line 4: The quantity 'abc' is not a number. (rule: amount)"),
        ("1", "12,5", "unit_price", "Line 4: The unit price '12,5' is not a number. (rule: amount)"),
        ("1", "-0.01", "unit_price", "Line 4: The unit price cannot be negative. (rule: amount)"),
        ("-2", "1", "quantity", "Line 4: The quantity cannot be negative. (rule: amount)"),
        ("0", "1", "quantity", "Line 4: The quantity must be more than zero. (rule: amount)"),
        ("1", "1.001", "unit_price", "Line 4: The unit price has more than 2 decimals. (rule: amount)"),
        ("", "1", "quantity", "Line 4: The quantity is missing. (rule: amount)"),
        ("1", None, "unit_price", "Line 4: The unit price is missing. (rule: amount)"),
        ("NaN", "1", "quantity", "Line 4: The quantity 'NaN' is not a number. (rule: amount)"),
        ("1", "Infinity", "unit_price", "Line 4: The unit price 'Infinity' is not a number. (rule: amount)"),
        ("1", "1000000000000", "unit_price", "Line 4: The unit price is too large. (rule: amount)"),
        ("100000", "99999999.99", "quantity", "Line 4: The amount is too large. (rule: amount)"),
    ],
)
def test_bad_numbers_are_named_with_the_line_and_rule(quantity, unit_price, field, message):
    result = check(terms(), draft(line(4, quantity=quantity, unit_price=unit_price)), at=DURING)
    assert result.problems == [Problem(rule=RULE_AMOUNT, message=message, line=4, field=field)]
    assert result.figures == {}
    assert result.total_amount == 0


def test_a_bad_line_does_not_count_in_the_totals():
    result = check(terms(), draft(line(1), line(2, quantity="x")), at=DURING)
    assert rules_of(result) == [(RULE_AMOUNT, 2)]
    assert result.total_amount == Decimal("1000.00")


# Category and school.


def test_an_unknown_category_is_named():
    result = check(terms(), draft(line(2, category="catering")), at=DURING)
    assert result.problems == [
        Problem(
            rule=RULE_CATEGORY,
            line=2,
            field="category",
            message="Line 2: 'catering' is not a cost category of this call (rule: eligible category).",
        )
    ]


def test_a_school_outside_the_application_is_named_and_an_operator_wide_line_is_fine():
    result = check(terms(), draft(line(1, school=99), line(2, school=None)), at=DURING)
    assert result.problems == [
        Problem(
            rule=RULE_SCHOOL,
            line=1,
            field="school",
            message="Line 1: the school is not one of this application's schools (rule: school).",
        )
    ]
    assert list(result.figures) == [2]


# Co-financing.


def test_a_funding_rate_that_leaves_too_little_cofinancing_is_named():
    generous = Category(code="wifi", name="Network and Wi-Fi", funding_rate=Decimal("95"))
    result = check(terms(categories={"wifi": generous}), draft(line(3, unit_price="100.00")), at=DURING)
    assert result.problems == [
        Problem(
            rule=RULE_COFINANCING,
            line=3,
            message=(
                "Line 3: the co-financing of EUR 5.00 is less than the call's 10 % of EUR 100.00 (EUR 10.00); "
                "the funding rate of Network and Wi-Fi is too high (rule: co-financing)."
            ),
        )
    ]
    # The line still counts: the rule is about the call's settings, not the figures typed.
    assert result.total_funding == Decimal("95.00")


def test_cofinancing_to_the_cent_a_cent_that_rounds_is_still_enough():
    result = check(terms(), draft(line(1, unit_price="0.01")), at=DURING)
    assert result.problems == []
    assert result.figures[1] == Figures(Decimal("0.01"), Decimal("0.00"), Decimal("0.01"))


# Caps.


def test_cap_per_school_flags_the_line_that_crosses_it():
    result = check(
        terms(),
        draft(
            line(1, category="devices", quantity="50", unit_price="400.00"),  # funding 18,000
            line(2, category="devices", school=2, quantity="100", unit_price="400.00"),  # other school
            line(3, category="devices", quantity="20", unit_price="400.00"),  # 25,200 at school 1
            line(4, category="devices", quantity="1", unit_price="10.00"),  # 25,209
        ),
        at=DURING,
    )
    assert rules_of(result) == [(RULE_CAP_PER_SCHOOL, 3), (RULE_CAP_PER_SCHOOL, 4), (RULE_CAP_PER_SCHOOL, 2)]
    assert result.for_line(3)[0].message == (
        "Line 3: Pupil devices for Grundschule Am See comes to EUR 25,200.00, over the cap of EUR 25,000.00 "
        "per school (rule: cap per school)."
    )
    assert result.for_line(2)[0].message.startswith("Line 2: Pupil devices for Gymnasium Nord comes to EUR 36,000.00")


def test_cap_per_school_exactly_at_the_cap_is_allowed():
    result = check(terms(), draft(line(1, category="devices", quantity="1", unit_price="27777.78")), at=DURING)
    assert result.figures[1].funding == Decimal("25000.00")
    assert result.problems == []
    result = check(terms(), draft(line(1, category="devices", quantity="1", unit_price="27777.80")), at=DURING)
    assert result.figures[1].funding == Decimal("25000.02")
    assert rules_of(result) == [(RULE_CAP_PER_SCHOOL, 1)]


def test_operator_wide_lines_do_not_count_against_a_school_cap():
    result = check(terms(), draft(line(1, category="devices", school=None, unit_price="30000.00")), at=DURING)
    assert rules_of(result) == []


def test_cap_per_pupil():
    per_pupil = Category(
        code="wifi", name="Network and Wi-Fi", funding_rate=Decimal("100"), cap_per_pupil=Decimal("10")
    )
    at_cap = check(
        terms(categories={"wifi": per_pupil}, cofinancing_rate=Decimal(0)),
        draft(line(1, unit_price="2000.00")),
        at=DURING,
    )
    assert at_cap.problems == []
    over = check(
        terms(categories={"wifi": per_pupil}, cofinancing_rate=Decimal(0)),
        draft(line(1, unit_price="2000.01")),
        at=DURING,
    )
    assert over.problems == [
        Problem(
            rule=RULE_CAP_PER_PUPIL,
            line=1,
            message=(
                "Line 1: Network and Wi-Fi for Grundschule Am See comes to EUR 2,000.01, over EUR 10.00 per pupil "
                "for 200 pupils (EUR 2,000.00) (rule: cap per pupil)."
            ),
        )
    ]


def test_cap_absolute_per_application():
    capped = Category(code="wifi", name="Network and Wi-Fi", funding_rate=Decimal("90"), cap_absolute=Decimal("1000"))
    result = check(
        terms(categories={"wifi": capped}),
        draft(line(1, unit_price="1000.00"), line(2, school=2, unit_price="111.12")),
        at=DURING,
    )
    assert result.figures[2].funding == Decimal("100.00")
    assert result.problems == []
    result = check(
        terms(categories={"wifi": capped}),
        draft(line(1, unit_price="1000.00"), line(2, school=2, unit_price="111.13")),
        at=DURING,
    )
    assert result.problems == [
        Problem(
            rule=RULE_CAP_ABSOLUTE,
            line=2,
            message=(
                "Line 2: Network and Wi-Fi comes to EUR 1,000.01, over the cap of EUR 1,000.00 per application "
                "(rule: cap per application)."
            ),
        )
    ]


def test_cap_share_of_the_application():
    servers = Category(
        code="servers", name="Servers", funding_rate=Decimal("90"), cap_share_of_application=Decimal("25")
    )
    categories = {"wifi": WIFI, "servers": servers}
    # Servers 300 of 1,200 funding = 25 %: allowed.
    ok = check(
        terms(categories=categories),
        draft(line(1, unit_price="1000.00"), line(2, category="servers", unit_price="333.34")),
        at=DURING,
    )
    assert ok.figures[2].funding == Decimal("300.00") and ok.total_funding == Decimal("1200.00")
    assert ok.problems == []
    over = check(
        terms(categories=categories),
        draft(line(1, unit_price="1000.00"), line(2, category="servers", unit_price="334.00")),
        at=DURING,
    )
    assert over.problems == [
        Problem(
            rule=RULE_CAP_SHARE_OF_APPLICATION,
            line=2,
            message=(
                "Line 2: Servers comes to EUR 300.60, over 25 % of the application's funding (EUR 300.15) "
                "(rule: share of the application)."
            ),
        )
    ]


def test_pupil_devices_at_most_twenty_percent_of_the_entitlement():
    # Entitlement 100,000: devices at most 20,000 of funding, spread over two schools.
    lines = (
        line(1, category="devices", quantity="1", unit_price="11111.12"),  # 10,000.00
        line(2, category="devices", school=2, quantity="1", unit_price="11111.12"),  # 20,000.00 in all
    )
    assert check(terms(), draft(*lines, entitlement=Decimal("100000")), at=DURING).problems == []
    over = check(
        terms(),
        draft(*lines, line(3, category="devices", school=2, unit_price="1.12"), entitlement=Decimal("100000")),
        at=DURING,
    )
    assert over.problems == [
        Problem(
            rule=RULE_CAP_SHARE_OF_ENTITLEMENT,
            line=3,
            message=(
                "Line 3: Pupil devices comes to EUR 20,001.00, over 20 % of the entitlement (EUR 20,000.00) "
                "(rule: share of the entitlement)."
            ),
        )
    ]


# The entitlement across the operator's applications.


def test_the_entitlement_counts_the_other_applications():
    elsewhere = Decimal("99000.00")
    at_limit = check(
        terms(),
        draft(line(1, unit_price="1111.12"), entitlement=Decimal("100000"), applied_elsewhere=elsewhere),
        at=DURING,
    )
    assert at_limit.figures[1].funding == Decimal("1000.00")
    assert at_limit.problems == []
    over = check(
        terms(),
        draft(
            line(1, unit_price="1111.12"),
            line(2, unit_price="0.02"),
            entitlement=Decimal("100000"),
            applied_elsewhere=elsewhere,
        ),
        at=DURING,
    )
    assert over.problems == [
        Problem(
            rule=RULE_ENTITLEMENT,
            line=2,
            message=(
                "Line 2: the operator's applications in this call come to EUR 100,000.01, over its entitlement of "
                "EUR 100,000.00 (EUR 99,000.00 in other applications) (rule: entitlement)."
            ),
        )
    ]


def test_without_a_published_entitlement_nothing_can_be_applied_for():
    result = check(terms(), draft(line(1), entitlement=None), at=DURING)
    assert result.problems == [
        Problem(
            rule=RULE_ENTITLEMENT, message="No entitlement has been published for this operator (rule: entitlement)."
        )
    ]
    assert check(terms(uses_entitlements=False), draft(line(1), entitlement=None), at=DURING).problems == []


# Documents.

MEP = Requirement(code="mep", name="Media development plan", scope="operator", validity_months=None)
MBK = Requirement(code="mbk", name="Media concept", scope="school", validity_months=24)
TECH = Requirement(code="tech", name="Technical concept", scope="application")


def test_documents_are_checked_only_at_submission():
    result = check(terms(requirements=(MEP,)), draft(line(1)), at=DURING)
    assert result.problems == []


def test_missing_documents_are_named_per_school():
    result = check(
        terms(requirements=(MEP, MBK, TECH)),
        draft(line(1), uploads=(Upload("mbk", 2, datetime.date(2025, 9, 1)),)),
        at=DURING,
        submission=True,
    )
    assert result.problems == [
        Problem(
            rule=RULE_DOCUMENT_MISSING,
            field="mep",
            message="Media development plan is missing (rule: documents present).",
        ),
        Problem(
            rule=RULE_DOCUMENT_MISSING,
            field="mbk",
            message="Media concept for Grundschule Am See is missing (rule: documents present).",
        ),
        Problem(
            rule=RULE_DOCUMENT_MISSING, field="tech", message="Technical concept is missing (rule: documents present)."
        ),
    ]


def test_an_expired_document_is_named_with_its_last_valid_day():
    uploads = (
        Upload("mep", None, datetime.date(2010, 1, 1)),
        Upload("mbk", 1, datetime.date(2024, 3, 1)),  # valid until 28 Feb 2026
        Upload("mbk", 2, datetime.date(2024, 3, 2)),  # valid until 1 Mar 2026, the day of the check
    )
    result = check(terms(requirements=(MEP, MBK)), draft(line(1), uploads=uploads), at=DURING, submission=True)
    assert result.problems == [
        Problem(
            rule=RULE_DOCUMENT_EXPIRED,
            field="mbk",
            message="Media concept for Grundschule Am See was valid until 28 February 2026 (rule: documents valid).",
        )
    ]


def test_a_newer_upload_replaces_an_expired_one():
    uploads = (
        Upload("mbk", 1, datetime.date(2020, 1, 1)),
        Upload("mbk", 1, datetime.date(2026, 1, 1)),
        Upload("mbk", 2, datetime.date(2026, 1, 1)),
    )
    assert check(terms(requirements=(MBK,)), draft(line(1), uploads=uploads), at=DURING, submission=True).problems == []


def test_validity_runs_in_calendar_months():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 11, 15), 2) == datetime.date(2026, 1, 15)
    assert add_months(datetime.date(2025, 12, 1), 12) == datetime.date(2026, 12, 1)
    assert valid_until(Upload("mbk", 1, datetime.date(2024, 3, 1)), MBK) == datetime.date(2026, 2, 28)
    assert valid_until(Upload("mep", None, datetime.date(2024, 3, 1)), MEP) is None


# Messages follow the language.


def test_messages_follow_the_language_of_the_page():
    with translation.override("de"):
        result = check(
            terms(),
            draft(line(1, category="devices", quantity="1", unit_price="30000.00")),
            at=DURING,
        )
    assert "25.000,00" in result.problems[0].message
    assert "27.000,00" in result.problems[0].message
