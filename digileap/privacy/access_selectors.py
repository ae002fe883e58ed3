"""Reads of the pupil-data access log, restricted to the reader's scope: the data-protection officer
reads their authority's reads, the administrator every read, nobody else any
(``digileap.privacy.permissions``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth

from digileap.core.permissions import Action, assignments_for, restrict

from .models import PupilDataAccess


def access_log_for(user: Any) -> QuerySet[PupilDataAccess]:
    """The reads ``user`` may see, newest first, with their school and authority."""
    return restrict(PupilDataAccess.objects.select_related("school", "authority").order_by("-occurred_at", "-id"), user)


def reads_showing(reads: QuerySet[PupilDataAccess], recipient_ids: Iterable[int]) -> QuerySet[PupilDataAccess]:
    """The reads among ``reads`` whose list of pupils holds one of ``recipient_ids``."""
    ids = sorted({int(i) for i in recipient_ids})
    if not ids:
        return reads.none()
    if connection.vendor == "postgresql":
        condition = Q()
        for recipient_id in ids:
            condition |= Q(recipient_ids__contains=[recipient_id])
        return reads.filter(condition)
    table = PupilDataAccess._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    # Only integers (the ids) and placeholders reach the SQL; SQLite has no JSON containment.
    shown = RawSQL(  # noqa: S611
        f'EXISTS (SELECT 1 FROM json_each("{table}"."recipient_ids") AS shown WHERE shown.value IN ({marks}))',
        ids,
        output_field=BooleanField(),
    )
    return reads.alias(shows_one=shown).filter(shows_one=True)


def recipient_ids_with_reference(user: Any, reference: str, school_id: int | None = None) -> list[int]:
    """The recipients called ``reference`` at the schools whose reads ``user`` may see (a reference
    is unique within one school only; ``school_id`` narrows it to one)."""
    from digileap.devices.models import Recipient

    recipients = Recipient.objects.filter(reference=reference.strip())
    if school_id is not None:
        recipients = recipients.filter(school_id=school_id)
    scopes = assignments_for(user, Action.VIEW, PupilDataAccess)
    if not any(a.scope_kind == "all" for a in scopes):
        condition = Q(pk__in=[])
        for assignment in scopes:
            if assignment.scope_kind == "authority":
                condition |= Q(school__authority_id=assignment.scope_id)
            elif assignment.scope_kind == "school":
                condition |= Q(school_id=assignment.scope_id)
        recipients = recipients.filter(condition)
    return list(recipients.order_by("pk").values_list("pk", flat=True))


def reads_per_user_and_month(reads: QuerySet[PupilDataAccess]) -> QuerySet:
    """Per month (newest first) and reader: how many reads and how many pupils they showed."""
    return (
        reads.order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", "actor_label")
        .annotate(reads=Count("pk"), pupils=Sum("rows"))
        .order_by("-month", "actor_label")
    )


def reads_since(user: Any, since: datetime.datetime) -> int:
    return access_log_for(user).filter(occurred_at__gte=since).count()
