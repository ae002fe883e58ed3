"""System checks of core settings (``manage.py check``; ``--deploy`` adds the production ones)."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def audit_keys_are_well_formed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The audit key settings parse (key ids, ``id:secret`` pairs, no id with two secrets)."""
    from .audit import _keys

    try:
        _keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="See docs/audit.md, key rotation.", id="digileap.E101")]
    until = getattr(settings, "DIGILEAP_AUDIT_UNKEYED_UNTIL", None)
    if until not in (None, "") and not str(until).strip().isdigit():
        return [
            checks.Error(
                f"DIGILEAP_AUDIT_UNKEYED_UNTIL is the id of an audit entry (0 or more), not {until!r}.",
                hint="See docs/audit.md, HMAC keys.",
                id="digileap.E101",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def audit_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production keys its audit trail: without DIGILEAP_AUDIT_KEY whoever can write the database can
    rewrite the trail and recompute its hashes."""
    if getattr(settings, "DIGILEAP_AUDIT_KEY", ""):
        return []
    return [
        checks.Error(
            "DIGILEAP_AUDIT_KEY is not set: audit entries get a plain SHA-256, which whoever can write "
            "the database can recompute after rewriting the trail.",
            hint="Set DIGILEAP_AUDIT_KEY to a random secret kept outside the database "
            "(openssl rand -hex 32) and DIGILEAP_AUDIT_KEY_ID to its id; see docs/audit.md.",
            id="digileap.E100",
        )
    ]
