"""Roles and scopes: the one mechanism that restricts every page, API route, export and task.

A *grant* says which actions a role may take on a model (``"schools.school": {"view", "change"}``).
A model says how it is reached from each kind of scope through ``scope_paths``: a mapping from a
scope kind (``authority``, ``operator``, ``school``, ``supplier``) to the lookup that leads from the
model to that scope's object (``"pk"`` for the object itself). A scope kind missing from
``scope_paths`` sees nothing of the model. A role assignment with scope ``all`` sees everything.

``restrict(queryset, user, action)`` returns only the rows the user may act on;
``permits(user, action, obj)`` answers for one object, saved or not (for creation).
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


_GRANTS: dict[str, dict[str, set[str]]] = {}
WRITE_ACTIONS = frozenset({Action.ADD, Action.CHANGE, Action.DELETE})


def register_grants(grants: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
    """Add an app's grants: ``{role: {"app_label.model": actions}}``. Called from ``AppConfig.ready``."""
    for role, per_model in grants.items():
        role_grants = _GRANTS.setdefault(str(role), {})
        for model_label, actions in per_model.items():
            role_grants.setdefault(model_label.lower(), set()).update(str(a) for a in actions)


def granted_actions(role: str, model: type[models.Model]) -> set[str]:
    if role == "administrator":
        return set(Action)
    role_grants = _GRANTS.get(str(role), {})
    actions = set(role_grants.get(model._meta.label_lower, set()))
    if role == "auditor":
        # The auditor reads everything and writes nothing, whatever an app registers.
        return {Action.VIEW} if (actions or "*" in role_grants) else set()
    return actions


class _SystemAssignment:
    """The one role assignment a ``SystemActor`` holds."""

    role = "administrator"
    scope_kind = "all"
    scope_id = None


class SystemActor:
    """The installation itself, acting for its operators: management commands such as
    ``import_schools`` run without ``--as``. It counts as an administrator with scope ``all`` in
    ``can``, ``permits``, ``restrict`` and ``authorize``; the audit trail records it by its label
    (no user id). It is never a signed-in user: no view or API route can obtain one.
    """

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, label: str = "system") -> None:
        self.label = label

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


def _assignments(user) -> list:
    if isinstance(user, SystemActor):
        return [_SystemAssignment()]
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_digileap_role_assignments", None)
    if cached is None:
        cached = list(user.role_assignments.all())
        user._digileap_role_assignments = cached
    return cached


def forget_cached_assignments(user) -> None:
    if hasattr(user, "_digileap_role_assignments"):
        del user._digileap_role_assignments


def assignments_for(user, action: str, model: type[models.Model]) -> list:
    """The user's role assignments that grant ``action`` on ``model``."""
    return [a for a in _assignments(user) if action in granted_actions(a.role, model)]


def can(user, action: str, model: type[models.Model]) -> bool:
    """Whether the user may take ``action`` on at least some objects of ``model`` (menus, buttons)."""
    return any(_scope_reaches_model(a, model) for a in assignments_for(user, action, model))


def has_role(user, *roles: str) -> bool:
    return any(a.role in roles for a in _assignments(user))


def _scope_reaches_model(assignment, model) -> bool:
    return assignment.scope_kind == "all" or assignment.scope_kind in getattr(model, "scope_paths", {})


def _crosses_many(model: type[models.Model], path: str) -> bool:
    current = model
    for part in path.split("__"):
        if part == "pk":
            return False
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        current = field.related_model
    return False


def _condition(model: type[models.Model], path: str, ids: list[int]) -> Q:
    if path == "pk":
        return Q(pk__in=ids)
    if _crosses_many(model, path):
        # A to-many path would repeat rows; a subquery keeps each row once.
        return Q(pk__in=model._default_manager.filter(**{f"{path}__in": ids}).values("pk"))
    return Q(**{f"{path}__in": ids})


def scope_q(user, action: str, model: type[models.Model]) -> Q | None:
    """The condition for rows the user may act on; ``None`` means every row, ``Q(pk__in=[])`` none."""
    paths: dict[str, str] = getattr(model, "scope_paths", {})
    ids_by_kind: dict[str, list[int]] = {}
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            return None
        if assignment.scope_kind in paths:
            ids_by_kind.setdefault(assignment.scope_kind, []).append(assignment.scope_id)
    condition = Q(pk__in=[])
    for kind, ids in ids_by_kind.items():
        condition |= _condition(model, paths[kind], ids)
    return condition


def restrict(queryset: QuerySet, user, action: str = Action.VIEW) -> QuerySet:
    """Only the rows of ``queryset`` that ``user`` may take ``action`` on."""
    condition = scope_q(user, action, queryset.model)
    if condition is None:
        return queryset
    if condition == Q(pk__in=[]):
        return queryset.none()
    return queryset.filter(condition)


def _value_along(obj, path: str):
    """Follow ``path`` on an object in memory; returns the id at its end, or None."""
    if path == "pk":
        return obj.pk
    parts = path.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    last = parts[-1]
    try:
        field = obj._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    if field.many_to_one or field.one_to_one:
        return getattr(obj, field.attname)
    return None


def permits(user, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may take ``action`` on ``obj``. Unsaved objects are judged by their parents."""
    model = type(obj)
    if obj.pk is not None and action != Action.ADD:
        return restrict(model._default_manager.filter(pk=obj.pk), user, action).exists()
    paths: dict[str, str] = getattr(model, "scope_paths", {})
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            return True
        path = paths.get(assignment.scope_kind)
        if path and path != "pk" and _value_along(obj, path) == assignment.scope_id:
            return True
    return False


def authorize(user, action: str, obj: models.Model) -> None:
    """Raise ``PermissionDenied`` unless ``permits(user, action, obj)``. Services call this first."""
    if not permits(user, action, obj):
        raise PermissionDenied(f"{action} on {obj._meta.label} is outside the user's role or scope")
