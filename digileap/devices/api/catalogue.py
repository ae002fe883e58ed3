"""API of the catalogue: device models, suppliers and framework contracts with their prices, read-only
and restricted like the pages (``selectors.catalogue``). The catalogue is kept on the pages."""

from rest_framework import serializers

from digileap.core.api.viewsets import ScopedReadOnlyViewSet

from ..models import ContractItem, DeviceModel, FrameworkContract, Supplier
from ..selectors import catalogue as selectors


class DeviceModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceModel
        fields = [
            "id",
            "authority",
            "code",
            "manufacturer",
            "name",
            "device_type",
            "specifications",
            "unit_price",
            "warranty_months",
            "is_active",
        ]
        read_only_fields = fields


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "name", "vat_number", "email"]
        read_only_fields = fields


class ContractItemSerializer(serializers.ModelSerializer):
    device_model_code = serializers.CharField(source="device_model.code", read_only=True)

    class Meta:
        model = ContractItem
        fields = ["id", "device_model", "device_model_code", "unit_price"]
        read_only_fields = fields


class FrameworkContractSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    items = ContractItemSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkContract
        fields = [
            "id",
            "authority",
            "supplier",
            "supplier_name",
            "reference",
            "title",
            "starts_on",
            "ends_on",
            "ceiling",
            "response_hours",
            "repair_hours",
            "items",
        ]
        read_only_fields = fields


class DeviceModelViewSet(ScopedReadOnlyViewSet):
    """The device models of the catalogues the user sees. Filter by ``authority``, ``device_type``,
    ``manufacturer``, ``is_active``; ``search`` in code, manufacturer and name."""

    queryset = DeviceModel.objects.none()
    selector = selectors.device_models_for
    serializer_class = DeviceModelSerializer
    filterset_fields = ["authority", "device_type", "manufacturer", "is_active"]
    search_fields = ["code", "manufacturer", "name"]
    ordering_fields = ["code", "manufacturer", "name", "unit_price"]
    ordering = ["manufacturer", "name", "id"]


class SupplierViewSet(ScopedReadOnlyViewSet):
    """Suppliers under contract with the user's authority (a supplier user: itself)."""

    queryset = Supplier.objects.none()
    selector = selectors.suppliers_for
    serializer_class = SupplierSerializer
    search_fields = ["name", "vat_number"]
    ordering_fields = ["name"]
    ordering = ["name", "id"]


class FrameworkContractViewSet(ScopedReadOnlyViewSet):
    """Framework contracts with their prices per device model (``items``) and service levels.
    Filter by ``authority`` and ``supplier``."""

    queryset = FrameworkContract.objects.none()
    serializer_class = FrameworkContractSerializer
    filterset_fields = ["authority", "supplier"]
    search_fields = ["reference", "title"]
    ordering_fields = ["reference", "starts_on", "ends_on"]
    ordering = ["-starts_on", "reference", "id"]

    @staticmethod
    def selector(user, action):
        return selectors.contracts_for(user, action).prefetch_related("items__device_model")
