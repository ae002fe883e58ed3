"""OpenID Connect sign-in for installations with a ministry identity provider (see docs/sso.md).

Users are matched by e-mail, case-insensitively, among active users only. A user the provider
names but Digileap does not know is created when the installation's role map gives them a role,
or for everyone when OIDC_CREATE_USER=1 (they then wait for a role). The provider must say that
the e-mail address is verified (``email_verified: true``); DIGILEAP_SSO_TRUST_UNSTATED_EMAIL=1
accepts a provider that does not send the claim at all.

Every refusal raises :class:`SignOnRefused` with its reason, which the callback view shows to the
person in their language; refusals are counted per identity (see ``sso_lockout``).
"""

import logging
from typing import Any

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo

from . import sso_access, sso_lockout, sso_mapping

logger = logging.getLogger(__name__)


class SignOnRefused(Exception):
    """A sign-in the provider vouched for, refused by Digileap, with the reason shown to the person."""

    def __init__(self, reason: str, claims: dict[str, Any] | None = None, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claims = claims or {}
        self.details = details


# Reasons a sign-in is refused (the callback view has a message for each).
EMAIL_MISSING = "email_missing"
EMAIL_UNVERIFIED = "email_unverified"
UNKNOWN_USER = "unknown_user"
DEACTIVATED = "deactivated"
AMBIGUOUS = "ambiguous"
LOCKED = sso_lockout.LOCKED
SUBJECT_MISMATCH = "subject_mismatch"


def _email_verified(claims: dict[str, Any]) -> bool:
    verified = claims.get("email_verified")
    if verified is None:
        return bool(getattr(settings, "DIGILEAP_SSO_TRUST_UNSTATED_EMAIL", False))
    # Some providers send the claim as a string.
    return verified is True or str(verified).lower() == "true"


class DigileapOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        return bool((claims.get("email") or "").strip()) and _email_verified(claims)

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:  # the sign-in itself requires it to be true
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_username(self, claims) -> str:
        email = (claims.get("email") or "").strip().lower()
        if email and not self.UserModel.objects.filter(username__iexact=email).exists():
            return email
        return default_username_algo(email, claims)

    def create_user(self, claims):
        user = super().create_user(claims)  # without a password: it cannot be used
        user.first_name = (claims.get("given_name") or "")[:150]
        user.last_name = (claims.get("family_name") or "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        """Match (or create) the user the provider named, apply the role map, or refuse with a reason."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if payload.get("sub") and userinfo.get("sub") and str(payload["sub"]) != str(userinfo["sub"]):
            raise SignOnRefused(SUBJECT_MISMATCH, userinfo)
        # Groups may come in the ID token only (some providers leave them out of the user info).
        claims = {**payload, **userinfo}
        identity = sso_lockout.identity_of(claims)
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        until = sso_lockout.locked_until(identity)
        if until is not None:
            sso_lockout.record_failure(identity, LOCKED, address)
            raise SignOnRefused(LOCKED, claims, until=until)
        try:
            user, mapping = self._match(claims)
        except SignOnRefused as refusal:
            sso_lockout.record_failure(identity, refusal.reason, address)
            raise
        sso_lockout.forget(identity)
        sso_access.after_sign_in(user, claims, mapping, sync=sso_mapping.is_configured())
        return user

    def _match(self, claims: dict[str, Any]):
        email = (claims.get("email") or "").strip()
        if not email:
            raise SignOnRefused(EMAIL_MISSING, claims)
        if not _email_verified(claims):
            raise SignOnRefused(EMAIL_UNVERIFIED, claims)
        mapping = sso_mapping.map_claims(claims)  # without rules: no grants, the authority by e-mail domain
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            raise SignOnRefused(AMBIGUOUS, claims)
        if users:
            return self.update_user(users[0], claims), mapping
        if self.UserModel.objects.filter(email__iexact=email, is_active=False).exists():
            raise SignOnRefused(DEACTIVATED, claims)
        if mapping.grants or self.get_settings("OIDC_CREATE_USER", False):
            user = self.create_user(claims)
            logger.info("single sign-on created user %s", user.pk)
            return user, mapping
        raise SignOnRefused(UNKNOWN_USER, claims)
