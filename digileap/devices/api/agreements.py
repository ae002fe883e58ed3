"""API of user agreements: the templates per programme and language (read), and the agreements (read,
plus ``accept``: record a paper acceptance with its signed scan, multipart). Acceptance tokens are
never shown here; the in-app acceptance is the public page's alone."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from digileap.core.api.filters import IdFilterSet
from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action
from digileap.privacy.access import PupilReadLogMixin

from ..models import AgreementTemplate, UserAgreement
from ..selectors import agreements as selectors
from ..services import agreements as services


class AgreementTemplateSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    agreements_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = AgreementTemplate
        fields = ["id", "programme", "programme_code", "language", "version", "title", "body", "is_active",
                  "agreements_count", "created_at"]  # fmt: skip
        read_only_fields = fields


class AgreementTemplateViewSet(ScopedReadOnlyViewSet):
    """Agreement templates of the programmes in the user's scope. Filter by ``programme``,
    ``language``, ``is_active``. Programme owners write them on the pages."""

    queryset = AgreementTemplate.objects.none()
    selector = selectors.agreement_templates_for
    serializer_class = AgreementTemplateSerializer
    filterset_fields = ["programme", "language", "is_active"]
    ordering_fields = ["created_at", "version"]
    ordering = ["programme", "language", "-version", "id"]


class UserAgreementFilter(IdFilterSet):
    school = django_filters.NumberFilter(field_name="assignment__recipient__school", label="School id")
    group = django_filters.CharFilter(field_name="assignment__recipient__group", label="Class or group")

    class Meta:
        model = UserAgreement
        fields = ["status", "template", "assignment", "accepted_via", "school", "group"]


class UserAgreementSerializer(serializers.ModelSerializer):
    school = serializers.IntegerField(source="assignment.recipient.school_id", read_only=True)
    recipient_reference = serializers.CharField(source="assignment.recipient.reference", read_only=True)
    group = serializers.CharField(source="assignment.recipient.group", read_only=True)
    device = serializers.IntegerField(source="assignment.device_id", read_only=True)
    serial = serializers.CharField(source="assignment.device.serial", read_only=True)
    template_language = serializers.CharField(source="template.language", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    has_scan = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)

    class Meta:
        model = UserAgreement
        fields = ["id", "assignment", "school", "recipient_reference", "group", "device", "serial", "template",
                  "template_language", "template_version", "status", "sent_at", "accepted_at", "accepted_via",
                  "signed_by", "has_scan", "scan_sha256", "recorded_by", "reminder_count",
                  "last_reminded_at"]  # fmt: skip
        read_only_fields = fields

    def get_has_scan(self, agreement: UserAgreement) -> bool:
        return bool(agreement.scan)


class PaperAcceptanceSerializer(serializers.Serializer):
    """A paper acceptance: who signed, and the signed scan (PDF, JPEG or PNG)."""

    signed_by = serializers.ChoiceField(choices=UserAgreement.SignedBy.choices)
    scan = serializers.FileField()


class UserAgreementViewSet(PupilReadLogMixin, ScopedReadOnlyViewSet):
    """User agreements of the hand-outs in the user's scope. Filter by ``status``, ``school``,
    ``group``, ``template``, ``assignment``, ``accepted_via``."""

    queryset = UserAgreement.objects.none()
    selector = selectors.user_agreements_for
    serializer_class = UserAgreementSerializer
    filterset_class = UserAgreementFilter
    ordering_fields = ["sent_at", "accepted_at", "reminder_count"]
    ordering = ["-sent_at", "-id"]
    scoped_actions = {"accept": (Action.CHANGE, UserAgreement)}

    def get_serializer_class(self):
        if getattr(self, "action", None) == "accept":
            return PaperAcceptanceSerializer
        return UserAgreementSerializer

    @extend_schema(request={"multipart/form-data": PaperAcceptanceSerializer}, responses=UserAgreementSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def accept(self, request, pk=None):
        """Record an agreement signed on paper, with the signed scan (school coordinators and operator staff)."""
        agreement = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_accept_paper(
            actor=request.user, agreement=agreement, **serializer.validated_data
        )
        agreement = selectors.user_agreement_get(request.user, agreement.pk)
        return Response(UserAgreementSerializer(agreement, context=self.get_serializer_context()).data)
