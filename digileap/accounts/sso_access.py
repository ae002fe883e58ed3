"""After a single sign-on: the provider's roles follow the provider, and a user without a role waits
for one. Their authority's programme owners (or, without an authority, the administrators) are
told by e-mail once when the wait begins, not at every sign-in."""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from digileap.core.permissions import forget_cached_assignments

from .models import AccessRequest, Role, RoleAssignment, ScopeKind, User
from .services import sync_provider_roles
from .sso_mapping import Grant, Mapping

logger = logging.getLogger(__name__)


def sync_roles(user: User, grants: list[Grant]) -> None:
    """The user's roles from the identity provider become exactly ``grants`` (audited)."""
    sync_provider_roles(user=user, grants=grants)
    forget_cached_assignments(user)


def after_sign_in(user: User, claims: dict[str, Any], mapping: Mapping, *, sync: bool) -> None:
    """Apply the mapping (``sync``: when the installation has a role map), then open or close the
    user's access request."""
    if sync:
        sync_roles(user, mapping.grants)
    if RoleAssignment.objects.filter(user=user).exists():
        AccessRequest.objects.filter(user=user, resolved_at__isnull=True).update(resolved_at=timezone.now())
        return
    details = {
        "email": claims.get("email") or "",
        "email_domain": (claims.get("email") or "").rpartition("@")[2].lower(),
        "groups": mapping.groups,
        "subject": str(claims.get("sub") or ""),
    }
    authority = mapping.authority
    request, created = AccessRequest.objects.get_or_create(
        user=user, defaults={"authority": authority, "details": details}
    )
    reopened = not created and request.resolved_at is not None
    if not created:
        request.authority, request.details, request.resolved_at = authority, details, None
        request.save(update_fields=["authority", "details", "resolved_at"])
    if created or reopened:
        transaction.on_commit(lambda: notify(request))


def deciders(request: AccessRequest) -> list[User]:
    return deciders_and_kind(request)[0]


def deciders_and_kind(request: AccessRequest) -> tuple[list[User], str]:
    """Who gives the role: the authority's programme owners (``"owners"``), else the administrators."""
    users = User.objects.filter(is_active=True).exclude(email="")
    if request.authority_id is not None:
        owners = list(
            users.filter(
                role_assignments__role=Role.PROGRAMME_OWNER,
                role_assignments__scope_kind=ScopeKind.AUTHORITY,
                role_assignments__authority_id=request.authority_id,
            )
            .distinct()
            .order_by("pk")
        )
        if owners:
            return owners, "owners"
    return list(users.filter(role_assignments__role=Role.ADMINISTRATOR).distinct().order_by("pk")), "administrators"


def _language_of(user: User) -> str:
    code = (user.preferred_language or "").lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notify(request: AccessRequest) -> int:
    """E-mail each decider, in their language. Returns how many e-mails went out."""
    sent = 0
    base = (getattr(settings, "DIGILEAP_BASE_URL", "") or "").rstrip("/")
    for recipient in deciders(request):
        with translation.override(_language_of(recipient)):
            subject = _("%(name)s signed in and waits for a role in Digileap") % {"name": request.user}
            body = render_to_string(
                "accounts/sso/access_request_email.txt",
                {"request": request, "recipient": recipient, "site": base or "", "home": base + reverse("home")},
            )
        try:
            EmailMessage(subject=subject, body=body, to=[recipient.email]).send()
            sent += 1
        except Exception:  # noqa: BLE001 - a mail server that is down must not stop the sign-in
            logger.exception("could not tell %s about the access request of user %s", recipient.pk, request.user_id)
    return sent
