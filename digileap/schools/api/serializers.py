"""API representations of the registry. Writes call the services in ``schools.services``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digileap.core.permissions import Action
from digileap.schools import selectors, services
from digileap.schools.models import (
    SCHOOL_YEAR_VALIDATOR,
    Authority,
    EligibilityGroup,
    EligibleCount,
    Enrolment,
    IscedLevel,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    SocioEconomicScale,
    StaffCount,
)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference that accepts only objects the requesting user may see: anything else is
    "does not exist", so an id outside the scope reveals nothing."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.selector(request.user, Action.VIEW)


def _actor(serializer):
    return serializer.context["request"].user


def _reject_change(instance, validated_data: dict, field: str) -> None:
    if field in validated_data and validated_data.pop(field) != getattr(instance, field):
        raise DjangoValidationError({field: _("This cannot be changed once set.")})


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["id", "code", "name", "kind", "country"]
        validators: list = []  # the service validates uniqueness within the transaction

    def create(self, validated_data):
        return services.authority_create(actor=_actor(self), **validated_data)


class SchoolOperatorSerializer(serializers.ModelSerializer):
    authority = ScopedPrimaryKeyRelatedField(selectors.authorities_for, queryset=Authority.objects.none())
    authority_name = serializers.CharField(source="authority.name", read_only=True)

    class Meta:
        model = SchoolOperator
        fields = ["id", "authority", "authority_name", "code", "name", "kind", "region"]
        validators: list = []

    def create(self, validated_data):
        return services.operator_create(actor=_actor(self), **validated_data)

    def update(self, instance, validated_data):
        _reject_change(instance, validated_data, "authority")
        return services.operator_update(actor=_actor(self), operator=instance, data=validated_data)


class SchoolSerializer(serializers.ModelSerializer):
    authority = ScopedPrimaryKeyRelatedField(
        selectors.authorities_for,
        queryset=Authority.objects.none(),
        required=False,
        help_text=_("Defaults to the operator's authority. Cannot be changed later."),
    )
    operator = ScopedPrimaryKeyRelatedField(selectors.operators_for, queryset=SchoolOperator.objects.none())
    authority_name = serializers.CharField(source="authority.name", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    levels = serializers.SerializerMethodField(help_text=_("ISCED levels taught"))
    ses_scale: "serializers.SlugRelatedField[SocioEconomicScale]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = School
        fields = [
            "id",
            "authority",
            "authority_name",
            "operator",
            "operator_name",
            "number",
            "name",
            "type_code",
            "type_label",
            "levels",
            "isced_0",
            "isced_1",
            "isced_2",
            "isced_3",
            "isced_4",
            "language",
            "sector",
            "status",
            "street",
            "postal_code",
            "city",
            "email",
            "website",
            "latitude",
            "longitude",
            "pupils_total",
            "ses_value",
            "ses_scale",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["pupils_total", "ses_value", "created_at", "updated_at"]
        validators: list = []

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=4)))
    def get_levels(self, school: School) -> list[int]:
        return school.levels

    def validate(self, attrs):
        if self.instance is None and "authority" not in attrs and attrs.get("operator") is not None:
            attrs["authority"] = attrs["operator"].authority
        return attrs

    def create(self, validated_data):
        authority = validated_data.pop("authority")
        return services.school_create(actor=_actor(self), authority=authority, data=validated_data)

    def update(self, instance, validated_data):
        _reject_change(instance, validated_data, "authority")
        return services.school_update(actor=_actor(self), school=instance, data=validated_data)


class SiteSerializer(serializers.ModelSerializer):
    school = ScopedPrimaryKeyRelatedField(selectors.schools_for, queryset=School.objects.none())

    class Meta:
        model = Site
        fields = ["id", "school", "name", "is_main", "street", "postal_code", "city", "latitude", "longitude"]
        read_only_fields = ["is_main"]
        validators: list = []

    def create(self, validated_data):
        school = validated_data.pop("school")
        return services.site_create(actor=_actor(self), school=school, data=validated_data)

    def update(self, instance, validated_data):
        _reject_change(instance, validated_data, "school")
        return services.site_update(actor=_actor(self), site=instance, data=validated_data)


class EnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "school", "school_year", "level", "grade", "pupils"]
        read_only_fields = fields


class StaffCountSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffCount
        fields = ["id", "school", "school_year", "teachers"]
        read_only_fields = fields


class EligibleCountSerializer(serializers.ModelSerializer):
    group: "serializers.SlugRelatedField[EligibilityGroup]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = EligibleCount
        fields = ["id", "school", "school_year", "group", "pupils"]
        read_only_fields = fields


class SocioEconomicIndexSerializer(serializers.ModelSerializer):
    scale: "serializers.SlugRelatedField[SocioEconomicScale]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = SocioEconomicIndex
        fields = ["id", "school", "school_year", "scale", "value"]
        read_only_fields = fields


class EnrolmentLineSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=IscedLevel.choices)
    grade = serializers.IntegerField(min_value=0, max_value=13, default=0)
    pupils = serializers.IntegerField(min_value=0)


class SchoolYearFiguresSerializer(serializers.Serializer):
    """One school year's pupils by level and grade, teachers and socio-economic index. Replaces
    what was recorded for that year."""

    school_year = serializers.CharField(max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    enrolment = EnrolmentLineSerializer(many=True)
    teachers = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    ses_scale = serializers.SlugRelatedField(
        slug_field="code", queryset=SocioEconomicScale.objects.all(), required=False, allow_null=True, default=None
    )
    ses_value = serializers.DecimalField(max_digits=8, decimal_places=3, required=False, allow_null=True, default=None)

    def validate_enrolment(self, lines):
        keys = [(line["level"], line["grade"]) for line in lines]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Each level and grade may appear once."))
        return lines

    def validate(self, attrs):
        if (attrs.get("ses_scale") is None) != (attrs.get("ses_value") is None):
            raise serializers.ValidationError({"ses_value": _("Give the index together with its scale.")})
        return attrs

    def save(self, *, school):
        data = self.validated_data
        services.school_year_figures_set(
            actor=_actor(self),
            school=school,
            school_year=data["school_year"],
            enrolment={(line["level"], line["grade"]): line["pupils"] for line in data["enrolment"]},
            teachers=data["teachers"],
            ses_scale=data["ses_scale"],
            ses_value=data["ses_value"],
        )
