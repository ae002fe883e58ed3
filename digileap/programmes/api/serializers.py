"""API representations of programmes. Writes (manual values, evidence documents and their approval,
money, evidence packs) call the services; references accept only objects the user may see."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digileap.programmes import selectors, services
from digileap.programmes.models import (
    EvidenceDocument,
    EvidencePack,
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
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School
from digileap.schools.selectors import schools_for

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
    """The money ledger; POST records money committed or paid (a correction is a negative entry)."""

    programme = ScopedPrimaryKeyRelatedField(selectors.programmes_for, queryset=Programme.objects.none())
    # A field named like Field.source, which drf-stubs types on the serializer itself.
    source = ScopedPrimaryKeyRelatedField(  # type: ignore[assignment]
        selectors.funding_sources_for, queryset=FundingSource.objects.none()
    )
    school = ScopedPrimaryKeyRelatedField(
        schools_for, queryset=School.objects.none(), required=False, allow_null=True, default=None
    )
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    class Meta:
        model = FundingTransaction
        fields = ["id", "programme", "source", "kind", "amount", "date", "school", "reference", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]

    def create(self, validated_data):
        return services.funding_transaction_record(actor=_actor(self), **validated_data)


def _actor(serializer):
    return serializer.context["request"].user


class ManualValueCreateSerializer(serializers.Serializer):
    """Record a value for a target whose indicator is declared manual."""

    target = ScopedPrimaryKeyRelatedField(selectors.targets_for, queryset=Target.objects.none())
    value = serializers.DecimalField(max_digits=18, decimal_places=2)
    as_of = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def create(self, validated_data):
        return services.manual_value_record(actor=_actor(self), **validated_data)

    def to_representation(self, instance):
        return ManualValueSerializer(instance, context=self.context).data


class EvidenceDocumentCreateSerializer(serializers.Serializer):
    """Upload a document that proves a milestone (multipart). It counts once someone else approves it."""

    programme = ScopedPrimaryKeyRelatedField(selectors.programmes_for, queryset=Programme.objects.none())
    target = ScopedPrimaryKeyRelatedField(
        selectors.targets_for, queryset=Target.objects.none(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=255)
    file = serializers.FileField()

    def create(self, validated_data):
        return services.evidence_document_upload(actor=_actor(self), **validated_data)

    def to_representation(self, instance):
        return EvidenceDocumentSerializer(instance, context=self.context).data


class EvidencePackSerializer(serializers.ModelSerializer):
    target = ScopedPrimaryKeyRelatedField(selectors.targets_for, queryset=Target.objects.none())
    as_of = serializers.DateField(required=False)

    class Meta:
        model = EvidencePack
        fields = ["id", "target", "as_of", "language", "status", "progress", "sha256", "size_bytes", "error",
                  "requested_at", "finished_at"]  # fmt: skip
        read_only_fields = ["language", "status", "progress", "sha256", "size_bytes", "error", "requested_at",
                            "finished_at"]  # fmt: skip

    def create(self, validated_data):
        from django.utils import timezone, translation

        return services.evidence_pack_request(
            actor=_actor(self),
            target=validated_data["target"],
            as_of=validated_data.get("as_of") or timezone.localdate(),
            language=translation.get_language() or "en",
        )
