"""Who may do what in the registry. Scopes narrow these grants further (see core.permissions)."""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
EDIT = {"view", "change"}
FULL = {"view", "add", "change", "delete"}

REGISTRY_MODELS = [
    "schools.authority",
    "schools.schooloperator",
    "schools.school",
    "schools.site",
    "schools.sharedsite",
    "schools.enrolment",
    "schools.staffcount",
    "schools.eligiblecount",
    "schools.socioeconomicindex",
]

register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **{model: FULL for model in REGISTRY_MODELS},
            "schools.authority": EDIT,
        },
        Role.FUNDING_ADMINISTRATOR: {model: READ for model in REGISTRY_MODELS},
        Role.OPERATOR_STAFF: {
            "schools.authority": READ,
            "schools.schooloperator": READ,
            "schools.school": EDIT,
            "schools.site": FULL,
            "schools.sharedsite": FULL,
            "schools.enrolment": FULL,
            "schools.staffcount": FULL,
            "schools.eligiblecount": FULL,
            "schools.socioeconomicindex": READ,
        },
        Role.SCHOOL_COORDINATOR: {
            "schools.authority": READ,
            "schools.schooloperator": READ,
            "schools.school": READ,
            "schools.site": FULL,
            "schools.sharedsite": READ,
            "schools.enrolment": READ,
            "schools.staffcount": READ,
            "schools.eligiblecount": READ,
            "schools.socioeconomicindex": READ,
        },
        Role.AUDITOR: {model: READ for model in REGISTRY_MODELS},
    }
)
