"""The second factor (TOTP): set-up, removal and the code page at sign-in. Included under /accounts/otp/."""

from django.urls import path

from . import otp_views

urlpatterns = [
    path("", otp_views.setup, name="otp-setup"),
    path("remove/", otp_views.remove, name="otp-remove"),
    path("verify/", otp_views.verify, name="otp-verify"),
]
