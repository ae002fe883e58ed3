"""The single sign-on routes under /oidc/ (only when OIDC_RP_CLIENT_ID is set): the library's names,
Digileap's callback (own pages for every failure) and the library's sign-in start and logout."""

from django.urls import path
from mozilla_django_oidc import views as oidc_views

from .sso_views import SingleSignOnCallbackView

urlpatterns = [
    path("callback/", SingleSignOnCallbackView.as_view(), name="oidc_authentication_callback"),
    path("authenticate/", oidc_views.OIDCAuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("logout/", oidc_views.OIDCLogoutView.as_view(), name="oidc_logout"),
]
