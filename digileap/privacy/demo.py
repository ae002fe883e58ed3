"""Demo reads of the pupil-data access log, so that the data-protection officer's pages show
something meaningful after ``seed_demo``: over the last three months, the demo coordinator opens
class lists and pupils' pages, the operator prints a class's agreements, the programme owner reads
the API, and two days ago someone exported a whole school (a large read, on the officer's to-dos).

Idempotent: nothing is added when the demo reads are there (their request ids start with
``demo-``). Written with the ORM, as reads are: ``log_pupil_read`` stamps the time now, the demo
moves each row to its day afterwards.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils import timezone

from .access import Channel
from .models import PupilDataAccess

DEMO_PREFIX = "demo-"


def seed_demo_privacy(*, today: datetime.date | None = None) -> int:
    """Add the demo reads; returns how many rows were added (0: they were there, or no pupils)."""
    from digileap.accounts.models import RoleAssignment, User
    from digileap.devices.models import Recipient

    if PupilDataAccess.objects.filter(request_id__startswith=DEMO_PREFIX).exists():
        return 0
    officer_scope = (
        RoleAssignment.objects.filter(user__username="dpo", role="data_protection_officer")
        .values_list("authority_id", flat=True)
        .first()
    )
    if officer_scope is None:
        return 0
    pupils = list(
        Recipient.objects.filter(school__authority_id=officer_scope, erased_at__isnull=True)
        .select_related("school")
        .order_by("school_id", "group", "reference")[:200]
    )
    if not pupils:
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["coordinator", "operator", "owner", "admin"])}
    # The largest class: the coordinator's weekly list.
    sizes = Counter((p.school_id, p.group) for p in pupils)
    (school_id, group), _size = max(sizes.items(), key=lambda item: (item[1], -item[0][0], item[0][1]))
    class_list = [p for p in pupils if (p.school_id, p.group) == (school_id, group)][:30]
    school = class_list[0].school
    today = today or timezone.localdate()
    plan: list[tuple[int, str, str, str, list[Recipient]]] = []
    for week in range(12):  # the coordinator's class list every week, a pupil's page now and then
        plan.append((7 * week + 1, "coordinator", Channel.PAGE, "devices:recipient-list", class_list))
        if week % 3 == 0:
            plan.append((7 * week + 2, "coordinator", Channel.PAGE, "devices:recipient-detail", class_list[week:][:1]))
    plan += [
        (9, "operator", Channel.EXPORT, "devices:useragreement-print", class_list),
        (40, "operator", Channel.PAGE, "devices:useragreement-list", class_list),
        (15, "owner", Channel.API, "api:recipient-list", pupils[:50]),
        (2, "admin", Channel.EXPORT, "devices:useragreement-print", pupils),
    ]
    rows, moments = [], []
    for days_ago, username, channel, what, shown in plan:
        if not shown or username not in users:
            continue
        day = today - datetime.timedelta(days=days_ago)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + days_ago % 8, 15)))
        rows.append(
            PupilDataAccess(
                user=users[username],
                actor_label=username,
                channel=str(channel),
                what=what,
                rows=len(shown),
                recipient_ids=[p.pk for p in shown],
                school=school if all(p.school_id == school.pk for p in shown) else None,
                authority_id=officer_scope,
                request_id=f"{DEMO_PREFIX}{days_ago}-{username}",
            )
        )
        moments.append(moment)
    created = PupilDataAccess.objects.bulk_create(rows)
    for row, moment in zip(created, moments, strict=True):  # auto_now_add stamped them now: move each to its day
        PupilDataAccess.objects.filter(pk=row.pk).update(occurred_at=moment)
    return len(created)
