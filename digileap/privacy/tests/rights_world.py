"""A pupil with a history, for the tests of export and erasure: two hand-outs through the services
(agreements issued, one accepted on paper with a scan), a return with a note, tickets of the
pupil's time with a device and of other times, and the reads of the access log that showed them.

Timeline of pupil R-0001 (INSIDE school), devices RIGHTS-SN-1 and RIGHTS-SN-2 of programme
``rights-p``:

- 2024-01-15 ticket T0 on SN-1 (before the pupil had it: not theirs), closed 01-20;
- 2024-02-01 SN-1 handed to R-0001 (agreement accepted on paper, with a scan);
- 2024-02-10 ticket T1 on SN-1 ("R-0001 spilled water"), closed 02-12;
- 2024-03-01 SN-1 returned with the note "R-0001 lost the bag";
- 2024-03-02 ticket T2 on SN-1 (in the grace after the return: theirs), closed 03-03;
- 2024-03-05 SN-1 handed to R-0002; 2024-03-06 ticket T3 on SN-1 (R-0002's: not theirs);
- 2024-04-01 SN-2 handed to R-0001 (agreement pending), still held.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.pdf import pdf_file
from digileap.devices.models import Ticket, UserAgreement
from digileap.devices.services.agreements import agreement_accept_paper
from digileap.devices.services.assignments import device_assign, device_return
from digileap.devices.services.tickets import ticket_open
from digileap.devices.tests.factories import DeviceFactory, DeviceModelFactory, RecipientFactory
from digileap.devices.tests.factories_agreements import AgreementTemplateFactory
from digileap.privacy.access import Channel, log_pupil_read
from digileap.programmes.tests.factories import ProgrammeFactory


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def _close(ticket: Ticket, moment: datetime.datetime, resolution: str) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", closed_at=moment, resolution=resolution)


def pupil_history(world, role_users) -> SimpleNamespace:
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    w = SimpleNamespace(coordinator=coordinator)
    w.programme = ProgrammeFactory(code="rights-p", authority=world.authority)
    w.template = AgreementTemplateFactory(programme=w.programme, language="en", title="Device agreement")
    model = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", name="ThinkPad 11e")
    w.laptop = DeviceFactory(
        programme=w.programme,
        school=world.school,
        device_model=model,
        serial="RIGHTS-SN-1",
        status_changed_at=at(2024, 1, 2),
    )
    w.tablet = DeviceFactory(
        programme=w.programme,
        school=world.school,
        device_model=model,
        serial="RIGHTS-SN-2",
        status_changed_at=at(2024, 1, 2),
    )
    w.pupil = RecipientFactory(
        school=world.school, reference="R-0001", group="6B", grade=6, isced_level=1, eligibility_group="low-income"
    )
    w.other = RecipientFactory(school=world.school, reference="R-0002", group="6B", grade=6, isced_level=1)

    w.t0 = ticket_open(
        device=w.laptop, category="software", description="Slow start", actor=coordinator, at=at(2024, 1, 15)
    )
    _close(w.t0, at(2024, 1, 20), "Reinstalled")
    w.first = device_assign(device=w.laptop, recipient=w.pupil, actor=coordinator, at=at(2024, 2, 1))
    w.first_agreement = UserAgreement.objects.get(assignment=w.first)
    agreement_accept_paper(
        actor=coordinator,
        agreement=w.first_agreement,
        signed_by="parent",
        scan=pdf_file("signed.pdf", "Signed by the parent of R-0001"),
    )
    w.first_agreement.refresh_from_db()
    w.scan_name = w.first_agreement.scan.name
    w.t1 = ticket_open(
        device=w.laptop, category="software", description="R-0001 spilled water", actor=coordinator, at=at(2024, 2, 10)
    )
    _close(w.t1, at(2024, 2, 12), "Keyboard dried, R-0001 told")
    device_return(
        assignment=w.first, actor=coordinator, kit_returned=["charger"], note="R-0001 lost the bag", at=at(2024, 3, 1)
    )
    w.t2 = ticket_open(
        device=w.laptop, category="hardware", description="Hinge loose", actor=coordinator, at=at(2024, 3, 2)
    )
    _close(w.t2, at(2024, 3, 3), "")
    w.next_holder = device_assign(device=w.laptop, recipient=w.other, actor=coordinator, at=at(2024, 3, 5))
    w.t3 = ticket_open(
        device=w.laptop, category="software", description="R-0002 forgot the PIN", actor=coordinator, at=at(2024, 3, 6)
    )
    w.second = device_assign(device=w.tablet, recipient=w.pupil, actor=coordinator, at=at(2024, 4, 1))
    w.second_agreement = UserAgreement.objects.get(assignment=w.second)
    w.reads = [
        log_pupil_read(
            user=coordinator,
            what="devices:recipient-list",
            channel=Channel.PAGE,
            recipient_ids=[w.other.pk, w.pupil.pk],
            school=world.school,
        ),
        log_pupil_read(
            user=coordinator, what="devices:recipient-detail", channel=Channel.PAGE, recipient_ids=[w.pupil.pk]
        ),
    ]
    # A read that did not show the pupil.
    log_pupil_read(user=coordinator, what="devices:recipient-detail", channel=Channel.PAGE, recipient_ids=[w.other.pk])
    for assignment in (w.first, w.second):
        assignment.refresh_from_db()
    return w
