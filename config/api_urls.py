"""Every app's API routes under /api/. Each app exposes ``register(router)``."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from digileap.core.api import urls as core_api
from digileap.schools.api import urls as schools_api

router = DefaultRouter()
core_api.register(router)
schools_api.register(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
