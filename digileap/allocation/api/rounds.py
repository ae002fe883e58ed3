"""API of allocation rounds: rounds, their versions and each school's line with its explanation.

Read-only collections, restricted like the pages (``selectors.rounds``): operator staff and school
coordinators see published versions and their own schools' lines only. The writes are actions
that call the services: ``POST /api/allocation-rounds/{id}/compute/`` (optional ``note``),
``POST /api/allocation-versions/{id}/approve/`` and ``.../publish/``, for programme owners.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action

from ..models import AllocationLine, AllocationRound, AllocationVersion
from ..selectors import rounds as selectors
from ..services import rounds as services
from ..templatetags.allocation_explain import definition, explanation_lines, round_parameters

# --- serializers --------------------------------------------------------------------------------


class AllocationRoundSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    definition = serializers.SerializerMethodField()

    class Meta:
        model = AllocationRound
        fields = [
            "id",
            "programme",
            "programme_code",
            "funding_source",
            "code",
            "name",
            "description",
            "resource",
            "device_type",
            "total",
            "school_year",
            "method",
            "distribution",
            "eligibility",
            "formula",
            "status",
            "definition",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "split": {"type": "string"},
                "formula": {"type": "array", "items": {"type": "string"}},
                "limits": {"type": "array", "items": {"type": "string"}},
                "eligibility": {"type": "array", "items": {"type": "string"}},
            },
        }
    )
    def get_definition(self, obj: AllocationRound) -> dict:
        """The rule in words, in the request's language."""
        return definition(round_parameters(obj), authority=obj.programme.authority.name)


class AllocationVersionSerializer(serializers.ModelSerializer):
    round_code = serializers.CharField(source="round.code", read_only=True)

    class Meta:
        model = AllocationVersion
        fields = [
            "id",
            "round",
            "round_code",
            "number",
            "status",
            "total",
            "schools_count",
            "eligible_pupils",
            "parameters",
            "note",
            "computed_at",
            "approved_at",
            "published_at",
        ]
        read_only_fields = fields


class AllocationLineSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="version.round_id", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    operator = serializers.IntegerField(source="school.operator_id", read_only=True)
    explanation_text = serializers.SerializerMethodField()

    class Meta:
        model = AllocationLine
        fields = [
            "id",
            "version",
            "round",
            "school",
            "school_number",
            "school_name",
            "operator",
            "amount",
            "claim",
            "eligible_pupils",
            "bound",
            "explanation",
            "explanation_text",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_explanation_text(self, obj: AllocationLine) -> list[str]:
        """The explanation in sentences, in the request's language."""
        return explanation_lines(obj.explanation or {}, not obj.version.round.is_units)


class ComputeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


# --- viewsets -----------------------------------------------------------------------------------


class AllocationRoundViewSet(ScopedReadOnlyViewSet):
    """Allocation rounds. ``compute`` computes the next version from the registry as it is now."""

    queryset = AllocationRound.objects.none()
    selector = selectors.rounds_for
    serializer_class = AllocationRoundSerializer
    filterset_fields = ["programme", "status", "resource", "school_year"]
    ordering_fields = ["code", "school_year", "updated_at"]
    ordering = ["programme", "code"]
    search_fields = ["code", "name"]
    scoped_actions = {"compute": (Action.CHANGE, AllocationRound)}

    @extend_schema(request=ComputeSerializer, responses={201: AllocationVersionSerializer})
    @action(detail=True, methods=["post"], serializer_class=ComputeSerializer)
    def compute(self, request, pk=None):
        allocation_round = self.get_object()
        payload = ComputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services.round_compute(
            actor=request.user, allocation_round=allocation_round, note=payload.validated_data["note"]
        )
        data = AllocationVersionSerializer(version, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class AllocationVersionViewSet(ScopedReadOnlyViewSet):
    """Computed versions of rounds (``?round=``). ``approve`` locks the round; ``publish`` shows the
    lines to operators and schools."""

    queryset = AllocationVersion.objects.none()
    selector = selectors.all_versions_for
    serializer_class = AllocationVersionSerializer
    filterset_fields = ["round", "status"]
    ordering_fields = ["number", "computed_at"]
    ordering = ["round", "-number"]
    scoped_actions = {
        "approve": (Action.CHANGE, AllocationVersion),
        "publish": (Action.CHANGE, AllocationVersion),
    }

    def _write(self, service):
        version = service(actor=self.request.user, version=self.get_object())
        return Response(AllocationVersionSerializer(version, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=AllocationVersionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the round's latest version (an older one may come from an earlier definition)."""

        def approve_latest(*, actor, version):
            selectors.refuse_outdated_approval(version)
            return services.version_approve(actor=actor, version=version)

        return self._write(approve_latest)

    @extend_schema(request=None, responses=AllocationVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._write(services.version_publish)

    @extend_schema(
        parameters=[OpenApiParameter("with", OpenApiTypes.INT, required=True, description="The other version's id.")],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "a": {"type": "integer"},
                    "b": {"type": "integer"},
                    "total_a": {"type": "string"},
                    "total_b": {"type": "string"},
                    "total_difference": {"type": "string"},
                    "schools": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    )
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None):
        """Per school the amount in this version (a), in the other (b) and b - a; every school of
        either version that the user may see. ``?changed=1`` keeps only the changed ones."""
        version = self.get_object()
        try:
            other_id = int(request.query_params.get("with", ""))
        except ValueError:
            raise APIValidationError({"with": ["Give the id of the other version."]}) from None
        other = selectors.version_get(request.user, other_id)
        comparison = selectors.compare_versions(request.user, version, other)
        rows = comparison.changed if request.query_params.get("changed") == "1" else comparison.rows
        return Response(
            {
                "a": version.pk,
                "b": other.pk,
                "total_a": str(comparison.total_a),
                "total_b": str(comparison.total_b),
                "total_difference": str(comparison.total_difference),
                "schools": [
                    {
                        "school": row.school_id,
                        "school_number": row.number,
                        "amount_a": None if row.amount_a is None else str(row.amount_a),
                        "amount_b": None if row.amount_b is None else str(row.amount_b),
                        "difference": str(row.difference),
                    }
                    for row in rows
                ],
            }
        )


class AllocationLineViewSet(ScopedReadOnlyViewSet):
    """Each school's line in a version (``?version=``, ``?school=``), with its explanation."""

    queryset = AllocationLine.objects.none()
    selector = selectors.all_lines_for
    serializer_class = AllocationLineSerializer
    filterset_fields = ["version", "school", "bound"]
    ordering_fields = ["amount", "school__number"]
    ordering = ["version", "school__number"]
    search_fields = ["school__number", "school__name"]
