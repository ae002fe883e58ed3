from . import views


def register(router) -> None:
    """Add the training app's viewsets to the API router; basenames are the model names."""
    router.register("training-providers", views.ProviderViewSet, basename="provider")
    router.register("training-courses", views.CourseViewSet, basename="course")
    router.register("training-sessions", views.SessionViewSet, basename="session")
