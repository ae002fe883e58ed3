"""Writes to what a programme offers: training providers, courses, their sessions and the
identifiers learning platforms know a course by (docs/training-courses.md).

Programme owners of the programme's authority (and administrators) make them (grants in
``permissions.py``). Every write authorises first, validates (a ``ValidationError`` keyed by the
field a form shows, nothing written), writes in one transaction and records an audit event.

Rules:
- a provider's name is unique within its authority; a course's code within its programme;
- a course's provider belongs to the programme's authority; its competences all come from one
  framework that is shipped with Digileap or belongs to the programme's authority, and that the
  actor may see;
- a session ends after it starts and takes at least one person (and no fewer than are enrolled);
  an in-person session has a place, an online one a link, a blended one either;
- a session with recorded attendance is not deleted;
- a platform identifier (system and identifier) names one course within an authority.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize, restrict
from digileap.programmes.models import Programme
from digileap.programmes.translation import language_codes, localized
from digileap.schools.models import Authority, IscedLevel

from ..models import Attendance, Competence, Course, CourseEnrolment, CourseMapping, Framework, Provider, Session
from ..models.people import StaffRole

COURSE_FIELDS = (
    "provider",
    "code",
    "title",
    "description",
    "hours",
    "mode",
    "competences",
    "target_levels",
    "target_roles",
    "completion_rule",
    "attendance_share",
    "state",
)
SESSION_FIELDS = ("starts_at", "ends_at", "place", "link", "trainer", "capacity")
PROVIDER_FIELDS = ("name", "website")


class MappingSystem:
    """The systems a course identifier may come from (the completions import reads them)."""

    MOODLE = "moodle"
    XAPI = "xapi"
    OTHER = "other"

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        return [
            (MappingSystem.MOODLE, _("Moodle (course short name or id)")),
            (MappingSystem.XAPI, _("xAPI (activity IRI)")),
            (MappingSystem.OTHER, _("Other system")),
        ]


MAPPING_SYSTEMS = (MappingSystem.MOODLE, MappingSystem.XAPI, MappingSystem.OTHER)


def _whole_number(value: object) -> int | None:
    """``value`` as a whole number (an int, or text of one); None when empty or not a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _unknown_fields(fields: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(unknown)})


def _translations(value, *, field: str, required: bool, errors: dict) -> dict:
    """A five-language text without its empty languages; the texts themselves are kept exactly."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors[field] = [_("Give the text as a mapping of language codes to texts.")]
        return {}
    unknown = sorted(set(value) - set(language_codes()))
    if unknown:
        errors[field] = [_("Unknown language codes: %(codes)s") % {"codes": ", ".join(map(str, unknown))}]
        return {}
    cleaned = {}
    for code in language_codes():
        text = value.get(code)
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        if not isinstance(text, str):
            errors[field] = [_("Give each language's text as text.")]
            return {}
        cleaned[code] = text
    if required and not cleaned:
        errors[field] = [_("Give the title in at least one language.")]
    return cleaned


# Providers


def _check_provider_name(*, authority_id: int, name: str, exclude_pk: int | None = None) -> None:
    taken = Provider.objects.filter(authority_id=authority_id, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": [_("The authority already has a provider named %(name)s.") % {"name": name}]})


def _clean_provider(provider: Provider) -> None:
    provider.name = (provider.name or "").strip()
    provider.website = (provider.website or "").strip()
    if not provider.name:
        raise ValidationError({"name": [_("Give the provider a name.")]})
    if len(provider.name) > 200:
        raise ValidationError({"name": [_("A provider's name has at most 200 characters.")]})
    if provider.website:
        try:
            URLValidator(schemes=["http", "https"])(provider.website)
        except ValidationError:
            raise ValidationError(
                {"website": [_("Give the website as an address starting with https:// or http://.")]}
            ) from None
    _check_provider_name(authority_id=provider.authority_id, name=provider.name, exclude_pk=provider.pk)


@transaction.atomic
def create_provider(*, actor, authority: Authority, name: str, website: str = "") -> Provider:
    """A new training provider of ``authority``; its name is unique within the authority."""
    provider = Provider(authority=authority, name=name, website=website or "")
    authorize(actor, Action.ADD, provider)
    _clean_provider(provider)
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError:
        raise ValidationError(
            {"name": [_("The authority already has a provider named %(name)s.") % {"name": provider.name}]}
        ) from None
    audit.record(actor=actor, action="create", instance=provider, after=audit.snapshot(provider))
    return provider


@transaction.atomic
def update_provider(*, actor, provider: Provider, **fields) -> Provider:
    """Change a provider's name or website."""
    _unknown_fields(fields, PROVIDER_FIELDS)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    authorize(actor, Action.CHANGE, provider)
    before = audit.snapshot(provider)
    for name, value in fields.items():
        setattr(provider, name, value if value is not None else "")
    _clean_provider(provider)
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError:
        raise ValidationError(
            {"name": [_("The authority already has a provider named %(name)s.") % {"name": provider.name}]}
        ) from None
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(provider))
    if changed_after:
        audit.record(actor=actor, action="update", instance=provider, before=changed_before, after=changed_after)
    return provider


# Courses


def frameworks_for_programme(actor, programme: Programme):
    """The frameworks a course of ``programme`` may take its competences from: the shipped ones and
    the programme's authority's own, of those the actor may see."""
    visible = Q(authority__isnull=True) | Q(pk__in=restrict(Framework.objects.all(), actor).values("pk"))
    return Framework.objects.filter(visible).filter(Q(authority__isnull=True) | Q(authority_id=programme.authority_id))


def _clean_competences(actor, programme: Programme, competences) -> list[Competence]:
    items = list(competences or ())
    ids = []
    for item in items:
        ids.append(item.pk if isinstance(item, Competence) else item)
    try:
        ids = sorted({int(pk) for pk in ids})
    except (TypeError, ValueError):
        raise ValidationError({"competences": [_("Choose the competences from the list.")]}) from None
    found = list(Competence.objects.filter(pk__in=ids).select_related("framework", "area"))
    if len(found) != len(ids):
        raise ValidationError({"competences": [_("Some of the chosen competences do not exist.")]})
    if not found:
        return []
    frameworks = {competence.framework_id for competence in found}
    if len(frameworks) > 1:
        raise ValidationError({"competences": [_("Choose the competences of one framework only.")]})
    allowed = frameworks_for_programme(actor, programme).filter(pk__in=frameworks)
    if not allowed.exists():
        raise ValidationError(
            {
                "competences": [
                    _(
                        "The competences must come from a framework shipped with Digileap or of the programme's authority."
                    )
                ]
            }
        )
    return sorted(found, key=lambda c: (c.area.order, c.area.code, c.order, c.code, c.pk))


def _clean_choices(values, *, field: str, allowed: dict, coerce, message: str, errors: dict) -> list:
    if values is None:
        return []
    if isinstance(values, (str, int)):
        values = [values]
    cleaned = []
    for value in values:
        try:
            value = coerce(value)
        except (TypeError, ValueError):
            errors[field] = [message % {"value": value}]
            return []
        if value not in allowed:
            errors[field] = [message % {"value": value}]
            return []
        if value not in cleaned:
            cleaned.append(value)
    return sorted(cleaned, key=list(allowed).index)


def _clean_course(actor, course: Course, competences) -> list[Competence] | None:
    """Validate ``course`` in place (normalising its values); returns the competences when given."""
    errors: dict[str, list[str]] = {}
    course.code = (course.code or "").strip() if isinstance(course.code, str) else ""
    if not course.code:
        errors["code"] = [_("Give the course a code.")]
    elif len(course.code) > 40:
        errors["code"] = [_("A course code has at most 40 characters.")]
    course.title = _translations(course.title, field="title", required=True, errors=errors)
    course.description = _translations(course.description, field="description", required=False, errors=errors)
    try:
        hours = Decimal(str(course.hours)) if course.hours not in (None, "") else None
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite():
        errors["hours"] = [_("Give the hours as a number, for example 6 or 1.5.")]
    elif hours < 0:
        errors["hours"] = [_("The hours cannot be negative.")]
    elif hours > 9999:
        errors["hours"] = [_("A course has at most 9,999 hours.")]
    elif hours != hours.quantize(Decimal("0.01")):
        errors["hours"] = [_("Give the hours with at most two decimals.")]
    else:
        course.hours = hours.quantize(Decimal("0.01"))
    if course.mode not in Course.Mode.values:
        errors["mode"] = [_("Choose the mode: in person, online or blended.")]
    if course.completion_rule not in Course.Rule.values:
        errors["completion_rule"] = [_("Choose the completion rule: attendance, an assessment or both.")]
    if course.state not in Course.State.values:
        errors["state"] = [_("Choose the state: draft, open for enrolment or closed.")]
    share = _whole_number(course.attendance_share)
    if share is None or share < 1 or share > 100:
        errors["attendance_share"] = [_("The attendance needed is a whole percentage from 1 to 100.")]
    else:
        course.attendance_share = share
    course.target_levels = _clean_choices(
        course.target_levels,
        field="target_levels",
        allowed={level: None for level in IscedLevel.values},
        coerce=int,
        message=_("%(value)s is not a school level (ISCED 0 to 4)."),
        errors=errors,
    )
    course.target_roles = _clean_choices(
        course.target_roles,
        field="target_roles",
        allowed={role: None for role in StaffRole.values},
        coerce=str,
        message=_("%(value)s is not a staff role."),
        errors=errors,
    )
    provider = course.provider if course.provider_id else None
    if provider is None:
        errors["provider"] = [_("Choose the course's provider.")]
    elif provider.authority_id != course.programme.authority_id:
        errors["provider"] = [_("The provider must be one of the programme's authority.")]
    chosen = None
    if competences is not None:
        try:
            chosen = _clean_competences(actor, course.programme, competences)
        except ValidationError as error:
            errors.update(error.message_dict)
    if course.code and "code" not in errors:
        taken = Course.objects.filter(programme_id=course.programme_id, code__iexact=course.code)
        if course.pk is not None:
            taken = taken.exclude(pk=course.pk)
        if taken.exists():
            errors["code"] = [_("The programme already has a course with the code %(code)s.") % {"code": course.code}]
    if errors:
        raise ValidationError(errors)
    return chosen


def _course_audit(course: Course, competences: list[Competence] | None = None) -> dict[str, Any]:
    data = audit.snapshot(course)
    codes = (
        [c.code for c in competences]
        if competences is not None
        else list(
            course.competences.order_by("area__order", "area__code", "order", "code").values_list("code", flat=True)
        )
    )
    data["competences"] = codes
    return data


def _save_course(course: Course) -> None:
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        # Another request took the code a moment ago.
        raise ValidationError(
            {"code": [_("The programme already has a course with the code %(code)s.") % {"code": course.code}]}
        ) from None


@transaction.atomic
def create_course(
    *,
    actor,
    programme: Programme,
    provider: Provider,
    code: str,
    title: dict,
    hours,
    mode: str = Course.Mode.IN_PERSON,
    competences=(),
    target_levels=(),
    target_roles=(),
    completion_rule: str = Course.Rule.ATTENDANCE,
    attendance_share: int = 80,
    description: dict | None = None,
    state: str = Course.State.OPEN,
) -> Course:
    """A new course of ``programme`` given by ``provider`` (of the programme's authority)."""
    course = Course(
        programme=programme,
        provider=provider,
        code=code,
        title=title,
        description=description or {},
        hours=hours,
        mode=mode,
        target_levels=list(target_levels or ()),
        target_roles=list(target_roles or ()),
        completion_rule=completion_rule,
        attendance_share=attendance_share,
        state=state,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    authorize(actor, Action.ADD, course)
    chosen = _clean_course(actor, course, competences or ())
    _save_course(course)
    course.competences.set(chosen or [])
    audit.record(actor=actor, action="create", instance=course, after=_course_audit(course, chosen))
    return course


@transaction.atomic
def update_course(*, actor, course: Course, **fields) -> Course:
    """Change any of ``COURSE_FIELDS`` (not the programme). The provider stays of the programme's
    authority and the competences of one framework."""
    _unknown_fields(fields, COURSE_FIELDS)
    course = Course.objects.select_for_update().select_related("programme", "provider").get(pk=course.pk)
    authorize(actor, Action.CHANGE, course)
    before = _course_audit(course)
    competences = fields.pop("competences", None)
    for name, value in fields.items():
        if name in ("target_levels", "target_roles") and value is not None:
            value = list(value)
        setattr(course, name, value)
    chosen = _clean_course(actor, course, competences)
    authorize(actor, Action.CHANGE, course)
    _save_course(course)
    if chosen is not None:
        course.competences.set(chosen)
    changed_before, changed_after = audit.changed_fields(before, _course_audit(course, chosen))
    if changed_after:
        audit.record(actor=actor, action="update", instance=course, before=changed_before, after=changed_after)
    return course


# Sessions


def _enrolled_count(course_id: int) -> int:
    return CourseEnrolment.objects.filter(course_id=course_id, state=CourseEnrolment.State.ENROLLED).count()


def _clean_session(session: Session) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(session.starts_at, datetime.datetime):
        errors["starts_at"] = [_("Give the day and time the session starts.")]
    if not isinstance(session.ends_at, datetime.datetime):
        errors["ends_at"] = [_("Give the day and time the session ends.")]
    elif isinstance(session.starts_at, datetime.datetime) and session.ends_at <= session.starts_at:
        errors["ends_at"] = [_("The session ends after it starts.")]
    session.place = (session.place or "").strip()
    session.link = (session.link or "").strip()
    session.trainer = (session.trainer or "").strip()
    if len(session.place) > 255:
        errors["place"] = [_("A place has at most 255 characters.")]
    if len(session.trainer) > 200:
        errors["trainer"] = [_("A trainer's name has at most 200 characters.")]
    if session.link:
        try:
            URLValidator(schemes=["http", "https"])(session.link)
        except ValidationError:
            errors["link"] = [_("Give the online link as an address starting with https:// or http://.")]
    mode = session.course.mode
    if mode == Course.Mode.IN_PERSON and not session.place:
        errors.setdefault("place", [_("The course is given in person: give the session's place.")])
    elif mode == Course.Mode.ONLINE and not session.link:
        errors.setdefault("link", [_("The course is given online: give the session's link.")])
    elif mode == Course.Mode.BLENDED and not session.place and not session.link:
        errors.setdefault("place", [_("The course is blended: give the session's place, its link or both.")])
    capacity = _whole_number(session.capacity)
    if capacity is None or capacity < 1:
        errors["capacity"] = [_("A session takes at least one person.")]
    else:
        session.capacity = capacity
        enrolled = _enrolled_count(session.course_id)
        if capacity < enrolled:
            errors["capacity"] = [
                _("%(enrolled)s people are enrolled on the course: a session needs room for at least them.")
                % {"enrolled": enrolled}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_session(
    *, actor, course: Course, starts_at, ends_at, capacity, place: str = "", link: str = "", trainer: str = ""
) -> Session:
    """A new session of ``course``."""
    session = Session(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place=place or "",
        link=link or "",
        trainer=trainer or "",
    )
    authorize(actor, Action.ADD, session)
    _clean_session(session)
    session.save()
    audit.record(actor=actor, action="create", instance=session, after=audit.snapshot(session))
    return session


@transaction.atomic
def update_session(*, actor, session: Session, **fields) -> Session:
    """Change a session's times, place, link, trainer or capacity."""
    _unknown_fields(fields, SESSION_FIELDS)
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    authorize(actor, Action.CHANGE, session)
    before = audit.snapshot(session)
    for name, value in fields.items():
        setattr(session, name, value)
    _clean_session(session)
    session.save()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(session))
    if changed_after:
        audit.record(actor=actor, action="update", instance=session, before=changed_before, after=changed_after)
    if "capacity" in changed_after:
        _promote_waiting(actor=actor, course=session.course)
    return session


def _promote_waiting(*, actor, course: Course) -> None:
    """A larger capacity or one session fewer may free places: the waiting list moves up."""
    from .enrolments import _promote

    _promote(actor=actor, course=course)


@transaction.atomic
def delete_session(*, actor, session: Session) -> None:
    """Delete a session that has no attendance recorded."""
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    authorize(actor, Action.DELETE, session)
    recorded = Attendance.objects.filter(session=session).count()
    if recorded:
        raise ValidationError(
            _("The session has attendance recorded for %(count)s people: it cannot be deleted.") % {"count": recorded}
        )
    before = audit.snapshot(session)
    audit.record(actor=actor, action="delete", instance=session, before=before)
    course = session.course
    session.delete()
    _promote_waiting(actor=actor, course=course)


# Identifiers on learning platforms


@transaction.atomic
def set_course_mapping(*, actor, course: Course, system: str, identifier: str) -> CourseMapping:
    """That ``system`` knows ``course`` by ``identifier`` (imports use it). Setting the same
    identifier again changes nothing; one that names another course of the authority is refused."""
    system = (system or "").strip().lower()
    identifier = (identifier or "").strip()
    course = Course.objects.select_related("programme").get(pk=course.pk)
    mapping = CourseMapping(
        course=course, authority_id=course.programme.authority_id, system=system, identifier=identifier
    )
    authorize(actor, Action.ADD, mapping)
    errors: dict[str, list[str]] = {}
    if system not in MAPPING_SYSTEMS:
        errors["system"] = [_("Choose the system: Moodle, xAPI or other.")]
    if not identifier:
        errors["identifier"] = [_("Give the identifier the system uses for the course.")]
    elif len(identifier) > 500:
        errors["identifier"] = [_("An identifier has at most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    existing = (
        CourseMapping.objects.select_for_update()
        .select_related("course")
        .filter(authority_id=mapping.authority_id, system=system, identifier=identifier)
        .first()
    )
    if existing is not None:
        if existing.course_id == course.pk:
            return existing
        raise ValidationError(
            {
                "identifier": [
                    _("%(system)s already knows the course %(code)s by this identifier.")
                    % {"system": system, "code": existing.course.code}
                ]
            }
        )
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise ValidationError({"identifier": [_("Another course of the authority has this identifier.")]}) from None
    audit.record(actor=actor, action="create", instance=mapping, after=audit.snapshot(mapping))
    return mapping


@transaction.atomic
def delete_course_mapping(*, actor, mapping: CourseMapping) -> None:
    """Forget an identifier (completions already imported stay)."""
    mapping = CourseMapping.objects.select_for_update().get(pk=mapping.pk)
    authorize(actor, Action.DELETE, mapping)
    audit.record(actor=actor, action="delete", instance=mapping, before=audit.snapshot(mapping))
    mapping.delete()


def course_title(course: Course) -> str:
    """The course's title in the active language (else English, else any), or its code."""
    return localized(course.title) or course.code
