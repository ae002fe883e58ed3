"""INSIDE and OUTSIDE agreement templates and user agreements for the permission walk. The OUTSIDE
ones belong to a programme of the other authority and a hand-out at the other school; their title,
text, serial and reference carry the marker. The agreements were signed on paper, so that the scan
route has a scan to (refuse to) send."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from digileap.devices.models import UserAgreement
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out


def walk_objects(*, world, role_users) -> dict:
    made = {}
    for side, authority, school in (
        ("INSIDE", world.authority, world.school),
        ("OUTSIDE", world.other_authority, world.other_school),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-agreements", name={"en": f"{side} agreements programme"}, authority=authority
        )
        template = AgreementTemplateFactory(
            programme=programme, title=f"{side} agreement", body=f"{side}: {{recipient}} receives {{serial}}."
        )
        assignment = hand_out(
            programme=programme, school=school, reference=f"{side}-AGR-1", group=f"{side} 5A", serial=f"{side}-AGR-SN1"
        )
        scan = f"%PDF-1.4 {side} signed".encode()
        agreement = agreement_for(
            assignment,
            template,
            status=UserAgreement.Status.ACCEPTED,
            accepted_at=timezone.now(),
            accepted_via=UserAgreement.Via.PAPER,
            signed_by=UserAgreement.SignedBy.PARENT,
            scan=ContentFile(scan, name=f"{side}-signed.pdf"),
            scan_sha256=hashlib.sha256(scan).hexdigest(),
            recorded_by=role_users["administrator"],
        )
        made[side] = (template, agreement)
    return {
        "devices.agreementtemplate": (made["INSIDE"][0], made["OUTSIDE"][0]),
        "devices.useragreement": (made["INSIDE"][1], made["OUTSIDE"][1]),
    }
