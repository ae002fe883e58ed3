from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.audit_actions import AuditAction
from digileap.core.permissions import has_role
from digileap.core.selectors import audit_events_for

AUDIT_PER_PAGE = 50


def healthz(request):
    """Liveness and database status, for load balancers and monitoring.

    Everyone gets {"status": "ok"} (200) or {"status": "error"} (503). The details (database state and
    vendor) go to signed-in administrators and to callers that send DIGILEAP_HEALTHZ_TOKEN in the
    X-Healthz-Token header. See docs/security.md."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001
        database = "unavailable"
    status = 200 if database == "ok" else 503
    body = {"status": "ok" if status == 200 else "error"}
    if _may_see_health_details(request):
        body.update({"database": database, "vendor": connection.vendor})
    return JsonResponse(body, status=status)


def _may_see_health_details(request) -> bool:
    token = settings.DIGILEAP_HEALTHZ_TOKEN
    sent = request.headers.get("X-Healthz-Token", "")
    if token and sent and constant_time_compare(token, sent):
        return True
    return request.user.is_authenticated and has_role(request.user, Role.ADMINISTRATOR)


def _object_type_choices():
    choices = [("", _("All object types"))]
    models = sorted(
        (model for model in apps.get_models() if getattr(model, "scope_paths", None)),
        key=lambda model: str(model._meta.verbose_name),
    )
    choices += [(model._meta.label_lower, str(model._meta.verbose_name).capitalize()) for model in models]
    return choices


def _action_choices():
    labelled = sorted(((value, str(label)) for value, label in AuditAction.choices), key=lambda choice: choice[1])
    return [("", _("All actions")), *labelled]


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=_object_type_choices)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
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
            events = events.filter(action=data["action"])
        if data["actor"]:
            events = events.filter(actor_label__iexact=data["actor"].strip())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
