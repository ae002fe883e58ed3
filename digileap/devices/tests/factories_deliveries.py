"""Test data of the deliveries work: a programme with a catalogue, an order, and delivery files."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory, SiteFactory

from .factories import DeviceModelFactory, FrameworkContractFactory, OrderLineFactory, PurchaseOrderFactory

HEADER = ["serial", "model", "asset_tag", "mac_address", "school", "delivery_note", "delivered_on", "order"]


def delivery_setup(world) -> SimpleNamespace:
    """In the INSIDE authority: programme ``digi-in`` with a funding source, the model ``lat3440``
    (Dell Latitude 3440), a school of another operator (outside operator staff's scope), a site,
    and order ``PO-1`` with the INSIDE supplier for 10 laptops at the INSIDE school. The OUTSIDE
    authority has its own programme ``digi-out`` and the same model code."""
    programme = ProgrammeFactory(code="digi-in", name={"en": "Digi INSIDE"}, authority=world.authority)
    funding = FundingSourceFactory(programme=programme)
    model = DeviceModelFactory(
        authority=world.authority, code="lat3440", manufacturer="Dell", name="Latitude 3440", unit_price=Decimal("500")
    )
    tablet = DeviceModelFactory(
        authority=world.authority, code="ipad10", manufacturer="Apple", name="iPad 10", device_type="tablet"
    )
    neighbour = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="Neighbour operator"),
        number="1003",
        name="Neighbour school",
    )
    site = SiteFactory(school=world.school, name="Annex")
    order = PurchaseOrderFactory(
        programme=programme,
        funding_source=funding,
        supplier=world.supplier,
        number="PO-1",
        ordered_on=datetime.date(2024, 9, 1),
    )
    line = OrderLineFactory(order=order, device_model=model, school=world.school, quantity=10)
    FrameworkContractFactory(authority=world.authority, supplier=world.supplier)
    other_programme = ProgrammeFactory(code="digi-out", name={"en": "Digi OUTSIDE"}, authority=world.other_authority)
    other_model = DeviceModelFactory(
        authority=world.other_authority, code="lat3440", manufacturer="Dell", name="Latitude 3440"
    )
    return SimpleNamespace(
        programme=programme,
        funding=funding,
        model=model,
        tablet=tablet,
        neighbour=neighbour,
        site=site,
        order=order,
        line=line,
        other_programme=other_programme,
        other_model=other_model,
    )


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, delimiter: str = ";") -> bytes:
    lines = [delimiter.join(header or HEADER)] + [delimiter.join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def device_row(
    serial: str, *, model="lat3440", asset="", mac="", school="1001", note="DN-1", on="2024-10-01", order="PO-1"
):
    return [serial, model, asset, mac, school, note, on, order]
