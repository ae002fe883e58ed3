"""Pages of the measurement part: a school's measurements (daily summaries and the latest raw
rows) and the page from which programme owners import measurement files.

The import itself runs through the import engine's own upload, preview and confirm pages
(``/imports/new/?target=measurements``); this page explains the two profiles and links there.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from digileap.core.permissions import Action, permits
from digileap.core.tabular.engine import may_import

from .importers.measurements import TARGET
from .models import Measurement
from .selectors import measurements as selectors

PER_PAGE = 60


@login_required
@require_GET
def school_measurements(request, pk: int):
    school = selectors.school_get(request.user, pk)
    page = Paginator(selectors.daily_aggregates(school, request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "school": school,
        "page": page,
        "recent": selectors.recent_measurements(school, request.user),
        "can_import": permits(request.user, Action.ADD, Measurement(school=school)),
    }
    return render(request, "connectivity/measurement_school.html", context)


@login_required
@require_GET
def measurement_import(request):
    if not may_import(request.user, TARGET):
        raise PermissionDenied
    return render(request, "connectivity/measurement_import.html", {"target": TARGET})
