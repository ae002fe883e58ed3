"""Who may do what in training.

- Programme owners of the programme's authority set up frameworks (their own variants), providers,
  courses and their sessions, course identifiers and self-assessment rounds; they import
  completions and read every enrolment, attendance and completion of their authority's schools.
- Operator staff and school coordinators keep their schools' staff records, invite them, enrol
  them, take attendance and read their completions.
- Teachers (scope: their own staff record) read the courses of their authority, their own record,
  enrolments, attendance and completions, enrol themselves, and answer their self-assessment.
- Funding administrators and auditors read everything in scope but self-assessments.
- Self-assessments are personal: no grant but the teacher's reaches a person's answers; others
  read results of groups of at least ``DIGILEAP_TRAINING_MIN_GROUP`` through the selectors.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}

FRAMEWORK = [
    "training.framework",
    "training.frameworklevel",
    "training.area",
    "training.competence",
    "training.competencelevel",
]
OFFER = [
    "training.provider",
    "training.course",
    "training.coursemapping",
    "training.session",
    "training.assessmentround",
]
PEOPLE = ["training.staffmember", "training.membership", "training.staffidentifier", "training.invitation"]
RECORDS = ["training.courseenrolment", "training.attendance", "training.completion"]
PERSONAL = ["training.selfassessment", "training.assessmentanswer"]
READABLE = FRAMEWORK + OFFER + PEOPLE + RECORDS

SCHOOL_SIDE = {
    **{model: READ for model in FRAMEWORK + OFFER},
    **{model: FULL for model in PEOPLE},
    "training.courseenrolment": FULL,
    "training.attendance": FULL,
    "training.completion": {"view", "add"},
}

register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **{model: FULL for model in FRAMEWORK + OFFER},
            **{model: FULL for model in PEOPLE + RECORDS},
        },
        Role.FUNDING_ADMINISTRATOR: {model: READ for model in READABLE},
        Role.OPERATOR_STAFF: SCHOOL_SIDE,
        Role.SCHOOL_COORDINATOR: SCHOOL_SIDE,
        Role.AUDITOR: {model: READ for model in READABLE},
        Role.TEACHER: {
            **{model: READ for model in FRAMEWORK + OFFER + PEOPLE + RECORDS},
            "training.courseenrolment": {"view", "add", "change"},
            **{model: FULL for model in PERSONAL},
        },
    }
)
