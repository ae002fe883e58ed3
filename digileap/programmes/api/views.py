"""API of programmes, restricted to the user's scope like everything else. Programmes, budgets and
targets are read here (they change through the services and the admin); the records that indicators
count (manual values, evidence documents, money) and evidence packs are also written, through the
services."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action
from digileap.programmes import selectors, services
from digileap.programmes.models import (
    EvidenceDocument,
    EvidencePack,
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


class CreateThroughServiceMixin(mixins.CreateModelMixin):
    """POST with ``create_serializer_class``; the serializer's ``create`` calls the service."""

    create_serializer_class: type[BaseSerializer] | None = None

    def get_serializer_class(self):
        if getattr(self, "action", None) == "create":
            return self.create_serializer_class
        return super().get_serializer_class()


class EvidenceDocumentViewSet(CreateThroughServiceMixin, ScopedReadOnlyViewSet):
    """Documents that prove milestones. POST uploads one (multipart); ``approve`` approves it
    (someone other than the uploader)."""

    queryset = EvidenceDocument.objects.none()
    selector = selectors.evidence_documents_for
    serializer_class = serializers.EvidenceDocumentSerializer
    create_serializer_class = serializers.EvidenceDocumentCreateSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["programme", "target"]
    ordering = ["id"]
    scoped_actions = {"approve": (Action.CHANGE, EvidenceDocument)}

    @extend_schema(request=None, responses=serializers.EvidenceDocumentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        document = services.evidence_document_approve(actor=request.user, document=self.get_object())
        return Response(serializers.EvidenceDocumentSerializer(document, context={"request": request}).data)


class ManualValueViewSet(CreateThroughServiceMixin, ScopedReadOnlyViewSet):
    """Values typed in for manual indicators. POST records one for a target (``target``, ``value``,
    ``as_of``, ``note``); only targets whose indicator is declared manual accept it."""

    queryset = ManualValue.objects.none()
    selector = selectors.manual_values_for
    serializer_class = serializers.ManualValueSerializer
    create_serializer_class = serializers.ManualValueCreateSerializer
    filterset_fields = ["indicator"]
    ordering = ["indicator", "as_of", "id"]


class EvidencePackViewSet(CreateThroughServiceMixin, ScopedReadOnlyViewSet):
    """Evidence packs prepared in the background. POST asks for one (``target``, ``as_of``);
    ``download`` returns the ZIP once it is ready. The auditor reads them; operators and schools do not."""

    queryset = EvidencePack.objects.none()
    selector = selectors.evidence_packs_for
    serializer_class = serializers.EvidencePackSerializer
    create_serializer_class = serializers.EvidencePackSerializer
    filterset_fields = ["target", "status", "as_of"]
    ordering = ["-requested_at", "-id"]

    @extend_schema(responses={(200, "application/zip"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from django.http import FileResponse

        from digileap.programmes.evidence import pack_filename

        pack = self.get_object()
        if pack.status != EvidencePack.Status.DONE or not pack.file:
            raise Http404
        return FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack_filename(pack.target, pack.as_of))


class FundingTransactionViewSet(CreateThroughServiceMixin, ScopedReadOnlyViewSet):
    """The money ledger. POST records money committed or paid (a correction is a negative entry)."""

    queryset = FundingTransaction.objects.none()
    selector = selectors.funding_transactions_for
    serializer_class = serializers.FundingTransactionSerializer
    create_serializer_class = serializers.FundingTransactionSerializer
    filterset_fields = ["programme", "source", "kind", "school"]
    ordering_fields = ["date", "amount"]
    ordering = ["date", "id"]
