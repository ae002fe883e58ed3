"""Deliveries and self-bought purchases over REST.

``/api/deliveries/`` lists and reads deliveries in the user's scope (filters: ``school``,
``supplier``, ``programme``, ``order``, ``acceptance``, ``delivered_from``, ``delivered_to``;
``search`` on the delivery note), with their discrepancies. ``POST /api/deliveries/{id}/confirm/``
confirms devices one by one (``{"serials": [...]}``); ``POST /api/deliveries/{id}/accept/`` accepts
the delivery once (``remaining``, ``note``, ``discrepancies``), through ``services.deliveries``.

``/api/self-purchases/`` lists and reads self-bought purchases; POST reports one with its devices
through ``services.purchases.self_purchase_report``.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.filters import IdFilterSet
from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action, restrict
from digileap.programmes.models import FundingSource, Programme
from digileap.programmes.selectors import funding_sources_for, programmes_for
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School
from digileap.schools.selectors import schools_for

from ..models import Delivery, DeliveryDiscrepancy, Device, DeviceModel, SelfPurchase
from ..selectors.deliveries import deliveries_for
from ..selectors.purchases import purchases_for, with_device_counts
from ..services.deliveries import REMAINING, delivery_accept, delivery_confirm_devices
from ..services.purchases import self_purchase_report


def device_models_for(user, action: str = Action.VIEW):
    return restrict(DeviceModel.objects.all(), user, action)


class DeliveryDiscrepancySerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="device.serial", read_only=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)

    class Meta:
        model = DeliveryDiscrepancy
        fields = ["id", "kind", "device", "serial", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default=None)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    accepted_by = serializers.CharField(source="accepted_by.username", read_only=True, default=None)
    discrepancies = DeliveryDiscrepancySerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "note_number", "programme", "programme_code", "school", "school_name", "school_number",
                  "site", "supplier", "supplier_name", "order", "order_number", "delivered_on", "acceptance",
                  "accepted_by", "accepted_at", "acceptance_note", "discrepancies", "created_at"]  # fmt: skip
        read_only_fields = fields


class DiscrepancyInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Device.Discrepancy.choices)
    serial = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    send_back = serializers.BooleanField(required=False, default=False)


class AcceptSerializer(serializers.Serializer):
    """Accept the delivery once. ``remaining``: what becomes of devices not confirmed one by one
    (``accept`` them, or record them as ``missing``)."""

    remaining = serializers.ChoiceField(choices=list(REMAINING), default="accept")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    discrepancies = DiscrepancyInputSerializer(many=True, required=False, default=list)


class ConfirmSerializer(serializers.Serializer):
    serials = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=5000)


class ConfirmResultSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()


class DeliveryFilter(IdFilterSet):
    delivered_from = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte")
    delivered_to = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte")

    class Meta:
        model = Delivery
        fields = ["school", "supplier", "programme", "order", "acceptance"]


class DeliveryViewSet(ScopedReadOnlyViewSet):
    """Delivery notes in the user's scope with the school's acceptance."""

    queryset = Delivery.objects.none()
    selector = staticmethod(deliveries_for)
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    search_fields = ["note_number"]
    ordering_fields = ["delivered_on", "created_at", "note_number"]
    ordering = ["-delivered_on", "-id"]
    scoped_actions = {"accept": (Action.CHANGE, Delivery), "confirm": (Action.CHANGE, Delivery)}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("discrepancies__device", "discrepancies__recorded_by")

    def get_serializer_class(self):
        return {"accept": AcceptSerializer, "confirm": ConfirmSerializer}.get(
            getattr(self, "action", None), DeliverySerializer
        )

    @extend_schema(request=AcceptSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the delivery (the school's coordinator or its operator's staff), once."""
        delivery = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        delivery_accept(
            delivery=delivery,
            actor=request.user,
            remaining=data["remaining"],
            note=data["note"],
            discrepancies=[dict(entry) for entry in data["discrepancies"]],
        )
        return Response(DeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data)

    @extend_schema(request=ConfirmSerializer, responses=ConfirmResultSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the receipt of devices one by one, by serial number, before accepting."""
        delivery = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        confirmed = delivery_confirm_devices(
            delivery=delivery, actor=request.user, serials=serializer.validated_data["serials"]
        )
        return Response({"confirmed": confirmed})


class PurchaseDeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "serial", "manufacturer", "device_model", "asset_tag", "status"]
        read_only_fields = fields


class SelfPurchaseSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    reported_by = serializers.CharField(source="reported_by.username", read_only=True, default=None)
    device_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SelfPurchase
        fields = ["id", "programme", "programme_code", "funding_source", "school", "school_name",
                  "invoice_reference", "invoice_date", "vendor", "amount", "note", "reported_by", "reported_at",
                  "device_count"]  # fmt: skip
        read_only_fields = fields


class PurchaseDeviceInputSerializer(serializers.Serializer):
    device_model = ScopedPrimaryKeyRelatedField(device_models_for, queryset=DeviceModel.objects.none())
    serial = serializers.CharField(max_length=64)
    asset_tag = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class SelfPurchaseCreateSerializer(serializers.Serializer):
    """Report a purchase: the invoice and every device with its model and serial number."""

    programme = ScopedPrimaryKeyRelatedField(programmes_for, queryset=Programme.objects.none())
    funding_source = ScopedPrimaryKeyRelatedField(
        funding_sources_for, queryset=FundingSource.objects.none(), required=False, allow_null=True, default=None
    )
    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    invoice_reference = serializers.CharField(max_length=80)
    invoice_date = serializers.DateField()
    vendor = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    devices = PurchaseDeviceInputSerializer(many=True)

    def create(self, validated_data):
        devices = [dict(entry) for entry in validated_data.pop("devices")]
        return self_purchase_report(actor=self.context["request"].user, devices=devices, **validated_data)


class SelfPurchaseViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Devices that schools bought themselves, reported with the invoice (the Digisprong model)."""

    queryset = SelfPurchase.objects.none()
    selector = staticmethod(purchases_for)
    serializer_class = SelfPurchaseSerializer
    filterset_fields = ["school", "programme", "funding_source"]
    search_fields = ["invoice_reference", "vendor"]
    ordering_fields = ["invoice_date", "reported_at", "amount"]
    ordering = ["-invoice_date", "-id"]

    def get_queryset(self):
        return with_device_counts(super().get_queryset())

    def get_serializer_class(self):
        return SelfPurchaseCreateSerializer if getattr(self, "action", None) == "create" else SelfPurchaseSerializer

    @extend_schema(request=SelfPurchaseCreateSerializer, responses={201: SelfPurchaseSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purchase = serializer.save()
        data = SelfPurchaseSerializer(self.get_queryset().get(pk=purchase.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)
