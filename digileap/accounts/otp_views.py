"""Pages of the second factor (TOTP with django-otp): set up with a QR code, confirm, remove, and the
code page at sign-in. Only administrators and programme owners set one up. See docs/security.md."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp
from .otp_forms import CodeForm

ISSUER = "Digileap"


def _provisioning_uri(request: HttpRequest, key: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (the key format of django-otp)."""
    device = TOTPDevice(user=request.user, key=key)  # not saved: only its URI
    return device.config_url


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def _grouped_secret(key: str) -> str:
    secret = b32encode(unhexlify(key.encode())).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Without a device: a new key as a QR code and as text, and a form for its first code.
    With one: says so and offers to remove it."""
    if not otp.may_set_up(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    device = otp.confirmed_device(request.user)  # type: ignore[arg-type]
    if device is not None:
        return render(request, "accounts/otp/setup.html", {"device": device, "form": CodeForm(), "forced": False})
    key = request.session.get(otp.PENDING_KEY_SESSION_KEY)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and key and form.is_valid():
        device = otp.enable_totp(actor=request.user, key=key, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        if device is not None:
            request.session.pop(otp.PENDING_KEY_SESSION_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Your second factor is set up. You will be asked for a code at each sign-in."))
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("The code does not match. Check the time on your phone and try the next code."))
    if not key:
        key = otp.new_pending_key()
        request.session[otp.PENDING_KEY_SESSION_KEY] = key
    return render(
        request,
        "accounts/otp/setup.html",
        {
            "device": None,
            "form": form,
            "qr_code": _qr_data_uri(_provisioning_uri(request, key)),
            "secret": _grouped_secret(key),
            "forced": otp.must_set_up(request.user),  # type: ignore[arg-type]
            "next": request.GET.get("next", ""),
        },
    )


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Removes the second factor, with a current code as proof."""
    if not otp.may_set_up(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    device = otp.confirmed_device(request.user)  # type: ignore[arg-type]
    if device is None:
        return redirect("otp-setup")
    form = CodeForm(request.POST)
    if form.is_valid() and otp.disable_totp(actor=request.user, code=form.cleaned_data["code"]):  # type: ignore[arg-type]
        messages.success(request, _("Your second factor is removed."))
        return redirect("otp-setup")
    if form.is_valid():
        form.add_error("code", _("The code is not valid. Wait for the next code and try again."))
    return render(request, "accounts/otp/setup.html", {"device": device, "form": form, "forced": False}, status=400)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The code page at sign-in: until a current code is entered, the session is not verified."""
    if otp.confirmed_device(request.user) is None or request.user.is_verified():  # type: ignore[arg-type, union-attr]
        return HttpResponseRedirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.verify_session(request, form.cleaned_data["code"]):
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("The code is not valid. Wait for the next code and try again."))
    return render(
        request,
        "accounts/otp/verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=200 if not form.errors else 400,
    )
