"""Who may do what with funding calls, entitlements and applications.

- Programme owners and funding administrators of the call's authority create and edit calls, their
  operators, cost categories, required documents and entitlements. They read applications; moving
  an application through the authority's states (formal check, review, decision) needs ``change``
  on its call (``services.applications``).
- Operator staff read the calls their operator may apply to (and their operator's entitlements once
  published: the selectors narrow to those); they draft, edit and submit their operator's
  applications, lines and documents.
- Review (issue 12, ``services.review``): programme owners and funding administrators assign
  reviewers, keep the call's checklists, criteria and letter templates, declare conflicts, answer
  checklists, score and decide. A funding administrator sees only the applications of calls they
  are assigned to review (``selectors``); operator staff never see the review's working papers
  (answers, scores, declarations) but read the decisions and their letters.
- Grants, claims, invoices and proof of use: operator staff draft and submit their operator's
  claims with invoices and fill in the proof of use; programme owners and funding administrators
  check, return, approve and pay them and raise repayment claims.
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
# The call's review set-up and the review's working papers: never shown to operator staff.
REVIEW_SETUP = ["funding.callreviewer", "funding.reviewitem", "funding.scoringcriterion", "funding.lettertemplate"]
REVIEW_PAPERS = ["funding.reviewanswer", "funding.criterionscore", "funding.conflictdeclaration"]
DECISIONS = ["funding.decision", "funding.decisionline"]
GRANTS = ["funding.grant", "funding.grantline"]
CLAIMS = ["funding.claim", "funding.invoice", "funding.invoiceline"]
PROOFS = ["funding.proofofuse"]
GRANT_RECORDS = ["funding.grantevent", "funding.repaymentclaim", "funding.reminder"]
AUTHORITY_SIDE = {
    **{model: FULL for model in CALL_MODELS + REVIEW_SETUP + REVIEW_PAPERS},
    **{model: READ for model in APPLICATION_MODELS},
    **{model: {"view", "add"} for model in DECISIONS},
    **{model: {"view", "add", "change"} for model in GRANTS + PROOFS + ["funding.repaymentclaim"]},
    **{model: {"view", "change"} for model in CLAIMS},
    "funding.grantevent": READ,
    "funding.reminder": READ,
}

register_grants(
    {
        Role.PROGRAMME_OWNER: AUTHORITY_SIDE,
        Role.FUNDING_ADMINISTRATOR: AUTHORITY_SIDE,
        Role.OPERATOR_STAFF: {
            **{model: READ for model in CALL_MODELS},
            APPLICATION: {"view", "add", "change"},
            **{model: FULL for model in APPLICATION_PARTS},
            **{model: READ for model in APPLICATION_RECORDS + DECISIONS + GRANTS},
            **{model: FULL for model in CLAIMS},
            "funding.proofofuse": {"view", "change"},
            "funding.grantevent": READ,
            "funding.repaymentclaim": READ,
        },
        Role.AUDITOR: {
            model: READ
            for model in CALL_MODELS
            + APPLICATION_MODELS
            + REVIEW_SETUP
            + REVIEW_PAPERS
            + DECISIONS
            + GRANTS
            + CLAIMS
            + PROOFS
            + GRANT_RECORDS
        },
    }
)
