"""Who may do what with programmes. Scopes narrow these grants further (see core.permissions and
the models' ``scope_paths``): operator staff and school coordinators read the programmes of their
authority, and of the money ledger only their own schools' entries; suppliers read only the public
pages; the auditor reads everything in scope."""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}

PROGRAMME_MODELS = [
    "programmes.programme",
    "programmes.fundingsource",
    "programmes.objective",
    "programmes.indicatordefinition",
    "programmes.target",
    "programmes.indicatorsnapshot",
    "programmes.evidencedocument",
    "programmes.manualvalue",
    "programmes.fundingtransaction",
]

register_grants(
    {
        Role.PROGRAMME_OWNER: {model: FULL for model in PROGRAMME_MODELS},
        Role.FUNDING_ADMINISTRATOR: {
            **{model: READ for model in PROGRAMME_MODELS},
            "programmes.evidencedocument": {"view", "add"},
            "programmes.manualvalue": {"view", "add"},
            "programmes.fundingtransaction": {"view", "add"},
        },
        Role.OPERATOR_STAFF: {
            model: READ
            for model in PROGRAMME_MODELS
            if model not in {"programmes.evidencedocument", "programmes.manualvalue"}
        },
        Role.SCHOOL_COORDINATOR: {
            model: READ
            for model in PROGRAMME_MODELS
            if model not in {"programmes.evidencedocument", "programmes.manualvalue"}
        },
        Role.AUDITOR: {model: READ for model in PROGRAMME_MODELS},
    }
)
