"""INSIDE and OUTSIDE objects of the funding models for the permission walk
(digileap/core/tests/test_permission_walk.py): a call of each authority with its operator, a
published entitlement, a draft application with one cost line. OUTSIDE ones carry the marker.

Later parts of the app add theirs in ``walk_<part>.py`` beside this file, each with
``extend(*, side, made, world, role_users) -> dict[label, instance]``; they run in the order of
``PARTS`` and see what the parts before them made (``made``), so a claim can use the grant."""

import datetime
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec

from django.utils import timezone

from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import CallEligibility, Entitlement
from ..services.applications import application_draft, cost_line_add
from ..services.calls import call_create, cost_category_create, required_document_create

PARTS = ["review", "grants", "claims", "proofs", "reports", "dossier"]


def _parts():
    for part in PARTS:
        name = f"{__package__}.walk_{part}"
        if find_spec(name) is not None:
            yield import_module(name)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    system = SystemActor("walk")
    now = timezone.now()
    for side, authority, operator in (
        ("INSIDE", world.authority, world.operator),
        ("OUTSIDE", world.other_authority, world.other_operator),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-funding", name={"en": f"{side} funding programme"}, authority=authority
        )
        call = call_create(
            actor=system,
            programme=programme,
            funding_source=FundingSourceFactory(programme=programme),
            data={
                "code": f"{side}-call",
                "title": {"en": f"{side} call"},
                "opens_at": now - datetime.timedelta(days=1),
                "closes_at": now + datetime.timedelta(days=30),
                "cofinancing_rate": Decimal("10"),
            },
        )
        listing = CallEligibility.objects.create(call=call, operator=operator)
        category = cost_category_create(
            actor=system,
            call=call,
            data={"code": "network", "name": {"en": f"{side} network"}, "funding_rate": Decimal("90")},
        )
        required = required_document_create(
            actor=system, call=call, data={"code": "mep", "scope": "operator", "name": {"en": f"{side} plan"}}
        )
        entitlement = Entitlement.objects.create(
            call=call, operator=operator, amount=Decimal("5000.00"), source=Entitlement.Source.TYPED, published_at=now
        )
        application = application_draft(actor=system, call=call, operator=operator, title=f"{side} application")
        line = cost_line_add(
            actor=system,
            application=application,
            data={
                "category": category,
                "school": None,
                "description": f"{side} line",
                "quantity": "1",
                "unit_price": "100",
            },
        )
        made = {
            "funding.call": call,
            "funding.calleligibility": listing,
            "funding.costcategory": category,
            "funding.requireddocument": required,
            "funding.entitlement": entitlement,
            "funding.application": application,
            "funding.costline": line,
        }
        for part in _parts():
            made.update(part.extend(side=side, made=made, world=world, role_users=role_users))
        for label, instance in made.items():
            objects.setdefault(label, []).append(instance)
    return {label: tuple(pair) for label, pair in objects.items()}
