"""Password guessing (django-axes): two limits, and no per-address count for sign-ins without a password.

django-axes counts failed sign-ins per set of lockout parameters (AXES_LOCKOUT_PARAMETERS) and
compares the highest count with one limit (AXES_FAILURE_LIMIT). Digileap keeps two counts: per user
name and address (AXES_FAILURE_LIMIT) and per address alone (DIGILEAP_ADDRESS_FAILURE_LIMIT), each
with its own limit. See docs/security.md.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import ngettext


def is_not_a_password_attempt(request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
    """AXES_WHITELIST_CALLABLE: a sign-in without a password (the OpenID Connect callback, whose
    credentials are a nonce and a code verifier) is neither counted nor refused by axes. Single sign-on
    failures are counted per identity by the SSO code instead, so that one NAT address in front of a
    whole ministry is not locked out by a few rejected SSO sign-ins."""
    return not (credentials or {}).get(getattr(settings, "AXES_PASSWORD_FORM_FIELD", "password"))


def limit_for(parameter: str | list[str], request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """The limit of one lockout parameter set: the address alone has its own."""
    if parameter == "ip_address" or parameter == ["ip_address"]:
        return int(settings.DIGILEAP_ADDRESS_FAILURE_LIMIT)
    return get_failure_limit(request, credentials)


class DigileapAxesHandler(AxesDatabaseHandler):
    """The database handler with a limit per lockout parameter set.

    ``get_failures`` reports the highest count scaled to AXES_FAILURE_LIMIT: a set whose count
    reaches its own limit reports at least AXES_FAILURE_LIMIT, so axes' single comparison
    (failures >= AXES_FAILURE_LIMIT) locks exactly when one of the sets reaches its limit.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        main_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        scaled = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled = max(scaled, count * main_limit // max(limit_for(parameter, request, credentials), 1))
        return scaled

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """After a successful sign-in, forget the failures of this user name from this address only. (Axes
        would delete every record of each lockout parameter set, so one good sign-in would wipe the
        address's count of everybody's failures.)"""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()  # type: ignore[attr-defined]
        return count


def retry_after(request: HttpRequest) -> timedelta:
    """How long a locked-out client waits: the cool-off, which restarts with each attempt during a lock-out."""
    return get_cool_off(request) or timedelta(0)


def lockout_message(request: HttpRequest) -> str:
    minutes = max(1, math.ceil(retry_after(request).total_seconds() / 60))
    return ngettext(
        "Sign-in is paused after too many failed attempts from your network or for this account. "
        "Please try again in %(minutes)d minute.",
        "Sign-in is paused after too many failed attempts from your network or for this account. "
        "Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
