"""Writes of the self-assessment (docs/training-self-assessment.md): rounds, and a teacher's
answers.

Answering is personal: only the teacher themself (or the installation, a ``SystemActor``, for
demo data and imports) submits a staff member's answers; an administrator's grant is not
enough. Answering again in the same round replaces the answers in place, and the audit trail
keeps both: one event per submission with the answers before and after.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, SystemActor, authorize
from digileap.core.services import create_audited, update_audited
from digileap.programmes.translation import localized

from ..models import AssessmentAnswer, AssessmentRound, Framework, Membership, SelfAssessment, StaffMember
from ..selectors.selfassessment import own_staff, round_is_open

ROUND_FIELDS = ("programme", "framework", "code", "name", "opens_on", "closes_on")
EDITABLE_ROUND_FIELDS = ("framework", "code", "name", "opens_on", "closes_on")


def _check_round(round_: AssessmentRound) -> None:
    errors = {}
    framework: Framework | None = round_.framework if round_.framework_id else None
    if framework is not None:
        if framework.authority_id not in (None, round_.programme.authority_id):
            errors["framework"] = _("Choose a framework shipped with Digileap or one of the programme's authority.")
        elif not framework.is_active:
            errors["framework"] = _("This framework is no longer in use.")
        elif not framework.competences.exists():
            errors["framework"] = _("This framework has no competences to assess.")
    if not localized(round_.name):
        errors["name"] = _("Give the round a name in at least one language.")
    if round_.opens_on and round_.closes_on and round_.closes_on < round_.opens_on:
        errors["closes_on"] = _("The round closes on or after the day it opens.")
    if round_.pk is not None and round_.assessments.exists():
        stored = AssessmentRound.objects.values_list("framework_id", flat=True).get(pk=round_.pk)
        if stored != round_.framework_id:
            errors["framework"] = _("Teachers have answered this round: its framework cannot change.")
    if errors:
        raise ValidationError(errors)


def create_round(*, actor, programme, framework, code: str, name: dict, opens_on, closes_on) -> AssessmentRound:
    """A self-assessment round of ``programme`` on ``framework`` (shipped, or the programme's
    authority's own), open from ``opens_on`` to ``closes_on`` inclusive."""
    return create_audited(
        actor=actor,
        instance=AssessmentRound(programme=programme),
        data={
            "framework": framework,
            "code": (code or "").strip(),
            "name": name,
            "opens_on": opens_on,
            "closes_on": closes_on,
        },
        allowed=ROUND_FIELDS,
        check=_check_round,
    )


def update_round(*, actor, round: AssessmentRound, **fields) -> AssessmentRound:  # noqa: A002 - the agreed name
    """Change a round's framework (while nobody has answered), code, name or dates."""
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip()
    return update_audited(actor=actor, instance=round, data=fields, allowed=EDITABLE_ROUND_FIELDS, check=_check_round)


def _is_own(actor, staff: StaffMember) -> bool:
    """Whether ``staff`` is ``actor``'s own record: their account, or their teacher role's scope."""
    if actor is None or getattr(actor, "pk", None) is None:
        return False
    if staff.user_id is not None and staff.user_id == actor.pk:
        return True
    own = own_staff(actor)
    return own is not None and own.pk == staff.pk


def _school_for(staff: StaffMember, round_: AssessmentRound, school):
    """Where the teacher works for this round: ``school`` when it is one of their schools, else
    their one (or first) active school of the round's authority."""
    memberships = Membership.objects.filter(
        staff=staff, is_active=True, school__authority_id=round_.programme.authority_id
    ).select_related("school")
    schools = [membership.school for membership in memberships.order_by("pk")]
    if school is not None:
        if school.pk not in {candidate.pk for candidate in schools}:
            raise ValidationError({"school": _("Choose one of the schools you work at.")})
        return school
    return schools[0] if schools else None


def _snapshot(assessment: SelfAssessment, answers: dict[str, int]) -> dict:
    return {
        "round": assessment.round_id,
        "staff": assessment.staff_id,
        "school": assessment.school_id,
        "submitted_at": assessment.submitted_at,
        "answers": answers,
    }


def _stored_answers(assessment: SelfAssessment) -> dict[str, int]:
    return dict(
        AssessmentAnswer.objects.filter(assessment=assessment)
        .order_by("competence__area__order", "competence__order", "competence__code")
        .values_list("competence__code", "rank")
    )


def _check_answers(round_: AssessmentRound, answers: dict) -> dict[int, int]:
    """Every competence of the framework answered once with one of its level ranks; the error
    names each competence that is missing or wrong (keyed ``competence_<id>``)."""
    competences = list(round_.framework.competences.select_related("area").order_by("area__order", "order", "code"))
    ranks = set(round_.framework.levels.values_list("rank", flat=True))
    known = {competence.pk for competence in competences}
    try:
        given = {int(key): (int(value) if value not in (None, "") else None) for key, value in (answers or {}).items()}
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Each answer is a competence and the rank of a level.")) from error
    errors = {}
    for competence in competences:
        label = f"{competence.code} {localized(competence.name)}".strip()
        rank = given.get(competence.pk)
        if rank is None:
            errors[f"competence_{competence.pk}"] = _("Choose a level for %(competence)s.") % {"competence": label}
        elif rank not in ranks:
            errors[f"competence_{competence.pk}"] = _("%(rank)s is not a level of %(competence)s.") % {
                "rank": rank,
                "competence": label,
            }
    unknown = sorted(set(given) - known)
    if unknown:
        errors["__all__"] = _("These are not competences of the round's framework: %(ids)s") % {
            "ids": ", ".join(str(pk) for pk in unknown)
        }
    if errors:
        raise ValidationError(errors)
    return {pk: rank for pk in known if (rank := given[pk]) is not None}  # every one (else errors)


@transaction.atomic
def submit_self_assessment(
    *,
    actor,
    round: AssessmentRound,  # noqa: A002 - the agreed name
    staff: StaffMember,
    answers: dict[int, int],
    school=None,
) -> SelfAssessment:
    """Store ``staff``'s answers (competence id -> level rank) in ``round``. Every competence of
    the round's framework is answered; the round must be open and of the teacher's authority. A
    second submission in the same round replaces the answers (in place); the audit trail keeps
    both. Only the teacher themself (or a ``SystemActor``) may submit."""
    round_ = round
    if not isinstance(actor, SystemActor) and not _is_own(actor, staff):
        raise PermissionDenied("only the teacher themself answers their self-assessment")
    if staff.authority_id != round_.programme.authority_id:
        raise PermissionDenied("the round belongs to another authority")
    if not isinstance(actor, SystemActor) and not round_is_open(round_):
        raise ValidationError(
            _("The round %(round)s is not open: it takes answers from %(opens)s to %(closes)s.")
            % {
                "round": str(round_),
                "opens": round_.opens_on.isoformat(),
                "closes": round_.closes_on.isoformat(),
            }
        )
    checked = _check_answers(round_, answers)
    school = _school_for(staff, round_, school)
    now = timezone.now()
    assessment = SelfAssessment.objects.select_for_update().filter(round=round_, staff=staff).first()
    if assessment is None:
        try:
            with transaction.atomic():
                assessment = SelfAssessment(round=round_, staff=staff, school=school, submitted_at=now)
                authorize(actor, Action.ADD, assessment)
                assessment.save()
        except IntegrityError:
            # Another submission of the same teacher won the race: replace its answers instead.
            assessment = SelfAssessment.objects.select_for_update().get(round=round_, staff=staff)
        else:
            AssessmentAnswer.objects.bulk_create(
                AssessmentAnswer(assessment=assessment, competence_id=pk, rank=rank) for pk, rank in checked.items()
            )
            audit.record(
                actor=actor,
                action="create",
                instance=assessment,
                after=_snapshot(assessment, _stored_answers(assessment)),
            )
            return assessment
    authorize(actor, Action.CHANGE, assessment)
    before = _snapshot(assessment, _stored_answers(assessment))
    assessment.school = school
    assessment.submitted_at = now
    assessment.save(update_fields=["school", "submitted_at"])
    stored = {answer.competence_id: answer for answer in assessment.answers.select_for_update()}
    changed, added = [], []
    for pk, rank in checked.items():
        answer = stored.get(pk)
        if answer is None:
            added.append(AssessmentAnswer(assessment=assessment, competence_id=pk, rank=rank))
        elif answer.rank != rank:
            answer.rank = rank
            changed.append(answer)
    if changed:
        AssessmentAnswer.objects.bulk_update(changed, ["rank"])
    if added:
        AssessmentAnswer.objects.bulk_create(added)
    AssessmentAnswer.objects.filter(assessment=assessment).exclude(competence_id__in=list(checked)).delete()
    audit.record(
        actor=actor,
        action="update",
        instance=assessment,
        before=before,
        after=_snapshot(assessment, _stored_answers(assessment)),
    )
    return assessment
