"""Reads of the shared core data (the audit trail, import jobs), restricted to what the acting user may see."""

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from digileap.accounts.models import Role, ScopeKind
from digileap.core.permissions import Action, _assignments, scope_q

from .models import AuditEvent, ImportJob


def _sees_whole_trail(user) -> bool:
    return any(
        a.role == Role.ADMINISTRATOR or (a.role == Role.AUDITOR and a.scope_kind == ScopeKind.ALL)
        for a in _assignments(user)
    )


def audit_events_for(user) -> QuerySet[AuditEvent]:
    """Audit events about objects the user may see, newest first.

    Administrators and auditors with scope ``all`` see the whole trail. Anyone else sees the events
    of objects inside their scope only: an event names its object (``object_repr``), so an event
    about an object outside the scope would leak it. Events about models without ``scope_paths``
    (users, imports) are for the whole-trail readers only.
    """
    events = AuditEvent.objects.all()
    if _sees_whole_trail(user):
        return events
    condition = Q(pk__in=[])
    for model in apps.get_models():
        if not getattr(model, "scope_paths", None):
            continue
        model_condition = scope_q(user, Action.VIEW, model)
        if model_condition is None:
            condition |= Q(object_type=model._meta.label_lower)
        elif model_condition != Q(pk__in=[]):
            visible_ids = (
                model._default_manager.filter(model_condition)
                .annotate(object_key=Cast("pk", CharField()))
                .values("object_key")
            )
            condition |= Q(object_type=model._meta.label_lower, object_id__in=visible_ids)
    if condition == Q(pk__in=[]):
        return events.none()
    return events.filter(condition)


def import_jobs_for(user) -> QuerySet[ImportJob]:
    """Import jobs the user may see: their own; administrators and auditors with scope ``all`` see all.

    A job's file and rejected rows may name schools anywhere, so a narrower scope sees only its own.
    """
    jobs = ImportJob.objects.select_related("created_by")
    if _sees_whole_trail(user):
        return jobs
    if user is None or not user.is_authenticated:
        return jobs.none()
    return jobs.filter(created_by_id=user.pk)


def import_job_get(user, pk: int) -> ImportJob:
    """The job, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(import_jobs_for(user), pk=pk)
