"""Read-only API of programmes, restricted to the user's scope like everything else."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.programmes import selectors, services
from digileap.programmes.models import (
    EvidenceDocument,
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    IndicatorSnapshot,
    ManualValue,
    Objective,
    Programme,
    Target,
)
from digileap.programmes.status import assess, target_start

from . import serializers


class ProgrammeViewSet(ScopedReadOnlyViewSet):
    queryset = Programme.objects.none()
    selector = selectors.programmes_for
    serializer_class = serializers.ProgrammeSerializer
    filterset_fields = ["status", "is_public", "authority", "country"]
    ordering_fields = ["code", "period_start", "period_end"]
    ordering = ["code"]
    search_fields = ["code"]


class FundingSourceViewSet(ScopedReadOnlyViewSet):
    queryset = FundingSource.objects.none()
    selector = selectors.funding_sources_for
    serializer_class = serializers.FundingSourceSerializer
    filterset_fields = ["programme", "kind"]
    ordering = ["programme", "position"]


class ObjectiveViewSet(ScopedReadOnlyViewSet):
    queryset = Objective.objects.none()
    selector = selectors.objectives_for
    serializer_class = serializers.ObjectiveSerializer
    filterset_fields = ["programme"]
    ordering = ["programme", "position"]


class IndicatorDefinitionViewSet(ScopedReadOnlyViewSet):
    queryset = IndicatorDefinition.objects.none()
    selector = selectors.indicators_for
    serializer_class = serializers.IndicatorDefinitionSerializer
    filterset_fields = ["programme", "kind"]
    ordering = ["id"]


class TargetViewSet(ScopedReadOnlyViewSet):
    """Milestones and targets. ``/value/`` computes the value and status now, from the data."""

    queryset = Target.objects.none()
    selector = selectors.targets_for
    serializer_class = serializers.TargetSerializer
    filterset_fields = ["programme", "kind", "reported_status"]
    ordering_fields = ["due_date", "position"]
    ordering = ["programme", "due_date", "position"]

    @extend_schema(responses=serializers.IndicatorValueSerializer)
    @action(detail=True, methods=["get"], serializer_class=serializers.IndicatorValueSerializer)
    def value(self, request, pk=None):
        target = self.get_object()
        today = timezone.localdate()
        value = services.target_value(target, today)
        data = {
            "target": target.pk,
            "as_of": today,
            "value": value,
            "status": None,
            "progress": None,
            "forecast": None,
            "trend": None,
        }
        if value is not None:
            history = target.snapshots.filter(date__lt=today).order_by("-date").values_list("date", "value")[:60]
            assessment = assess(
                value=value,
                baseline=target.baseline,
                target_value=target.target_value,
                due_date=target.due_date,
                as_of=today,
                start=target_start(target),
                snapshots=list(history),
            )
            data.update(
                status=assessment.status,
                progress=assessment.progress,
                forecast=assessment.forecast,
                trend=assessment.trend,
            )
        return Response(serializers.IndicatorValueSerializer(data).data)


class IndicatorSnapshotViewSet(ScopedReadOnlyViewSet):
    queryset = IndicatorSnapshot.objects.none()
    selector = selectors.snapshots_for
    serializer_class = serializers.IndicatorSnapshotSerializer
    filterset_fields = ["target", "date", "status"]
    ordering = ["target", "date"]


class EvidenceDocumentViewSet(ScopedReadOnlyViewSet):
    queryset = EvidenceDocument.objects.none()
    selector = selectors.evidence_documents_for
    serializer_class = serializers.EvidenceDocumentSerializer
    filterset_fields = ["programme", "target"]
    ordering = ["id"]


class ManualValueViewSet(ScopedReadOnlyViewSet):
    queryset = ManualValue.objects.none()
    selector = selectors.manual_values_for
    serializer_class = serializers.ManualValueSerializer
    filterset_fields = ["indicator"]
    ordering = ["indicator", "as_of", "id"]


class FundingTransactionViewSet(ScopedReadOnlyViewSet):
    queryset = FundingTransaction.objects.none()
    selector = selectors.funding_transactions_for
    serializer_class = serializers.FundingTransactionSerializer
    filterset_fields = ["programme", "source", "kind", "school"]
    ordering_fields = ["date", "amount"]
    ordering = ["date", "id"]
