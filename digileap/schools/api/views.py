"""The registry over REST. Querysets come from the selectors, writes go through the services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from digileap.core.permissions import Action
from digileap.schools import selectors, services
from digileap.schools.filters import SchoolFilter
from digileap.schools.models import (
    Authority,
    EligibleCount,
    Enrolment,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    StaffCount,
)

from . import filters, serializers


class AuthorityViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Ministries, regions and municipalities that own a school registry."""

    queryset = Authority.objects.none()
    selector = staticmethod(selectors.authorities_for)
    serializer_class = serializers.AuthoritySerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["name", "id"]
    filterset_fields = ["kind", "country"]


class SchoolOperatorViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """School operators (Schulträger, school boards) and the authority they belong to."""

    queryset = SchoolOperator.objects.none()
    selector = staticmethod(selectors.operators_for)
    serializer_class = serializers.SchoolOperatorSerializer
    filterset_class = filters.SchoolOperatorFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["name", "id"]


class SchoolViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Schools of the registry. ``?number=`` finds a school by its official number."""

    queryset = School.objects.none()
    selector = staticmethod(selectors.schools_for)
    serializer_class = serializers.SchoolSerializer
    filterset_class = SchoolFilter
    search_fields = ["name", "number", "city"]
    ordering_fields = ["name", "number", "city", "pupils_total", "ses_value", "id"]
    ordering = ["name", "id"]
    scoped_actions = {"figures": (Action.CHANGE, Enrolment)}

    @extend_schema(
        request=serializers.SchoolYearFiguresSerializer,
        responses={204: None},
        summary=str(_("Replace one school year's pupils, teachers and index")),
    )
    @action(detail=True, methods=["post"])
    def figures(self, request, pk=None):
        school = self.get_object()
        serializer = serializers.SchoolYearFiguresSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        serializer.save(school=school)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SiteViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Buildings of a school, where equipment is delivered. ``?school=`` lists one school's."""

    queryset = Site.objects.none()
    selector = staticmethod(selectors.sites_for)
    serializer_class = serializers.SiteSerializer
    filterset_class = filters.SiteFilter
    search_fields = ["name", "city"]
    ordering_fields = ["name", "id"]
    ordering = ["school_id", "-is_main", "name"]

    def perform_destroy(self, instance):
        services.site_delete(actor=self.request.user, site=instance)


class EnrolmentViewSet(ScopedReadOnlyViewSet):
    """Pupils per school, school year, level and grade (grade 0: the level's total). Written
    through ``POST /api/schools/{id}/figures/``."""

    queryset = Enrolment.objects.none()
    selector = staticmethod(selectors.enrolments_for)
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter
    ordering_fields = ["school_year", "level", "grade", "id"]
    ordering = ["school_id", "-school_year", "level", "grade"]


class StaffCountViewSet(ScopedReadOnlyViewSet):
    """Teachers per school and school year."""

    queryset = StaffCount.objects.none()
    selector = staticmethod(selectors.staff_counts_for)
    serializer_class = serializers.StaffCountSerializer
    filterset_class = filters.StaffCountFilter
    ordering_fields = ["school_year", "id"]
    ordering = ["school_id", "-school_year"]


class EligibleCountViewSet(ScopedReadOnlyViewSet):
    """Pupils in eligible groups per school and school year."""

    queryset = EligibleCount.objects.none()
    selector = staticmethod(selectors.eligible_counts_for)
    serializer_class = serializers.EligibleCountSerializer
    filterset_class = filters.EligibleCountFilter
    ordering_fields = ["school_year", "id"]
    ordering = ["school_id", "-school_year", "group__code"]


class SocioEconomicIndexViewSet(ScopedReadOnlyViewSet):
    """A school's socio-economic index per school year, with its scale."""

    queryset = SocioEconomicIndex.objects.none()
    selector = staticmethod(selectors.socio_economic_indices_for)
    serializer_class = serializers.SocioEconomicIndexSerializer
    filterset_class = filters.SocioEconomicIndexFilter
    ordering_fields = ["school_year", "value", "id"]
    ordering = ["school_id", "-school_year"]
