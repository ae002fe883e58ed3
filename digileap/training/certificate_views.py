"""The certificate of a completion as PDF, its Open Badges 3.0 credential as JSON, and the public
routes verifiers use: an authority's issuer profile (with the keys that verify its badges) and
the check of a certificate number (docs/training-certificates.md).

The certificate and the badge are for the teacher themself, their school side (operator staff,
school coordinators), programme owners and administrators; auditors may fetch them too. Outside
the scope: 404; a role that may see the completion but not fetch its certificate (funding
administrators): 403. The public routes show nothing personal.
"""

import json
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from digileap.accounts.models import Role
from digileap.core.permissions import has_role
from digileap.programmes.translation import localized
from digileap.schools.models import Authority

from .badges import issuer_profile, open_badge
from .certificates import certificate_pdf
from .models import Completion
from .selectors.completions import completion_get

CERTIFICATE_ROLES = (
    Role.ADMINISTRATOR,
    Role.PROGRAMME_OWNER,
    Role.OPERATOR_STAFF,
    Role.SCHOOL_COORDINATOR,
    Role.TEACHER,
    Role.AUDITOR,
)
NUMBER = re.compile(r"^[0-9A-Fa-f]{1,32}$")


def may_fetch_certificate(user) -> bool:
    return has_role(user, *CERTIFICATE_ROLES)


def _completion(request, pk: int) -> Completion:
    completion = completion_get(request.user, pk)
    if not may_fetch_certificate(request.user):
        raise PermissionDenied
    return completion


def _language(request) -> str | None:
    language = request.GET.get("language", "")
    return language if language in dict(settings.LANGUAGES) else None


@login_required
@require_GET
def completion_certificate(request, pk: int):
    completion = _completion(request, pk)
    language = _language(request)
    with translation.override(language or translation.get_language()):
        pdf = certificate_pdf(completion, language=language, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{completion.certificate_number}.pdf"'
    return response


@login_required
@require_GET
def completion_badge(request, pk: int):
    completion = _completion(request, pk)
    language = _language(request)
    with translation.override(language or translation.get_language()):
        credential = open_badge(completion, request=request)
    response = HttpResponse(
        json.dumps(credential, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="badge-{completion.certificate_number}.json"'
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def authority_badge_issuer(request, pk: int):
    """Public: the authority's issuer profile (Open Badges 3.0 ``Profile``). Nothing personal."""
    authority = get_object_or_404(Authority, pk=pk)
    return JsonResponse(issuer_profile(authority, request), json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_GET
def completion_verify(request):
    """Public: whether a certificate number was issued, with the course, the day and the issuer;
    never the person or the school. Without a number, only the form."""
    number = request.GET.get("number", "").strip()
    completion = None
    searched = bool(number)
    if searched and NUMBER.match(number):
        completion = (
            Completion.objects.select_related("course", "course__programme", "course__programme__authority")
            .filter(certificate_number=number.upper())
            .first()
        )
    context = {"number": number, "searched": searched, "completion": completion}
    if completion is not None:
        course = completion.course
        context |= {
            "course_title": localized(course.title) or course.code,
            "programme_name": localized(course.programme.name) or course.programme.code,
            "authority": course.programme.authority.name,
        }
    return render(
        request, "training/certificate/verify.html", context, status=200 if not searched or completion else 404
    )
