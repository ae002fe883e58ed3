"""Claims submitted at the same moment on PostgreSQL: the row locks on the grant's lines keep the
funding claimed within the funding approved, and an invoice is claimed once."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ..models import Claim, Invoice
from ..selectors.grants import grant_lines_with_figures
from ..services import claims as services
from .claims_setup import claim_with_line, grant_setup, scan

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


def test_two_claims_for_the_last_euro_exactly_one_succeeds(world, staff, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    read_sums = services.claimed_elsewhere

    def slow_read(*args, **kwargs):
        # Widen the window between reading the sums and writing: without the row locks on the
        # grant's lines both submissions would read the same sums here and both pass.
        sums = read_sums(*args, **kwargs)
        time.sleep(0.5)
        return sums

    setup = grant_setup(world)
    first = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-1", amount="999.00", claimed="899.00")
    services.claim_submit(actor=staff, claim=first)
    racing = [
        claim_with_line(setup.grant, setup.line1, actor=staff, number=f"R-{index + 2}", amount="10.00", claimed="1.00")
        for index in range(2)
    ]
    monkeypatch.setattr(services, "claimed_elsewhere", slow_read)
    outcomes = _race(2, lambda index: services.claim_submit(actor=staff, claim=racing[index]).to_state)
    assert sorted(kind for kind, _detail in outcomes) == ["done", "refused"]
    assert [detail for kind, detail in outcomes if kind == "refused"] == [
        "Line 1 (Wi-Fi): the claims would draw EUR 901.00, more than the EUR 900.00 approved; "
        "EUR 0.00 remain to be claimed on this line."
    ]
    assert Claim.objects.filter(grant=setup.grant, state="submitted").count() == 2
    line = grant_lines_with_figures(setup.grant)[0]
    assert (line.claimed, line.remaining) == (Decimal("900.00"), Decimal("0.00"))


def test_the_same_invoice_added_twice_at_once_is_kept_once(world, staff):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the constraint race needs PostgreSQL")
    setup = grant_setup(world)
    claims = [services.claim_start(actor=staff, grant=setup.grant) for _ in range(2)]
    outcomes = _race(
        2,
        lambda index: (
            services.invoice_add(
                actor=staff,
                claim=claims[index],
                supplier_name=["ACME GmbH", "acme  gmbh"][index],
                number="R-77",
                issued_on=datetime.date(2026, 3, 1),
                total="100.00",
                file=scan(),
            ).pk
        ),
    )
    assert sorted(kind for kind, _detail in outcomes) == ["done", "refused"]
    assert Invoice.objects.filter(number_key="r-77").count() == 1
