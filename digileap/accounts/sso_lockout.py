"""Lock-out for single sign-on, keyed by the identity the provider named, never by address.

``DIGILEAP_SSO_LOCKOUT_FAILURES`` refused sign-ins (default 5) of one identity within
``DIGILEAP_SSO_LOCKOUT_WINDOW`` minutes (default 15) refuse that identity for
``DIGILEAP_SSO_LOCKOUT_COOLOFF`` minutes (default 30) after the last of them. A whole ministry
signs in from behind one address, so failures of one person never lock out another. A successful
sign-in forgets the identity's failures. Refusals because of the lock-out are kept but not counted.
"""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import SingleSignOnFailure

LOCKED = "locked"


def identity_of(claims: dict[str, Any]) -> str:
    """The provider's subject (``sub:…``), or its e-mail address when it names no subject."""
    subject = str(claims.get("sub") or "").strip()
    if subject:
        return f"sub:{subject}"[:254]
    email = str(claims.get("email") or "").strip().lower()
    return f"email:{email}"[:254] if email else ""


def _minutes(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, name, default)))


def limit() -> int:
    return int(getattr(settings, "DIGILEAP_SSO_LOCKOUT_FAILURES", 5))


def cooloff() -> datetime.timedelta:
    return _minutes("DIGILEAP_SSO_LOCKOUT_COOLOFF", 30)


def locked_until(identity: str, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the identity's lock-out ends, or None if it is not locked out."""
    if not identity or limit() <= 0:
        return None
    now = now or timezone.now()
    window = _minutes("DIGILEAP_SSO_LOCKOUT_WINDOW", 15)
    times = list(
        SingleSignOnFailure.objects.filter(identity=identity, occurred_at__gte=now - window - cooloff())
        .exclude(reason=LOCKED)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", flat=True)
    )
    n = limit()
    until = None
    for last in range(n - 1, len(times)):
        if times[last] - times[last - n + 1] <= window:
            until = times[last] + cooloff()
    return until if until is not None and until > now else None


def record_failure(identity: str, reason: str, ip_address: str | None) -> None:
    if identity:
        SingleSignOnFailure.objects.create(identity=identity, reason=reason, ip_address=ip_address or None)


def forget(identity: str) -> None:
    """A successful sign-in: the identity's earlier failures no longer count."""
    if identity:
        SingleSignOnFailure.objects.filter(identity=identity).delete()
