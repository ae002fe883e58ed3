"""INSIDE and OUTSIDE grants for the permission walk of the dossier download
(``funding:grant-dossier``). The grants part's walk (``walk_grants.py``) makes the grants where it
exists; this adds one on the side's application only where no part before it did."""

from django.utils import timezone

from ..models import ApplicationState, Decision, Grant


def extend(*, side, made, world, role_users) -> dict:
    if "funding.grant" in made:
        return {}
    application = made["funding.application"]
    line = made["funding.costline"]
    now = timezone.now()
    decision = Decision.objects.create(
        application=application,
        number=1,
        outcome=ApplicationState.APPROVED,
        requested_total=line.funding,
        approved_total=line.funding,
        language="en",
        decided_at=now,
    )
    grant = Grant.objects.create(
        application=application,
        call=application.call,
        operator=application.operator,
        number=f"{side}-G-1",
        decision=decision,
        approved_amount=line.funding,
        created_at=now,
    )
    return {"funding.grant": grant}
