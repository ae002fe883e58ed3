"""API of roll-out plans: plans with their years or waves, versions and entries, read-only and
restricted like the pages (operator staff and school coordinators read only the versions that
were in force, and in them their own schools). ``POST /api/rollout-versions/{id}/optimise/``
hands a draft to the optimiser (programme owners and funding administrators)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action

from ..models import RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion
from ..selectors import plans as selectors
from ..services import plans as services


class RolloutPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = RolloutPeriod
        fields = ["id", "position", "label", "budget_cap"]
        read_only_fields = fields


class RolloutPlanSerializer(serializers.ModelSerializer):
    periods = RolloutPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = RolloutPlan
        fields = [
            "id",
            "programme",
            "code",
            "name",
            "cost_round",
            "default_cost",
            "priority_source",
            "max_periods_per_operator",
            "relative_gap",
            "time_limit_seconds",
            "periods",
            "created_at",
        ]
        read_only_fields = fields


class RolloutVersionSerializer(serializers.ModelSerializer):
    solver = serializers.SerializerMethodField(
        help_text="The optimiser's report; empty for readers of their own schools only."
    )

    class Meta:
        model = RolloutVersion
        fields = ["id", "plan", "number", "status", "note", "progress", "solver", "error", "created_at", "adopted_at"]
        read_only_fields = fields

    def get_solver(self, version: RolloutVersion) -> dict:
        request = self.context.get("request")
        if request is None or not selectors.reads_whole_plan(request.user, version):
            return {}
        return version.solver or {}


class RolloutEntrySerializer(serializers.ModelSerializer):
    school_number = serializers.CharField(source="school.number", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    operator = serializers.IntegerField(source="school.operator_id", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True, default=None)

    class Meta:
        model = RolloutEntry
        fields = [
            "id",
            "version",
            "school",
            "school_number",
            "school_name",
            "operator",
            "period",
            "period_label",
            "cost",
            "priority",
            "readiness",
            "preferred_period",
            "is_pinned",
            "reason",
        ]
        read_only_fields = fields


class RolloutPlanViewSet(ScopedReadOnlyViewSet):
    """Roll-out plans with their years or waves and budget caps."""

    queryset = RolloutPlan.objects.none()
    selector = selectors.plans_for
    serializer_class = RolloutPlanSerializer
    filterset_fields = ["programme", "priority_source", "cost_round"]
    ordering_fields = ["code", "created_at"]
    ordering = ["programme", "code"]
    search_fields = ["code", "name"]


class RolloutVersionViewSet(ScopedReadOnlyViewSet):
    """Versions of roll-out plans. ``optimise`` hands a draft to the optimiser (202; poll
    ``progress`` and ``status`` until it is a draft again)."""

    queryset = RolloutVersion.objects.none()
    selector = selectors.versions_for
    serializer_class = RolloutVersionSerializer
    filterset_fields = ["plan", "status"]
    ordering_fields = ["number", "created_at"]
    ordering = ["plan", "-number"]
    scoped_actions = {"optimise": (Action.CHANGE, RolloutVersion)}

    @extend_schema(request=None, responses={202: RolloutVersionSerializer})
    @action(detail=True, methods=["post"])
    def optimise(self, request, pk=None):
        version = services.plan_optimise(actor=request.user, version=self.get_object())
        version.refresh_from_db()
        return Response(
            RolloutVersionSerializer(version, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class RolloutEntryViewSet(ScopedReadOnlyViewSet):
    """Schools in plan versions: their year or wave (empty: left out, with the reason), cost and priority."""

    queryset = RolloutEntry.objects.none()
    selector = selectors.entries_for
    serializer_class = RolloutEntrySerializer
    filterset_fields = ["version", "school", "period", "reason", "is_pinned"]
    ordering_fields = ["priority", "cost"]
    ordering = ["version", "period__position", "school"]
