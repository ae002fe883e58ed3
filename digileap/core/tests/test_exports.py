"""Formula escaping of exports: ``safe_cell`` in Python and ``safe_cell_sql`` in the database agree."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from digileap.core.exports import FORMULA_PREFIXES, safe_cell, safe_cell_sql

TEXTS = [
    "=1+2",
    "+49 40 123",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "plain",
    "",
    " =not first",
    "'quoted",
    "a=b",
    "ünïcødé",
    "🙂=",
    "\n=new line first",
    *FORMULA_PREFIXES,
]


@pytest.mark.parametrize("text", TEXTS)
def test_safe_cell_escapes_text_that_starts_like_a_formula(text):
    expected = "'" + text if text[:1] in FORMULA_PREFIXES else text
    assert safe_cell(text) == expected


def test_safe_cell_of_other_values():
    assert safe_cell(None) == ""
    assert safe_cell(True) == "yes"
    assert safe_cell(False) == "no"
    assert safe_cell(-5) == -5
    assert safe_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert safe_cell(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert safe_cell(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)) == "2024-01-02T03:04:05+00:00"

    class Code:
        def __str__(self):
            return "=cmd"

    assert safe_cell(Code()) == "'=cmd"


@pytest.mark.django_db
def test_the_database_escapes_as_python_does():
    expression = safe_cell_sql("t.v", vendor=connection.vendor)
    with connection.cursor() as cursor:
        for text in [*TEXTS, None]:
            cursor.execute(f"SELECT {expression} FROM (SELECT CAST(%s AS TEXT) AS v) t", [text])
            (escaped,) = cursor.fetchone()
            assert escaped == (None if text is None else safe_cell(text)), repr(text)


def test_other_databases_are_refused():
    with pytest.raises(NotImplementedError):
        safe_cell_sql("v", vendor="oracle")
