"""Reads of agreement templates and user agreements, restricted to what the acting user may see; the
agreements due a reminder (for the reminder task, which acts for the installation); counts for the
list page."""

import datetime
from dataclasses import dataclass
from typing import TypeAlias, TypedDict

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django_stubs_ext import WithAnnotations

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, permits, restrict
from digileap.programmes.models import Programme
from digileap.programmes.selectors import programmes_for
from digileap.schools.models import School

from ..models import AgreementTemplate, UserAgreement

# A pending agreement is overdue this many days after it was sent (the first reminder goes out then).
OVERDUE_DAYS = getattr(settings, "DEVICES_AGREEMENT_OVERDUE_DAYS", 7)


class TemplateCounts(TypedDict):
    """What ``agreement_templates_for`` annotates on a template."""

    agreements_count: int


CountedTemplate: TypeAlias = "WithAnnotations[AgreementTemplate, TemplateCounts]"


def agreement_templates_for(user, action: str = Action.VIEW) -> QuerySet[CountedTemplate]:
    return restrict(
        AgreementTemplate.objects.select_related("programme", "programme__authority", "created_by"), user, action
    ).annotate(agreements_count=Count("agreements"))


def agreement_template_get(user, pk: int, action: str = Action.VIEW) -> CountedTemplate:
    """The template, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(agreement_templates_for(user, action), pk=pk)


def template_programmes_for(user) -> QuerySet[Programme]:
    """Programmes the user may write agreement templates for."""
    programmes = list(programmes_for(user).order_by("code"))
    allowed = [p.pk for p in programmes if permits(user, Action.ADD, AgreementTemplate(programme=p))]
    return Programme.objects.filter(pk__in=allowed).order_by("code")


def agreement_template_history(template: AgreementTemplate) -> QuerySet[AuditEvent]:
    """Events about the template, newest first. The caller has checked the user may see it."""
    return history_for(template)


def template_versions(template: AgreementTemplate, user) -> QuerySet[AgreementTemplate]:
    """Every version of the template's programme and language, newest first."""
    return agreement_templates_for(user).filter(programme=template.programme_id, language=template.language)


def user_agreements_for(user, action: str = Action.VIEW) -> QuerySet[UserAgreement]:
    return restrict(
        UserAgreement.objects.select_related(
            "template",
            "template__programme",
            "assignment",
            "assignment__device",
            "assignment__device__device_model",
            "assignment__recipient",
            "assignment__recipient__school",
            "recorded_by",
        ),
        user,
        action,
    )


def user_agreement_get(user, pk: int, action: str = Action.VIEW) -> UserAgreement:
    """The agreement, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(user_agreements_for(user, action), pk=pk)


def user_agreement_by_token(token: str) -> UserAgreement:
    """The agreement a public acceptance link names, or 404. Only the public acceptance page asks."""
    return get_object_or_404(
        UserAgreement.objects.select_related(
            "template",
            "template__programme",
            "assignment__device__device_model",
            "assignment__recipient__school",
        ),
        token=token,
    )


def user_agreement_history(agreement: UserAgreement) -> QuerySet[AuditEvent]:
    return history_for(agreement)


def agreement_schools_for(user) -> QuerySet[School]:
    """The schools of the agreements the user may see."""
    return School.objects.filter(pk__in=user_agreements_for(user).values("assignment__recipient__school")).order_by(
        "name", "number", "pk"
    )


def agreement_groups(agreements: QuerySet[UserAgreement]) -> list[str]:
    """The classes or groups of these agreements' recipients, sorted."""
    return sorted(set(agreements.values_list("assignment__recipient__group", flat=True)))


def overdue_before(now: datetime.datetime, days: int = OVERDUE_DAYS) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def overdue_q(now: datetime.datetime, days: int = OVERDUE_DAYS) -> Q:
    return Q(status=UserAgreement.Status.PENDING, sent_at__lte=overdue_before(now, days))


@dataclass(frozen=True)
class AgreementCounts:
    total: int
    pending: int
    accepted: int
    overdue: int


def agreement_counts(agreements: QuerySet[UserAgreement], now: datetime.datetime) -> AgreementCounts:
    figures = agreements.order_by().aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status=UserAgreement.Status.PENDING)),
        accepted=Count("pk", filter=Q(status=UserAgreement.Status.ACCEPTED)),
        overdue=Count("pk", filter=overdue_q(now)),
    )
    return AgreementCounts(**figures)


def agreements_to_print(user, *, school: School, group: str | None) -> QuerySet[UserAgreement]:
    """The pending agreements of devices still handed out at a school (of one class or group when
    given), for printing at hand-out: by group, then reference."""
    agreements = user_agreements_for(user).filter(
        status=UserAgreement.Status.PENDING,
        assignment__returned_at__isnull=True,
        assignment__recipient__school=school,
    )
    if group is not None:
        agreements = agreements.filter(assignment__recipient__group=group)
    return agreements.order_by("assignment__recipient__group", "assignment__recipient__reference", "pk")


def agreement_reminders_due(
    *, now: datetime.datetime, after_days: int = 7, every_days: int = 7
) -> QuerySet[UserAgreement]:
    """Pending agreements of devices still handed out that were sent at least ``after_days`` ago and
    not reminded in the last ``every_days`` days. Not restricted to a user: the reminder task acts
    for the installation and writes only to each school's own addresses."""
    return UserAgreement.objects.filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - datetime.timedelta(days=every_days)),
        status=UserAgreement.Status.PENDING,
        assignment__returned_at__isnull=True,
        sent_at__lte=now - datetime.timedelta(days=after_days),
    )
