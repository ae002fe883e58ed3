"""The SystemActor: the installation acting for its operators (management commands)."""

import pytest
from django.core.exceptions import PermissionDenied

from digileap.core import audit
from digileap.core.permissions import Action, SystemActor, authorize, can, has_role, permits, restrict
from digileap.schools.models import Authority, School, SchoolOperator

pytestmark = pytest.mark.django_db


def test_system_actor_acts_as_an_administrator_over_everything(world):
    system = SystemActor()
    for action in Action:
        assert can(system, action, School)
        assert permits(system, action, world.other_school)
    assert permits(system, Action.ADD, Authority(code="NEW"))
    assert permits(system, Action.ADD, SchoolOperator(authority=world.other_authority))
    assert list(restrict(School.objects.order_by("number"), system, Action.CHANGE)) == [
        world.school,
        world.other_school,
    ]
    assert has_role(system, "administrator")
    authorize(system, Action.DELETE, world.other_school)


def test_system_actor_is_recorded_by_its_label():
    event = audit.record(
        actor=SystemActor("system (cron)"),
        action="create",
        instance=Authority.objects.create(code="X", name="X", country="DE"),
    )
    assert (event.actor_id, event.actor_label) == (None, "system (cron)")
    assert str(SystemActor()) == "system"


def test_anonymous_and_none_stay_powerless(world):
    from django.contrib.auth.models import AnonymousUser

    for nobody in (None, AnonymousUser()):
        assert not can(nobody, Action.VIEW, School)
        assert list(restrict(School.objects.all(), nobody)) == []
        with pytest.raises(PermissionDenied):
            authorize(nobody, Action.VIEW, world.school)
