"""Pages of competence frameworks (docs/training-frameworks.md): the list (the shipped frameworks
and the user's authority's variants), a framework's page with its levels and the grid of
statements per competence and level, the upload of an authority's variant, and taking a variant
out of use.

Reads go through ``selectors.frameworks`` (outside the scope: 404); a missing right is a 403.
Writes are POSTs that call ``services.frameworks``; its ``ValidationError`` goes back onto the form
or into a message, and nothing is written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.programmes.translation import language_codes, localized

from .forms_framework import FrameworkUploadForm
from .selectors.frameworks import (
    authorities_for_upload,
    framework_grid,
    frameworks_for,
    may_deactivate,
    may_see_frameworks,
    with_counts,
)
from .services import frameworks as services


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


@login_required
@require_GET
def framework_list(request):
    if not may_see_frameworks(request.user):
        raise PermissionDenied
    frameworks = with_counts(frameworks_for(request.user)).order_by("authority__name", "code", "-version")
    rows = [
        {
            "framework": framework,
            "name": localized(framework.name) or framework.code,
            "description": localized(framework.description),
        }
        for framework in frameworks
    ]
    shipped = [row for row in rows if row["framework"].authority_id is None]
    own = [row for row in rows if row["framework"].authority_id is not None]
    return render(
        request,
        "training/framework/list.html",
        {"shipped": shipped, "own": own, "can_upload": authorities_for_upload(request.user).exists()},
    )


@login_required
@require_GET
def framework_detail(request, pk: int):
    framework = get_object_or_404(frameworks_for(request.user), pk=pk)
    grid = framework_grid(framework)
    levels = [
        {"level": level, "name": localized(level.name), "description": localized(level.description)}
        for level in grid.levels
    ]
    areas = [
        {
            "area": block.area,
            "name": localized(block.area.name),
            "description": localized(block.area.description),
            "competences": [
                {
                    "competence": row.competence,
                    "name": localized(row.competence.name),
                    "description": localized(row.competence.description),
                    "cells": [
                        {"level": level, "text": localized(item.statement) if item else ""}
                        for level, item in zip(levels, row.statements, strict=True)
                    ],
                }
                for row in block.competences
            ],
        }
        for block in grid.areas
    ]
    return render(
        request,
        "training/framework/detail.html",
        {
            "framework": framework,
            "name": localized(framework.name) or framework.code,
            "description": localized(framework.description),
            "levels": levels,
            "areas": areas,
            "competence_count": grid.competence_count,
            "statement_count": grid.statement_count,
            "can_deactivate": may_deactivate(request.user, framework),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_upload(request):
    authorities = authorities_for_upload(request.user)
    if not authorities.exists():
        raise PermissionDenied
    form = FrameworkUploadForm(request.POST or None, request.FILES or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            framework = services.load_framework(
                actor=request.user, authority=form.cleaned_data["authority"], file=upload, filename=upload.name
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            counts = services.framework_counts(framework)
            messages.success(
                request,
                _(
                    "The framework %(code)s %(version)s was loaded: %(areas)s areas, %(competences)s competences, "
                    "%(levels)s levels, %(statements)s statements."
                )
                % {"code": framework.code, "version": framework.version, **counts},
            )
            return redirect("training:framework-detail", pk=framework.pk)
    return render(
        request,
        "training/framework/upload.html",
        {
            "form": form,
            "languages": language_codes(),
            "max_bytes": services.max_upload_bytes(),
        },
        status=_status(form),
    )


@login_required
@require_POST
def framework_deactivate(request, pk: int):
    framework = get_object_or_404(frameworks_for(request.user), pk=pk)
    if not may_deactivate(request.user, framework) and framework.is_active and framework.authority_id:
        raise PermissionDenied
    try:
        services.deactivate_framework(actor=request.user, framework=framework)
    except PermissionDenied:
        raise
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("The framework %(code)s %(version)s is no longer in use.")
            % {"code": framework.code, "version": framework.version},
        )
    return redirect("training:framework-detail", pk=framework.pk)
