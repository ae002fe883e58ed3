"""Serializers of the funding API: calls, entitlements, applications with their lines, decisions,
grants and claims; and the writes machines make (a draft application, its lines, its submission)."""

from typing import TYPE_CHECKING

from rest_framework import serializers

from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School, SchoolOperator
from digileap.schools.selectors import operators_for, schools_for

from ..models import (
    Application,
    ApplicationEvent,
    ApplicationSchool,
    ApplicationVersion,
    Call,
    Claim,
    CostCategory,
    CostLine,
    Decision,
    DecisionLine,
    Entitlement,
    Grant,
    GrantLine,
    Invoice,
    InvoiceLine,
    RequiredDocument,
)
from ..selectors import applications_for, calls_for
from ..services.applications import application_draft, cost_line_add, cost_line_update

if TYPE_CHECKING:
    from digileap.devices.models import Device


class CostCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CostCategory
        fields = [
            "id",
            "code",
            "name",
            "position",
            "funding_rate",
            "cap_absolute",
            "cap_per_school",
            "cap_per_pupil",
            "cap_share_of_application",
            "cap_share_of_entitlement",
        ]
        read_only_fields = fields


class RequiredDocumentSerializer(serializers.ModelSerializer):
    document_scope = serializers.CharField(source="scope", read_only=True)

    class Meta:
        model = RequiredDocument
        fields = ["id", "code", "document_scope", "name", "validity_months", "position"]
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    cofinancing_paid_by = serializers.CharField(source="cofinancing_payer", read_only=True)
    cost_categories = CostCategorySerializer(many=True, read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "programme_code",
            "funding_source",
            "code",
            "title",
            "opens_at",
            "closes_at",
            "cofinancing_rate",
            "cofinancing_paid_by",
            "uses_entitlements",
            "decision_deadline",
            "claim_deadline",
            "proof_of_use_deadline",
            "cost_categories",
            "required_documents",
        ]
        read_only_fields = fields


class EntitlementSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    entitlement_source = serializers.CharField(source="source", read_only=True)

    class Meta:
        model = Entitlement
        fields = ["id", "call", "operator", "operator_name", "amount", "entitlement_source", "published_at"]
        read_only_fields = fields


class ApplicationSchoolSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="school.name", read_only=True)
    number = serializers.CharField(source="school.number", read_only=True)

    class Meta:
        model = ApplicationSchool
        fields = ["school", "number", "name", "pupils"]
        read_only_fields = fields


class CostLineSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = CostLine
        fields = [
            "id",
            "position",
            "category",
            "category_code",
            "school",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "funding",
        ]
        read_only_fields = fields


class ApplicationEventSerializer(serializers.ModelSerializer):
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = ApplicationEvent
        fields = ["from_state", "to_state", "actor_label", "occurred_at", "reason", "version"]
        read_only_fields = fields


class ApplicationVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationVersion
        fields = ["id", "number", "sha256", "created_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    call_code = serializers.CharField(source="call.code", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    application_state = serializers.CharField(source="state", read_only=True)
    schools = ApplicationSchoolSerializer(source="application_schools", many=True, read_only=True)
    lines = CostLineSerializer(source="cost_lines", many=True, read_only=True)
    versions = ApplicationVersionSerializer(many=True, read_only=True)
    events = ApplicationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_code",
            "operator",
            "operator_name",
            "number",
            "title",
            "application_state",
            "rollout_year",
            "schools",
            "lines",
            "versions",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Decisions, grants and claims (read-only).


class DecisionLineSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="cost_line.position", read_only=True)

    class Meta:
        model = DecisionLine
        fields = ["cost_line", "position", "requested", "approved", "reason"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    decision_outcome = serializers.CharField(source="outcome", read_only=True)
    letter_language = serializers.CharField(source="language", read_only=True)
    lines = DecisionLineSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "application",
            "number",
            "decision_outcome",
            "conditions",
            "reason",
            "requested_total",
            "approved_total",
            "letter_language",
            "letter_sha256",
            "decided_at",
            "lines",
        ]
        read_only_fields = fields


class GrantLineSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = GrantLine
        fields = [
            "id",
            "position",
            "cost_line",
            "category",
            "category_code",
            "school",
            "description",
            "amount",
            "approved",
        ]
        read_only_fields = fields


class GrantSerializer(serializers.ModelSerializer):
    call_code = serializers.CharField(source="call.code", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    lines = GrantLineSerializer(many=True, read_only=True)

    class Meta:
        model = Grant
        fields = [
            "id",
            "number",
            "call",
            "call_code",
            "application",
            "operator",
            "operator_name",
            "decision",
            "approved_amount",
            "created_at",
            "closed_at",
            "lines",
        ]
        read_only_fields = fields


class InvoiceLineSerializer(serializers.ModelSerializer):
    grant_line_position = serializers.IntegerField(source="grant_line.position", read_only=True)
    devices: "serializers.PrimaryKeyRelatedField[Device]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = InvoiceLine
        fields = ["id", "grant_line", "grant_line_position", "description", "amount", "claimed", "devices"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "supplier_name",
            "number",
            "issued_on",
            "total",
            "original_filename",
            "content_type",
            "size_bytes",
            "sha256",
            "uploaded_at",
            "lines",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    grant_number = serializers.CharField(source="grant.number", read_only=True)
    claim_state = serializers.CharField(source="state", read_only=True)
    invoices = InvoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "grant",
            "grant_number",
            "number",
            "claim_state",
            "amount",
            "submitted_at",
            "paid_on",
            "payment_reference",
            "created_at",
            "invoices",
        ]
        read_only_fields = fields


# Writes for machines: a draft application, its cost lines, its submission. Each goes through the
# services; their ValidationErrors become 400s naming the field and the line (core.api.exceptions).


def _actor(serializer):
    return serializer.context["request"].user


class ApplicationCreateSerializer(serializers.Serializer):
    """Draft an application of ``operator`` in ``call`` for ``schools`` (default: every open school
    of the operator, with the registry's pupils)."""

    call = ScopedPrimaryKeyRelatedField(calls_for, queryset=Call.objects.none())
    operator = ScopedPrimaryKeyRelatedField(operators_for, queryset=SchoolOperator.objects.none())
    schools = ScopedPrimaryKeyRelatedField(
        schools_for, queryset=School.objects.none(), many=True, required=False, default=None, allow_null=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    rollout_year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, allow_null=True, default=None
    )

    def create(self, validated_data):
        schools = validated_data.pop("schools", None)
        return application_draft(actor=_actor(self), schools=list(schools) if schools else None, **validated_data)

    def to_representation(self, instance):
        return ApplicationSerializer(instance, context=self.context).data


class SubmitSerializer(serializers.Serializer):
    declarations_confirmed = serializers.BooleanField(
        help_text="Confirms that the information is correct and complete and the costs are not funded twice."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CostLineWriteSerializer(serializers.Serializer):
    """A cost line as typed. ``quantity`` and ``unit_price`` are text, checked by the call's rules:
    a refusal is a 400 whose messages name the line and the rule ("Line 3: ... (rule: cap per school)")."""

    category = serializers.IntegerField(help_text="A cost category of the application's call.")
    school = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="One of the application's schools; null: the operator."
    )
    description = serializers.CharField(max_length=300)
    quantity = serializers.CharField(max_length=40)
    unit_price = serializers.CharField(max_length=40)

    def update(self, instance, validated_data):
        return cost_line_update(actor=_actor(self), line=instance, data=validated_data)

    def to_representation(self, instance):
        return CostLineDetailSerializer(instance, context=self.context).data


class CostLineCreateSerializer(CostLineWriteSerializer):
    application = ScopedPrimaryKeyRelatedField(applications_for, queryset=Application.objects.none())

    def create(self, validated_data):
        application = validated_data.pop("application")
        return cost_line_add(actor=_actor(self), application=application, data=validated_data)


class CostLineDetailSerializer(CostLineSerializer):
    class Meta(CostLineSerializer.Meta):
        fields = ["application", *CostLineSerializer.Meta.fields]
        read_only_fields = fields
