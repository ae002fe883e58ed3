from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from digileap.core import api_docs


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", include("digileap.portal.root_urls")),  # the home page
    path("", include("digileap.core.urls")),
    path("portal/", include("digileap.portal.urls")),
    path("accounts/", include("digileap.accounts.urls")),
    path("schools/", include("digileap.schools.urls")),
    path("programmes/", include("digileap.programmes.urls")),
    path("allocation/", include("digileap.allocation.urls")),
    path("devices/", include("digileap.devices.urls")),
    path("funding/", include("digileap.funding.urls")),
    path("connectivity/", include("digileap.connectivity.urls")),
    path("training/", include("digileap.training.urls")),
    path("privacy/", include("digileap.privacy.urls")),
    path("p/", include("digileap.programmes.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("api/schema/", api_docs.schema_view, name="api-schema"),  # sign-in needed: docs/security.md
    path("api/docs/", api_docs.docs_view, name="api-docs"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("digileap.accounts.sso_urls")))

# An unmatched address under /api/ answers JSON, as the OpenAPI schema declares (docs/api.md).
handler404 = "digileap.core.api.views.page_not_found"
