"""Orders placed at the same moment on PostgreSQL: the contract's row lock keeps the ceiling, the
programme's row lock keeps the numbers of drafts unique."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from digileap.accounts.models import Role

from ..models import PurchaseOrder
from ..selectors.catalogue import contract_committed
from ..services import orders as services
from .factories_catalogue import ordering_setup

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(count: int, work) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(("done", work(index)))
        except ValidationError as error:
            outcomes.append(("refused", error.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_eight_placements_at_once_keep_the_ceiling(world, role_users):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    s = ordering_setup(world)
    owner = role_users[Role.PROGRAMME_OWNER]
    orders = []
    for _ in range(8):
        order = services.order_create(
            actor=owner, programme=s.programme, funding_source=s.funding, supplier=s.supplier, contract=s.contract
        )
        services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=7)
        orders.append(order)  # 7 × 420.00 = 2,940.00 each: three fit under 10,000.00

    outcomes = _race(
        8, lambda index: services.order_place(actor=owner, order=orders[index], ordered_on=datetime.date(2024, 9, 2))
    )
    assert sorted(kind for kind, _detail in outcomes).count("done") == 3
    refusals = {detail for kind, detail in outcomes if kind == "refused"}
    assert refusals == {
        "This order of EUR 2940.00 would take the orders under FC-2024 to EUR 11760.00, above its ceiling of EUR 10000.00."
    }
    assert contract_committed(s.contract) == Decimal("8820.00")
    assert PurchaseOrder.objects.filter(status="placed").count() == 3


def test_drafts_created_at_once_get_distinct_numbers(world, role_users):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    s = ordering_setup(world)
    owner = role_users[Role.PROGRAMME_OWNER]
    outcomes = _race(
        6,
        lambda index: (
            services.order_create(
                actor=owner, programme=s.programme, funding_source=s.funding, supplier=s.supplier
            ).number
        ),
    )
    assert sorted(number for _kind, number in outcomes) == [f"PO-0000{n}" for n in range(1, 7)]
