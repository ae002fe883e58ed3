"""Management reports over REST: ``/api/management-reports/`` and ``/api/managed-devices/``.

GET lists and reads reports and their rows, restricted to the user's scope. POST (multipart:
``source``, ``operator``, optional ``school``, ``file``, optional ``skip_invalid``) imports an
Intune or Google Admin device export through ``services.exchange.managementreport_import``; a file
that cannot be read is a 400 naming the line and column.
"""

from typing import TYPE_CHECKING

import django_filters
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from digileap.core.api.filters import IdFilterSet
from digileap.core.api.viewsets import ScopedViewSetMixin
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School, SchoolOperator

from ..models import ManagedDevice, ManagementReport
from ..selectors.exchange import managed_devices_for, operators_for_upload, reports_for, schools_for_upload
from ..services.exchange import managementreport_import

if TYPE_CHECKING:
    from digileap.accounts.models import User


class ManagementReportSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True, default=None)
    uploaded_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ManagementReport
        fields = [
            "id",
            "source",
            "operator",
            "operator_name",
            "school",
            "school_name",
            "original_filename",
            "sha256",
            "rows",
            "matched",
            "unknown",
            "not_enrolled",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class ManagementReportUploadSerializer(serializers.Serializer):
    """The upload of a device export (multipart)."""

    # drf-stubs types a serializer as the Field it also is, whose ``source`` is a text: a declared
    # field of that name is what DRF means here.
    source = serializers.ChoiceField(choices=ManagementReport.Source.choices)  # type: ignore[assignment]
    operator = ScopedPrimaryKeyRelatedField(
        lambda user, action: operators_for_upload(user), queryset=SchoolOperator.objects.none()
    )
    school = ScopedPrimaryKeyRelatedField(
        lambda user, action: schools_for_upload(user), queryset=School.objects.none(), required=False, allow_null=True
    )
    file = serializers.FileField()
    skip_invalid = serializers.BooleanField(required=False, default=False)

    def create(self, validated_data):
        report, _plan = managementreport_import(actor=self.context["request"].user, **validated_data)
        return report


class ManagementReportViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Device exports of Intune or Google Admin, reconciled with the funded devices."""

    queryset = ManagementReport.objects.none()
    selector = staticmethod(reports_for)
    serializer_class = ManagementReportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["source", "operator", "school"]
    ordering_fields = ["uploaded_at", "id"]
    ordering = ["-uploaded_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return ManagementReportUploadSerializer
        return ManagementReportSerializer

    def create(self, request, *args, **kwargs):
        upload = ManagementReportUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        report = upload.save()
        data = ManagementReportSerializer(report, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class ManagedDeviceSerializer(serializers.ModelSerializer):
    matched = serializers.SerializerMethodField()

    class Meta:
        model = ManagedDevice
        fields = [
            "id",
            "report",
            "serial",
            "manufacturer",
            "model_name",
            "device_name",
            "last_sync_at",
            "device",
            "matched",
        ]
        read_only_fields = fields

    def get_matched(self, obj) -> bool:
        return obj.device_id is not None


class ManagedDeviceFilter(IdFilterSet):
    matched = django_filters.BooleanFilter(field_name="device", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ManagedDevice
        fields = ["report", "device", "serial", "matched"]


class ManagedDeviceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The rows of management reports: ``?report=`` one report's, ``?matched=true|false`` funded
    and enrolled, or enrolled but unknown."""

    queryset = ManagedDevice.objects.none()
    selector = staticmethod(managed_devices_for)
    serializer_class = ManagedDeviceSerializer
    filterset_class = ManagedDeviceFilter
    search_fields = ["serial", "device_name"]
    ordering_fields = ["serial", "last_sync_at", "id"]
    ordering = ["report_id", "serial", "id"]
