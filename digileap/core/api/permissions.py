from rest_framework.permissions import SAFE_METHODS, BasePermission

from digileap.core.permissions import Action, can, permits

_METHOD_ACTIONS = {"POST": Action.ADD, "PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE}


class ScopedPermission(BasePermission):
    """Role grants per model for the request, scope per object. Querysets are restricted separately
    (``ScopedViewSetMixin``), so an object outside the scope is a 404 before this runs."""

    def _model(self, view):
        queryset = getattr(view, "queryset", None)
        model = getattr(view, "scoped_model", None) or (queryset.model if queryset is not None else None)
        return model

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = self._model(view)
        if model is None:
            return False
        action = Action.VIEW if request.method in SAFE_METHODS else _METHOD_ACTIONS.get(request.method)
        return action is not None and can(request.user, action, model)

    def has_object_permission(self, request, view, obj) -> bool:
        action = Action.VIEW if request.method in SAFE_METHODS else _METHOD_ACTIONS.get(request.method)
        return action is not None and permits(request.user, action, obj)
