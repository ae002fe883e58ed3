"""The write pattern every app's services share: authorise, validate, save, audit.

Domain services call these for plain creations and edits and add their own rules around them
(``check`` runs after the new values are applied and before anything is saved).
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import audit
from .permissions import Action, authorize

ModelT = TypeVar("ModelT", bound=models.Model)


def apply_fields(instance: models.Model, data: dict[str, Any], allowed: Iterable[str]) -> None:
    """Set ``data`` on ``instance``; a field outside ``allowed`` is a validation error, not ignored."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in data.items():
        setattr(instance, name, value)


@transaction.atomic
def create_audited(
    *,
    actor,
    instance: ModelT,
    data: dict[str, Any] | None = None,
    allowed: Iterable[str] = (),
    check: Callable[[ModelT], None] | None = None,
) -> ModelT:
    """Apply ``data``, check the actor may add the object where it belongs, validate, save, audit."""
    apply_fields(instance, data or {}, allowed)
    if check is not None:
        check(instance)
    authorize(actor, Action.ADD, instance)
    instance.full_clean()
    instance.save()
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance))
    return instance


@transaction.atomic
def update_audited(
    *,
    actor,
    instance: ModelT,
    data: dict[str, Any],
    allowed: Iterable[str],
    check: Callable[[ModelT], None] | None = None,
) -> ModelT:
    """Lock the row, check the actor may change it before and after the edit, validate, save, and
    audit only the fields that changed (nothing when nothing did)."""
    instance = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    authorize(actor, Action.CHANGE, instance)
    before = audit.snapshot(instance)
    apply_fields(instance, data, allowed)
    if check is not None:
        check(instance)
    # An edit may move the object (e.g. to another operator): it must stay within the scope.
    authorize(actor, Action.CHANGE, instance)
    instance.full_clean()
    instance.save()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(instance))
    if changed_after:
        audit.record(actor=actor, action="update", instance=instance, before=changed_before, after=changed_after)
    return instance
