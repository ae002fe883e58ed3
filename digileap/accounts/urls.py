from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import sso_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", sso_views.SignOutView.as_view(), name="logout"),
    path(
        "password/",
        # Explicit templates: django.contrib.admin ships registration/password_change_*.html too.
        sso_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html", success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("waiting/", sso_views.waiting_for_role, name="waiting_for_role"),
    path("otp/", include("digileap.accounts.otp_urls")),
    path("people/", include(("digileap.accounts.people_urls", "people"), namespace="people")),
]
