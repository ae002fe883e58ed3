"""Connectivity over REST, read-only: ``/api/connectivity-campaigns/``,
``/api/connectivity-survey-responses/`` (with their uplinks), ``/api/connectivity-speed-tests/``,
``/api/connectivity-measurements/``, ``/api/connectivity-daily-aggregates/``,
``/api/connectivity-benchmarks/``, ``/api/connectivity-analysis-runs/``,
``/api/connectivity-school-statuses/`` and ``/api/connectivity-proposals/``. Each is restricted
like the pages (``restrict``): a school coordinator sees their school's rows only, a supplier none.
Filters: by campaign, school, site, run and state where they apply; measurements by ``day`` (or
``day_from``/``day_to``), daily summaries likewise.
"""

import django_filters
from django.db.models import Prefetch

from digileap.core.api.filters import IdFilterSet
from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import restrict

from ..models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    SpeedTest,
    SurveyResponse,
    Uplink,
)
from .serializers import (
    AnalysisRunSerializer,
    BenchmarkSerializer,
    CampaignSerializer,
    DailyAggregateSerializer,
    MeasurementSerializer,
    ProposalSerializer,
    SchoolStatusSerializer,
    SpeedTestSerializer,
    SurveyResponseSerializer,
)


def _scoped(queryset, *, order=("id",)):
    """A selector for a viewset: ``queryset`` restricted to the user, in a stable order."""
    return staticmethod(lambda user, action: restrict(queryset, user, action).order_by(*order))


class MeasurementFilter(IdFilterSet):
    day = django_filters.DateFilter(field_name="measured_at", lookup_expr="date")
    day_from = django_filters.DateFilter(field_name="measured_at", lookup_expr="date__gte")
    day_to = django_filters.DateFilter(field_name="measured_at", lookup_expr="date__lte")

    class Meta:
        model = Measurement
        fields = ["school", "site", "source", "connection"]


class DailyAggregateFilter(IdFilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = DailyAggregate
        fields = ["school", "site", "day"]


class SpeedTestFilter(IdFilterSet):
    day = django_filters.DateFilter(field_name="started_at", lookup_expr="date")

    class Meta:
        model = SpeedTest
        fields = ["school", "site", "state", "connection"]


class CampaignViewSet(ScopedReadOnlyViewSet):
    """Survey campaigns of the programmes, covering the user's schools."""

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_fields = ["programme", "state"]
    selector = _scoped(Campaign.objects.select_related("programme"))


class SurveyResponseViewSet(ScopedReadOnlyViewSet):
    """Survey answers with their uplinks. Filter by ``campaign``, ``school``, ``site``, ``state``."""

    queryset = SurveyResponse.objects.all()
    serializer_class = SurveyResponseSerializer
    filterset_fields = ["campaign", "school", "site", "state"]
    selector = _scoped(
        SurveyResponse.objects.select_related("school").prefetch_related(
            Prefetch("uplinks", queryset=Uplink.objects.order_by("id"))
        )
    )


class SpeedTestViewSet(ScopedReadOnlyViewSet):
    """Browser speed tests, newest first. Filter by ``school``, ``site``, ``state``, ``day``."""

    queryset = SpeedTest.objects.all()
    serializer_class = SpeedTestSerializer
    filterset_class = SpeedTestFilter
    selector = _scoped(SpeedTest.objects.all(), order=("-started_at", "-id"))


class MeasurementViewSet(ScopedReadOnlyViewSet):
    """Raw measurement rows (kept for the retention period). Filter by ``school``, ``site``,
    ``source``, ``day`` or ``day_from``/``day_to``."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    selector = _scoped(Measurement.objects.all())


class DailyAggregateViewSet(ScopedReadOnlyViewSet):
    """Each school's (and site's) measurements per day: count, median, 95th percentile."""

    queryset = DailyAggregate.objects.all()
    serializer_class = DailyAggregateSerializer
    filterset_class = DailyAggregateFilter
    selector = _scoped(DailyAggregate.objects.all())


class BenchmarkViewSet(ScopedReadOnlyViewSet):
    """The benchmarks of the programmes."""

    queryset = Benchmark.objects.all()
    serializer_class = BenchmarkSerializer
    filterset_fields = ["programme", "kind"]
    selector = _scoped(Benchmark.objects.all(), order=("programme_id", "position", "code", "id"))


class AnalysisRunViewSet(ScopedReadOnlyViewSet):
    """Analyses of campaigns, newest first. Filter by ``campaign``."""

    queryset = AnalysisRun.objects.all()
    serializer_class = AnalysisRunSerializer
    filterset_fields = ["campaign", "as_of"]
    selector = _scoped(AnalysisRun.objects.all(), order=("-computed_at", "-id"))


class SchoolStatusViewSet(ScopedReadOnlyViewSet):
    """Each school's status per benchmark in a run. Filter by ``run``, ``school``, ``benchmark``, ``status``."""

    queryset = SchoolStatus.objects.all()
    serializer_class = SchoolStatusSerializer
    filterset_fields = ["run", "school", "benchmark", "status"]
    selector = _scoped(SchoolStatus.objects.all())


class ProposalViewSet(ScopedReadOnlyViewSet):
    """Each school's costed proposal in a run, by rank. Filter by ``run``, ``school``, ``option``."""

    queryset = Proposal.objects.all()
    serializer_class = ProposalSerializer
    filterset_fields = ["run", "school", "option"]
    selector = _scoped(Proposal.objects.all(), order=("run_id", "rank", "id"))
