"""The dashboard map's data as JSON (drawn by ``static/js/programme-map.js``). The programme is read
through ``selectors.programme_get``, so one outside the user's scope is a 404, and the schools are
the user's (see ``maps.py``)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import maps, selectors


@login_required
@require_GET
def programme_map_data(request, pk: int):
    programme = selectors.programme_get(request.user, pk)
    data = maps.map_data(request.user, programme, request.GET.get("layer"), timezone.localdate())
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "private, max-age=60"
    return response
