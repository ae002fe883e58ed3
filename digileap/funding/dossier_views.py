"""The grant dossier download (``dossier.build_dossier``), made during the request.

Who may download: whoever may read the grant and its application (``restrict`` and the app's
``applications_for``, so a funding administrator not assigned to the call is left out where the
review part narrows that selector) **and** may read the review's working papers (checklist
answers): programme owners and funding administrators of the call's authority, and the auditor.
Operator staff may not, although the grant is theirs: the dossier holds the reviewers' answers,
scores and conflict declarations, which the app never shows them; every other part they read on
the grant's own pages. Refusals are 404s, as everywhere in the app.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from digileap.core.packs import sha256
from digileap.core.permissions import Action, can, restrict

from .dossier import build_dossier, dossier_filename
from .models import Grant, ReviewAnswer
from .selectors import applications_for


def dossier_grant_for(user, pk: int) -> Grant:
    """The grant ``pk`` if ``user`` may download its dossier, else 404."""
    grant = restrict(Grant.objects.all(), user, Action.VIEW).filter(pk=pk).first()
    if grant is None or not can(user, Action.VIEW, ReviewAnswer):
        raise Http404
    if not applications_for(user).filter(pk=grant.application_id).exists():
        raise Http404
    return grant


@login_required
@require_GET
def grant_dossier(request, pk: int):
    grant = dossier_grant_for(request.user, pk)
    data = build_dossier(grant)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{dossier_filename(grant)}"'
    response["X-Content-SHA256"] = sha256(data)
    return response
