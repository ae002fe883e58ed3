"""Test data of the self-assessment tests: teachers with accounts, open rounds, answers by
competence code."""

import datetime

from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import AssessmentAnswer, AssessmentRound, SelfAssessment, StaffMember
from .factories import small_framework, staff_at


def teacher(school, **fields) -> StaffMember:
    """A staff member of ``school`` with a teacher account scoped to their record."""
    staff = staff_at(school, **fields)
    staff.user = user_with_role(Role.TEACHER, staff, username=f"teacher-{staff.reference}")
    staff.save(update_fields=["user"])
    return staff


def open_round(authority, framework=None, *, code="before", programme=None, days_ago=5, days_left=5):
    today = timezone.localdate()
    return AssessmentRound.objects.create(
        programme=programme or ProgrammeFactory(authority=authority),
        framework=framework or small_framework(),
        code=code,
        name={"en": f"Round {code}", "nl": f"Ronde {code}"},
        opens_on=today - datetime.timedelta(days=days_ago),
        closes_on=today + datetime.timedelta(days=days_left),
    )


def closed_round(authority, framework=None, *, code="earlier", programme=None):
    return open_round(authority, framework, code=code, programme=programme, days_ago=400, days_left=-300)


def ranks_by_id(framework, ranks: dict[str, int]) -> dict[int, int]:
    """``{"1.1": 3}`` as the service takes it: competence id -> rank."""
    ids = dict(framework.competences.values_list("code", "pk"))
    return {ids[code]: rank for code, rank in ranks.items()}


def answer(round_, staff, ranks: dict[str, int], school=None) -> SelfAssessment:
    """Stored answers (directly, as the demo or an earlier submission left them)."""
    if school is None:
        membership = staff.memberships.select_related("school").first()
        school = membership.school if membership else None
    assessment = SelfAssessment.objects.create(round=round_, staff=staff, school=school, submitted_at=timezone.now())
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, competence_id=pk, rank=rank)
        for pk, rank in ranks_by_id(round_.framework, ranks).items()
    )
    return assessment
