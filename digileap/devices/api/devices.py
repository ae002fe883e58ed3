"""The device register over REST: ``/api/devices/`` and ``/api/device-events/``.

Lists are cursor-paginated (``?cursor=``, ``next`` and ``previous`` links, no total): over millions
of devices a page is an index range, never an OFFSET nor a COUNT. Devices come in the order
``serial, id`` (the serial indexes), events in ``device, occurred_at, id`` (the events' index).
A device's detail embeds its lifecycle events (also at ``/api/devices/{id}/events/``); PATCH
corrects its identifiers and POST ``/api/devices/{id}/transition/`` ``{"status", "reason"}`` moves it
to another status, both through ``services.devices``.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from digileap.core.api.filters import ScopedFilterBackend
from digileap.core.api.pagination import StrictPageMixin
from digileap.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from digileap.core.permissions import Action
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import Site
from digileap.schools.selectors import sites_for

from ..models import Condition, Device, DeviceEvent, DeviceStatus, DeviceType
from ..selectors import devices as selectors
from ..services.devices import device_change_status, device_update


class DevicePagination(StrictPageMixin, CursorPagination):
    ordering = ("serial", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class DeviceEventPagination(StrictPageMixin, CursorPagination):
    ordering = ("device_id", "occurred_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class DeviceFilter(django_filters.FilterSet):
    """Every filter is on a column of the device (no join). ``status`` may be repeated."""

    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    status = django_filters.MultipleChoiceFilter(choices=DeviceStatus.choices, distinct=False, label=_("Status"))
    device_type = django_filters.ChoiceFilter(choices=DeviceType.choices, label=_("Device type"))
    device_model = django_filters.NumberFilter(field_name="device_model_id", label=_("Device model id"))
    programme = django_filters.NumberFilter(field_name="programme_id", label=_("Programme id"))
    supplier = django_filters.NumberFilter(field_name="supplier_id", label=_("Supplier id"))
    delivery = django_filters.NumberFilter(field_name="delivery_id", label=_("Delivery id"))
    condition = django_filters.ChoiceFilter(choices=Condition.choices, label=_("Condition"))
    discrepancy = django_filters.ChoiceFilter(choices=Device.Discrepancy.choices, label=_("Discrepancy"))
    serial = django_filters.CharFilter(method="filter_serial", label=_("Serial number (exact)"))
    serial_prefix = django_filters.CharFilter(method="filter_serial_prefix", label=_("Serial number begins with"))
    asset_tag = django_filters.CharFilter(field_name="asset_tag", label=_("Asset tag (exact)"))
    delivered_after = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("Delivered on or after")
    )
    delivered_before = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="lte", label=_("Delivered on or before")
    )

    class Meta:
        model = Device
        fields: list[str] = []

    def filter_serial(self, queryset, name, value):
        return queryset.filter(serial=value.strip().upper()) if value.strip() else queryset

    def filter_serial_prefix(self, queryset, name, value):
        return queryset.filter(selectors.serial_prefix_q(value))


class DeviceEventFilter(django_filters.FilterSet):
    device = django_filters.NumberFilter(field_name="device_id", label=_("Device id"))
    status = django_filters.ChoiceFilter(choices=DeviceStatus.choices, label=_("Status"))

    class Meta:
        model = DeviceEvent
        fields: list[str] = []


class DeviceEventSerializer(serializers.ModelSerializer):
    device_serial = serializers.CharField(source="device.serial", read_only=True)

    class Meta:
        model = DeviceEvent
        fields = ["id", "device", "device_serial", "status", "previous_status", "occurred_at", "actor_id",
                  "actor_label", "reason", "data"]  # fmt: skip
        read_only_fields = fields


class EmbeddedEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceEvent
        fields = ["id", "status", "previous_status", "occurred_at", "actor_id", "actor_label", "reason", "data"]
        read_only_fields = fields


LIST_FIELDS = ["id", "serial", "manufacturer", "device_model", "device_type", "condition", "asset_tag", "mac_address",
               "windows_product_id", "google_device_id", "programme", "funding_source", "school", "site", "supplier",
               "delivery", "order_line", "purchase", "status", "status_changed_at", "delivered_on",
               "first_deployed_on", "accepted_at", "discrepancy", "created_at"]  # fmt: skip


class DeviceSerializer(serializers.ModelSerializer):
    """A device as the list gives it: its own columns, related objects as ids."""

    class Meta:
        model = Device
        fields = LIST_FIELDS
        read_only_fields = fields


class DeviceDetailSerializer(serializers.ModelSerializer):
    """A device with its model's and school's names, its Autopilot hash and its lifecycle events."""

    device_model_name = serializers.CharField(source="device_model.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    allowed_statuses = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [*LIST_FIELDS[:4], "device_model_name", *LIST_FIELDS[4:12], "school_name", "school_number",
                  *LIST_FIELDS[12:], "autopilot_hash", "allowed_statuses", "events"]  # fmt: skip
        read_only_fields = fields

    def get_allowed_statuses(self, obj: Device) -> list[str]:
        from .. import lifecycle

        return lifecycle.allowed_next(obj.status)

    @extend_schema(responses=EmbeddedEventSerializer(many=True))
    def get_events(self, obj: Device) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list (drf-stubs type it as the child's dict).
        return EmbeddedEventSerializer(selectors.device_events(obj), many=True).data  # type: ignore[return-value]


class DeviceUpdateSerializer(serializers.Serializer):
    """The identifiers that may be corrected (each optional): text is stripped, the MAC normalised."""

    asset_tag = serializers.CharField(required=False, allow_blank=True, max_length=64)
    site = ScopedPrimaryKeyRelatedField(sites_for, queryset=Site.objects.none(), required=False, allow_null=True)
    mac_address = serializers.CharField(required=False, allow_blank=True, max_length=40)
    autopilot_hash = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    windows_product_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    google_device_id = serializers.CharField(required=False, allow_blank=True, max_length=80)

    def update(self, instance, validated_data):
        return device_update(device=instance, data=validated_data, actor=self.context["request"].user)

    def to_representation(self, instance):
        return DeviceDetailSerializer(instance, context=self.context).data


class DeviceTransitionSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text=_(
            "The new status: one of the device's allowed_statuses, but deployed (by handing it out) and "
            "loaned_out (from a ticket)."
        )
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Required."))


_RELATIONS = {"device_model", "programme", "funding_source", "school", "site", "supplier", "delivery", "order_line",
              "purchase"}  # fmt: skip
_LIST_COLUMNS = [f"{name}_id" if name in _RELATIONS else name for name in LIST_FIELDS]
_DATETIMES = ("status_changed_at", "accepted_at", "created_at")
_DATETIME = serializers.DateTimeField()


def _list_row(values: dict) -> dict:
    """A ``values()`` row as ``DeviceSerializer`` writes it: relations by their names, times in the
    current time zone like every other time of the API."""
    row = {name: values[f"{name}_id" if name in _RELATIONS else name] for name in LIST_FIELDS}
    for name in _DATETIMES:
        if row[name] is not None:
            row[name] = _DATETIME.to_representation(row[name])
    if row["delivered_on"] is not None:
        row["delivered_on"] = row["delivered_on"].isoformat()
    if row["first_deployed_on"] is not None:
        row["first_deployed_on"] = row["first_deployed_on"].isoformat()
    return row


class DeviceViewSet(ScopedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Devices in the user's scope, in serial order, cursor-paginated. Filter by ``school``,
    ``status`` (repeatable), ``device_type``, ``device_model``, ``programme``, ``supplier``,
    ``delivery``, ``condition``, ``discrepancy``, ``serial``, ``serial_prefix``, ``asset_tag``,
    ``delivered_after``, ``delivered_before``."""

    queryset = Device.objects.none()
    selector = staticmethod(selectors.devices_for)
    serializer_class = DeviceSerializer
    pagination_class = DevicePagination
    filter_backends = [ScopedFilterBackend]
    filterset_class = DeviceFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    scoped_actions = {"transition": (Action.CHANGE, Device), "events": (Action.VIEW, Device)}

    def get_queryset(self):
        devices = super().get_queryset()
        if getattr(self, "action", None) == "list":
            return devices.values(*_LIST_COLUMNS)
        return devices.select_related("device_model", "school")

    @extend_schema(responses=DeviceSerializer(many=True))
    def list(self, request, *args, **kwargs):
        """The page's rows straight from ``values()``: no model instances, no per-row field lookup
        (the list is read at millions of devices; ``DeviceSerializer`` describes the same fields)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([_list_row(row) for row in page])

    def get_serializer_class(self):
        return {
            "list": DeviceSerializer,
            "partial_update": DeviceUpdateSerializer,
            "transition": DeviceTransitionSerializer,
            "events": EmbeddedEventSerializer,
        }.get(getattr(self, "action", None), DeviceDetailSerializer)

    @extend_schema(request=DeviceUpdateSerializer, responses=DeviceDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Correct the asset tag, site, MAC address, Autopilot hash, Windows product id or Google id."""
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=DeviceTransitionSerializer, responses=DeviceDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the device to another status, with a reason (appends a lifecycle event)."""
        device = self.get_object()
        serializer = DeviceTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device_change_status(device=device, actor=request.user, **serializer.validated_data)
        device.refresh_from_db()
        return Response(DeviceDetailSerializer(device, context=self.get_serializer_context()).data)

    @extend_schema(responses=EmbeddedEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The device's lifecycle events, oldest first."""
        return Response(EmbeddedEventSerializer(selectors.device_events(self.get_object()), many=True).data)


class DeviceEventViewSet(ScopedReadOnlyViewSet):
    """Lifecycle events of the devices in the user's scope, append-only. Filter by ``device`` and
    ``status``; in the order device, time, id, cursor-paginated."""

    queryset = DeviceEvent.objects.none()
    selector = staticmethod(selectors.device_events_for)
    serializer_class = DeviceEventSerializer
    pagination_class = DeviceEventPagination
    filter_backends = [ScopedFilterBackend]
    filterset_class = DeviceEventFilter

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("device")
            .only(
                *(name for name in DeviceEventSerializer.Meta.fields if name not in ("device", "device_serial")),
                "device_id",
                "device__serial",
            )
        )
