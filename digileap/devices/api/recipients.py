"""Recipients and assignments over REST: ``/api/recipients/`` and ``/api/assignments/``.

Recipients: list, read, create, update (PUT/PATCH) within the user's scope; POST
``/api/recipients/{id}/deactivate/`` and ``/activate/`` instead of DELETE (a recipient's hand-outs
stay on record). ``display_name`` is accepted but ignored unless the installation stores names.

Assignments: list and read; POST creates one, which hands the device out (``device_assign``);
POST ``/api/assignments/{id}/return/`` records the return (``device_return``). Errors are 400 with
the field they are about, e.g. ``{"device": ["Device SN1 is already handed out to P-1 (since
2025-09-03)."]}``.
"""

from typing import TYPE_CHECKING

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from digileap.core.permissions import Action, restrict
from digileap.privacy.access import PupilReadLogMixin
from digileap.schools.api.serializers import ScopedPrimaryKeyRelatedField
from digileap.schools.models import School
from digileap.schools.selectors import schools_for

from ..models import Assignment, Device, Recipient
from ..selectors.assignments import assignments_for
from ..selectors.recipients import recipients_for
from ..services.assignments import DEFAULT_KIT, KIT_ITEMS, ReturnCondition, device_assign, device_return
from ..services.recipients import (
    recipient_activate,
    recipient_create,
    recipient_deactivate,
    recipient_update,
    store_names,
)

if TYPE_CHECKING:
    from digileap.accounts.models import User


EDITABLE = ["reference", "kind", "grade", "group", "isced_level", "eligibility_group", "display_name"]


def _actor(serializer):
    return serializer.context["request"].user


def devices_in_scope(user, action=Action.VIEW):
    return restrict(Device.objects.all(), user, action)


class RecipientFilter(django_filters.FilterSet):
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    group = django_filters.CharFilter(field_name="group", label=_("Class or group (exact)"))
    kind = django_filters.ChoiceFilter(choices=Recipient.Kind.choices, label=_("Pupil or teacher"))
    is_active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))
    has_device = django_filters.BooleanFilter(field_name="has_device", label=_("Holds a device now"))
    reference = django_filters.CharFilter(field_name="reference", label=_("Reference (exact)"))

    class Meta:
        model = Recipient
        fields: list[str] = []


class RecipientSerializer(serializers.ModelSerializer):
    """A pupil or teacher. ``school`` is set on creation only."""

    school = ScopedPrimaryKeyRelatedField(schools_for, queryset=School.objects.none())
    school_name = serializers.CharField(source="school.name", read_only=True)
    has_device = serializers.BooleanField(read_only=True, default=False)
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Ignored unless the installation stores names.")
    )

    class Meta:
        model = Recipient
        fields = ["id", "school", "school_name", *EDITABLE, "source", "is_active", "has_device", "created_at"]
        read_only_fields = ["source", "is_active", "created_at"]
        validators: list = []  # the service checks the reference within the transaction

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not store_names():
            data["display_name"] = ""
        return data

    def create(self, validated_data):
        school = validated_data.pop("school")
        return recipient_create(actor=_actor(self), school=school, **validated_data)

    def update(self, instance, validated_data):
        if "school" in validated_data and validated_data.pop("school") != instance.school:
            raise serializers.ValidationError(
                {"school": [_("This cannot be changed; add the pupil at the new school.")]}
            )
        return recipient_update(actor=_actor(self), recipient=instance, data=validated_data)


class RecipientViewSet(
    PupilReadLogMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Pupils and teachers who receive devices, by their school's pseudonymous reference.
    Filter by ``school``, ``group``, ``kind``, ``is_active``, ``has_device``, ``reference``."""

    queryset = Recipient.objects.none()
    selector = staticmethod(recipients_for)
    serializer_class = RecipientSerializer
    filterset_class = RecipientFilter
    search_fields = ["reference", "group"]
    ordering_fields = ["reference", "group", "grade", "created_at", "id"]
    ordering = ["school_id", "group", "reference", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    scoped_actions = {"deactivate": (Action.CHANGE, Recipient), "activate": (Action.CHANGE, Recipient)}

    def _set_active(self, service):
        recipient = service(actor=self.request.user, recipient=self.get_object())
        recipient = recipients_for(self.request.user).get(pk=recipient.pk)
        return Response(RecipientSerializer(recipient, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=RecipientSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """The recipient left the school (refused while they hold a device)."""
        return self._set_active(recipient_deactivate)

    @extend_schema(request=None, responses=RecipientSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Undo a deactivation."""
        return self._set_active(recipient_activate)


class AssignmentFilter(django_filters.FilterSet):
    school = django_filters.NumberFilter(field_name="recipient__school_id", label=_("School id"))
    recipient = django_filters.NumberFilter(field_name="recipient_id", label=_("Recipient id"))
    device = django_filters.NumberFilter(field_name="device_id", label=_("Device id"))
    group = django_filters.CharFilter(field_name="recipient__group", label=_("Class or group (exact)"))
    is_open = django_filters.BooleanFilter(method="filter_open", label=_("Not returned yet"))

    class Meta:
        model = Assignment
        fields: list[str] = []

    def filter_open(self, queryset, name, value):
        return queryset.filter(Q(returned_at__isnull=True) if value else Q(returned_at__isnull=False))


class AssignmentSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="device.serial", read_only=True)
    reference = serializers.CharField(source="recipient.reference", read_only=True)
    school = serializers.IntegerField(source="recipient.school_id", read_only=True)
    assigned_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    returned_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Assignment
        fields = ["id", "device", "serial", "recipient", "reference", "school", "kit", "assigned_at", "assigned_by",
                  "returned_at", "returned_by", "kit_returned", "return_note"]  # fmt: skip
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    """Hand ``device`` to ``recipient`` with ``kit`` (default: charger and bag)."""

    device = ScopedPrimaryKeyRelatedField(devices_in_scope, queryset=Device.objects.none())
    recipient = ScopedPrimaryKeyRelatedField(recipients_for, queryset=Recipient.objects.none())
    kit = serializers.ListField(
        child=serializers.ChoiceField(choices=list(KIT_ITEMS)), required=False, default=list(DEFAULT_KIT)
    )

    def create(self, validated_data):
        return device_assign(actor=_actor(self), **validated_data)

    def to_representation(self, instance):
        return AssignmentSerializer(instance, context=self.context).data


class ReturnSerializer(serializers.Serializer):
    kit_returned = serializers.ListField(
        child=serializers.ChoiceField(choices=list(KIT_ITEMS)), required=False, default=list
    )
    condition = serializers.ChoiceField(choices=ReturnCondition.choices, default=ReturnCondition.GOOD)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AssignmentViewSet(PupilReadLogMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Devices handed to pupils and teachers. Filter by ``school``, ``recipient``, ``device``,
    ``group``, ``is_open``."""

    queryset = Assignment.objects.none()
    selector = staticmethod(assignments_for)
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["assigned_at", "returned_at", "id"]
    ordering = ["-assigned_at", "-id"]
    scoped_actions = {"return_device": (Action.CHANGE, Assignment)}

    def get_serializer_class(self):
        return {"create": AssignmentCreateSerializer, "return_device": ReturnSerializer}.get(
            getattr(self, "action", None), AssignmentSerializer
        )

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        """Hand a device out: the device becomes deployed."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ReturnSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_device(self, request, pk=None):
        """Record the return: the device goes back to delivered, or to repair when damaged."""
        assignment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        returned = device_return(assignment=assignment, actor=request.user, **serializer.validated_data)
        return Response(
            AssignmentSerializer(returned, context=self.get_serializer_context()).data, status=status.HTTP_200_OK
        )
