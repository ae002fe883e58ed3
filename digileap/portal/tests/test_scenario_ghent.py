"""Seed 002, Ghent, at small scale: the registry, the three phases with their real dates, the
agreements, hand-outs and tickets, the milestones' statuses, and a second run that writes nothing."""

import datetime
from collections import Counter

import pytest
from django.db.models import F, Max, Min

from digileap.accounts.models import User
from digileap.core.audit import verify_chain
from digileap.core.models import AuditEvent
from digileap.devices.lifecycle import device_status_check
from digileap.devices.models import (
    Assignment,
    ChecklistItem,
    Delivery,
    Device,
    DeviceEvent,
    Recipient,
    SchoolRollout,
    Ticket,
    UserAgreement,
)
from digileap.portal.scenarios import get_scenario
from digileap.portal.scenarios.base import moment
from digileap.portal.scenarios.ghent import add_school_days
from digileap.programmes.models import EvidenceDocument, IndicatorSnapshot, Programme
from digileap.programmes.selectors import target_progress
from digileap.schools.models import School

TODAY = datetime.date(2025, 1, 15)
CODE = "ghent-digisprong"
day = datetime.date


def table_counts() -> dict[str, int]:
    models = [School, User, Recipient, Device, DeviceEvent, Delivery, Assignment, UserAgreement, Ticket,
              SchoolRollout, ChecklistItem, EvidenceDocument, IndicatorSnapshot, AuditEvent]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_school_days_skip_weekends_and_the_holidays():
    assert add_school_days(day(2021, 12, 23), 1) == day(2021, 12, 24)
    assert add_school_days(day(2021, 12, 24), 1) == day(2022, 1, 10)  # Christmas holidays
    assert add_school_days(day(2022, 2, 25), 1) == day(2022, 3, 7)  # Carnival holiday


@pytest.mark.django_db
def test_a_hand_out_in_bulk_writes_what_the_hand_out_service_writes(world):
    from digileap.core.permissions import SystemActor
    from digileap.devices.services.agreements import agreement_accept_in_app
    from digileap.devices.services.assignments import device_assign
    from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
    from digileap.devices.tests.factories_agreements import AgreementTemplateFactory
    from digileap.portal.scenarios._e2_common import hand_out_in_bulk
    from digileap.portal.scenarios.base import clock
    from digileap.programmes.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(authority=world.authority)
    template = AgreementTemplateFactory(programme=programme)
    delivered = moment(day(2022, 1, 5), 10)
    one, two = (DeviceFactory(programme=programme, school=world.school, status_changed_at=delivered) for _ in range(2))
    first, second = (RecipientFactory(school=world.school) for _ in range(2))
    actor, at = SystemActor("scenario"), moment(day(2022, 1, 10), 9)
    accepted = moment(day(2022, 1, 12), 19, 30)
    with clock(at):
        device_assign(device=one, recipient=first, actor=actor, at=at)
    with clock(accepted):
        agreement_accept_in_app(token=UserAgreement.objects.get(assignment__device=one).token, signed_by="parent")
    with clock(at):
        hand_out_in_bulk(
            pairs=[(two.pk, second.pk)], at=at, by=actor, template=template, accepted={two.pk: (accepted, "parent")}
        )

    def written(device) -> dict:
        device.refresh_from_db()
        assignment = Assignment.objects.get(device=device)
        event = DeviceEvent.objects.filter(device=device).latest("occurred_at", "id")
        agreement = UserAgreement.objects.get(assignment=assignment)
        audits = AuditEvent.objects.filter(
            object_type__in=["devices.assignment", "devices.useragreement"],
            object_id__in=[str(assignment.pk), str(agreement.pk)],
        ).order_by("id")
        return {
            "device": (device.status, device.status_changed_at, device.first_deployed_on),
            "assignment": (assignment.kit, assignment.assigned_at, assignment.assigned_by_id, assignment.returned_at),
            "event": (event.status, event.previous_status, event.occurred_at, event.actor_label, event.reason,
                      list(event.data)),
            "agreement": (agreement.template_id, agreement.status, agreement.sent_at, agreement.accepted_at,
                          agreement.accepted_via, agreement.signed_by, len(agreement.token)),
            "audit": [
                (a.object_type, a.action, a.occurred_at, a.actor_label, sorted(a.after),
                 {k: v for k, v in a.after.items() if k not in ("device", "recipient", "assignment")}, a.before)
                for a in audits
            ],
        }  # fmt: skip

    assert written(two) == written(one)
    assert written(one)["device"] == ("deployed", at, day(2022, 1, 10))
    assert [(action, actor) for _type, action, _at, actor, *_rest in written(one)["audit"]] == [
        ("create", "scenario"),
        ("create", "scenario"),
        ("accept", "in-app acceptance"),
    ]


@pytest.mark.django_db
def test_ghent_small_plays_the_three_phases_and_a_second_run_writes_nothing():
    summary = get_scenario("ghent").run("small", today=TODAY)
    summary.pop("seconds")
    created = summary.pop("created")
    assert summary == SUMMARY
    assert created == CREATED
    programme = Programme.objects.get(code=CODE)

    # The registry: the city's schools, one school board.
    schools = School.objects.filter(authority__code="BE-GENT")
    assert Counter(schools.values_list("type_code", flat=True)) == {"BAO": 3, "BUBAO": 1, "SO": 1, "BUSO": 1}
    assert set(schools.values_list("operator__code", flat=True)) == {"SOG"}

    # The milestones, by the programmes' own status computation on each due date.
    targets = programme.targets.order_by("position")
    assert [(t.due_date, t.target_value) for t in targets] == [
        (day(2021, 11, 7), 1),
        (day(2022, 2, 27), 600),
        (day(2022, 6, 30), 1),
        (day(2022, 6, 30), 60),  # teachers trained through the Signpost Academy (a tenth of 600)
    ]
    for target in targets:
        (row,) = target_progress(programme.targets.filter(pk=target.pk), as_of=target.due_date)
        assert row["assessment"].status == "achieved", target
    # The burn-up: nothing before the deliveries, all 600 by the Carnival holiday.
    laptops = targets.get(position=2)
    values = dict(laptops.snapshots.values_list("date", "value"))
    assert values[day(2021, 11, 1)] == 0
    assert 0 < values[day(2021, 12, 31)] < 600
    assert values[day(2022, 2, 27)] == 600

    # Preparation, until the autumn holiday: counts, board, agreement text, approved document.
    preparation = ChecklistItem.objects.filter(rollout__programme=programme, phase="preparation")
    assert preparation.count() == 24 and not preparation.filter(is_done=False).exists()
    assert preparation.aggregate(last=Max("done_at"))["last"] < moment(day(2021, 11, 1), 0)
    documents = EvidenceDocument.objects.filter(programme=programme).order_by("approved_at")
    assert [(d.target.position, d.approved_at.date()) for d in documents] == [
        (1, day(2021, 10, 29)),
        (3, day(2022, 6, 30)),
    ]
    assert all(d.approved_by != d.uploaded_by for d in documents)

    # Delivery, between the autumn and the Carnival holidays, none in the Christmas holidays.
    deliveries = Delivery.objects.filter(programme=programme)
    assert deliveries.count() == 6
    assert deliveries.aggregate(first=Min("delivered_on"), last=Max("delivered_on")) == {
        "first": day(2021, 11, 8),
        "last": day(2022, 2, 10),
    }
    assert not deliveries.filter(delivered_on__range=(day(2021, 12, 27), day(2022, 1, 9))).exists()
    assert not deliveries.filter(accepted_at__isnull=True).exists()
    assert deliveries.aggregate(last=Max("accepted_at"))["last"] < moment(day(2022, 2, 28), 0)
    assert set(deliveries.values_list("supplier__name", flat=True)) == {"Signpost"}
    devices = Device.objects.filter(programme=programme)
    assert Counter(devices.values_list("device_model__code", flat=True)) == {"lenovo-300w-g3": 530, "lenovo-l14-g2": 70}
    assert devices.filter(accepted_at__isnull=False).count() == 600

    # Hand-outs: every laptop to a pupil or teacher, after its delivery was accepted.
    assignments = Assignment.objects.filter(device__programme=programme)
    assert Counter(assignments.values_list("recipient__kind", flat=True)) == {"pupil": 530, "teacher": 70}
    assert not assignments.filter(assigned_at__lt=F("device__delivery__accepted_at")).exists()
    assert set(devices.values_list("status", flat=True)) == {"deployed"}
    assert device_status_check(devices) == []
    agreements = UserAgreement.objects.filter(assignment__device__programme=programme)
    assert Counter(agreements.values_list("status", "accepted_via")) == {
        ("accepted", "in_app"): 573,
        ("accepted", "paper"): 26,
        ("pending", ""): 1,
    }
    assert not agreements.filter(accepted_at__lt=F("sent_at")).exists()
    assert AuditEvent.objects.filter(object_type="devices.assignment", action="create").count() == 600
    assert AuditEvent.objects.filter(object_type="devices.useragreement", action="accept").count() == 599

    # Aftercare, until the end of the school year: tickets solved, boards closed.
    tickets = Ticket.objects.filter(device__programme=programme)
    assert Counter(tickets.values_list("category", flat=True)) == TICKETS
    assert set(tickets.values_list("status", flat=True)) == {"closed"}
    assert tickets.aggregate(first=Min("opened_at"))["first"] > assignments.aggregate(first=Min("assigned_at"))["first"]
    assert tickets.aggregate(last=Max("closed_at"))["last"] <= moment(day(2022, 6, 30), 23, 59)
    rollouts = SchoolRollout.objects.filter(programme=programme)
    assert set(rollouts.values_list("phase", "status", "aftercare_until")) == {("closed", "done", day(2022, 6, 30))}
    assert verify_chain().is_intact

    # A second run writes nothing.
    before = table_counts()
    again = get_scenario("ghent").run("small", today=TODAY)
    assert again["created"] == {}
    assert again["milestones"] == SUMMARY["milestones"]
    assert table_counts() == before


SUMMARY = {
    "scenario": "ghent",
    "scale": "small",
    "programme": "ghent-digisprong",
    "schools": 6,
    "devices": 600,
    "laptops_for_pupils": 530,
    "laptops_for_teachers": 70,
    "deliveries": 6,
    "delivered_from": "2021-11-08",
    "delivered_until": "2022-02-10",
    "handed_out": 600,
    "agreements_accepted": 599,
    "tickets": 18,
    "milestones": {"#1": "met", "#2": "met", "#3": "met", "#4": "met"},
}
CREATED = {
    "agreement templates": 1,
    "agreements accepted (app)": 573,
    "agreements accepted (paper)": 26,
    "deliveries": 6,
    "device models": 2,
    "devices": 600,
    "evidence documents": 2,
    "hand-outs": 600,
    "need declarations": 6,
    "recipients": 600,
    "role assignments": 9,
    "schools": 6,
    "schools on the board": 6,
    "snapshots": 868,  # four targets on the 217 history days from 1 September 2021 to 15 January 2025
    "suppliers": 1,
    "targets scaled": 1,  # 6,000 laptops -> 600
    "tickets": 18,
    "users": 9,  # project lead, director, the supplier's service desk, six ICT coordinators
    # Teacher training (free ICT courses of the Signpost Academy).
    "attendance records": 150,
    "completions": 92,
    "courses": 3,
    "enrolments": 92,
    "self-assessments": 24,
    "sessions": 6,
    "staff records": 120,
    "targets": 1,
    "training providers": 1,
}
TICKETS = {"hardware": 10, "software": 6, "damage": 2}
