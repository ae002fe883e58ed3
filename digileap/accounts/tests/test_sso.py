"""Single sign-on against a fake OpenID provider (its HTTP calls mocked; tokens signed with a real RSA
key): the role map, users waiting for a role, the own pages of every failure, lock-out per identity,
single logout and the password change of users without a password. docs/sso.md describes it all.

The test settings do not switch OIDC on (that needs environment variables before Django starts), so
these tests set the OIDC settings with the ``settings`` fixture and use this module's URLs: the
project's plus the /oidc/ routes."""

import datetime
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

from config.urls import urlpatterns as project_urlpatterns
from digileap.accounts import sso_lockout, sso_mapping
from digileap.accounts.models import AccessRequest, Role, RoleAssignment, ScopeKind, SingleSignOnFailure, User
from digileap.accounts.tests.factories import PASSWORD, UserFactory, assign_role, user_with_role
from digileap.core.models import AuditEvent

urlpatterns = [*project_urlpatterns, path("oidc/", include("digileap.accounts.sso_urls"))]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

ISSUER = "https://idp.example.org"
BACKEND = "digileap.accounts.oidc.DigileapOIDCBackend"

ROLE_MAP = [
    {"value": "digileap-owners-IN", "role": "programme_owner", "scope": {"authority": "IN"}},
    {"value": "digileap-auditors", "role": "auditor"},
    {"value": "coordinators-1001", "role": "school_coordinator", "scope": {"authority": "IN", "school": "1001"}},
    {"value": "supplier-inside", "role": "supplier", "scope": {"supplier": "INSIDE supplier"}},
    {"value": "staff-IN", "scope": {"authority": "IN"}},
    {"value": "owners-NOWHERE", "role": "programme_owner", "scope": {"authority": "NOWHERE"}},
]


def configure_sso(settings, **extra: Any) -> None:
    """What OIDC_RP_CLIENT_ID & co. switch on in config/settings/base.py."""
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]
    values = {
        "OIDC_RP_CLIENT_ID": "digileap",
        "OIDC_RP_CLIENT_SECRET": "s3cret",
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/token",
        "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/jwks",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": 5.0,
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_CREATE_USER": False,
        "OIDC_OP_LOGOUT_ENDPOINT": f"{ISSUER}/session/end",
        "OIDC_OP_LOGOUT_URL_METHOD": "digileap.accounts.sso_views.provider_logout_url",
        "DIGILEAP_SSO_ROLE_MAP": json.dumps(ROLE_MAP),
        "DIGILEAP_SSO_GROUPS_CLAIM": "groups",
        "DIGILEAP_SSO_AUTHORITY_BY_DOMAIN": "",
        "DIGILEAP_SSO_TRUST_UNSTATED_EMAIL": False,
        "DIGILEAP_SSO_LOCKOUT_FAILURES": 5,
        "DIGILEAP_SSO_LOCKOUT_WINDOW": 15,
        "DIGILEAP_SSO_LOCKOUT_COOLOFF": 30,
    }
    values.update(extra)
    for name, value in values.items():
        setattr(settings, name, value)


class FakeProvider:
    """The provider's token, JWKS and user info endpoints, answering ``requests`` calls in-process."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "key-1"
        self.token_kid = ""  # the key the ID token names (default: the JWKS's)
        self.last_state = ""
        self.userinfo: dict[str, Any] = {}
        self.nonce = ""
        self.token_error: Exception | None = None
        self.jwks_error: Exception | None = None
        self.userinfo_error: Exception | None = None
        self.userinfo_status = 200
        self.sign_with: Any = None  # another key: a bad signature
        self.id_token_extra: dict[str, Any] = {}
        self.token_posts: list[dict] = []

    def id_token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": "digileap",
            "sub": self.userinfo.get("sub", "nobody"),
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.id_token_extra,
        }
        return jwt.encode(
            claims, self.sign_with or self.key, algorithm="RS256", headers={"kid": self.token_kid or self.kid}
        )

    def post(self, url, data=None, **kwargs):
        assert url == f"{ISSUER}/token"
        assert kwargs["timeout"] == 5.0
        self.token_posts.append(dict(data))
        if self.token_error:
            raise self.token_error
        return _response(200, {"id_token": self.id_token(), "access_token": "access", "token_type": "Bearer"}, url)

    def get(self, url, **kwargs):
        assert kwargs["timeout"] == 5.0
        if url == f"{ISSUER}/jwks":
            if self.jwks_error:
                raise self.jwks_error
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return _response(200, {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}, url)
        assert url == f"{ISSUER}/userinfo"
        assert kwargs["headers"] == {"Authorization": "Bearer access"}
        if self.userinfo_error:
            raise self.userinfo_error
        return _response(self.userinfo_status, self.userinfo, url)


def _response(status: int, body: dict, url: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["content-type"] = "application/json"
    response.url = url
    return response


@pytest.fixture
def provider(settings, monkeypatch, world) -> FakeProvider:
    configure_sso(settings)
    fake = FakeProvider()
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", fake.post)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", fake.get)
    return fake


def person(sub: str = "olga", email: str = "Olga.Owner@example.org", groups=None, **claims) -> dict:
    return {
        "sub": sub,
        "email": email,
        "email_verified": True,
        "given_name": "Olga",
        "family_name": "Owner",
        "groups": groups if groups is not None else [],
        **claims,
    }


def sign_in(client: Client, provider: FakeProvider, claims: dict | None, *, address: str = "192.0.2.10", **query):
    """Start at /oidc/authenticate/, "come back" from the provider with a code, return the callback's answer."""
    if claims is not None:
        provider.userinfo = claims
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    sent = parse_qs(urlsplit(start["Location"]).query)
    assert sent["client_id"] == ["digileap"]
    assert sent["code_challenge_method"] == ["S256"]
    provider.nonce = sent["nonce"][0]
    provider.last_state = sent["state"][0]
    params = {"code": "the-code", "state": sent["state"][0], **query}
    params = {name: value for name, value in params.items() if value is not None}
    return client.get(reverse("oidc_authentication_callback"), params, REMOTE_ADDR=address)


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def assignments(user: User) -> set[tuple]:
    return {
        (a.role, a.scope_kind, a.scope_label, a.source) for a in RoleAssignment.objects.filter(user=user).order_by("id")
    }


# The role map.


def test_a_group_that_maps_to_a_role_creates_the_user_and_lands_on_the_home_page(client, provider):
    response = sign_in(client, provider, person(groups=["digileap-owners-IN", "all-staff"]))
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = signed_in_user(client)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "olga.owner@example.org",
        "Olga.Owner@example.org",
        "Olga",
        "Owner",
    )
    assert not user.has_usable_password()
    assert assignments(user) == {("programme_owner", "authority", "INSIDE authority", "identity_provider")}
    assert client.session["oidc_id_token"].count(".") == 2
    assert provider.token_posts[0]["client_secret"] == "s3cret"  # client_secret_post
    assert len(provider.token_posts[0]["code_verifier"]) == 64  # PKCE
    home = client.get("/")
    assert home.status_code == 200
    assert [tile["key"] for tile in home.context["tiles"]][:1] == ["schools"]
    assert not AccessRequest.objects.filter(user=user).exists()
    created = AuditEvent.objects.filter(object_type="accounts.roleassignment", action="assign").count()
    assert created == 1


def test_the_token_endpoint_can_take_basic_authentication(client, provider, settings):
    settings.OIDC_TOKEN_USE_BASIC_AUTH = True
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert "client_secret" not in provider.token_posts[0]
    assert signed_in_user(client) is not None


def test_scopes_by_code_school_and_supplier_and_all(client, provider, world):
    claims = person(groups=["coordinators-1001", "supplier-inside", "digileap-auditors", "owners-NOWHERE"])
    sign_in(client, provider, claims)
    assert assignments(signed_in_user(client)) == {
        ("school_coordinator", "school", "INSIDE school (1001)", "identity_provider"),
        ("supplier", "supplier", "INSIDE supplier", "identity_provider"),
        ("auditor", "all", "Everything", "identity_provider"),
    }  # the authority NOWHERE does not exist: that rule gives nothing


def test_an_existing_user_is_matched_by_email_and_the_provider_roles_follow_the_provider(client, provider, world):
    user = UserFactory(username="olga", email="olga.owner@EXAMPLE.org")
    assign_role(user, Role.AUDITOR)  # given in Digileap: stays
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert signed_in_user(client) == user
    assert assignments(user) == {
        ("auditor", "all", "Everything", "manual"),
        ("programme_owner", "authority", "INSIDE authority", "identity_provider"),
    }
    client.logout()
    sign_in(client, provider, person(groups=["coordinators-1001"]))  # removed from the owners' group
    assert assignments(user) == {
        ("auditor", "all", "Everything", "manual"),
        ("school_coordinator", "school", "INSIDE school (1001)", "identity_provider"),
    }


def test_without_a_role_map_the_roles_are_left_alone(client, provider, settings, world):
    settings.DIGILEAP_SSO_ROLE_MAP = ""
    user = user_with_role(Role.PROGRAMME_OWNER, world.authority, email="olga.owner@example.org")
    RoleAssignment.objects.filter(user=user).update(source="identity_provider")
    sign_in(client, provider, person(groups=[]))
    assert signed_in_user(client) == user
    assert assignments(user) == {("programme_owner", "authority", "INSIDE authority", "identity_provider")}
    client.logout()
    assert sign_in(client, provider, person(sub="new", email="new@in.example.org")).status_code == 403  # unknown
    settings.OIDC_CREATE_USER = True
    settings.DIGILEAP_SSO_AUTHORITY_BY_DOMAIN = '{"in.example.org": "IN"}'
    sign_in(client, provider, person(sub="new", email="new@in.example.org", groups=["digileap-owners-IN"]))
    assert assignments(signed_in_user(client)) == set()
    assert AccessRequest.objects.get().authority == world.authority  # by the e-mail domain


def test_a_role_map_from_a_file(tmp_path, settings, world):
    path = tmp_path / "roles.json"
    path.write_text(json.dumps(ROLE_MAP[:1]), encoding="utf-8")
    settings.DIGILEAP_SSO_ROLE_MAP = str(path)
    mapping = sso_mapping.map_claims({"groups": "digileap-owners-IN", "email": "a@example.org"})
    assert mapping.grants == [("programme_owner", "authority", world.authority)]
    assert mapping.authority == world.authority
    assert mapping.groups == ["digileap-owners-IN"]


def test_a_rule_on_another_claim(settings, world):
    settings.DIGILEAP_SSO_ROLE_MAP = [
        {"claim": "department", "value": "ict", "role": "operator_staff", "scope": {"operator": world.operator.code}}
    ]
    assert sso_mapping.map_claims({"department": "ict"}).grants == [("operator_staff", "operator", world.operator)]
    assert sso_mapping.map_claims({"department": "ICT", "groups": ["ict"]}).grants == []


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"value": "x"}, "must be a list of rules"),
        ([{"role": "auditor"}], 'rule 1: needs a "value"'),
        ([{"value": "x", "role": "king"}], "rule 1: unknown role 'king'"),
        ([{"value": "x", "role": "administrator", "scope": {"authority": "IN"}}], "cannot have the scope 'authority'"),
        ([{"value": "x", "role": "supplier"}], "a supplier cannot have the scope 'all'"),
        ([{"value": "x", "role": "teacher"}], "a teacher cannot have the scope 'all'"),
        ([{"value": "x"}], "a rule without a role names an authority"),
        ([{"value": "x", "role": "auditor", "scope": {"region": "north"}}], "the scope names only"),
        ([{"value": "x", "role": "auditor", "group": "y"}], "unknown keys ['group']"),
    ],
)
def test_a_wrong_role_map_says_what_is_wrong(settings, rules, message):
    settings.DIGILEAP_SSO_ROLE_MAP = json.dumps(rules)
    with pytest.raises(ImproperlyConfigured) as error:
        sso_mapping.rules()
    assert message in str(error.value)


def test_a_role_map_that_is_not_json(settings):
    settings.DIGILEAP_SSO_ROLE_MAP = "[{"
    with pytest.raises(ImproperlyConfigured, match="DIGILEAP_SSO_ROLE_MAP is not valid JSON"):
        sso_mapping.rules()
    settings.DIGILEAP_SSO_ROLE_MAP = "/nonexistent/roles.json"
    with pytest.raises(ImproperlyConfigured, match="cannot read /nonexistent/roles.json"):
        sso_mapping.rules()


def test_a_wrong_role_map_stops_single_sign_on_with_an_own_page(client, provider, settings):
    settings.DIGILEAP_SSO_ROLE_MAP = json.dumps([{"value": "x", "role": "king"}])
    response = sign_in(client, provider, person(groups=["x"]))
    assert response.status_code == 500
    assert "<h1>Single sign-on is not set up correctly</h1>" in response.content.decode()
    assert signed_in_user(client) is None


# Waiting for a role.


def test_a_user_without_a_role_waits_and_the_authoritys_owners_are_told_once(
    client, provider, settings, world, django_capture_on_commit_callbacks
):
    settings.OIDC_CREATE_USER = True
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority, email="owner@example.org", preferred_language="de")
    user_with_role(Role.PROGRAMME_OWNER, world.other_authority, email="other-owner@example.org")
    user_with_role(Role.ADMINISTRATOR, email="admin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, provider, person(sub="nina", email="nina@example.org", groups=["staff-IN", "x"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("waiting_for_role")
    user = signed_in_user(client)
    request = AccessRequest.objects.get(user=user)
    assert (request.authority, request.resolved_at) == (world.authority, None)
    assert request.details == {
        "email": "nina@example.org",
        "email_domain": "example.org",
        "groups": ["staff-IN", "x"],
        "subject": "nina",
    }
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "nina@example.org" in mail.outbox[0].body
    assert "staff-IN, x" in mail.outbox[0].body
    page = client.get(reverse("waiting_for_role"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Waiting for a role</h1>" in html
    assert (
        "The programme owners of INSIDE authority give roles for it. They have been told that you are waiting." in html
    )
    assert "<dd>staff-IN, x</dd>" in html
    assert client.get("/")["Location"] == reverse("waiting_for_role")  # not an empty home page
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, provider, None)
    assert len(mail.outbox) == 1  # told once, not at every sign-in


def test_the_email_domain_places_a_user_and_without_an_authority_the_administrators_are_told(
    client, provider, settings, world, django_capture_on_commit_callbacks
):
    settings.OIDC_CREATE_USER = True
    settings.DIGILEAP_SSO_AUTHORITY_BY_DOMAIN = json.dumps({"out.example.org": "OUT"})
    admin = user_with_role(Role.ADMINISTRATOR, email="admin@example.org")
    UserFactory(email="no-role@example.org")  # no role: not told
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, provider, person(sub="oscar", email="oscar@out.example.org"))
    request = AccessRequest.objects.get(user__email="oscar@out.example.org")
    assert request.authority == world.other_authority  # which has no programme owner
    assert [message.to for message in mail.outbox] == [[admin.email]]
    html = client.get(reverse("waiting_for_role")).content.decode()
    assert "Digileap's administrators give roles. They have been told that you are waiting." in html
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, provider, person(sub="paul", email="paul@elsewhere.example.org"))
    assert AccessRequest.objects.get(user__email="paul@elsewhere.example.org").authority is None
    assert [message.to for message in mail.outbox] == [[admin.email], [admin.email]]


def test_a_role_given_later_resolves_the_request(client, provider, settings, world):
    settings.OIDC_CREATE_USER = True
    sign_in(client, provider, person(groups=[]))
    user = signed_in_user(client)
    assert AccessRequest.objects.get(user=user).resolved_at is None
    client.logout()
    response = sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert response["Location"] == "/"
    assert AccessRequest.objects.get(user=user).resolved_at is not None
    assert client.get(reverse("waiting_for_role"))["Location"] == reverse("home")


def test_the_waiting_page_for_a_user_without_an_access_request(client, world):
    client.force_login(UserFactory())
    assert client.get("/")["Location"] == reverse("waiting_for_role")
    html = client.get(reverse("waiting_for_role")).content.decode()
    assert "Ask your programme's administrator to give you one." in html
    client.logout()
    assert client.get(reverse("waiting_for_role"))["Location"].startswith(reverse("login"))


def test_every_role_goes_home_not_to_the_waiting_page(client, role_users):
    for role, user in role_users.items():
        client.force_login(user)
        assert client.get("/").status_code == 200, role
        assert client.get(reverse("waiting_for_role"))["Location"] == reverse("home"), role


# Refusals: the application's own page, with the reason, in the person's language.


@pytest.mark.parametrize(
    ("claims", "status", "title"),
    [
        (person(email="stranger@example.org"), 403, "No Digileap account"),
        (person(groups=["digileap-owners-IN"], email_verified=False), 403, "E-mail address not verified"),
        (person(groups=["digileap-owners-IN"], email_verified="false"), 403, "E-mail address not verified"),
        ({**person(groups=["digileap-owners-IN"]), "email_verified": None}, 403, "E-mail address not verified"),
        (person(groups=["digileap-owners-IN"], email=""), 403, "No e-mail address"),
        ({"sub": "olga", "groups": ["digileap-owners-IN"]}, 403, "No e-mail address"),
    ],
)
def test_a_refused_sign_in_says_why(client, provider, claims, status, title):
    response = sign_in(client, provider, claims)
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert f'<a href="{reverse("login")}">Back to the sign-in page</a>' in html
    assert signed_in_user(client) is None
    assert not User.objects.filter(email__iexact=claims.get("email") or "-").exists()
    assert SingleSignOnFailure.objects.get().identity == "sub:olga"


def test_a_missing_email_verified_claim_can_be_trusted_by_setting(client, provider, settings):
    settings.DIGILEAP_SSO_TRUST_UNSTATED_EMAIL = True
    claims = person(groups=["digileap-owners-IN"])
    del claims["email_verified"]
    assert sign_in(client, provider, claims)["Location"] == "/"


def test_a_deactivated_user_is_not_made_again(client, provider, world):
    UserFactory(email="olga.owner@example.org", is_active=False)
    response = sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert response.status_code == 403
    assert "<h1>Account deactivated</h1>" in response.content.decode()
    assert User.objects.filter(email__iexact="olga.owner@example.org").count() == 1


def test_two_accounts_with_the_email(client, provider):
    UserFactory(email="olga.owner@example.org")
    UserFactory(email="OLGA.owner@example.org")
    response = sign_in(client, provider, person())
    assert response.status_code == 403
    assert "<h1>More than one account</h1>" in response.content.decode()


def test_cancel_at_the_provider(client, provider):
    response = sign_in(client, provider, None, code=None, error="access_denied")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sign-in cancelled</h1>" in html
    assert "Back to the sign-in page" in html
    assert signed_in_user(client) is None
    assert client.session["oidc_states"] == {}  # the state cannot be used again
    other = sign_in(client, provider, None, code=None, error="login_required")
    assert other.status_code == 403
    assert "The sign-in service's reason: login_required." in other.content.decode()


def test_the_page_is_in_the_persons_language(client, provider, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = sign_in(client, provider, None, code=None, error="access_denied")
    assert '<html lang="fr">' in response.content.decode()
    assert response.context["reason"] == "cancelled"


def test_a_wrong_state_is_an_own_400_page(client, provider):
    assert sign_in(client, provider, person(groups=["digileap-owners-IN"]), state="forged").status_code == 400
    for params in ({"code": "c", "state": "forged"}, {"code": "c"}, {}):
        response = client.get(reverse("oidc_authentication_callback"), params)
        assert response.status_code == 400
        assert "<h1>Sign-in expired</h1>" in response.content.decode()
        assert "Back to the sign-in page" in response.content.decode()


def test_a_used_state_cannot_sign_in_again(client, provider):
    response = sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert response.status_code == 302
    replay = Client().get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": provider.last_state})
    assert replay.status_code == 400
    client.logout()
    again = client.get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": provider.last_state})
    assert again.status_code == 400


@pytest.mark.parametrize(
    "breakage",
    [
        {"sign_with": rsa.generate_private_key(public_exponent=65537, key_size=2048)},  # bad signature
        {"id_token_extra": {"nonce": "another"}},
        {"token_kid": "unknown-key"},
        {"id_token_extra": {"exp": 1_000_000}},  # expired long ago
    ],
    ids=["signature", "nonce", "kid", "expired"],
)
def test_a_token_that_does_not_verify_is_an_own_400_page(client, provider, breakage):
    claims = person(groups=["digileap-owners-IN"])
    provider.userinfo = claims
    for name, value in breakage.items():
        setattr(provider, name, value)
    response = sign_in(client, provider, None)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Sign-in could not be checked</h1>" in html
    assert "Back to the sign-in page" in html
    assert signed_in_user(client) is None


def test_userinfo_about_another_subject_is_refused(client, provider):
    provider.id_token_extra = {"sub": "someone-else"}
    response = sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert response.status_code == 400
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("where", "error", "status", "title"),
    [
        ("token_error", requests.ConnectionError("refused"), 503, "Sign-in service unreachable"),
        ("token_error", requests.Timeout("slow"), 503, "Sign-in service unreachable"),
        ("jwks_error", requests.ConnectTimeout("slow"), 503, "Sign-in service unreachable"),
        ("userinfo_error", requests.ReadTimeout("slow"), 503, "Sign-in service unreachable"),
        ("userinfo_status", 500, 502, "Sign-in service error"),
    ],
)
def test_a_provider_that_cannot_be_reached_is_an_own_page(client, provider, where, error, status, title):
    setattr(provider, where, error)
    response = sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert "Back to the sign-in page" in html
    assert signed_in_user(client) is None


def test_a_token_endpoint_error_answer_is_an_own_502_page(client, provider, monkeypatch):
    monkeypatch.setattr(
        "mozilla_django_oidc.auth.requests.post", lambda url, **kw: _response(400, {"error": "invalid_grant"}, url)
    )
    response = sign_in(client, provider, person())
    assert response.status_code == 502
    assert "<h1>Sign-in service error</h1>" in response.content.decode()


# Lock-out by identity, not by address.


def test_five_refusals_lock_that_identity_and_nobody_else_behind_the_address(client, provider, world):
    stranger = person(sub="mallory", email="mallory@example.org")
    for attempt in range(5):
        assert sign_in(Client(), provider, stranger).status_code == 403, attempt
    locked = sign_in(Client(), provider, stranger)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "<h1>Sign-in paused</h1>" in html
    assert "Please try again in 30 minutes." in html
    assert list(SingleSignOnFailure.objects.order_by("id").values_list("reason", flat=True)) == ["unknown_user"] * 5 + [
        "locked"
    ]
    assert set(SingleSignOnFailure.objects.values_list("identity", "ip_address")) == {("sub:mallory", "192.0.2.10")}
    # Another person behind the same address signs in.
    assert sign_in(client, provider, person(groups=["digileap-owners-IN"])).status_code == 302
    assert signed_in_user(client) is not None
    # And the password sign-in from that address is not paused either (axes counted no SSO failure).
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.count() == 0
    password_user = UserFactory()
    answer = Client().post(
        reverse("login"), {"username": password_user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert answer.status_code == 302


def test_the_lock_out_window_and_cool_off():
    identity = "sub:x"
    start = timezone.now() - datetime.timedelta(hours=2)
    times = [start + datetime.timedelta(minutes=m) for m in (0, 4, 8, 12, 20)]  # 5 failures in 20 minutes

    def fail_at(moments):
        SingleSignOnFailure.objects.all().delete()
        for moment in moments:
            failure = SingleSignOnFailure.objects.create(identity=identity, reason="unknown_user")
            SingleSignOnFailure.objects.filter(pk=failure.pk).update(occurred_at=moment)

    fail_at(times)
    assert sso_lockout.locked_until(identity, now=start + datetime.timedelta(minutes=21)) is None  # not within 15
    fail_at(times[:4] + [start + datetime.timedelta(minutes=14)])
    assert sso_lockout.locked_until(identity, now=start + datetime.timedelta(minutes=15)) == start + datetime.timedelta(
        minutes=44
    )
    assert sso_lockout.locked_until(identity, now=start + datetime.timedelta(minutes=44)) is None
    assert sso_lockout.locked_until("sub:y", now=start + datetime.timedelta(minutes=15)) is None


def test_a_successful_sign_in_forgets_the_failures(client, provider, world):
    for _attempt in range(4):
        sign_in(Client(), provider, person(groups=[]))  # no role, no creation: refused
    assert SingleSignOnFailure.objects.filter(identity="sub:olga").count() == 4
    assert sign_in(client, provider, person(groups=["digileap-owners-IN"])).status_code == 302
    assert SingleSignOnFailure.objects.filter(identity="sub:olga").count() == 0


def test_identity_of():
    assert sso_lockout.identity_of({"sub": "abc", "email": "a@example.org"}) == "sub:abc"
    assert sso_lockout.identity_of({"email": "A@Example.org"}) == "email:a@example.org"
    assert sso_lockout.identity_of({}) == ""


# Single logout.


def test_signing_out_ends_the_providers_session_too(client, provider):
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/session/end"
    assert parse_qs(location.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/"],
        "client_id": ["digileap"],
    }
    assert signed_in_user(client) is None


def test_single_logout_switched_off_or_a_password_user_signs_out_here_only(client, provider, settings, world):
    password_user = user_with_role(Role.AUDITOR)
    client.force_login(password_user)
    assert client.post(reverse("logout"))["Location"] == reverse("home")
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    del settings.OIDC_OP_LOGOUT_URL_METHOD
    assert client.post(reverse("logout"))["Location"] == reverse("home")
    assert signed_in_user(client) is None


# Change password.


def test_no_password_change_for_a_user_without_a_password(client, provider):
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    home = client.get("/").content.decode()
    assert "Change password" not in home
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "<h1>No password to change</h1>" in page.content.decode()
    answer = client.post(
        reverse("password_change"),
        {"old_password": "", "new_password1": "a much longer passphrase", "new_password2": "a much longer passphrase"},
    )
    assert "<h1>No password to change</h1>" in answer.content.decode()
    assert not signed_in_user(client).has_usable_password()


def test_a_user_with_a_password_still_changes_it(client, world):
    user = user_with_role(Role.AUDITOR)
    client.force_login(user)
    assert f'href="{reverse("password_change")}">Change password</a>' in client.get("/").content.decode()
    assert '<input type="password" name="old_password"' in client.get(reverse("password_change")).content.decode()


def test_provider_roles_are_audited_by_the_provider(client, provider):
    sign_in(client, provider, person(groups=["digileap-owners-IN"]))
    client.logout()
    sign_in(client, provider, person(groups=[]))
    events = list(
        AuditEvent.objects.filter(object_type="accounts.roleassignment").order_by("id").values_list("action", flat=True)
    )
    assert events == ["assign", "revoke"]
    assert not RoleAssignment.objects.filter(scope_kind=ScopeKind.AUTHORITY, role=Role.PROGRAMME_OWNER).exists()
