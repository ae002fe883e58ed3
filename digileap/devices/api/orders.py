"""API of purchase orders and their lines, restricted like the pages (``selectors.orders``).

``POST /api/purchase-orders/`` creates a draft (programme owners; operator staff as their own
operator), ``POST .../{id}/lines/`` adds a line, ``POST .../{id}/place/`` places it (optional
``ordered_on``), ``POST .../{id}/cancel/`` cancels it (optional ``reason``).
``GET /api/purchase-orders/ordered-versus-allocated/?programme=ID[&device_type=laptop]`` compares
per school what was allocated, ordered and delivered. Every write goes through the services.
"""

from decimal import Decimal

from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.allocation.models import AllocationLine
from digileap.allocation.selectors.rounds import all_lines_for
from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action
from digileap.programmes.models import FundingSource, Programme
from digileap.programmes.selectors import funding_sources_for, programmes_for
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School, SchoolOperator
from digileap.schools.selectors import operators_for, schools_for

from ..models import DeviceModel, DeviceType, FrameworkContract, OrderLine, PurchaseOrder, Supplier
from ..selectors import orders as selectors
from ..selectors.catalogue import device_models_for
from ..services import orders as services


def _actor(serializer):
    return serializer.context["request"].user


class OrderLineSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    device_model_code = serializers.CharField(source="device_model.code", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    delivered = serializers.IntegerField(read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "order", "order_number", "device_model", "device_model_code", "school", "school_number",
                  "school_name", "quantity", "unit_price", "allocation_line", "delivered"]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True, default=None)
    units = serializers.IntegerField(read_only=True, default=0)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, default=Decimal(0))
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "programme", "programme_code", "funding_source", "supplier", "supplier_name",
                  "contract", "contract_reference", "operator", "status", "ordered_on", "note", "units", "amount",
                  "created_by", "created_at"]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderCreateSerializer(serializers.Serializer):
    """A draft order. ``number`` empty: the next free ``PO-nnnnn`` of the programme."""

    programme = ScopedPrimaryKeyRelatedField(programmes_for, queryset=Programme.objects.none())
    funding_source = ScopedPrimaryKeyRelatedField(funding_sources_for, queryset=FundingSource.objects.none())
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.none())
    contract = serializers.PrimaryKeyRelatedField(
        queryset=FrameworkContract.objects.none(), required=False, allow_null=True, default=None
    )
    operator = ScopedPrimaryKeyRelatedField(
        operators_for, queryset=SchoolOperator.objects.none(), required=False, allow_null=True, default=None
    )
    number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def _programme(self):
        raw = self.initial_data.get("programme") if hasattr(self, "initial_data") else None
        request = self.context.get("request")
        if request is None or raw in (None, "") or not str(raw).isdigit():
            return None
        return selectors.orderable_programmes(request.user).filter(pk=raw).first()

    def get_fields(self):
        fields = super().get_fields()
        programme = self._programme()
        request = self.context.get("request")
        if programme is not None and request is not None:
            # Suppliers and contracts one may order from follow the programme's authority.
            fields["supplier"].queryset = selectors.ordering_suppliers(request.user, programme)
            fields["contract"].queryset = selectors.ordering_contracts(programme)
        return fields

    def create(self, validated_data):
        return services.order_create(actor=_actor(self), **validated_data)

    def to_representation(self, instance):
        return PurchaseOrderSerializer(instance, context=self.context).data


class OrderLineCreateSerializer(serializers.Serializer):
    """A line of a draft order. ``unit_price`` empty: the contract's price, else the list price."""

    device_model = ScopedPrimaryKeyRelatedField(device_models_for, queryset=DeviceModel.objects.none())
    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    allocation_line = ScopedPrimaryKeyRelatedField(
        all_lines_for, queryset=AllocationLine.objects.none(), required=False, allow_null=True, default=None
    )


class PlaceSerializer(serializers.Serializer):
    ordered_on = serializers.DateField(required=False, allow_null=True, default=None)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ComparisonRowSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    school_number = serializers.CharField(source="number")
    school_name = serializers.CharField(source="name")
    operator = serializers.CharField()
    allocated_units = serializers.DecimalField(max_digits=14, decimal_places=2)
    ordered_units = serializers.IntegerField()
    delivered_units = serializers.IntegerField()
    units_left = serializers.DecimalField(max_digits=14, decimal_places=2)
    allocated_eur = serializers.DecimalField(max_digits=14, decimal_places=2)
    ordered_eur = serializers.DecimalField(max_digits=16, decimal_places=2)
    eur_left = serializers.DecimalField(max_digits=16, decimal_places=2)


class ComparisonQuerySerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(programmes_for, queryset=Programme.objects.none())
    device_type = serializers.ChoiceField(choices=DeviceType.choices, required=False, allow_blank=True, default="")


class PurchaseOrderViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Purchase orders in the user's scope with their units and amount. Filter by ``status``,
    ``programme``, ``funding_source``, ``supplier``, ``contract``, ``operator``."""

    queryset = PurchaseOrder.objects.none()
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["status", "programme", "funding_source", "supplier", "contract", "operator"]
    search_fields = ["number"]
    ordering_fields = ["number", "created_at", "ordered_on"]
    ordering = ["-created_at", "-id"]
    scoped_actions = {
        "lines": (Action.CHANGE, PurchaseOrder),
        "place": (Action.CHANGE, PurchaseOrder),
        "cancel": (Action.CHANGE, PurchaseOrder),
        "ordered_versus_allocated": (Action.VIEW, OrderLine),
    }

    @staticmethod
    def selector(user, action):
        return selectors.with_totals(selectors.orders_for(user, action))

    def get_serializer_class(self):
        return {
            "create": PurchaseOrderCreateSerializer,
            "lines": OrderLineCreateSerializer,
            "place": PlaceSerializer,
            "cancel": CancelSerializer,
        }.get(getattr(self, "action", None), PurchaseOrderSerializer)

    def _respond(self, order, status=200):
        order = selectors.with_totals(selectors.orders_for(self.request.user)).get(pk=order.pk)
        return Response(PurchaseOrderSerializer(order, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=PurchaseOrderCreateSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request, *args, **kwargs):
        """Create a draft order (programme owners; operator staff with ``operator`` their own)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(serializer.save(), status=201)

    @extend_schema(request=OrderLineCreateSerializer, responses={201: OrderLineSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add a line to a draft order."""
        order = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.order_line_add(actor=request.user, order=order, **serializer.validated_data)
        line = selectors.order_lines_for(request.user).annotate(delivered=Count("devices")).get(pk=line.pk)
        return Response(OrderLineSerializer(line, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=PlaceSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        """Place a draft order (``ordered_on`` empty: today)."""
        order = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(services.order_place(actor=request.user, order=order, **serializer.validated_data))

    @extend_schema(request=CancelSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft, or a placed order against which nothing was delivered."""
        order = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(services.order_cancel(actor=request.user, order=order, **serializer.validated_data))

    @extend_schema(
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.INT, required=True),
            OpenApiParameter("device_type", OpenApiTypes.STR, enum=DeviceType.values),
        ],
        responses=ComparisonRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="ordered-versus-allocated", pagination_class=None)
    def ordered_versus_allocated(self, request):
        """Per school of a programme: units allocated (approved units rounds) and EUR allocated (money
        rounds), units and EUR ordered (placed orders), units delivered, and what is left."""
        query = ComparisonQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        comparison = selectors.ordered_versus_allocated(
            request.user, query.validated_data["programme"], query.validated_data["device_type"]
        )
        return Response(ComparisonRowSerializer(comparison.rows, many=True).data)


class OrderLineViewSet(ScopedReadOnlyViewSet):
    """Order lines in the user's scope (school coordinators: their school's), with the devices
    delivered against each. Filter by ``order``, ``school``, ``device_model``, ``allocation_line``."""

    queryset = OrderLine.objects.none()
    serializer_class = OrderLineSerializer
    filterset_fields = ["order", "school", "device_model", "allocation_line"]
    ordering_fields = ["id", "quantity"]
    ordering = ["order", "school", "id"]

    @staticmethod
    def selector(user, action):
        return selectors.order_lines_for(user, action).annotate(delivered=Count("devices"))
