"""Saved import profiles (``ImportProfile``): every write, checked and audited, and the read of who sees which.

Who may write: whoever may import the profile's target (``engine.may_import``). A profile is a file
format, not data of a school or an operator, so it has no scope beyond its target: every user who
may import schools sees and may edit the saved school profiles. The general ``create_audited``
pattern authorises by model grants and scopes, which a profile has none of; these services follow
the same steps (authorise, validate, save, audit) with the target's import right instead.

A saved profile must not take the name of a built-in one: it would replace it for every user.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import audit
from .models import ImportProfile
from .tabular.engine import import_targets, importer_for, may_import
from .tabular.profiles import ProfileError, builtin_profiles, profile_from_dict

AUDITED_FIELDS = ["name", "target", "definition"]


def import_profiles_for(user) -> QuerySet[ImportProfile]:
    """The saved profiles of every target the user may import, by target and name."""
    targets = [target for target in import_targets() if may_import(user, target)]
    return ImportProfile.objects.filter(target__in=targets).order_by("target", "name")


def import_profile_get(user, pk: int) -> ImportProfile:
    """A saved profile the user may see; PermissionDenied-free: an unseen one does not exist (404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(import_profiles_for(user), pk=pk)


def _authorize(actor, target: str) -> None:
    importer_for(target)
    if not may_import(actor, target):
        raise PermissionDenied(_("Your role may not import %(target)s.") % {"target": target})


def check_definition(*, target: str, definition: Any, instance: ImportProfile | None = None) -> dict[str, Any]:
    """The definition if it is a valid, free name for ``target``; ValidationError naming what is wrong."""
    if not isinstance(definition, dict):
        raise ValidationError({"definition": _("a profile must be a JSON object")})
    definition = {**definition, "target": definition.get("target", target)}
    if definition["target"] != target:
        raise ValidationError(
            {
                "definition": _("the profile is for %(other)s, not %(target)s")
                % {"other": definition["target"], "target": target}
            }
        )
    name = str(definition.get("name", ""))
    try:
        validate_slug(name)
    except ValidationError:
        raise ValidationError(
            {"name": _("A profile name is made of letters, digits, hyphens and underscores, like land-brandenburg.")}
        ) from None
    if name in builtin_profiles(target):
        raise ValidationError(
            {"name": _("A built-in profile is called %(name)s; choose another name.") % {"name": name}}
        )
    taken = ImportProfile.objects.filter(target=target, name=name)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ValidationError(
            {"name": _("A saved profile for this target is already called %(name)s.") % {"name": name}}
        )
    try:
        profile_from_dict(definition, is_builtin=False)
    except ProfileError as error:
        raise ValidationError({"definition": str(error)}) from None
    return definition


def _save(instance: ImportProfile) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("The name %(name)s is already taken; choose another name.") % {"name": instance.name}}
        ) from None


@transaction.atomic
def import_profile_create(*, actor, target: str, definition: dict[str, Any]) -> ImportProfile:
    """Save a new profile for ``target``; audited."""
    _authorize(actor, target)
    definition = check_definition(target=target, definition=definition)
    instance = ImportProfile(name=definition["name"], target=target, definition=definition)
    _save(instance)
    audit.record(actor=actor, action="create", instance=instance, after=audit.snapshot(instance, AUDITED_FIELDS))
    return instance


@transaction.atomic
def import_profile_update(*, actor, profile: ImportProfile, definition: dict[str, Any]) -> ImportProfile:
    """Replace a saved profile's definition (and name); audits only what changed."""
    instance = ImportProfile.objects.select_for_update().get(pk=profile.pk)
    _authorize(actor, instance.target)
    before = audit.snapshot(instance, AUDITED_FIELDS)
    definition = check_definition(target=instance.target, definition=definition, instance=instance)
    instance.name = definition["name"]
    instance.definition = definition
    _save(instance)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(instance, AUDITED_FIELDS))
    if changed_after:
        audit.record(actor=actor, action="update", instance=instance, before=changed_before, after=changed_after)
    return instance


@transaction.atomic
def import_profile_delete(*, actor, profile: ImportProfile) -> None:
    """Delete a saved profile; imports already made with it keep its name in their record."""
    instance = ImportProfile.objects.select_for_update().get(pk=profile.pk)
    _authorize(actor, instance.target)
    before = audit.snapshot(instance, AUDITED_FIELDS)
    audit.record(actor=actor, action="delete", instance=instance, before=before)
    instance.delete()


def free_copy_name(*, target: str, name: str) -> str:
    """``name-copy``, or ``name-copy-2``, ...: a name no saved or built-in profile of ``target`` has."""
    taken = set(ImportProfile.objects.filter(target=target).values_list("name", flat=True)) | set(
        builtin_profiles(target)
    )
    base = f"{name}-copy"[:75]
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


@transaction.atomic
def import_profile_duplicate(*, actor, target: str, definition: dict[str, Any]) -> ImportProfile:
    """Save a copy of a saved or built-in profile under a free name."""
    copy = {**definition, "name": free_copy_name(target=target, name=str(definition.get("name", "profile")))}
    return import_profile_create(actor=actor, target=target, definition=copy)
