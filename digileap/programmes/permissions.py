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
# Evidence packs list every record of a target across all schools: for those who see the whole
# programme (owners, funding administrators, auditors), not for operator staff or schools.
EVIDENCE_PACK = "programmes.evidencepack"

register_grants(
    {
        Role.PROGRAMME_OWNER: {**{model: FULL for model in PROGRAMME_MODELS}, EVIDENCE_PACK: {"view", "add"}},
        Role.FUNDING_ADMINISTRATOR: {
            **{model: READ for model in PROGRAMME_MODELS},
            "programmes.evidencedocument": {"view", "add"},
            "programmes.manualvalue": {"view", "add"},
            "programmes.fundingtransaction": {"view", "add"},
            EVIDENCE_PACK: {"view", "add"},
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
        Role.AUDITOR: {**{model: READ for model in PROGRAMME_MODELS}, EVIDENCE_PACK: READ},
    }
)
