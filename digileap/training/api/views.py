"""Training courses over REST, read-only: ``/api/training-providers/``, ``/api/training-courses/``
(with titles in every language, competence codes, sessions and platform identifiers) and
``/api/training-sessions/``. Each is restricted like the pages: a course is seen by the
authority's side and its teachers, a draft only by those who may change it. The course list
takes the page's filters (``q``, ``programme``, ``provider``, ``mode``, ``state``, ``area``,
``level``); sessions filter by ``course``."""

from django.db.models import Prefetch

from digileap.core.api.viewsets import ScopedReadOnlyViewSet
from digileap.core.permissions import restrict

from ..forms_course import CourseFilter
from ..models import Competence, Course, CourseMapping, Provider, Session
from ..selectors import courses as selectors
from .serializers import CourseSerializer, ProviderSerializer, SessionSerializer


def _courses(user, action):
    return (
        selectors.with_counts(selectors.courses_for(user))
        .prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("framework").order_by(
                    "area__order", "area__code", "order", "code"
                ),
            ),
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
            Prefetch("mappings", queryset=CourseMapping.objects.order_by("system", "identifier", "pk")),
        )
        .order_by("code", "id")
    )


def _sessions(user, action):
    courses = selectors.courses_for(user).values("pk")
    return selectors.sessions_with_enrolled(Session.objects.filter(course__in=courses)).order_by(
        "course_id", "starts_at", "id"
    )


def _providers(user, action):
    return restrict(Provider.objects.all(), user, action).order_by("name", "id")


class ProviderViewSet(ScopedReadOnlyViewSet):
    """Training providers of the user's authority."""

    queryset = Provider.objects.all()
    serializer_class = ProviderSerializer
    filterset_fields = ["authority"]
    selector = staticmethod(_providers)


class CourseViewSet(ScopedReadOnlyViewSet):
    """Courses with their sessions and platform identifiers. Filters as on the course list."""

    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilter
    selector = staticmethod(_courses)


class SessionViewSet(ScopedReadOnlyViewSet):
    """Sessions of the courses the user may see, each with the course's enrolled count. Filter by ``course``."""

    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    filterset_fields = ["course"]
    selector = staticmethod(_sessions)
