"""INSIDE and OUTSIDE objects of this app's models for the permission walk
(digileap/core/tests/test_permission_walk.py)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from digileap.programmes.models import EvidenceDocument, EvidencePack, IndicatorSnapshot, ManualValue

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school in (
        ("INSIDE", world.authority, world.school),
        ("OUTSIDE", world.other_authority, world.other_school),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-programme", name={"en": f"{side} programme"}, authority=authority, is_public=False
        )
        source = FundingSourceFactory(programme=programme, name={"en": f"{side} source"}, position=1)
        indicator = IndicatorFactory(programme=programme, kind="manual", parameters={"source": f"{side} survey"})
        target = TargetFactory(
            programme=programme, indicator=indicator, title={"en": f"{side} target"}, number=f"{side}-1"
        )
        now = timezone.now()
        made = {
            "programmes.programme": programme,
            "programmes.fundingsource": source,
            "programmes.objective": programme.objectives.create(position=1, title={"en": f"{side} objective"}),
            "programmes.indicatordefinition": indicator,
            "programmes.target": target,
            "programmes.indicatorsnapshot": IndicatorSnapshot.objects.create(
                target=target, date=datetime.date(2024, 1, 1), value=Decimal("1"), status="on_track", computed_at=now
            ),
            "programmes.evidencedocument": EvidenceDocument.objects.create(
                programme=programme,
                target=target,
                title=f"{side} report",
                file=ContentFile(b"report", name=f"{side}.txt"),
                sha256="0" * 64,
                uploaded_at=now,
            ),
            "programmes.manualvalue": ManualValue.objects.create(
                indicator=indicator,
                as_of=datetime.date(2024, 1, 1),
                value=Decimal("1"),
                note=f"{side} value",
                entered_at=now,
            ),
            "programmes.evidencepack": EvidencePack.objects.create(
                target=target,
                as_of=datetime.date(2024, 1, 1),
                status=EvidencePack.Status.DONE,
                progress=100,
                file=ContentFile(b"PK pack", name=f"{side}-pack.zip"),
                sha256="0" * 64,
                requested_at=now,
            ),
            "programmes.fundingtransaction": FundingTransactionFactory(
                programme=programme, source=source, school=school, reference=f"{side} payment"
            ),
        }
        for label, obj in made.items():
            objects.setdefault(label, []).append(obj)
    return {label: tuple(pair) for label, pair in objects.items()}
