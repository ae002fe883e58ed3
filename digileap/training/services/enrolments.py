"""Enrolments on courses, with a waiting list (docs/training-attendance.md).

- ``enrol`` puts a staff member on a course for one of their schools. Only an open course takes
  enrolments, and only of people who work at that school (an active membership). When the course is
  full (its enrolled count has reached the smallest session capacity) the new enrolment waits.
- ``cancel_enrolment`` cancels one; when it held a place, the first on the waiting list (by
  ``created_at``, then ``pk``) moves up and is told by e-mail when they have an address.
- ``promote_waiting`` fills free places from the waiting list (after a capacity was raised).

The course row is locked while places are counted, so two enrolments at once cannot both take the
last place. Every write is authorised and audited.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.programmes.translation import localized

from ..models import Course, CourseEnrolment, Membership
from ..selectors.enrolments import WAITING_ORDER, course_capacity

ENROLLED = CourseEnrolment.State.ENROLLED
WAITING = CourseEnrolment.State.WAITING
CANCELLED = CourseEnrolment.State.CANCELLED


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().select_related("programme").get(pk=course.pk)


def _has_place(course: Course) -> bool:
    capacity = course_capacity(course)
    if capacity is None:
        return True
    return CourseEnrolment.objects.filter(course_id=course.pk, state=ENROLLED).count() < capacity


@transaction.atomic
def enrol(*, actor, course: Course, staff, school) -> CourseEnrolment:
    """Enrol ``staff`` on ``course`` for ``school``: enrolled while there is a place, else waiting.
    A cancelled enrolment of the same person is taken up again (at the end of the waiting list)."""
    course = _lock_course(course)
    enrolment = CourseEnrolment(course=course, staff=staff, school=school, created_by=_user(actor))
    authorize(actor, Action.ADD, enrolment)
    if course.state != Course.State.OPEN:
        raise ValidationError(
            _("The course %(course)s is not open for enrolment (it is %(state)s).")
            % {"course": course, "state": course.get_state_display().lower()}
        )
    if school.authority_id != course.programme.authority_id or staff.authority_id != course.programme.authority_id:
        raise ValidationError(_("The course is offered by another authority than the school's."))
    if not Membership.objects.filter(staff=staff, school=school, is_active=True).exists():
        raise ValidationError(
            _("%(person)s does not work at %(school)s.") % {"person": staff.reference, "school": school.name}
        )
    existing = CourseEnrolment.objects.select_for_update().filter(course=course, staff=staff).first()
    if existing is not None and existing.state != CANCELLED:
        raise ValidationError(
            _("%(person)s is already %(state)s on this course.")
            % {"person": staff.reference, "state": existing.get_state_display().lower()}
        )
    state = ENROLLED if _has_place(course) else WAITING
    if existing is not None:
        authorize(actor, Action.CHANGE, existing)
        before = audit.snapshot(existing, ["state", "school"])
        # A new start: the person queues behind everyone who is already waiting.
        CourseEnrolment.objects.filter(pk=existing.pk).update(
            state=state, school=school, created_at=timezone.now(), updated_at=timezone.now(), created_by=_user(actor)
        )
        existing.refresh_from_db()
        audit.record(
            actor=actor,
            action="update",
            instance=existing,
            before=before,
            after=audit.snapshot(existing, ["state", "school"]),
        )
        return existing
    enrolment.state = state
    enrolment.save()
    audit.record(actor=actor, action="create", instance=enrolment, after=audit.snapshot(enrolment))
    return enrolment


@transaction.atomic
def cancel_enrolment(*, actor, enrolment: CourseEnrolment) -> CourseEnrolment:
    """Cancel ``enrolment``; when it held a place, the waiting list moves up."""
    course = _lock_course(enrolment.course)
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    authorize(actor, Action.CHANGE, enrolment)
    if enrolment.state == CANCELLED:
        raise ValidationError(_("The enrolment is already cancelled."))
    before = enrolment.state
    enrolment.state = CANCELLED
    enrolment.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, action="cancel", instance=enrolment, before={"state": before}, after={"state": CANCELLED})
    if before == ENROLLED:
        _promote(actor=actor, course=course)
    return enrolment


@transaction.atomic
def promote_waiting(*, actor, course: Course) -> list[CourseEnrolment]:
    """Move people up from the waiting list while ``course`` has free places (after a session's
    capacity was raised or a session removed). Returns those who moved up."""
    course = _lock_course(course)
    authorize(actor, Action.CHANGE, course)
    return _promote(actor=actor, course=course)


def _promote(*, actor, course: Course) -> list[CourseEnrolment]:
    promoted = []
    while _has_place(course):
        first = (
            CourseEnrolment.objects.select_for_update()
            .select_related("staff", "school")
            .filter(course=course, state=WAITING)
            .order_by(*WAITING_ORDER)
            .first()
        )
        if first is None:
            break
        first.state = ENROLLED
        first.save(update_fields=["state", "updated_at"])
        audit.record(
            actor=actor, action="promote", instance=first, before={"state": WAITING}, after={"state": ENROLLED}
        )
        promoted.append(first)
        if first.staff.email:
            transaction.on_commit(_mail_promotion(course, first))
    return promoted


def _mail_promotion(course: Course, enrolment: CourseEnrolment):
    address = enrolment.staff.email
    context = {
        "course": localized(course.title) or course.code,
        "code": course.code,
        "school": enrolment.school.name,
        "site_name": getattr(settings, "DIGILEAP_SITE_NAME", "Digileap"),
    }
    subject = _("You have a place on the course %(course)s") % {"course": context["course"]}
    body = render_to_string("training/enrolment/promoted_email.txt", context)

    def send() -> None:
        send_mail(subject, body, None, [address])

    return send
