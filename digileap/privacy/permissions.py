"""Who may read the pupil-data access log and act on pupils' rights.

- The data-protection officer reads the access log and the erasure records of their authority, and
  erases, exports and applies retention there.
- The administrator does the same everywhere.
- Nobody else reads the log: it says who looked at which pupils.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

register_grants(
    {
        Role.DATA_PROTECTION_OFFICER: {
            "privacy.pupildataaccess": {"view"},
            "privacy.erasure": {"view", "add"},
        },
    }
)
