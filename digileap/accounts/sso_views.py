"""Single sign-on pages: the provider's callback with a page of its own for every way it can fail,
the page of a user who waits for a role, single logout, and a password change that knows
single sign-on users have no password."""

import datetime
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from . import oidc
from .models import AccessRequest, RoleAssignment, User
from .sso_access import deciders_and_kind

logger = logging.getLogger(__name__)

BACKEND = "digileap.accounts.oidc.DigileapOIDCBackend"

CANCELLED = "cancelled"
PROVIDER_ERROR = "provider_error"
INVALID_STATE = "invalid_state"
INVALID_TOKEN = "invalid_token"
UNREACHABLE = "unreachable"
PROVIDER_FAILED = "provider_failed"
MISCONFIGURED = "misconfigured"


@dataclass(frozen=True)
class Problem:
    title: Promise
    message: Promise
    status: int


PROBLEMS: dict[str, Problem] = {
    CANCELLED: Problem(
        _("Sign-in cancelled"),
        _("You cancelled the sign-in at your organisation's sign-in service. Nothing was changed."),
        200,
    ),
    PROVIDER_ERROR: Problem(
        _("Your organisation's sign-in service refused"),
        _("Your organisation's sign-in service did not sign you in and sent back an error."),
        403,
    ),
    oidc.EMAIL_MISSING: Problem(
        _("No e-mail address"),
        _(
            "Your organisation's sign-in service did not tell us your e-mail address, and Digileap knows "
            "people by it. Ask your organisation's identity team to release the e-mail claim to Digileap."
        ),
        403,
    ),
    oidc.EMAIL_UNVERIFIED: Problem(
        _("E-mail address not verified"),
        _(
            "Your organisation's sign-in service did not confirm that your e-mail address is verified, so "
            "Digileap cannot tell that it is yours. Verify the address with your organisation and try again."
        ),
        403,
    ),
    oidc.UNKNOWN_USER: Problem(
        _("No Digileap account"),
        _(
            "Digileap has no account with your e-mail address, and your groups do not give you a role. Ask "
            "your programme's administrator to invite you."
        ),
        403,
    ),
    oidc.DEACTIVATED: Problem(
        _("Account deactivated"),
        _("Your Digileap account with this e-mail address was deactivated. Ask your administrator."),
        403,
    ),
    oidc.AMBIGUOUS: Problem(
        _("More than one account"),
        _(
            "More than one Digileap account has your e-mail address, so Digileap cannot tell which one is "
            "yours. Ask your administrator to merge them."
        ),
        403,
    ),
    oidc.SUBJECT_MISMATCH: Problem(
        _("Sign-in could not be checked"),
        _("The sign-in service's answers did not name the same person. Please start again."),
        400,
    ),
    oidc.LOCKED: Problem(
        _("Sign-in paused"),
        _("There were too many refused sign-ins for your account. Please try again later."),
        429,
    ),
    INVALID_STATE: Problem(
        _("Sign-in expired"),
        _(
            "This sign-in could not be matched to one started in this browser: it expired, was already "
            "used, or was started elsewhere. Please start again."
        ),
        400,
    ),
    INVALID_TOKEN: Problem(
        _("Sign-in could not be checked"),
        _(
            "The answer of your organisation's sign-in service could not be verified (its signature or "
            "content is not valid). Nobody was signed in. Please start again; if it happens again, tell "
            "your administrator."
        ),
        400,
    ),
    UNREACHABLE: Problem(
        _("Sign-in service unreachable"),
        _(
            "Digileap could not reach your organisation's sign-in service, or it did not answer in time. "
            "Please try again in a few minutes."
        ),
        503,
    ),
    MISCONFIGURED: Problem(
        _("Single sign-on is not set up correctly"),
        _("Digileap's single sign-on settings have an error, so nobody can sign in this way. Tell your administrator."),
        500,
    ),
    PROVIDER_FAILED: Problem(
        _("Sign-in service error"),
        _("Your organisation's sign-in service answered with an error. Please try again in a few minutes."),
        502,
    ),
}


def problem_page(request: HttpRequest, reason: str, **extra) -> HttpResponse:
    """The application's own page for a failed single sign-on, with a link back."""
    problem = PROBLEMS[reason]
    context = {"reason": reason, "problem": problem, **extra}
    return render(request, "accounts/sso/problem.html", context, status=problem.status)


class SingleSignOnCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here. Calls the backend itself (not ``auth.authenticate``),
    so that django-axes neither counts nor blocks single sign-ons by address: they are counted by
    identity instead."""

    def get(self, request: HttpRequest) -> HttpResponse:
        error = request.GET.get("error")
        if error:
            self._forget_state(request)
            if request.user.is_authenticated:
                auth.logout(request)
            reason = CANCELLED if error == "access_denied" else PROVIDER_ERROR
            return problem_page(request, reason, provider_error=error[:64])
        state = request.GET.get("state")
        states = request.session.get("oidc_states") or {}
        if not request.GET.get("code") or not state or state not in states:
            return problem_page(request, INVALID_STATE)
        nonce = states[state].get("nonce")
        code_verifier = states[state].get("code_verifier")
        del states[state]
        request.session["oidc_states"] = states
        request.session.save()
        # As the library does: reload the session, which other tabs may change while we wait.
        request.session = request.session.__class__(request.session.session_key)
        backend = oidc.DigileapOIDCBackend()
        try:
            user = backend.authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except oidc.SignOnRefused as refusal:
            return self._refused(request, refusal)
        except ImproperlyConfigured as exc:
            logger.error("single sign-on: %s", exc)
            return problem_page(request, MISCONFIGURED)
        except (requests.ConnectionError, requests.Timeout) as exc:
            logger.warning("single sign-on: provider unreachable: %s", exc)
            return problem_page(request, UNREACHABLE)
        except (requests.RequestException, ValueError) as exc:
            logger.warning("single sign-on: provider error: %s", exc)
            return problem_page(request, PROVIDER_FAILED)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as exc:
            logger.warning("single sign-on: token refused: %s", exc)
            return problem_page(request, INVALID_TOKEN)
        if user is None or not user.is_active:
            return problem_page(request, INVALID_TOKEN)
        self.user = user
        return self.login_success()

    def login_success(self) -> HttpResponse:
        request = self.request
        if not request.user.is_authenticated or request.user != self.user:
            auth.login(request, self.user, backend=BACKEND)
        interval = self.get_settings("OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS", 60 * 15)
        request.session["oidc_id_token_expiration"] = time.time() + interval
        if not RoleAssignment.objects.filter(user=self.user).exists() and not self.user.is_superuser:
            return redirect("waiting_for_role")
        return HttpResponseRedirect(self.success_url)

    @staticmethod
    def _forget_state(request: HttpRequest) -> None:
        state = request.GET.get("state")
        states = request.session.get("oidc_states") or {}
        if state and state in states:
            del states[state]
            request.session["oidc_states"] = states

    @staticmethod
    def _refused(request: HttpRequest, refusal: "oidc.SignOnRefused") -> HttpResponse:
        claims = refusal.claims
        extra: dict[str, object] = {"email": str(claims.get("email") or "")[:254]}
        until = refusal.details.get("until")
        if isinstance(until, datetime.datetime):
            extra["minutes"] = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        return problem_page(request, refusal.reason, **extra)


@login_required
def waiting_for_role(request: HttpRequest) -> HttpResponse:
    """A signed-in user without a role: who will give them one, and what the provider told us."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if user.is_superuser or RoleAssignment.objects.filter(user=user).exists():
        return redirect("home")
    access_request = AccessRequest.objects.filter(user=user).select_related("authority").first()
    authority = access_request.authority if access_request is not None else None
    owners_decide = access_request is not None and deciders_and_kind(access_request)[1] == "owners"
    context = {
        "access_request": access_request,
        "authority": authority,
        "owners_decide": owners_decide,
        "details": access_request.details if access_request is not None else {},
    }
    return render(request, "accounts/sso/waiting.html", context)


def provider_logout_url(request: HttpRequest) -> str:
    """The provider's end-session address (OIDC_OP_LOGOUT_URL_METHOD): signs the person out there too,
    then the provider sends them back to Digileap's home page."""
    home = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL or "/"))
    params = {"post_logout_redirect_uri": home, "client_id": settings.OIDC_RP_CLIENT_ID}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    endpoint = settings.OIDC_OP_LOGOUT_ENDPOINT
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


class SignOutView(auth_views.LogoutView):
    """Sign out; a person who signed in through the provider is signed out there too (single logout),
    when the installation configures the provider's end-session endpoint."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        method = getattr(settings, "OIDC_OP_LOGOUT_URL_METHOD", "") if getattr(settings, "OIDC_ENABLED", False) else ""
        if method and request.user.is_authenticated and request.session.get("oidc_id_token"):
            url = import_string(method)(request)
            auth.logout(request)
            return HttpResponseRedirect(url)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which tells a user without a password (single sign-on) why not."""

    template_name = "accounts/password_change_form.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_authenticated and not request.user.has_usable_password():
            return render(request, "accounts/sso/no_password.html", status=200)
        return super().dispatch(request, *args, **kwargs)
