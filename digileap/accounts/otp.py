"""The optional second factor (TOTP, django-otp): who may and who must set it up, the services that
turn it on and off (audited), and the middleware that holds a signed-in user at the code page until
the session is verified. See docs/security.md.
"""

from __future__ import annotations

import secrets
from binascii import unhexlify
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from digileap.accounts.models import Role, User
from digileap.core import audit
from digileap.core.audit_actions import AuditAction
from digileap.core.permissions import has_role

# Roles that may set up a second factor.
SECOND_FACTOR_ROLES = (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)
PENDING_KEY_SESSION_KEY = "digileap_totp_pending_key"
# Set in a session once the gate found that its user needs neither a code nor a set-up: later
# requests of that session cost no query.
FREE_SESSION_KEY = "digileap_second_factor_free"


def may_set_up(user: User) -> bool:
    return bool(user.is_authenticated) and has_role(user, *SECOND_FACTOR_ROLES)


def required_roles() -> set[str]:
    roles = settings.DIGILEAP_REQUIRE_TOTP_FOR
    if isinstance(roles, str):
        roles = roles.split(",")
    return {role.strip() for role in roles if role.strip()}


def must_set_up(user: User) -> bool:
    """Whether DIGILEAP_REQUIRE_TOTP_FOR forces this user to set up a second factor."""
    roles = required_roles() & {str(role) for role in SECOND_FACTOR_ROLES}
    return bool(roles) and has_role(user, *roles)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def new_pending_key() -> str:
    """A random 20-byte key, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def code_matches_key(key: str, code: str) -> bool:
    """Whether ``code`` is the current code (one step of drift either way) of the hex ``key``."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return False
    return TOTP(unhexlify(key.encode()), step=30, t0=0, digits=6).verify(int(code), tolerance=1)


def enable_totp(*, actor: User, key: str, code: str) -> TOTPDevice | None:
    """Save the user's authenticator as their confirmed second factor if ``code`` matches ``key``.
    Returns the device, or None if the code is wrong. Audited as "totp_enable". Existing API tokens
    are deleted: they were issued without the second factor."""
    if not may_set_up(actor):
        raise PermissionDenied
    if not code_matches_key(key, code):
        return None
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        device = TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), key=key, confirmed=True)
        Token.objects.filter(user=actor).delete()
        audit.record(actor=actor, action=AuditAction.TOTP_ENABLE, instance=device, after={"name": device.name})
    return device


def disable_totp(*, actor: User, code: str) -> bool:
    """Remove the user's second factor, proven by a current code. Audited as "totp_disable"."""
    device = confirmed_device(actor)
    if device is None or not device.verify_token(code):
        return False
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.TOTP_DISABLE, instance=device, before={"name": device.name})
        TOTPDevice.objects.filter(user=actor).delete()
    return True


def verify_session(request: HttpRequest, code: str) -> bool:
    """Check a code at sign-in and mark the session verified. Wrong codes slow down (django-otp's throttle)."""
    device = confirmed_device(request.user)  # type: ignore[arg-type]
    if device is None or not device.verify_token((code or "").strip()):
        return False
    otp_login(request, device)
    request.session.pop(FREE_SESSION_KEY, None)
    return True


def verify_code_for_token(user: User, code: str) -> str:
    """The API token endpoint: a user with a second factor sends its current code. An empty string
    means fine, otherwise the reason to refuse."""
    device = confirmed_device(user)
    if device is None:
        return ""
    if not code:
        return _("This account has a second factor: send its current code in the field code.")
    if not device.verify_token(code.strip()):
        return _("The code is not valid. Wait for the next code and try again.")
    return ""


# Paths a signed-in user who still owes a code (or a set-up) may reach.
def _open_paths() -> tuple[str, ...]:
    return (
        settings.STATIC_URL,
        reverse("logout"),
        reverse("set_language"),
        "/favicon.ico",
    )


class SecondFactorMiddleware:
    """After sign-in, a user with a confirmed device reaches only the code page (and sign-out) until
    the session is verified; a user whose role DIGILEAP_REQUIRE_TOTP_FOR names reaches only the set-up
    page until they have a device. Install after django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(FREE_SESSION_KEY) == user.pk:
            return self.get_response(request)
        if user.is_verified():
            return self.get_response(request)
        if request.path.startswith(_open_paths()):
            return self.get_response(request)
        if confirmed_device(user) is not None:
            target = reverse("otp-verify")
        elif must_set_up(user):
            target = reverse("otp-setup")
        else:
            request.session[FREE_SESSION_KEY] = user.pk
            return self.get_response(request)
        if request.path == target:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Sign in with your second factor first.")}, status=403)
        next_url = request.get_full_path()
        if request.method != "GET":
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
