"""Funding over REST. Reads: ``/api/funding-calls/``, ``/api/funding-entitlements/``,
``/api/funding-applications/``, ``/api/funding-cost-lines/``, ``/api/funding-decisions/``,
``/api/funding-grants/`` (with lines) and ``/api/funding-claims/`` (with invoices and their lines),
each restricted by the selectors like the pages: operator staff see their operator's, a funding
administrator the calls they review.

Writes for machines, each through the services (``docs/funding-config.md``): ``POST
/api/funding-applications/`` drafts an application, ``POST .../{id}/submit/`` submits it, and
``/api/funding-cost-lines/`` adds (POST), changes (PUT, PATCH) and removes (DELETE) its lines. A
refusal of the rules is a 400 whose messages name the field and the line.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import Action

from ..models import Application, Call, Claim, CostLine, Decision, Entitlement, Grant
from ..selectors import applications_for, calls_for, entitlements_for
from ..selectors.grants import claims_for, grants_for
from ..selectors.review import decisions_for
from ..services.applications import application_submit, cost_line_delete
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    CallSerializer,
    ClaimSerializer,
    CostLineCreateSerializer,
    CostLineDetailSerializer,
    CostLineWriteSerializer,
    DecisionSerializer,
    EntitlementSerializer,
    GrantSerializer,
    SubmitSerializer,
)


class CallViewSet(ScopedReadOnlyViewSet):
    """Funding calls with their cost categories and required documents."""

    queryset = Call.objects.all()
    serializer_class = CallSerializer
    filterset_fields = ["programme", "funding_source"]
    selector = staticmethod(
        lambda user, action: (
            calls_for(user, action).prefetch_related("cost_categories", "required_documents").order_by("id")
        )
    )


class EntitlementViewSet(ScopedReadOnlyViewSet):
    """Entitlements per operator and call (operator staff: published ones)."""

    queryset = Entitlement.objects.all()
    serializer_class = EntitlementSerializer
    filterset_fields = ["call", "operator"]
    selector = staticmethod(lambda user, action: entitlements_for(user, action).order_by("id"))


class ApplicationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Funding applications with their schools, cost lines, versions and events. Operator staff
    draft (POST) and submit (``submit``) their operator's. Filter by ``call``, ``operator``, ``state``."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    filterset_fields = ["call", "operator", "state"]
    scoped_actions = {"submit": (Action.CHANGE, Application)}
    selector = staticmethod(
        lambda user, action: (
            applications_for(user, action)
            .prefetch_related("application_schools__school", "cost_lines__category", "versions", "events")
            .order_by("id")
        )
    )

    def get_serializer_class(self):
        return {"create": ApplicationCreateSerializer, "submit": SubmitSerializer}.get(
            getattr(self, "action", None), ApplicationSerializer
        )

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        """Draft an application (operator staff of the operator; the call must be open)."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=SubmitSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Check every rule (documents too), freeze a version and submit (or resubmit)."""
        application = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application_submit(actor=request.user, application=application, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationSerializer(fresh, context=self.get_serializer_context()).data)


class CostLineViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet
):
    """Cost lines of the applications the user sees; operator staff add, change and remove those of
    their operator's drafts (and of applications asked for more information)."""

    queryset = CostLine.objects.all()
    serializer_class = CostLineDetailSerializer
    filterset_fields = ["application", "category", "school"]
    selector = staticmethod(
        lambda user, action: (
            CostLine.objects.filter(application__in=applications_for(user, action).values("pk"))
            .select_related("category")
            .order_by("application_id", "position")
        )
    )

    def get_serializer_class(self):
        action_name = getattr(self, "action", None)
        if action_name == "create":
            return CostLineCreateSerializer
        if action_name in ("update", "partial_update"):
            return CostLineWriteSerializer
        return CostLineDetailSerializer

    @extend_schema(request=CostLineCreateSerializer, responses={201: CostLineDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Add a line; it is checked against every rule on entry."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=CostLineWriteSerializer, responses=CostLineDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Change a line; it is checked against every rule on entry."""
        return super().update(request, *args, **kwargs)

    @extend_schema(request=CostLineWriteSerializer, responses=CostLineDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        cost_line_delete(actor=self.request.user, line=instance)

    def destroy(self, request, *args, **kwargs):
        """Remove a line."""
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DecisionViewSet(ScopedReadOnlyViewSet):
    """Decisions with their approved funding per line (amendments are later numbers)."""

    queryset = Decision.objects.all()
    serializer_class = DecisionSerializer
    filterset_fields = ["application"]
    selector = staticmethod(
        lambda user, action: decisions_for(user, action).prefetch_related("lines__cost_line").order_by("id")
    )


class GrantViewSet(ScopedReadOnlyViewSet):
    """Grants with their lines and the funding approved per line."""

    queryset = Grant.objects.all()
    serializer_class = GrantSerializer
    filterset_fields = ["call", "operator"]
    selector = staticmethod(
        lambda user, action: grants_for(user, action).prefetch_related("lines__category").order_by("id")
    )


class ClaimViewSet(ScopedReadOnlyViewSet):
    """Claims with their invoices and the invoices' lines (and the devices they paid for)."""

    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_fields = ["grant", "state"]
    selector = staticmethod(
        lambda user, action: (
            claims_for(user, action)
            .prefetch_related("invoices__lines__grant_line", "invoices__lines__devices")
            .order_by("id")
        )
    )
