"""Need declarations over REST: ``/api/need-declarations/``.

GET lists and reads declarations with their lines, restricted to the user's scope. POST declares
the needs of a school for a school year (replacing an earlier declaration of that school and year),
PUT replaces a declaration; both go through ``services.needs.need_declare``. Errors are 400 with
field paths in DRF's nested form, lines by index: ``{"lines": {"1": {"needed": ["..."]}}}``.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from digileap.accounts.models import User
from digileap.core.api.viewsets import ScopedViewSetMixin
from digileap.devices.models import DeviceType
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School
from digileap.schools.selectors import schools_for

from ..models import NeedDeclaration, NeedLine
from ..selectors.needs import declarations_for
from ..services.needs import COUNT_FIELDS, MAX_COUNT, need_declare

LINE_ERROR_KEY = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


class NeedLineSerializer(serializers.ModelSerializer):
    device_type = serializers.ChoiceField(choices=DeviceType.choices)
    device_type_label = serializers.CharField(source="get_device_type_display", read_only=True)
    owned = serializers.IntegerField(read_only=True, help_text=_("Devices owned, all ages together"))

    class Meta:
        model = NeedLine
        fields = ["device_type", "device_type_label", *COUNT_FIELDS, "owned"]
        extra_kwargs = {name: {"min_value": 0, "max_value": MAX_COUNT, "required": False} for name in COUNT_FIELDS}


class NeedDeclarationSerializer(serializers.ModelSerializer):
    """A declaration and its lines. Writing one replaces every line: a device type left out is removed."""

    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    school_name = serializers.CharField(source="school.name", read_only=True)
    school_number = serializers.CharField(source="school.number", read_only=True)
    operator = serializers.IntegerField(source="school.operator_id", read_only=True)
    operator_name = serializers.CharField(source="school.operator.name", read_only=True)
    declared_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    lines = NeedLineSerializer(many=True)

    class Meta:
        model = NeedDeclaration
        fields = [
            "id",
            "school",
            "school_name",
            "school_number",
            "operator",
            "operator_name",
            "school_year",
            "classrooms_without_wifi",
            "note",
            "lines",
            "declared_by",
            "declared_at",
        ]
        read_only_fields = ["declared_at"]
        extra_kwargs = {"classrooms_without_wifi": {"max_value": MAX_COUNT}}
        validators: list = []  # one declaration per school and year: a second one replaces the first

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("school", "school_year"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_("This cannot be changed; declare a new one.")]})
        return attrs

    def _declare(self, school, school_year: str, validated_data: dict) -> NeedDeclaration:
        lines = [dict(line) for line in validated_data.get("lines", [])]
        try:
            return need_declare(
                actor=self.context["request"].user,
                school=school,
                school_year=school_year,
                classrooms_without_wifi=validated_data.get("classrooms_without_wifi", 0),
                note=validated_data.get("note", ""),
                lines=lines,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(nested_errors(error, len(lines))) from None

    def create(self, validated_data):
        return self._declare(validated_data["school"], validated_data["school_year"], validated_data)

    def update(self, instance, validated_data):
        return self._declare(instance.school, instance.school_year, validated_data)


def nested_errors(error: DjangoValidationError, line_count: int) -> Any:
    """The service's ``lines[<index>].<field>`` keys in DRF's nested form, as a list serializer's own
    errors are: ``{"lines": {"<index>": {"<field>": [...]}}}``."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    result: dict[str, Any] = {}
    line_errors: dict[str, dict[str, list[str]]] = {}
    for key, messages in error.message_dict.items():
        match = LINE_ERROR_KEY.match(key)
        if match is None or int(match.group(1)) >= line_count:
            result.setdefault(key, []).extend(messages)
            continue
        field = match.group(2) or "non_field_errors"
        line_errors.setdefault(match.group(1), {}).setdefault(field, []).extend(messages)
    if line_errors:
        result["lines"] = dict(sorted(line_errors.items(), key=lambda item: int(item[0])))
    return result


class NeedDeclarationViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Declared needs of schools per school year. POST declares (and replaces an earlier declaration
    of the same school and year: 200 instead of 201); PUT replaces a declaration."""

    queryset = NeedDeclaration.objects.none()
    selector = staticmethod(declarations_for)
    serializer_class = NeedDeclarationSerializer
    filterset_fields = ["school", "school_year"]
    search_fields = ["school__name", "school__number"]
    ordering_fields = ["school_year", "declared_at", "id"]
    ordering = ["-school_year", "school_id", "id"]
    http_method_names = ["get", "post", "put", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replaced = NeedDeclaration.objects.filter(
            school=serializer.validated_data["school"], school_year=serializer.validated_data["school_year"]
        ).exists()
        serializer.save()
        return Response(serializer.data, status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED)
