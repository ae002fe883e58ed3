"""A class of 30 pupils at the INSIDE school, each with a device handed out and a pending agreement."""

import datetime

from django.utils import timezone

from digileap.devices.tests.factories_agreements import AgreementTemplateFactory, agreement_for, hand_out
from digileap.programmes.tests.factories import ProgrammeFactory

CLASS_SIZE = 30


def class_of(school, *, size: int = CLASS_SIZE, group: str = "5A", prefix: str = "P") -> list:
    """``size`` hand-outs at ``school`` (references P01…), oldest first, each with an agreement."""
    programme = ProgrammeFactory(authority=school.authority, code=f"{prefix}-{school.number}")
    template = AgreementTemplateFactory(programme=programme)
    start = timezone.now() - datetime.timedelta(days=1)
    assignments = []
    for number in range(1, size + 1):
        assignment = hand_out(
            programme=programme,
            school=school,
            reference=f"{prefix}{number:02d}",
            group=group,
            assigned_at=start + datetime.timedelta(minutes=number),
        )
        agreement_for(assignment, template)
        assignments.append(assignment)
    return assignments
