"""INSIDE and OUTSIDE proofs of use and repayment claims for the permission walk. The grant comes
from a part before this one (``made["funding.grant"]``); where none made one, a grant is made
here on the side's application. A grant's proof of use may exist already (the grants part opens
one with each grant): it is reused."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ..models import ApplicationState, ProofOfUse, ProofState, RepaymentClaim
from .factories import DecisionFactory, GrantFactory


def extend(*, side, made, world, role_users) -> dict:
    now = timezone.now()
    grant = made.get("funding.grant")
    extra = {}
    if grant is None:
        application = made["funding.application"]
        funding = made["funding.costline"].funding
        grant = GrantFactory(
            decision=DecisionFactory(
                application=application,
                outcome=ApplicationState.APPROVED,
                requested_total=funding,
                approved_total=funding,
            ),
            number=f"{side}-G-P",
            approved_amount=funding,
        )
        extra["funding.grant"] = grant
    proof = ProofOfUse.objects.filter(grant=grant).first()
    if proof is None:
        proof = ProofOfUse.objects.create(grant=grant, due_on=timezone.localdate() + datetime.timedelta(days=60))
    proof.state = ProofState.SUBMITTED
    proof.narrative = f"{side} narrative of the proof of use"
    proof.submitted_at = now
    proof.save(update_fields=["state", "narrative", "submitted_at"])
    repayment = RepaymentClaim.objects.create(
        grant=grant,
        proof_of_use=proof,
        amount=Decimal("10.00"),
        reason=f"{side} repayment: not used",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        created_at=now,
    )
    return {**extra, "funding.proofofuse": proof, "funding.repaymentclaim": repayment}
