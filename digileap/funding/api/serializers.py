"""Serializers of the funding API: read-only views of calls, entitlements and applications."""

from rest_framework import serializers

from ..models import (
    Application,
    ApplicationEvent,
    ApplicationSchool,
    ApplicationVersion,
    Call,
    CostCategory,
    CostLine,
    Entitlement,
    RequiredDocument,
)


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
