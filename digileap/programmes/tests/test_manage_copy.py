"""Copying a programme as the start of a new one: texts, funding sources, objectives, milestones and
targets with their indicator definitions; not the records, snapshots or evidence of the original."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.programmes import services
from digileap.programmes.models import (
    EvidenceDocument,
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    IndicatorSnapshot,
    ManualValue,
    Objective,
    Programme,
    Target,
)

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

D = Decimal


@pytest.fixture
def original(world):
    programme = ProgrammeFactory(
        code="ORIG",
        name={"en": "Original", "nl": "Origineel"},
        description={"en": "All pupils", "fr": "Tous les élèves"},
        end_goal={"en": "Done"},
        authority=world.authority,
        status=Programme.Status.COMPLETED,
        is_public=True,
        sdgs=[4, 9],
        tags=["devices"],
        climate_contribution=D("10.00"),
        source_url="https://example.org/orig.pdf",
    )
    first = FundingSourceFactory(programme=programme, position=1, amount=D("7000000.00"), name={"en": "RRF"})
    FundingSourceFactory(programme=programme, position=2, kind="national", amount=D("5000000.00"))
    for position, title in ((1, "Equip"), (2, "Train"), (3, "Connect")):
        Objective.objects.create(programme=programme, position=position, title={"en": title})
    shared = IndicatorFactory(programme=programme, kind="manual", parameters={"source": "survey"})
    own = IndicatorFactory(programme=programme, kind="schools_reached", parameters={})
    IndicatorFactory(programme=programme, kind="manual", parameters={"source": "unused"})  # no target uses it
    TargetFactory(programme=programme, position=1, number="401", indicator=shared, reported_status="completed")
    TargetFactory(programme=programme, position=2, number="402", indicator=shared, target_value=D("5"))
    TargetFactory(programme=programme, position=3, number="403", indicator=own, kind=Target.Kind.MILESTONE)
    target = programme.targets.get(number="401")
    FundingTransactionFactory(programme=programme, source=first, school=world.school)
    ManualValue.objects.create(
        indicator=shared, as_of=datetime.date(2024, 1, 1), value=D("3"), entered_at=timezone.now()
    )
    IndicatorSnapshot.objects.create(
        target=target, date=datetime.date(2024, 1, 1), value=D("3"), status="on_track", computed_at=timezone.now()
    )
    EvidenceDocument.objects.create(
        programme=programme,
        target=target,
        title="Report",
        file=ContentFile(b"report", name="report.txt"),
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    return programme


def rows_of(programme) -> dict[str, int]:
    return {
        "sources": FundingSource.objects.filter(programme=programme).count(),
        "objectives": Objective.objects.filter(programme=programme).count(),
        "targets": Target.objects.filter(programme=programme).count(),
        "indicators": IndicatorDefinition.objects.filter(programme=programme).count(),
        "transactions": FundingTransaction.objects.filter(programme=programme).count(),
        "manual values": ManualValue.objects.filter(indicator__programme=programme).count(),
        "snapshots": IndicatorSnapshot.objects.filter(target__programme=programme).count(),
        "evidence": EvidenceDocument.objects.filter(programme=programme).count(),
    }


def test_the_copy_page_copies_what_starts_a_new_programme(world, role_users, original):
    owner = role_users[Role.PROGRAMME_OWNER]
    client = Client()
    client.force_login(owner)
    url = reverse("programmes:programme-copy", kwargs={"pk": original.pk})
    page = client.get(url).content.decode()
    assert 'value="ORIG-copy"' in page
    assert "2 funding sources" in page and "3 objectives" in page and "3 milestones and targets" in page
    before = rows_of(original)
    audit_before = AuditEvent.objects.count()

    response = client.post(url, {"code": " NEXT "})
    copy = Programme.objects.get(code="NEXT")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-update", kwargs={"pk": copy.pk})

    assert rows_of(copy) == {
        "sources": 2,
        "objectives": 3,
        "targets": 3,
        "indicators": 2,  # the two the targets use; 401 and 402 still share one
        "transactions": 0,
        "manual values": 0,
        "snapshots": 0,
        "evidence": 0,
    }
    assert rows_of(original) == before
    assert copy.name == {"en": "Original", "nl": "Origineel"}
    assert copy.description == {"en": "All pupils", "fr": "Tous les élèves"}
    assert (copy.authority, copy.sdgs, copy.tags, copy.climate_contribution) == (
        world.authority,
        [4, 9],
        ["devices"],
        D("10.00"),
    )
    assert (copy.status, copy.is_public) == (Programme.Status.PLANNED, False)
    assert list(copy.funding_sources.order_by("position").values_list("position", "kind", "amount", "name")) == [
        (1, "eu_rrf", D("7000000.00"), {"en": "RRF"}),
        (2, "national", D("5000000.00"), {}),
    ]
    assert list(copy.objectives.values_list("title", flat=True)) == [
        {"en": "Equip"},
        {"en": "Train"},
        {"en": "Connect"},
    ]
    targets = {t.number: t for t in copy.targets.select_related("indicator")}
    assert targets["401"].indicator_id == targets["402"].indicator_id
    assert targets["401"].indicator.programme_id == copy.pk
    assert (targets["401"].indicator.kind, targets["401"].indicator.parameters) == ("manual", {"source": "survey"})
    assert targets["403"].indicator.kind == "schools_reached"
    assert targets["403"].kind == Target.Kind.MILESTONE
    assert targets["402"].target_value == D("5")
    assert targets["401"].reported_status == Target.ReportedStatus.TO_DO  # the original's report is not the copy's

    events = list(AuditEvent.objects.filter(pk__gt=0).order_by("id")[audit_before:])
    assert [(e.action, e.object_type) for e in events] == [
        ("copy", "programmes.programme"),
        ("create", "programmes.fundingsource"),
        ("create", "programmes.fundingsource"),
        ("create", "programmes.objective"),
        ("create", "programmes.objective"),
        ("create", "programmes.objective"),
        ("create", "programmes.indicatordefinition"),
        ("create", "programmes.target"),
        ("create", "programmes.target"),
        ("create", "programmes.indicatordefinition"),
        ("create", "programmes.target"),
    ]
    assert events[0].after["copied_from"] == {"id": original.pk, "code": "ORIG"}
    assert events[0].actor_id == owner.pk
    assert audit.verify_chain().is_intact


def test_a_code_in_use_is_shown_on_the_form_and_nothing_is_copied(role_users, original):
    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programmes, events = Programme.objects.count(), AuditEvent.objects.count()
    response = client.post(reverse("programmes:programme-copy", kwargs={"pk": original.pk}), {"code": "ORIG"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Programme with this Code already exists."]
    response = client.post(reverse("programmes:programme-copy", kwargs={"pk": original.pk}), {"code": ""})
    assert response.context["form"].errors["code"] == ["This field is required."]
    assert (Programme.objects.count(), AuditEvent.objects.count()) == (programmes, events)
    assert FundingSource.objects.count() == 2


def test_the_service_refuses_a_copy_outside_the_scope_and_writes_nothing(world, role_users, original):
    outside_owner = role_users[Role.PROGRAMME_OWNER]
    original.authority = world.other_authority
    original.save()
    with pytest.raises(PermissionDenied):
        services.programme_copy(actor=outside_owner, programme=original, code="STOLEN")
    with pytest.raises(PermissionDenied):
        services.programme_copy(actor=role_users[Role.AUDITOR], programme=original, code="STOLEN")
    assert not Programme.objects.filter(code="STOLEN").exists()
    assert FundingSource.objects.count() == 2
