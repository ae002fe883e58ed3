from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit_log, name="audit-log"),
]

# The import pages live in their own module; they are routed as soon as it exists.
if find_spec("digileap.core.import_urls") is not None:
    urlpatterns.append(path("imports/", include("digileap.core.import_urls")))
