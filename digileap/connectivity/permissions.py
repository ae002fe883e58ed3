"""Who may do what with connectivity campaigns, answers, speed tests, measurements and analyses.

- Programme owners of the programme's authority run campaigns (create, open, close, remind), set
  benchmarks and cost parameters, import measurements, run the analysis and write the report.
  They read every answer and measurement of their authority's schools.
- Operator staff read the campaigns that cover their schools, answer the survey for them, make
  speed test links and run the test for them, and read their schools' measurements and statuses.
- School coordinators do the same for their own school only.
- Funding administrators and auditors read everything in scope; suppliers see nothing here.
"""

from digileap.accounts.models import Role
from digileap.core.permissions import register_grants

READ = {"view"}
FULL = {"view", "add", "change", "delete"}

CAMPAIGN = ["connectivity.campaign", "connectivity.campaignschool", "connectivity.campaignreminder"]
ANSWERS = ["connectivity.surveyresponse", "connectivity.uplink"]
TESTS = ["connectivity.testlink", "connectivity.speedtest"]
MEASUREMENTS = ["connectivity.measurement", "connectivity.dailyaggregate"]
ANALYSIS_SETUP = ["connectivity.benchmark", "connectivity.costparameters"]
ANALYSIS = ["connectivity.analysisrun", "connectivity.schoolstatus", "connectivity.proposal"]
EVERYTHING = CAMPAIGN + ANSWERS + TESTS + MEASUREMENTS + ANALYSIS_SETUP + ANALYSIS

SCHOOL_SIDE = {
    **{model: READ for model in CAMPAIGN + MEASUREMENTS + ANALYSIS},
    **{model: {"view", "add", "change"} for model in ANSWERS},
    "connectivity.testlink": FULL,
    "connectivity.speedtest": {"view", "add"},
}

register_grants(
    {
        Role.PROGRAMME_OWNER: {
            **{model: FULL for model in CAMPAIGN + ANALYSIS_SETUP + ANALYSIS + TESTS},
            **{model: {"view", "add", "change"} for model in ANSWERS},
            **{model: {"view", "add"} for model in MEASUREMENTS},
        },
        Role.FUNDING_ADMINISTRATOR: {model: READ for model in EVERYTHING},
        Role.OPERATOR_STAFF: SCHOOL_SIDE,
        Role.SCHOOL_COORDINATOR: SCHOOL_SIDE,
        Role.AUDITOR: {model: READ for model in EVERYTHING},
    }
)
