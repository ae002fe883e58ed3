"""INSIDE and OUTSIDE board entries, checklist steps, tickets and access point installations for the
permission walk. The INSIDE ones are at the INSIDE school with devices of the INSIDE supplier (so
that every scoped role reaches them); the OUTSIDE ones at the OUTSIDE school with the OUTSIDE
supplier. Programme names, serials, notes and descriptions carry the marker."""

import datetime

from digileap.devices.models import DeviceType
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SiteFactory

from ..services import access_points, board, tickets
from .factories import DeviceFactory, DeviceModelFactory, FrameworkContractFactory


def walk_objects(*, world, role_users) -> dict:
    admin = role_users["administrator"]
    objects: dict[str, list] = {}
    for side, authority, school, supplier in (
        ("INSIDE", world.authority, world.school, world.supplier),
        ("OUTSIDE", world.other_authority, world.other_school, world.other_supplier),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-aftercare", name={"en": f"{side} aftercare programme"}, authority=authority
        )
        rollout = board.rollout_start(programme=programme, school=school, actor=admin, os_profile=f"{side} image")
        step = board.checklist_add(rollout=rollout, phase="preparation", label=f"{side} own step", actor=admin)
        FrameworkContractFactory(authority=authority, supplier=supplier, reference=f"{side}-FC-AFTERCARE")
        laptop_model = DeviceModelFactory(authority=authority, code=f"{side.lower()}-aftercare", name=f"{side} laptop")
        laptop = DeviceFactory(
            programme=programme,
            school=school,
            supplier=supplier,
            device_model=laptop_model,
            serial=f"{side}-AFTERCARE-0001",
        )
        ticket = tickets.ticket_open(
            device=laptop, category="hardware", description=f"{side} screen broken", actor=admin
        )
        ap_model = DeviceModelFactory(
            authority=authority,
            code=f"{side.lower()}-ap",
            name=f"{side} access point",
            device_type=DeviceType.ACCESS_POINT,
        )
        access_point = DeviceFactory(
            programme=programme, school=school, supplier=supplier, device_model=ap_model, serial=f"{side}-AP-0001"
        )
        site = SiteFactory(school=school, name=f"{side} main building")
        installation = access_points.access_point_record(
            device=access_point,
            site=site,
            building=f"{side} block A",
            room="101",
            installed_on=datetime.date(2024, 10, 1),
            actor=admin,
        )
        made = {
            "devices.schoolrollout": rollout,
            "devices.checklistitem": step,
            "devices.ticket": ticket,
            "devices.accesspointinstallation": installation,
        }
        for label, obj in made.items():
            objects.setdefault(label, []).append(obj)
    return {label: tuple(pair) for label, pair in objects.items()}
