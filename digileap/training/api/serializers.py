"""Serializers of the training API's course part: read-only views of providers, courses (with
their titles in every language, competence codes, sessions and platform identifiers) and sessions."""

from rest_framework import serializers

from ..models import Course, CourseMapping, Provider, Session


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class ProviderSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "authority", "name", "website", "created_at"]


class SessionSerializer(ReadOnlyModelSerializer):
    minutes = serializers.IntegerField(read_only=True)
    enrolled = serializers.IntegerField(source="enrolled_count", read_only=True)

    class Meta:
        model = Session
        fields = ["id", "course", "starts_at", "ends_at", "minutes", "place", "link", "trainer", "capacity", "enrolled"]


class CourseSessionSerializer(SessionSerializer):
    """A session inside its course (without the repeated course id and counts)."""

    class Meta(SessionSerializer.Meta):
        fields = ["id", "starts_at", "ends_at", "minutes", "place", "link", "trainer", "capacity"]


class CourseMappingSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = CourseMapping
        fields = ["system", "identifier"]


class CourseSerializer(ReadOnlyModelSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    framework = serializers.SerializerMethodField()
    competences = serializers.SerializerMethodField()
    sessions = CourseSessionSerializer(many=True, read_only=True)
    identifiers = CourseMappingSerializer(source="mappings", many=True, read_only=True)
    enrolled = serializers.IntegerField(source="enrolled_count", read_only=True)
    capacity = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "programme",
            "programme_code",
            "provider",
            "provider_name",
            "code",
            "title",
            "description",
            "hours",
            "mode",
            "framework",
            "competences",
            "target_levels",
            "target_roles",
            "completion_rule",
            "attendance_share",
            "state",
            "capacity",
            "enrolled",
            "sessions",
            "identifiers",
            "created_at",
        ]

    def get_framework(self, course) -> str | None:
        """The code and version of the competences' framework (``digcompedu 1.0``)."""
        competences = list(course.competences.all())
        if not competences:
            return None
        framework = competences[0].framework
        return f"{framework.code} {framework.version}"

    def get_competences(self, course) -> list[str]:
        """The codes of the competences the course addresses (``2.1``)."""
        return [competence.code for competence in course.competences.all()]
