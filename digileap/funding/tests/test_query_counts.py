"""The number of queries of checking and saving an application does not grow with its cost lines:
each table is read once, whatever the number of lines, schools and documents."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import rules
from ..models import ApplicationVersion, CostLine
from ..services.applications import (
    application_check,
    application_draft,
    application_submit,
    cost_line_add,
    cost_line_update,
)
from .test_applications import category, documents_for

pytestmark = pytest.mark.django_db


def application_with_lines(mv_call, world, staff, count: int):
    """A draft of the INSIDE operator's two schools with ``count`` stored lines (network and
    displays, on the schools in turn and one operator-wide), and every document the call requires."""
    application = application_draft(actor=staff, call=mv_call, operator=world.operator, title=f"{count} lines")
    schools = [row.school for row in application.application_schools.order_by("school__number")]
    categories = [category(mv_call, "network"), category(mv_call, "displays")]
    figures = rules.line_figures(Decimal("1"), Decimal("100.00"), Decimal("90"))
    CostLine.objects.bulk_create(
        CostLine(
            application=application,
            position=position,
            category=categories[position % 2],
            school=None if position == 1 else schools[position % 2],
            description=f"Cost {position}",
            quantity=Decimal("1"),
            unit_price=Decimal("100.00"),
            amount=figures.amount,
            funding=figures.funding,
        )
        for position in range(1, count + 1)
    )
    documents_for(staff, application, world)
    return application, schools


def entry(mv_call, school) -> dict:
    return {
        "category": category(mv_call, "network").pk,
        "school": school.pk,
        "description": "Access points",
        "quantity": "2",
        "unit_price": "50.00",
    }


def queries_of(function) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries), [query["sql"] for query in context.captured_queries]


def test_the_check_reads_each_table_once_whatever_the_number_of_lines(mv_call, world, staff):
    counts = {}
    for lines in (10, 40):
        application, _schools = application_with_lines(mv_call, world, staff, lines)
        counts[lines], _sql = queries_of(lambda application=application: application_check(application))
        assert application_check(application).problems == []
    assert counts[10] == counts[40]
    assert counts[40] <= 8


def test_adding_and_changing_a_line_takes_as_many_queries_for_10_lines_as_for_40(mv_call, world, staff):
    counts, update_counts = {}, {}
    for lines in (10, 40):
        application, schools = application_with_lines(mv_call, world, staff, lines)
        counts[lines], sql = queries_of(
            lambda application=application, school=schools[0]: cost_line_add(
                actor=staff, application=application, data=entry(mv_call, school)
            )
        )
        line = CostLine.objects.get(application=application, position=lines + 1)
        assert (line.amount, line.funding) == (Decimal("100.00"), Decimal("90.00"))
        update_counts[lines], _sql = queries_of(
            lambda line=line, school=schools[1]: cost_line_update(
                actor=staff, line=line, data={"school": school.pk, "quantity": "3"}
            )
        )
        line.refresh_from_db()
        assert (line.school_id, line.amount) == (schools[1].pk, Decimal("150.00"))
    assert counts[10] == counts[40], sql
    assert update_counts[10] == update_counts[40]


def test_submitting_takes_as_many_queries_for_10_lines_as_for_40(mv_call, world, staff):
    counts = {}
    for lines in (10, 40):
        application, _schools = application_with_lines(mv_call, world, staff, lines)
        counts[lines], sql = queries_of(
            lambda application=application: application_submit(
                actor=staff, application=application, declarations_confirmed=True
            )
        )
        version = ApplicationVersion.objects.get(application=application)
        assert len(version.content["lines"]) == lines
        assert version.content["totals"]["funding"] == str(Decimal("90.00") * lines)
    assert counts[10] == counts[40], sql
