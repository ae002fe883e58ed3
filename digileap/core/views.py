from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.permissions import has_role
from digileap.core.selectors import audit_events_for

AUDIT_PER_PAGE = 50


def healthz(request):
    """Liveness and database status, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database, "vendor": connection.vendor}, status=status
    )


def _object_type_choices():
    choices = [("", _("All object types"))]
    models = sorted(
        (model for model in apps.get_models() if getattr(model, "scope_paths", None)),
        key=lambda model: str(model._meta.verbose_name),
    )
    choices += [(model._meta.label_lower, str(model._meta.verbose_name).capitalize()) for model in models]
    return choices


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=_object_type_choices)
    action = forms.CharField(label=_("Action"), required=False, max_length=64, help_text=_("For example update"))
    actor = forms.CharField(label=_("Who"), required=False, max_length=200, help_text=_("User name"))
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)


@login_required
def audit_log(request):
    """The audit trail for administrators and auditors, restricted to their scope."""
    if not has_role(request.user, Role.ADMINISTRATOR, Role.AUDITOR):
        raise PermissionDenied
    events = audit_events_for(request.user).order_by("-id")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["action"]:
            events = events.filter(action__iexact=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor_label__iexact=data["actor"].strip())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
