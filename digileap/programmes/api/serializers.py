"""API representations of programmes. Read-only for now; writes go through the services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digileap.programmes.models import (
    EvidenceDocument,
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    IndicatorSnapshot,
    ManualValue,
    Objective,
    Programme,
    Target,
)
from digileap.programmes.translation import localized

TRANSLATIONS_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}


@extend_schema_field(OpenApiTypes.STR)
class LocalizedField(serializers.Field):
    """A translated text in the request's language (with English fallback); read-only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)

    def to_representation(self, value):
        return localized(value)


@extend_schema_field(TRANSLATIONS_SCHEMA)
class TranslationsField(serializers.JSONField):
    pass


class ProgrammeSerializer(serializers.ModelSerializer):
    display_name = LocalizedField(source="name")
    authority_name = serializers.CharField(source="authority.name", read_only=True)
    name = TranslationsField(read_only=True)
    description = TranslationsField(read_only=True)
    gender_equality_impact = TranslationsField(read_only=True)
    end_goal = TranslationsField(read_only=True)
    sdgs = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=17), read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "display_name",
            "name",
            "description",
            "authority",
            "authority_name",
            "country",
            "region",
            "period_start",
            "period_end",
            "status",
            "is_public",
            "climate_contribution",
            "digital_contribution",
            "sdgs",
            "tags",
            "gender_equality_impact",
            "end_goal",
            "source_url",
        ]
        read_only_fields = fields


class FundingSourceSerializer(serializers.ModelSerializer):
    display_name = LocalizedField(source="name")
    name = TranslationsField(read_only=True)
    note = TranslationsField(read_only=True)

    class Meta:
        model = FundingSource
        fields = ["id", "programme", "position", "kind", "display_name", "name", "amount", "cofinancing_rate", "note"]
        read_only_fields = fields


class ObjectiveSerializer(serializers.ModelSerializer):
    display_title = LocalizedField(source="title")
    title = TranslationsField(read_only=True)
    description = TranslationsField(read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "programme", "position", "display_title", "title", "description"]
        read_only_fields = fields


class IndicatorDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorDefinition
        fields = ["id", "programme", "kind", "parameters"]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    display_title = LocalizedField(source="title")
    title = TranslationsField(read_only=True)
    description = TranslationsField(read_only=True)
    verification = TranslationsField(read_only=True)
    indicator = IndicatorDefinitionSerializer(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "programme",
            "kind",
            "position",
            "number",
            "display_title",
            "title",
            "description",
            "indicator",
            "baseline",
            "target_value",
            "unit",
            "accumulation",
            "period_start",
            "due_date",
            "due_label",
            "verification",
            "reported_status",
        ]
        read_only_fields = fields


class IndicatorSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorSnapshot
        fields = ["id", "target", "date", "value", "status", "computed_at"]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.Serializer):
    """A target's value and status computed now from the data."""

    target = serializers.IntegerField()
    as_of = serializers.DateField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    status = serializers.CharField(allow_null=True)
    progress = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    forecast = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    trend = serializers.CharField(allow_null=True)


class EvidenceDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceDocument
        fields = ["id", "programme", "target", "title", "sha256", "uploaded_at", "approved_at"]
        read_only_fields = fields


class ManualValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManualValue
        fields = ["id", "indicator", "as_of", "value", "note", "entered_at"]
        read_only_fields = fields


class FundingTransactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingTransaction
        fields = ["id", "programme", "source", "kind", "amount", "date", "school", "reference", "recorded_at"]
        read_only_fields = fields
