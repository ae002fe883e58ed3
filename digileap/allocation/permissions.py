"""Who may do what with allocation rounds, needs, roll-out plans and change requests.

- Programme owners define, compute, approve and publish rounds, and keep roll-out plans.
- Funding administrators keep roll-out plans and decide change requests (they put a request on a
  committee's agenda and record the committee's decision); they read rounds.
- Operator staff and school coordinators declare their schools' needs. Operator staff file change
  requests for their schools. Both read their own lines of *published* round versions and their own
  schools' entries of the plan in force (the selectors narrow to those; scopes narrow to their schools).
- Suppliers see nothing here; the auditor reads everything.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}

ROUND_MODELS = ["allocation.allocationround", "allocation.allocationversion", "allocation.allocationline"]
PLAN_MODELS = [
    "allocation.rolloutplan",
    "allocation.rolloutperiod",
    "allocation.rolloutversion",
    "allocation.rolloutentry",
]
NEED_MODELS = ["allocation.needdeclaration", "allocation.needline"]
CHANGE_REQUEST = "allocation.changerequest"

register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **{model: FULL for model in ROUND_MODELS + PLAN_MODELS},
            **{model: READ for model in NEED_MODELS},
            CHANGE_REQUEST: READ,
        },
        Role.FUNDING_ADMINISTRATOR: {
            **{model: READ for model in ROUND_MODELS + NEED_MODELS},
            **{model: FULL for model in PLAN_MODELS},
            CHANGE_REQUEST: {"view", "change"},
        },
        Role.OPERATOR_STAFF: {
            **{model: READ for model in ROUND_MODELS + PLAN_MODELS},
            **{model: {"view", "add", "change"} for model in NEED_MODELS},
            CHANGE_REQUEST: {"view", "add"},
        },
        Role.SCHOOL_COORDINATOR: {
            **{model: READ for model in ROUND_MODELS + PLAN_MODELS},
            **{model: {"view", "add", "change"} for model in NEED_MODELS},
            CHANGE_REQUEST: READ,
        },
        Role.AUDITOR: {model: READ for model in ROUND_MODELS + PLAN_MODELS + NEED_MODELS + [CHANGE_REQUEST]},
    }
)
