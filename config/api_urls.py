"""Every app's API routes under /api/. Each app exposes ``register(router)``."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from digileap.accounts.api import urls as accounts_api
from digileap.allocation.api import urls as allocation_api
from digileap.connectivity.api import urls as connectivity_api
from digileap.core.api import urls as core_api
from digileap.core.api.views import ThrottledObtainAuthToken
from digileap.devices.api import urls as devices_api
from digileap.funding.api import urls as funding_api
from digileap.programmes.api import urls as programmes_api
from digileap.schools.api import urls as schools_api
from digileap.training.api import urls as training_api


class DigileapAPIRootView(APIRootView):
    """Links to every collection of the API. See /api/docs/ for the documentation."""

    permission_classes = [IsAuthenticated]


class Router(DefaultRouter):
    APIRootView = DigileapAPIRootView
    # One spelling per resource: content negotiation by the Accept header, not by ".json" suffixes.
    include_format_suffixes = False


router = Router()
core_api.register(router)
schools_api.register(router)
programmes_api.register(router)
allocation_api.register(router)
devices_api.register(router)
funding_api.register(router)
connectivity_api.register(router)
training_api.register(router)
accounts_api.register(router)

urlpatterns = [
    path("auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    *router.urls,
]
