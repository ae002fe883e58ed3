"""Completions and the completion rule (docs/training-attendance.md).

A course completes by its rule:

- ``attendance``: the minutes a person was present, over all the course's sessions, reach
  ``attendance_share`` percent of the minutes of all its sessions;
- ``assessment``: the person's assessment is passed;
- ``both``: both.

The rule is evaluated whenever an attendance or an assessment result is recorded, as soon as it
holds: a person who has already reached the share before the last session has completed (the share
is of all sessions' minutes, so it cannot be undone by later sessions, only by a correction).

A completion made by the rule has source ``digileap``, ``completed_on`` the day of the last session
the person attended (present), or the assessment day when that is later (``assessment`` rule: the
assessment day), and ``session`` that last attended session. It follows later attendance. When the
rule stops holding (an attendance corrected, an assessment changed to failed) the completion made by
Digileap is withdrawn: deleted, with an audit event holding what it was. A completion from an import
or a learning platform is never changed or withdrawn by the rule.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from ..models import Attendance, Completion, Course, CourseEnrolment, Session, Source

RULE_FIELDS = ("completed_on", "session", "assessment_passed", "score")


def _check_completion(completion: Completion) -> None:
    course = completion.course
    authority_id = course.programme.authority_id
    errors: dict[str, list[str]] = {}
    if completion.school.authority_id != authority_id:
        errors["school"] = [
            _("The school %(school)s is not of the course's authority.") % {"school": completion.school}
        ]
    if completion.staff.authority_id != authority_id:
        errors["staff"] = [_("The person is not on the staff of the course's authority.")]
    if not isinstance(completion.completed_on, datetime.date):
        errors["completed_on"] = [_("Give the day of completion.")]
    elif completion.completed_on > timezone.localdate():
        errors["completed_on"] = [
            _("The day of completion %(day)s is in the future.") % {"day": completion.completed_on.isoformat()}
        ]
    if completion.source not in Source.values:
        errors["source"] = [_("Unknown source %(source)s.") % {"source": completion.source}]
    if completion.session is not None and completion.session.course_id != course.pk:
        errors["session"] = [_("The session is one of another course.")]
    if completion.score is not None and completion.score < 0:
        errors["score"] = [_("A score cannot be negative.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_completion(
    *,
    actor,
    course: Course,
    staff,
    school,
    completed_on: datetime.date,
    source: str = Source.DIGILEAP,
    source_detail: str = "",
    session: Session | None = None,
    assessment_passed: bool | None = None,
    score=None,
    import_job=None,
) -> Completion:
    """Record that ``staff`` completed ``course`` for ``school`` on ``completed_on``.

    One completion per course and person: when there is one already, it is returned; it is updated
    (changed fields audited, nothing when nothing changed) only when it has the same source."""
    completion = Completion(
        course=course,
        staff=staff,
        school=school,
        completed_on=completed_on,
        source=source,
        source_detail=source_detail or "",
        session=session,
        assessment_passed=assessment_passed,
        score=score,
        import_job=import_job,
    )
    authorize(actor, Action.ADD, completion)
    _check_completion(completion)
    existing = Completion.objects.select_for_update().filter(course=course, staff=staff).first()
    if existing is not None:
        if existing.source != source:
            return existing
        return _update(
            actor=actor,
            completion=existing,
            values={
                "school": school,
                "completed_on": completed_on,
                "session": session,
                "source_detail": source_detail or "",
                "assessment_passed": assessment_passed,
                "score": score,
            },
        )
    return _create(actor=actor, completion=completion)


def _create(*, actor, completion: Completion) -> Completion:
    completion.save()
    audit.record(actor=actor, action="create", instance=completion, after=audit.snapshot(completion))
    return completion


def _update(*, actor, completion: Completion, values: dict) -> Completion:
    before = audit.snapshot(completion)
    for name, value in values.items():
        setattr(completion, name, value)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(completion))
    if changed_after:
        completion.save()
        audit.record(actor=actor, action="update", instance=completion, before=changed_before, after=changed_after)
    return completion


def _withdraw(*, actor, completion: Completion, reason: str) -> None:
    before = audit.snapshot(completion)
    audit.record(actor=actor, action="withdraw", instance=completion, before=before, after={"reason": reason})
    completion.delete()


def rule_outcome(enrolment: CourseEnrolment) -> dict:
    """What the course's rule says about ``enrolment``: ``holds``, ``completed_on``, ``session``,
    and the figures (``present_minutes``, ``total_minutes``, ``share``)."""
    course = enrolment.course
    sessions = list(Session.objects.filter(course_id=course.pk).order_by("starts_at", "pk"))
    total = sum(session.minutes for session in sessions)
    present = Attendance.objects.filter(
        enrolment_id=enrolment.pk, session__course_id=course.pk, status=Attendance.Status.PRESENT
    )
    figures = present.aggregate(minutes=Sum("minutes"), last=Max("session__starts_at"))
    present_minutes = figures["minutes"] or 0
    attended = [session for session in sessions if figures["last"] is not None and session.starts_at == figures["last"]]
    last_session = attended[-1] if attended else None
    attendance_holds = total > 0 and present_minutes * 100 >= course.attendance_share * total
    assessment_holds = enrolment.assessment_passed is True
    rule = course.completion_rule
    if rule == Course.Rule.ATTENDANCE:
        holds = attendance_holds
    elif rule == Course.Rule.ASSESSMENT:
        holds = assessment_holds
    else:
        holds = attendance_holds and assessment_holds
    days = []
    if rule != Course.Rule.ASSESSMENT and last_session is not None:
        days.append(timezone.localtime(last_session.starts_at).date())
    if rule != Course.Rule.ATTENDANCE and assessment_holds:
        # The assessment day: the day the result was recorded (record_assessment saves the
        # enrolment only when its result changes).
        days.append(timezone.localtime(enrolment.updated_at).date())
    return {
        "holds": holds,
        "completed_on": max(days) if days else None,
        "session": last_session,
        "present_minutes": present_minutes,
        "total_minutes": total,
        "share": (Decimal(present_minutes * 100) / total).quantize(Decimal("0.1")) if total else Decimal("0"),
    }


def evaluate(*, actor, enrolment: CourseEnrolment) -> Completion | None:
    """Apply the rule to ``enrolment`` (the caller has authorised the change that triggered it)."""
    enrolment = CourseEnrolment.objects.select_related("course", "course__programme", "staff", "school").get(
        pk=enrolment.pk
    )
    outcome = rule_outcome(enrolment)
    existing = (
        Completion.objects.select_for_update()
        .filter(course_id=enrolment.course_id, staff_id=enrolment.staff_id)
        .first()
    )
    if existing is not None and existing.source != Source.DIGILEAP:
        return existing
    if not outcome["holds"] or enrolment.state != CourseEnrolment.State.ENROLLED:
        if existing is not None:
            _withdraw(actor=actor, completion=existing, reason="the completion rule no longer holds")
        return None
    values = {
        "school": enrolment.school,
        "completed_on": outcome["completed_on"],
        "session": outcome["session"],
        "assessment_passed": enrolment.assessment_passed,
        "score": enrolment.assessment_score,
    }
    if existing is not None:
        return _update(actor=actor, completion=existing, values=values)
    completion = Completion(
        course=enrolment.course, staff=enrolment.staff, source=Source.DIGILEAP, source_detail="", **values
    )
    return _create(actor=actor, completion=completion)


@transaction.atomic
def evaluate_completion(*, actor, enrolment: CourseEnrolment) -> Completion | None:
    """Apply the course's rule to ``enrolment``: create, update or withdraw the completion made by
    Digileap. Returns the person's completion of the course afterwards (one from an import or a
    platform as it is), or None."""
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    authorize(actor, Action.CHANGE, enrolment)
    authorize(actor, Action.ADD, Completion(course=enrolment.course, staff=enrolment.staff, school=enrolment.school))
    return evaluate(actor=actor, enrolment=enrolment)
