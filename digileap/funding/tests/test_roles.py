"""Each role with an INSIDE and an OUTSIDE call and application: who sees what, who may write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import Application, CallReviewer, CostLine
from ..selectors import applications_for, calls_for, entitlements_for
from ..services.applications import application_draft, cost_line_add
from ..services.calls import call_create, call_operators_set, call_update
from ..services.entitlements import entitlement_set, entitlements_publish

SEES_CALLS = {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.AUDITOR}
WRITES_CALLS = {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR}
DRAFTS = {Role.ADMINISTRATOR, Role.OPERATOR_STAFF}


def make_call(side: str, authority, operator):
    system = SystemActor()
    programme = ProgrammeFactory(code=f"{side}-P", authority=authority)
    now = timezone.now()
    call = call_create(
        actor=system,
        programme=programme,
        funding_source=FundingSourceFactory(programme=programme),
        data={
            "code": f"{side}-CALL",
            "title": {"en": f"{side} call"},
            "opens_at": now - datetime.timedelta(days=1),
            "closes_at": now + datetime.timedelta(days=1),
            "uses_entitlements": True,
        },
    )
    call_operators_set(actor=system, call=call, operators=[operator])
    entitlement_set(actor=system, call=call, operator=operator, amount="1000")
    entitlements_publish(actor=system, call=call)
    application = application_draft(actor=system, call=call, operator=operator, title=f"{side} application")
    return call, application


@pytest.fixture
def calls(world):
    inside = make_call("INSIDE", world.authority, world.operator)
    outside = make_call("OUTSIDE", world.other_authority, world.other_operator)
    return inside, outside


@pytest.mark.parametrize("role", list(Role))
def test_reads_are_scoped(role, role_users, calls):
    (inside_call, inside_application), (outside_call, outside_application) = calls
    user = role_users[role]
    visible_calls = set(calls_for(user))
    visible_applications = set(applications_for(user))
    visible_entitlements = {entitlement.call_id for entitlement in entitlements_for(user)}
    if role == Role.ADMINISTRATOR:
        assert visible_calls == {inside_call, outside_call}
        assert visible_applications == {inside_application, outside_application}
        assert visible_entitlements == {inside_call.pk, outside_call.pk}
    elif role == Role.FUNDING_ADMINISTRATOR:
        # A reviewer sees only the applications of the calls they are assigned to.
        assert visible_calls == {inside_call}
        assert visible_applications == set()
        CallReviewer.objects.create(call=inside_call, user=user, assigned_at=timezone.now())
        assert set(applications_for(user)) == {inside_application}
        assert visible_entitlements == {inside_call.pk}
    elif role in SEES_CALLS:
        assert visible_calls == {inside_call}
        assert visible_applications == {inside_application}
        assert visible_entitlements == {inside_call.pk}
    else:
        assert visible_calls == set()
        assert visible_applications == set()
        assert visible_entitlements == set()


@pytest.mark.parametrize("role", list(Role))
def test_who_edits_calls(role, role_users, calls):
    (inside_call, _), (outside_call, _) = calls
    user = role_users[role]
    if role in WRITES_CALLS:
        call_update(actor=user, call=inside_call, data={"code": "EDITED"})
        assert type(inside_call).objects.get(pk=inside_call.pk).code == "EDITED"
    else:
        with pytest.raises(PermissionDenied):
            call_update(actor=user, call=inside_call, data={"code": "EDITED"})
    if role != Role.ADMINISTRATOR:
        with pytest.raises(PermissionDenied):
            call_update(actor=user, call=outside_call, data={"code": "EDITED"})
        assert type(outside_call).objects.get(pk=outside_call.pk).code == "OUTSIDE-CALL"


@pytest.mark.parametrize("role", list(Role))
def test_who_drafts_and_enters_lines(role, role_users, calls, world):
    (inside_call, inside_application), (outside_call, outside_application) = calls
    user = role_users[role]
    line = {"school": None, "description": "Switch", "quantity": "1", "unit_price": "10"}
    inside_category = inside_call.cost_categories.create(code="net", name={"en": "Network"}, funding_rate=90)
    outside_category = outside_call.cost_categories.create(code="net", name={"en": "Network"}, funding_rate=90)
    if role in DRAFTS:
        application = application_draft(actor=user, call=inside_call, operator=world.operator)
        assert application.number == 2
        cost_line_add(actor=user, application=inside_application, data={"category": inside_category, **line})
        assert CostLine.objects.filter(application=inside_application).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            application_draft(actor=user, call=inside_call, operator=world.operator)
        with pytest.raises(PermissionDenied):
            cost_line_add(actor=user, application=inside_application, data={"category": inside_category, **line})
    if role != Role.ADMINISTRATOR:
        with pytest.raises(PermissionDenied):
            application_draft(actor=user, call=outside_call, operator=world.other_operator)
        with pytest.raises(PermissionDenied):
            cost_line_add(actor=user, application=outside_application, data={"category": outside_category, **line})
        assert Application.objects.filter(call=outside_call).count() == 1
        assert not CostLine.objects.filter(application=outside_application).exists()
