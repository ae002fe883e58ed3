"""Which role and scope an identity provider's claims give a user, configured per installation.

``DIGILEAP_SSO_ROLE_MAP`` holds a list of rules, as JSON in the setting itself or in a file it
names. A rule matches when the claim (default ``DIGILEAP_SSO_GROUPS_CLAIM``, ``groups``) has the
value: one string, or one of a list of strings. A rule with a role grants that role in its scope;
a rule without one only says which authority the user belongs to (whose administrators are told
that the user waits for a role)::

    [
      {"value": "digileap-owners-BE-BRU", "role": "programme_owner", "scope": {"authority": "BE-BRU"}},
      {"value": "digileap-auditors", "role": "auditor"},
      {"claim": "department", "value": "ict", "role": "operator_staff",
       "scope": {"authority": "BE-BRU", "operator": "OP-17"}},
      {"value": "staff-BE-BRU", "scope": {"authority": "BE-BRU"}}
    ]

Scopes name objects by their stable codes: an authority by its code, an operator by its code
(with its authority's code when operator codes repeat across authorities), a school by its
official number and authority code, a supplier by its name. No scope means everything.

``DIGILEAP_SSO_AUTHORITY_BY_DOMAIN`` maps e-mail domains to authority codes
(``{"bru.example.be": "BE-BRU"}``), for users whom no rule places.
"""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .models import Role, ScopeKind

logger = logging.getLogger(__name__)

SCOPE_KEYS = {"authority", "operator", "school", "supplier"}
# The scope kinds a role may have when it comes from the provider (a teacher's is their own staff record,
# which a provider's group cannot name).
ALLOWED_SCOPES: dict[str, set[str]] = {
    Role.ADMINISTRATOR: {ScopeKind.ALL},
    Role.SUPPLIER: {ScopeKind.SUPPLIER},
    Role.TEACHER: set(),
}
DEFAULT_SCOPES = {ScopeKind.ALL, ScopeKind.AUTHORITY, ScopeKind.OPERATOR, ScopeKind.SCHOOL}

Grant = tuple[str, str, models.Model | None]


@dataclass(frozen=True)
class Rule:
    claim: str
    value: str
    role: str
    scope: dict[str, str] = field(default_factory=dict)

    @property
    def scope_kind(self) -> str:
        for kind in ("school", "operator", "supplier", "authority"):
            if kind in self.scope:
                return kind
        return ScopeKind.ALL.value

    def matches(self, claims: dict[str, Any]) -> bool:
        value = claims.get(self.claim)
        if isinstance(value, (list, tuple)):
            return self.value in [str(item) for item in value]
        return value is not None and str(value) == self.value


def _load_json(raw: Any, name: str) -> Any:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if not text.startswith(("[", "{")):
        path = Path(text)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ImproperlyConfigured(f"{name}: cannot read {path}: {error}") from error
    try:
        return json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from error


def parse_rules(data: Any, groups_claim: str = "groups") -> list[Rule]:
    """The rules of a role map, checked: a list of objects with a value, a known role, a known scope."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise ImproperlyConfigured("DIGILEAP_SSO_ROLE_MAP must be a list of rules")
    rules = []
    for number, item in enumerate(data, start=1):
        where = f"DIGILEAP_SSO_ROLE_MAP rule {number}"
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"]:
            raise ImproperlyConfigured(f'{where}: needs a "value" (the group or claim value)')
        unknown = set(item) - {"claim", "value", "role", "scope", "comment"}
        if unknown:
            raise ImproperlyConfigured(f"{where}: unknown keys {sorted(unknown)}")
        scope = item.get("scope") or {}
        if (
            not isinstance(scope, dict)
            or set(scope) - SCOPE_KEYS
            or not all(isinstance(v, str) for v in scope.values())
        ):
            raise ImproperlyConfigured(f"{where}: the scope names only {sorted(SCOPE_KEYS)}, by code")
        role = item.get("role") or ""
        rule = Rule(claim=item.get("claim") or groups_claim, value=item["value"], role=role, scope=dict(scope))
        if role:
            if role not in Role.values:
                raise ImproperlyConfigured(f"{where}: unknown role {role!r}")
            if rule.scope_kind not in ALLOWED_SCOPES.get(role, DEFAULT_SCOPES):
                raise ImproperlyConfigured(f"{where}: a {role} cannot have the scope {rule.scope_kind!r}")
        elif "authority" not in scope:
            raise ImproperlyConfigured(f"{where}: a rule without a role names an authority")
        rules.append(rule)
    return rules


def groups_claim() -> str:
    return getattr(settings, "DIGILEAP_SSO_GROUPS_CLAIM", "groups") or "groups"


def rules() -> list[Rule]:
    return parse_rules(
        _load_json(getattr(settings, "DIGILEAP_SSO_ROLE_MAP", None), "DIGILEAP_SSO_ROLE_MAP"), groups_claim()
    )


def is_configured() -> bool:
    """Whether the installation maps the provider's claims to roles (then the provider's roles follow it)."""
    return bool(rules())


def authority_by_domain() -> dict[str, str]:
    data = _load_json(getattr(settings, "DIGILEAP_SSO_AUTHORITY_BY_DOMAIN", None), "DIGILEAP_SSO_AUTHORITY_BY_DOMAIN")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImproperlyConfigured("DIGILEAP_SSO_AUTHORITY_BY_DOMAIN must map e-mail domains to authority codes")
    return {str(domain).lower().lstrip("@"): str(code) for domain, code in data.items()}


def _model(label: str) -> Any:
    """A domain app's model by its label: accounts sits below the domain apps and imports none of them."""
    return apps.get_model(label)


def resolve_scope(rule: Rule) -> models.Model | None:
    """The object a rule's scope names, or None when it names nothing that exists (logged)."""
    Authority, School, SchoolOperator, Supplier = (
        _model("schools.Authority"),
        _model("schools.School"),
        _model("schools.SchoolOperator"),
        _model("devices.Supplier"),
    )
    scope = rule.scope
    kind = rule.scope_kind
    found: models.QuerySet
    if kind == ScopeKind.SUPPLIER:
        found = Supplier.objects.filter(name=scope["supplier"])
    elif kind == ScopeKind.SCHOOL:
        found = School.objects.filter(number=scope["school"])
        if "authority" in scope:
            found = found.filter(authority__code=scope["authority"])
    elif kind == ScopeKind.OPERATOR:
        found = SchoolOperator.objects.filter(code=scope["operator"])
        if "authority" in scope:
            found = found.filter(authority__code=scope["authority"])
    else:
        found = Authority.objects.filter(code=scope["authority"])
    matches = list(found[:2])
    if len(matches) != 1:
        logger.warning("SSO role map: %s %s names %d objects; rule skipped", kind, scope, len(matches))
        return None
    return matches[0]


def authority_of_rule(rule: Rule):
    Authority = _model("schools.Authority")
    code = rule.scope.get("authority")
    return Authority.objects.filter(code=code).first() if code else None


@dataclass
class Mapping:
    """What the claims give: the grants (role, scope kind, scope object) and the user's authority."""

    grants: list[Grant]
    authority: Any = None
    groups: list[str] = field(default_factory=list)


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def map_claims(claims: dict[str, Any]) -> Mapping:
    """Apply the installation's rules to the claims. Grants are unique and in the rules' order."""
    grants: list[Grant] = []
    authority = None
    for rule in rules():
        if not rule.matches(claims):
            continue
        if not rule.role:
            authority = authority or authority_of_rule(rule)
            continue
        kind = rule.scope_kind
        target = None if kind == ScopeKind.ALL else resolve_scope(rule)
        if kind != ScopeKind.ALL and target is None:
            continue
        grant = (rule.role, str(kind), target)
        if grant not in grants:
            grants.append(grant)
        if authority is None and target is not None:
            authority = _authority_of(target)
    if authority is None:
        authority = _authority_by_email(claims.get("email") or "")
    return Mapping(grants=grants, authority=authority, groups=claim_values(claims, groups_claim()))


def _authority_of(target: models.Model):
    Authority = _model("schools.Authority")
    if isinstance(target, Authority):
        return target
    return getattr(target, "authority", None)


def _authority_by_email(email: str):
    Authority = _model("schools.Authority")
    domain = email.rpartition("@")[2].strip().lower()
    code = authority_by_domain().get(domain) if domain else None
    return Authority.objects.filter(code=code).first() if code else None
