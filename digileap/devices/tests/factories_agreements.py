"""Factories of agreement templates, and a hand-out with its agreement (made with the ORM: the hand-out
service is another area's)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.devices.models import AgreementTemplate, Assignment, UserAgreement
from digileap.devices.services.agreements import new_token

from .factories import DeviceFactory, RecipientFactory

BODY = (
    "{recipient} receives the {device} with serial number {serial} and {kit} from {school} "
    "on {date}, for the programme {programme}.\n\nLook after it."
)


class AgreementTemplateFactory(DjangoModelFactory):
    class Meta:
        model = AgreementTemplate

    programme = factory.SubFactory("digileap.programmes.tests.factories.ProgrammeFactory")
    language = "en"
    version = 1
    title = factory.Sequence(lambda n: f"Device agreement {n}")
    body = BODY
    is_active = True


def hand_out(
    *,
    programme,
    school,
    reference: str,
    group: str = "5A",
    serial: str | None = None,
    assigned_at: datetime.datetime | None = None,
    **recipient,
):
    """A device of ``programme`` at ``school`` handed to a new recipient (an open assignment)."""
    device_kwargs = {"programme": programme, "school": school}
    if serial:
        device_kwargs["serial"] = serial
    device = DeviceFactory(**device_kwargs)
    person = RecipientFactory(school=school, reference=reference, group=group, **recipient)
    return Assignment.objects.create(
        device=device, recipient=person, kit=["charger", "bag"], assigned_at=assigned_at or timezone.now()
    )


def agreement_for(assignment, template, *, sent_at: datetime.datetime | None = None, **fields) -> UserAgreement:
    return UserAgreement.objects.create(
        assignment=assignment,
        template=template,
        token=new_token(),
        sent_at=sent_at or timezone.now(),
        **fields,
    )
