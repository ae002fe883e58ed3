"""Pages of completions (docs/training-certificates.md): the list the user may see, filtered by
programme, course, school, day and source, its CSV and XLSX exports, and one completion with
links to its certificate and badge.

Reads go through ``selectors.completions`` (outside the scope: 404). The list is paginated and
costs the same queries whatever the page holds. People are named as ``person_label`` says:
pseudonyms for auditors and funding administrators; exports name people only where names are kept.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can
from digileap.programmes.translation import localized

from .certificate_views import may_fetch_certificate
from .models import Completion
from .selectors.completions import (
    completion_get,
    export_person_label,
    filtered_completions,
    names_people,
    person_label,
)

PER_PAGE = 50


@login_required
@require_GET
def completion_list(request):
    if not can(request.user, Action.VIEW, Completion):
        raise PermissionDenied
    completion_filter, completions = filtered_completions(request)
    page = Paginator(completions, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"completion": completion, "person": person_label(completion.staff, request.user)}
        for completion in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/completion/completion_list.html",
        {
            "filter": completion_filter,
            "page": page,
            "rows": rows,
            "export_query": query.urlencode(),
            "pseudonymous": not names_people(request.user),
        },
    )


EXPORT_HEADERS = [
    "course_code",
    "course",
    "school_number",
    "school",
    "person",
    "completed_on",
    "source",
    "certificate_number",
]


@login_required
@require_GET
def completion_export(request, file_format: str):
    """Exactly the filtered list, every page of it."""
    if not can(request.user, Action.VIEW, Completion):
        raise PermissionDenied
    _filter, completions = filtered_completions(request)
    user = request.user

    def rows():
        for completion in completions.iterator(chunk_size=2000):
            yield [
                completion.course.code,
                localized(completion.course.title) or completion.course.code,
                completion.school.number,
                completion.school.name,
                export_person_label(completion.staff, user),
                completion.completed_on,
                completion.source,
                completion.certificate_number,
            ]

    return export_response(file_format, "completions", EXPORT_HEADERS, rows())


@login_required
@require_GET
def completion_detail(request, pk: int):
    completion = completion_get(request.user, pk)
    return render(
        request,
        "training/completion/completion_detail.html",
        {
            "completion": completion,
            "person": person_label(completion.staff, request.user),
            "course_title": localized(completion.course.title) or completion.course.code,
            "programme_name": localized(completion.course.programme.name) or completion.course.programme.code,
            "may_fetch": may_fetch_certificate(request.user),
        },
    )
