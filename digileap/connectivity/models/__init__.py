"""The connectivity app's models: survey campaigns and answers (``campaigns``), speed tests and
measurements (``measurements``), benchmarks, cost parameters and analysis results (``analysis``)."""

from .analysis import AnalysisRun, Benchmark, CostParameters, Proposal, SchoolStatus, Status
from .campaigns import (
    MAX_MBPS,
    Cabling,
    Campaign,
    CampaignReminder,
    CampaignSchool,
    Problem,
    SurveyResponse,
    Uplink,
)
from .measurements import Connection, DailyAggregate, Measurement, Source, SpeedTest, TestLink

__all__ = [
    "MAX_MBPS",
    "AnalysisRun",
    "Benchmark",
    "Cabling",
    "Campaign",
    "CampaignReminder",
    "CampaignSchool",
    "Connection",
    "CostParameters",
    "DailyAggregate",
    "Measurement",
    "Problem",
    "Proposal",
    "SchoolStatus",
    "Source",
    "SpeedTest",
    "Status",
    "SurveyResponse",
    "TestLink",
    "Uplink",
]
