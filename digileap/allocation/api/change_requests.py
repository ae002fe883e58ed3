"""API of change requests to roll-out plans. Operator staff POST a request for a school of the plan
in force; funding administrators ``schedule`` it on a committee's agenda and ``decide`` it; the
operator may ``withdraw`` it while undecided. Every write goes through the services."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School
from digileap.schools.selectors import schools_for

from ..models import ChangeRequest, RolloutPeriod, RolloutPlan
from ..selectors import change_requests as selectors
from ..services import change_requests as services


def _actor(serializer):
    return serializer.context["request"].user


class ChangeRequestSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    requested_period_label = serializers.CharField(source="requested_period.label", read_only=True, default=None)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    scheduled_by = serializers.CharField(source="scheduled_by.username", read_only=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    resulting_version_number = serializers.IntegerField(source="resulting_version.number", read_only=True, default=None)

    class Meta:
        model = ChangeRequest
        fields = ["id", "plan", "plan_code", "school", "school_name", "kind", "requested_period",
                  "requested_period_label", "requested_cost", "justification", "status", "requested_by",
                  "requested_at", "committee", "meeting_date", "scheduled_by", "decided_on", "minutes_reference",
                  "decision_note", "decided_by", "resulting_version", "resulting_version_number"]  # fmt: skip
        read_only_fields = fields


# Named after the request it files, so that its body reads ``ChangeRequestRequest`` and the kind of
# request is one enum of one component (``ChangeRequestKindEnum``), not a collision with other "kind"s.
@extend_schema_serializer(component_name="ChangeRequest")
class ChangeRequestCreateSerializer(serializers.Serializer):
    """File a request: ``kind`` ``move`` names ``requested_period`` (a year or wave of the same plan),
    ``amount`` names ``requested_cost`` (EUR, at least 0)."""

    plan = ScopedPrimaryKeyRelatedField(selectors.plans_for, queryset=RolloutPlan.objects.none())
    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    requested_period = ScopedPrimaryKeyRelatedField(
        selectors.periods_for, queryset=RolloutPeriod.objects.none(), required=False, allow_null=True, default=None
    )
    requested_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    justification = serializers.CharField()

    def create(self, validated_data):
        return services.change_request_file(actor=_actor(self), **validated_data)

    def to_representation(self, instance):
        return ChangeRequestSerializer(instance, context=self.context).data


class ScheduleSerializer(serializers.Serializer):
    committee = serializers.CharField(max_length=200)
    meeting_date = serializers.DateField()


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ChangeRequest.Status.APPROVED, ChangeRequest.Status.REJECTED])
    decided_on = serializers.DateField()
    minutes_reference = serializers.CharField(max_length=120)
    decision_note = serializers.CharField(required=False, allow_blank=True, default="")
    accept_over_cap = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms an approval that puts a year or wave over its budget cap; without it such an "
        "approval is refused (400, key accept_over_cap) with the years, totals and caps.",
    )


class ChangeRequestViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Change requests in the user's scope: operator staff see their schools', funding administrators
    their authority's. Filter by ``status``, ``plan``, ``school``, ``kind``."""

    queryset = ChangeRequest.objects.none()
    selector = selectors.change_requests_for
    serializer_class = ChangeRequestSerializer
    filterset_fields = ["status", "plan", "school", "kind"]
    ordering_fields = ["requested_at", "meeting_date", "decided_on"]
    ordering = ["-requested_at", "-id"]
    scoped_actions = {
        "schedule": (Action.CHANGE, ChangeRequest),
        "decide": (Action.CHANGE, ChangeRequest),
        "withdraw": (Action.ADD, ChangeRequest),
    }

    def get_serializer_class(self):
        return {
            "create": ChangeRequestCreateSerializer,
            "schedule": ScheduleSerializer,
            "decide": DecideSerializer,
        }.get(getattr(self, "action", None), ChangeRequestSerializer)

    @extend_schema(request=ChangeRequestCreateSerializer, responses={201: ChangeRequestSerializer})
    def create(self, request, *args, **kwargs):
        """File a request (operator staff of the school)."""
        return super().create(request, *args, **kwargs)

    def _respond(self, change_request):
        return Response(ChangeRequestSerializer(change_request, context=self.get_serializer_context()).data)

    @extend_schema(request=ScheduleSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Put the request on a committee's agenda (or move it to another meeting while undecided)."""
        change_request = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.change_request_schedule(
                actor=request.user, change_request=change_request, **serializer.validated_data
            )
        )

    @extend_schema(request=DecideSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the committee's decision; an approval adopts a new plan version (``resulting_version``)."""
        change_request = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.change_request_decide(
                actor=request.user, change_request=change_request, **serializer.validated_data
            )
        )

    @extend_schema(request=None, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a request that is not decided yet (operator staff of the school)."""
        return self._respond(services.change_request_withdraw(actor=request.user, change_request=self.get_object()))
