"""Concurrent requests on PostgreSQL: the device's row lock lets exactly one of several parallel
ticket openings for one device through; the ticket's row lock lets one of two parallel replacements
land. SQLite serialises writers itself, so these run on PostgreSQL only."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from digileap.accounts.models import Role
from digileap.devices.models import DeviceEvent, Ticket
from digileap.devices.services import tickets as services
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory

ATTEMPTS = 6


def run_parallel(count: int, work) -> list[tuple[str, str]]:
    barrier = threading.Barrier(count)
    outcomes: list[tuple[str, str]] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(("done", work(index)))
        except ValidationError as error:
            outcomes.append(("refused", error.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_tickets_for_one_device_open_once(world, role_users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    programme = ProgrammeFactory(authority=world.authority)
    device = DeviceFactory(programme=programme, school=world.school, supplier=world.supplier, serial="RACE-1")
    coordinator = role_users[Role.SCHOOL_COORDINATOR]

    def open_ticket(index: int) -> str:
        return str(
            services.ticket_open(
                device=device, category="hardware", description=f"Report {index}", actor=coordinator
            ).pk
        )

    outcomes = run_parallel(ATTEMPTS, open_ticket)
    ticket = Ticket.objects.get()
    assert sorted(kind for kind, _detail in outcomes) == ["done"] + ["refused"] * (ATTEMPTS - 1)
    assert {detail for kind, detail in outcomes if kind == "refused"} == {
        f"Device RACE-1 already has a ticket that is not closed: #{ticket.pk}."
    }
    assert list(DeviceEvent.objects.filter(device=device).values_list("status", flat=True)) == ["delivered"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_replacements_at_once_lend_one_device(world, role_users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    programme = ProgrammeFactory(authority=world.authority)
    device = DeviceFactory(programme=programme, school=world.school, supplier=world.supplier, serial="BROKEN-1")
    spares = [
        DeviceFactory(programme=programme, school=world.school, supplier=world.supplier, serial=f"SPARE-{n}")
        for n in range(2)
    ]
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    ticket = services.ticket_open(device=device, category="hardware", description="Screen", actor=coordinator)

    def lend(index: int) -> str:
        return services.ticket_set_replacement(ticket=ticket, replacement=spares[index], actor=coordinator).pk

    outcomes = run_parallel(2, lend)
    ticket.refresh_from_db()
    assert sorted(kind for kind, _detail in outcomes) == ["done", "refused"]
    lent = ticket.replacement_device
    assert dict(outcomes)["refused"] == f"This ticket already has a replacement: {lent.serial}."
    statuses = {spare.serial: type(spare).objects.get(pk=spare.pk).status for spare in spares}
    assert sorted(statuses.values()) == ["delivered", "loaned_out"]
    assert statuses[lent.serial] == "loaned_out"
