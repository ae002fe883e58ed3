"""The data-protection officer's pages of the pupil-data access log: the reads (filtered, paginated),
their CSV export and the reads per user and month.

The data-protection officer sees the reads of their authority's pupils, the administrator every
read; everyone else gets 403. Exporting the log is not itself logged: it holds the pupils' ids but
no pupil data (no reference, name or class), and logging it would log the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from digileap.core.contributions import reverse_or_none
from digileap.core.exports import csv_response
from digileap.core.permissions import Action, can

from .access_forms import CHANNEL_LABELS, AccessFilterForm
from .access_selectors import access_log_for, reads_per_user_and_month
from .models import PupilDataAccess

PER_PAGE = 50
EXPORT_HEADERS = [
    "time",
    "user",
    "channel",
    "what",
    "what_label",
    "address",
    "pupils_shown",
    "pupil_ids",
    "school_number",
    "school",
    "authority",
    "request_id",
]


def _filtered(request: HttpRequest) -> tuple[AccessFilterForm, Any]:
    if not can(request.user, Action.VIEW, PupilDataAccess):
        raise PermissionDenied
    reads = access_log_for(request.user)
    form = AccessFilterForm(request.GET or None, reads=reads, user=request.user)
    return form, form.filter(reads)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def pupildataaccess_list(request: HttpRequest) -> HttpResponse:
    form, reads = _filtered(request)
    page = Paginator(reads, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "channels": CHANNEL_LABELS,
        "erasures_url": reverse_or_none("privacy:erasure-list"),
    }
    return render(request, "privacy/access/list.html", context)


@login_required
@require_GET
def pupildataaccess_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered reads as CSV, newest first, every page of them. ``what`` is the route as stored,
    ``what_label`` the read in words, in the language of the request (the rows are streamed later)."""
    _form, reads = _filtered(request)
    language = translation.get_language()

    def rows() -> Iterator[tuple[Any, ...]]:
        with translation.override(language):
            for read in reads.iterator(chunk_size=2000):
                yield (
                    timezone.localtime(read.occurred_at),
                    read.actor_label,
                    read.channel,
                    read.what,
                    read.what_label,
                    read.path,
                    read.rows,
                    " ".join(str(i) for i in read.recipient_ids),
                    read.school.number if read.school else "",
                    read.school.name if read.school else "",
                    read.authority.name if read.authority else "",
                    read.request_id,
                )

    return csv_response("pupil-data-access-log", EXPORT_HEADERS, rows())


@login_required
@require_GET
def pupildataaccess_summary(request: HttpRequest) -> HttpResponse:
    """How many reads each user made per month, and how many pupils they showed."""
    form, reads = _filtered(request)
    page = Paginator(reads_per_user_and_month(reads), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "erasures_url": reverse_or_none("privacy:erasure-list"),
    }
    return render(request, "privacy/access/summary.html", context)
