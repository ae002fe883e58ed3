"""OpenID Connect sign-in for installations with a ministry identity provider.

Users are matched by e-mail, case-insensitively, among active users only; by default only users
an administrator created (with their roles) can sign in this way. Set OIDC_CREATE_USER=1 to let
new users in; they get no role until given one. An identity provider that says the e-mail address
is not verified (``email_verified: false``) signs nobody in.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class DigileapOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        return super().verify_claims(claims) and claims.get("email_verified") is not False

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims):
        user = super().create_user(claims)
        user.first_name = claims.get("given_name", "")
        user.last_name = claims.get("family_name", "")
        user.save(update_fields=["first_name", "last_name"])
        return user
