"""API of the roll-out board, aftercare tickets and access point installations.

- ``/api/school-rollouts/``: each school's board entry with its figures and checklist; POST starts
  the board for a school; actions ``tick`` (a step done or not), ``phase`` (move on), ``status``.
- ``/api/tickets/``: tickets with ``is_overdue`` and ``next_due``; filter ``overdue=true``; POST
  opens one (the school's side); actions ``acknowledge``, ``start`` and ``resolve`` (the supplier),
  ``replacement`` and ``close`` (the school).
- ``/api/access-point-installations/``: POST records one; action ``verify`` (the school).

Every write goes through the services; refusals are 400 with the fields they name, or 403.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.filters import IdFilterSet
from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action
from digileap.programmes.models import Programme
from digileap.programmes.selectors import programmes_for
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School, Site
from digileap.schools.selectors import schools_for

from ..models import AccessPointInstallation, ChecklistItem, Device, SchoolRollout, Ticket
from ..selectors import access_points as access_point_selectors
from ..selectors import board as board_selectors
from ..selectors import tickets as ticket_selectors
from ..services import access_points as access_point_services
from ..services import board as board_services
from ..services import tickets as ticket_services


def _actor(serializer):
    return serializer.context["request"].user


def _devices(user, action=Action.VIEW):
    return ticket_selectors.devices_for_tickets(user)


def _sites(user, action=Action.VIEW):
    return access_point_selectors.installation_sites(user)


# --- the roll-out board ---


class ChecklistItemSerializer(serializers.ModelSerializer):
    # drf-stubs types a serializer as the Field it also is, whose ``label`` is a text: a declared
    # field of that name is what DRF means here.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    done_by = serializers.CharField(source="done_by.username", read_only=True, default=None)

    class Meta:
        model = ChecklistItem
        fields = ["id", "phase", "code", "label", "position", "is_done", "done_by", "done_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_label(self, item) -> str:
        return board_services.step_label(item)


class SchoolRolloutSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    operator = serializers.IntegerField(source="school.operator_id", read_only=True)
    steps_total = serializers.IntegerField(read_only=True)
    steps_done = serializers.IntegerField(read_only=True)
    devices_delivered = serializers.IntegerField(read_only=True)
    devices_accepted = serializers.IntegerField(read_only=True)
    devices_deployed = serializers.IntegerField(read_only=True)
    agreements_pending = serializers.IntegerField(read_only=True)
    tickets_open = serializers.IntegerField(read_only=True)
    checklist = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = SchoolRollout
        fields = ["id", "programme", "programme_code", "school", "school_name", "school_number", "operator",
                  "phase", "status", "os_profile", "aftercare_until", "note", "updated_at", "steps_total",
                  "steps_done", "devices_delivered", "devices_accepted", "devices_deployed",
                  "agreements_pending", "tickets_open", "checklist"]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="SchoolRolloutStart")
class SchoolRolloutStartSerializer(serializers.Serializer):
    """Put a school of the programme's authority on the board (in preparation, default checklist)."""

    programme = ScopedPrimaryKeyRelatedField(programmes_for, queryset=Programme.objects.none())
    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    os_profile = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def create(self, validated_data):
        return board_services.rollout_start(actor=_actor(self), **validated_data)


class TickSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text=_("A step of this school's checklist."))
    done = serializers.BooleanField(default=True)


class PhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=SchoolRollout.Phase.choices)
    force = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    aftercare_until = serializers.DateField(required=False, allow_null=True, default=None)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SchoolRollout.Status.choices)


class SchoolRolloutViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Schools on the roll-out board with their figures. Filter by ``programme``, ``school``,
    ``phase``, ``status``."""

    queryset = SchoolRollout.objects.none()
    selector = board_selectors.rollouts_with_figures
    serializer_class = SchoolRolloutSerializer
    filterset_fields = ["programme", "school", "phase", "status"]
    ordering_fields = ["school__name", "phase", "status", "updated_at"]
    ordering = ["school__name", "id"]
    scoped_actions = {
        "tick": (Action.CHANGE, ChecklistItem),
        "phase": (Action.CHANGE, SchoolRollout),
        "status": (Action.CHANGE, SchoolRollout),
    }

    def get_serializer_class(self):
        return {
            "create": SchoolRolloutStartSerializer,
            "tick": TickSerializer,
            "phase": PhaseSerializer,
            "status": StatusSerializer,
        }.get(getattr(self, "action", None), SchoolRolloutSerializer)

    def _respond(self, rollout, status=200):
        rollout = board_selectors.rollouts_with_figures(self.request.user).get(pk=rollout.pk)
        return Response(SchoolRolloutSerializer(rollout, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=SchoolRolloutStartSerializer, responses={201: SchoolRolloutSerializer})
    def create(self, request, *args, **kwargs):
        """Start the board for one school."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(serializer.save(), status=201)

    @extend_schema(request=TickSerializer, responses=SchoolRolloutSerializer)
    @action(detail=True, methods=["post"])
    def tick(self, request, pk=None):
        """Tick a step of the school's checklist off (``done``: true) or untick it."""
        rollout = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = ChecklistItem.objects.filter(rollout=rollout, pk=serializer.validated_data["item"]).first()
        if item is None:
            raise serializers.ValidationError({"item": [_("This school's checklist has no such step.")]})
        board_services.checklist_tick(item=item, actor=request.user, is_done=serializer.validated_data["done"])
        return self._respond(rollout)

    @extend_schema(request=PhaseSerializer, responses=SchoolRolloutSerializer)
    @action(detail=True, methods=["post"])
    def phase(self, request, pk=None):
        """Move the school to its next phase (``force`` with a ``note`` while steps are open)."""
        rollout = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            board_services.rollout_move_phase(rollout=rollout, actor=request.user, **serializer.validated_data)
        )

    @extend_schema(request=StatusSerializer, responses=SchoolRolloutSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Set the school's status on the board."""
        rollout = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            board_services.rollout_set_status(rollout=rollout, actor=request.user, **serializer.validated_data)
        )


# --- tickets ---


class TicketSerializer(serializers.ModelSerializer):
    device_serial = serializers.CharField(source="device.serial", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default=None)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True, default=None)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True, default=None)
    replacement_serial = serializers.CharField(source="replacement_device.serial", read_only=True, default=None)
    is_overdue = serializers.BooleanField(read_only=True)
    next_due = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "device", "device_serial", "school", "school_name", "supplier", "supplier_name",
                  "contract", "contract_reference", "category", "description", "status", "opened_at",
                  "opened_by", "response_due", "repair_due", "responded_at", "resolved_at", "closed_at",
                  "replacement_device", "replacement_serial", "resolution", "is_overdue", "next_due"]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="TicketOpen")
class TicketOpenSerializer(serializers.Serializer):
    """Open a ticket for a device (the school's side)."""

    device = ScopedPrimaryKeyRelatedField(_devices, queryset=Device.objects.none())
    category = serializers.ChoiceField(choices=Ticket.Category.choices)
    description = serializers.CharField()

    def create(self, validated_data):
        return ticket_services.ticket_open(actor=_actor(self), **validated_data)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class CloseSerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    permanent_replacement = serializers.BooleanField(default=False)


class ReplacementSerializer(serializers.Serializer):
    replacement_device = ScopedPrimaryKeyRelatedField(_devices, queryset=Device.objects.none())


class TicketFilter(IdFilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue (true) or not (false)"))

    class Meta:
        model = Ticket
        fields = ["status", "category", "school", "supplier", "device"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = ticket_selectors.overdue_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class TicketViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Aftercare tickets in the user's scope: schools see their schools', suppliers their own."""

    queryset = Ticket.objects.none()
    selector = ticket_selectors.tickets_for
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    ordering_fields = ["opened_at", "next_due", "response_due", "repair_due"]
    ordering = ["-opened_at", "-id"]
    scoped_actions = {
        "acknowledge": (Action.CHANGE, Ticket),
        "start": (Action.CHANGE, Ticket),
        "resolve": (Action.CHANGE, Ticket),
        "replacement": (Action.CHANGE, Ticket),
        "close": (Action.CHANGE, Ticket),
    }

    def get_serializer_class(self):
        return {
            "create": TicketOpenSerializer,
            "resolve": ResolveSerializer,
            "close": CloseSerializer,
            "replacement": ReplacementSerializer,
        }.get(getattr(self, "action", None), TicketSerializer)

    def _respond(self, ticket, status=200):
        ticket = ticket_selectors.tickets_for(self.request.user).get(pk=ticket.pk)
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=TicketOpenSerializer, responses={201: TicketSerializer})
    def create(self, request, *args, **kwargs):
        """Open a ticket: the deadlines come from the supplier's framework contract."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(serializer.save(), status=201)

    @extend_schema(request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The supplier answers the ticket."""
        return self._respond(ticket_services.ticket_acknowledge(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The supplier starts the repair (hardware defects and damage: the device is in repair)."""
        return self._respond(ticket_services.ticket_start_repair(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=ResolveSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The supplier resolves the ticket; a repaired device returns to its earlier status."""
        ticket = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            ticket_services.ticket_resolve(ticket=ticket, actor=request.user, **serializer.validated_data)
        )

    @extend_schema(request=ReplacementSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def replacement(self, request, pk=None):
        """The school lends a device of the same school (delivered or in stock) while the ticket is worked."""
        ticket = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            ticket_services.ticket_set_replacement(
                ticket=ticket, actor=request.user, replacement=serializer.validated_data["replacement_device"]
            )
        )

    @extend_schema(request=CloseSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The school closes a resolved ticket; a replacement on loan goes back to delivered."""
        ticket = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            ticket_services.ticket_close(ticket=ticket, actor=request.user, **serializer.validated_data)
        )


# --- access points ---


class AccessPointInstallationSerializer(serializers.ModelSerializer):
    device_serial = serializers.CharField(source="device.serial", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)
    verified_by = serializers.CharField(source="verified_by.username", read_only=True, default=None)

    class Meta:
        model = AccessPointInstallation
        fields = ["id", "device", "device_serial", "school", "school_name", "site", "site_name", "building",
                  "room", "installed_on", "recorded_by", "verified_by", "verified_at"]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="AccessPointInstallationRecord")
class AccessPointInstallationRecordSerializer(serializers.Serializer):
    """Record an installation: the access point, a site of its school, building, room, date."""

    device = ScopedPrimaryKeyRelatedField(_devices, queryset=Device.objects.none())
    site = ScopedPrimaryKeyRelatedField(_sites, queryset=Site.objects.none(), required=False, allow_null=True)
    building = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    room = serializers.CharField(max_length=120)
    installed_on = serializers.DateField()

    def create(self, validated_data):
        validated_data.setdefault("site", None)
        return access_point_services.access_point_record(actor=_actor(self), **validated_data)


class AccessPointInstallationFilter(IdFilterSet):
    verified = django_filters.BooleanFilter(
        field_name="verified_at", lookup_expr="isnull", exclude=True, label=_("Verified (true) or not (false)")
    )

    class Meta:
        model = AccessPointInstallation
        fields = ["school", "site", "device"]


class AccessPointInstallationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Access point installations in the user's scope; verified ones count toward hotspot targets."""

    queryset = AccessPointInstallation.objects.none()
    selector = access_point_selectors.installations_for
    serializer_class = AccessPointInstallationSerializer
    filterset_class = AccessPointInstallationFilter
    ordering_fields = ["installed_on", "verified_at"]
    ordering = ["school__name", "building", "room", "id"]
    scoped_actions = {"verify": (Action.CHANGE, AccessPointInstallation)}

    def get_serializer_class(self):
        if getattr(self, "action", None) == "create":
            return AccessPointInstallationRecordSerializer
        return AccessPointInstallationSerializer

    def _respond(self, installation, status=200):
        installation = access_point_selectors.installations_for(self.request.user).get(pk=installation.pk)
        return Response(
            AccessPointInstallationSerializer(installation, context=self.get_serializer_context()).data, status=status
        )

    @extend_schema(request=AccessPointInstallationRecordSerializer, responses={201: AccessPointInstallationSerializer})
    def create(self, request, *args, **kwargs):
        """Record an installation (supplier or operator); the access point becomes deployed."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(serializer.save(), status=201)

    @extend_schema(request=None, responses=AccessPointInstallationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The school verifies the installation."""
        return self._respond(
            access_point_services.access_point_verify(installation=self.get_object(), actor=request.user)
        )
