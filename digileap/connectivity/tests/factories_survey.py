"""Helpers of the survey tests: a campaign that accepts answers today, and access points the
devices app installed at a school."""

import datetime

from django.utils import timezone

from digileap.devices.models import AccessPointInstallation, DeviceType
from digileap.devices.tests.factories import DeviceFactory, DeviceModelFactory
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import CampaignFactory, CampaignSchoolFactory


def open_campaign(*schools, authority, code="SURVEY-2026", **fields):
    """A campaign of a programme of ``authority`` that accepts answers today, covering ``schools``."""
    today = timezone.localdate()
    programme = fields.pop("programme", None) or ProgrammeFactory(authority=authority)
    fields.setdefault("starts_on", today - datetime.timedelta(days=10))
    fields.setdefault("ends_on", today + datetime.timedelta(days=20))
    campaign = CampaignFactory(programme=programme, code=code, **fields)
    for school in schools:
        CampaignSchoolFactory(campaign=campaign, school=school)
    return campaign


def install_access_point(*, school, site=None, verified=True, device_type=DeviceType.ACCESS_POINT, programme=None):
    """A device of the programme installed at ``school`` (and ``site``), verified unless told."""
    programme = programme or ProgrammeFactory(authority=school.authority)
    device = DeviceFactory(
        programme=programme,
        school=school,
        device_model=DeviceModelFactory(authority=programme.authority, device_type=device_type),
    )
    return AccessPointInstallation.objects.create(
        device=device,
        school=school,
        site=site,
        room="R1",
        installed_on=datetime.date(2024, 10, 7),
        verified_at=timezone.now() if verified else None,
    )
