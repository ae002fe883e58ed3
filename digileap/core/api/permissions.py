from rest_framework.permissions import SAFE_METHODS, BasePermission

from digileap.core.permissions import Action, can, permits

_METHOD_ACTIONS = {"POST": Action.ADD, "PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE}


class ScopedPermission(BasePermission):
    """Role grants per model for the request, scope per object.

    Querysets are restricted separately (``ScopedViewSetMixin``), so an object outside the scope
    is a 404 before this runs. A viewset's extra action can name the action and model it needs in
    ``scoped_actions = {"figures": (Action.CHANGE, Enrolment)}``; the service it calls then checks
    the object's scope itself.
    """

    def _action_and_model(self, request, view):
        extra = getattr(view, "scoped_actions", {}).get(getattr(view, "action", None))
        if extra is not None:
            return extra
        queryset = getattr(view, "queryset", None)
        model = getattr(view, "scoped_model", None) or (queryset.model if queryset is not None else None)
        action = Action.VIEW if request.method in SAFE_METHODS else _METHOD_ACTIONS.get(request.method)
        return action, model

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        action, model = self._action_and_model(request, view)
        return action is not None and model is not None and can(request.user, action, model)

    def has_object_permission(self, request, view, obj) -> bool:
        action, model = self._action_and_model(request, view)
        if action is None:
            return False
        if model is not None and not isinstance(obj, model):
            # An extra action about a related model: the service authorizes the related object.
            return permits(request.user, Action.VIEW, obj)
        return permits(request.user, action, obj)
