"""Who may do what with funding calls, entitlements and applications.

- Programme owners and funding administrators of the call's authority create and edit calls, their
  operators, cost categories, required documents and entitlements. They read applications; moving
  an application through the authority's states (formal check, review, decision) needs ``change``
  on its call (``services.applications``).
- Operator staff read the calls their operator may apply to (and their operator's entitlements once
  published: the selectors narrow to those); they draft, edit and submit their operator's
  applications, lines and documents.
- School coordinators and suppliers see nothing here; the auditor reads everything in scope.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}

CALL_MODELS = [
    "funding.call",
    "funding.calleligibility",
    "funding.costcategory",
    "funding.requireddocument",
    "funding.entitlement",
]
APPLICATION = "funding.application"
APPLICATION_PARTS = ["funding.applicationschool", "funding.costline", "funding.applicationdocument"]
APPLICATION_RECORDS = ["funding.applicationversion", "funding.applicationevent"]
APPLICATION_MODELS = [APPLICATION, *APPLICATION_PARTS, *APPLICATION_RECORDS]

register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **{model: FULL for model in CALL_MODELS},
            **{model: READ for model in APPLICATION_MODELS},
        },
        Role.FUNDING_ADMINISTRATOR: {
            **{model: FULL for model in CALL_MODELS},
            **{model: READ for model in APPLICATION_MODELS},
        },
        Role.OPERATOR_STAFF: {
            **{model: READ for model in CALL_MODELS},
            APPLICATION: {"view", "add", "change"},
            **{model: FULL for model in APPLICATION_PARTS},
            **{model: READ for model in APPLICATION_RECORDS},
        },
        Role.AUDITOR: {model: READ for model in CALL_MODELS + APPLICATION_MODELS},
    }
)
