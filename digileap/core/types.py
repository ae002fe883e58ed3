"""Types shared by every app, for mypy (django-stubs).

- ``Actor``: who acts in a service: a signed-in user, or the system acting for a command, an import
  or the identity provider (``digileap.core.permissions.SystemActor``). Every service takes
  ``actor: Actor`` and passes it to ``authorize`` and to the audit trail.
- ``AuditActor``: what the audit trail accepts as actor: an ``Actor``, a label such as
  ``"identity provider"``, or ``None`` for "system".
- ``Text``: a string a person reads: a plain ``str`` or a lazy translation (``gettext_lazy``).
"""

from typing import TYPE_CHECKING, TypeAlias

from django_stubs_ext import StrPromise

if TYPE_CHECKING:
    from digileap.accounts.models import User
    from digileap.core.permissions import SystemActor

Actor: TypeAlias = "User | SystemActor"
AuditActor: TypeAlias = "User | SystemActor | str | None"
Text: TypeAlias = str | StrPromise
