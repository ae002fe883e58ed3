from . import views


def register(router) -> None:
    """Add the people API (docs/people.md) to the router; basenames are the model names."""
    router.register("users", views.UserViewSet, basename="user")
    router.register("role-assignments", views.RoleAssignmentViewSet, basename="roleassignment")
    router.register("user-invitations", views.UserInvitationViewSet, basename="userinvitation")
