from . import views


def register(router) -> None:
    """Add this app's viewsets to the API router; basenames are the model names."""
    router.register("connectivity-campaigns", views.CampaignViewSet, basename="campaign")
    router.register("connectivity-survey-responses", views.SurveyResponseViewSet, basename="surveyresponse")
    router.register("connectivity-speed-tests", views.SpeedTestViewSet, basename="speedtest")
    router.register("connectivity-measurements", views.MeasurementViewSet, basename="measurement")
    router.register("connectivity-daily-aggregates", views.DailyAggregateViewSet, basename="dailyaggregate")
    router.register("connectivity-benchmarks", views.BenchmarkViewSet, basename="benchmark")
    router.register("connectivity-analysis-runs", views.AnalysisRunViewSet, basename="analysisrun")
    router.register("connectivity-school-statuses", views.SchoolStatusViewSet, basename="schoolstatus")
    router.register("connectivity-proposals", views.ProposalViewSet, basename="proposal")
