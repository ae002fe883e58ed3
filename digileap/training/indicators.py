"""What training adds to the programmes' indicators (``digileap.programmes.indicators``):

- ``training_teachers_trained`` ("Teachers trained"): the distinct staff members with a completion
  of one of the programme's courses in the counting window (cumulative targets: up to the day;
  per-period targets: from the period's start), filtered by courses (codes), competence area
  (code, through the courses' competences) and school level (ISCED levels the completion's school
  teaches). One aggregate query (COUNT DISTINCT) over the completions alone: it never reads
  attendance rows.
- ``training_teachers_trained_share`` ("Share of a school's teachers trained"): per school of the
  programme's authority with a teacher count in the registry (``schools.StaffCount``, the latest
  school year up to the day's), the distinct staff trained there out of those teachers (at most
  100 %). Without ``min_share`` the value is the share over all those schools (trained, capped per
  school, over all their teachers, in percent); with ``min_share`` it is the number of schools
  where at least that share of the teachers is trained.
- ``training_participants`` ("Participants in training", common indicator 10 of the EU recovery
  scoreboard): the distinct staff members present at a session held in the window or with a
  completion in the window; ``gender`` and ``age_band`` keep only one group of the breakdown (the
  records carry both columns, for the breakdown itself).
- ``training_self_assessment_level`` ("Self-assessed level"): the mean level (the rank of the
  framework's level, A1 = 1 .. C2 = 6) of the answers in one self-assessment round (``round``),
  for one area (``area``) or all, submitted up to the day; only when at least
  ``DIGILEAP_TRAINING_MIN_GROUP`` teachers answered (else 0, the reason in the records). The
  records never name a person; they break the mean down by school only for schools with at least
  that many teachers (and not at all when the schools left out would together be a smaller group).

Every kind gives ``per_school`` (school id -> value) for the programme's map. The records of the
completion kinds list every completion counted, with the person's pseudonym only. Documented for
people in ``docs/training-indicators.md``.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import jsonschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from digileap.programmes.indicators import ENUM_LABELS, IndicatorKind, Records, plain_schema, register_indicator_kind
from digileap.programmes.translation import localized
from digileap.schools.models import IscedLevel

HUNDREDTH = Decimal("0.01")
ONE = Decimal(1)
ZERO = Decimal("0.00")
UNKNOWN = "unknown"
LEVELS = [0, 1, 2, 3, 4]
# A school year ("2024/25") runs from 1 August (as the device kinds count it).
SCHOOL_YEAR_STARTS = (8, 1)

COURSES_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 40},
    "minItems": 1,
    "uniqueItems": True,
    "title": _("Courses"),
    "description": _("Only completions of these courses (their codes, separated by commas); empty: every course."),
}
AREA_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 16,
    "title": _("Competence area"),
    "description": _("Only courses that address a competence of this area (its code, e.g. 2); empty: every area."),
}
LEVELS_SCHEMA = {
    "type": "array",
    "items": {"type": "integer", "enum": LEVELS, ENUM_LABELS: {level: IscedLevel(level).label for level in LEVELS}},
    "minItems": 1,
    "uniqueItems": True,
    "title": _("School levels"),
    "description": _("Only completions at schools that teach at least one of these levels; none ticked: all."),
}
MIN_SHARE_SCHEMA = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 100,
    "title": _("At least this share of a school's teachers (%)"),
    "description": _(
        "Given: the value is the number of schools where at least this share of the teachers is trained. "
        "Empty: the share of all the schools' teachers trained."
    ),
}
GENDER_SCHEMA = {
    "type": "string",
    "enum": ["female", "male", "non_binary", UNKNOWN],
    ENUM_LABELS: {
        "female": _("Female"),
        "male": _("Male"),
        "non_binary": _("Non-binary"),
        UNKNOWN: _("Unknown"),
    },
    "title": _("Gender"),
    "description": _("Only participants of this gender (common indicator 10's breakdown); empty: everyone."),
}
AGE_BAND_SCHEMA = {
    "type": "string",
    "enum": ["0-17", "18-29", "30-54", "55+", UNKNOWN],
    ENUM_LABELS: {
        "0-17": _("0–17 years"),
        "18-29": _("18–29 years"),
        "30-54": _("30–54 years"),
        "55+": _("55 years or older"),
        UNKNOWN: _("Unknown"),
    },
    "title": _("Age band"),
    "description": _("Only participants of this age band (common indicator 10's breakdown); empty: everyone."),
}
ROUND_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 40,
    "title": _("Self-assessment round"),
    "description": _("The code of one of the programme's self-assessment rounds, e.g. before."),
}
ASSESSED_AREA_SCHEMA = {
    **AREA_SCHEMA,
    "description": _("Only the answers on the competences of this area (its code, e.g. 2); empty: every area."),
}

COMPLETION_COLUMNS = [
    "course_code",
    "course_title",
    "session_date",
    "completed_on",
    "school_number",
    "school_name",
    "staff_pseudonym",
    "source",
]


# --- shared -----------------------------------------------------------------------------------------


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def school_year_of(day: datetime.date) -> str:
    """The school year a day belongs to, in the registry's form: 2024-09-15 -> "2024/25"."""
    first = day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _parameters(target) -> dict:
    """The indicator's parameters (the live preview's target and indicator are not saved)."""
    indicator = target.indicator
    return (indicator.parameters or {}) if indicator is not None else {}


def _share(part: int, whole: int) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _levels_q(prefix: str, levels: list[int]) -> Q:
    condition = Q()
    for level in levels:
        condition |= Q(**{f"{prefix}isced_{level}": True})
    return condition


def _local_day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def course_ids(target) -> list[int]:
    """The ids of the target programme's courses that the parameters ``courses`` and ``area`` keep
    (a handful of rows: the completions are then filtered by id, on their own index)."""
    from .models import Course

    parameters = _parameters(target)
    courses = Course.objects.filter(programme_id=target.programme_id)
    if parameters.get("courses"):
        courses = courses.filter(code__in=parameters["courses"])
    if parameters.get("area"):
        courses = courses.filter(competences__area__code=parameters["area"])
    return sorted(set(courses.values_list("pk", flat=True)))


def counted_completions(target, as_of: datetime.date) -> QuerySet:
    """The completions that count toward the target on ``as_of``: of its courses (filtered), in the
    counting window, at schools of the levels asked for (a queryset without ordering)."""
    from .models import Completion

    parameters = _parameters(target)
    start, end = target.counting_window(as_of)
    completions = Completion.objects.filter(course_id__in=course_ids(target), completed_on__lte=end)
    if start is not None:
        completions = completions.filter(completed_on__gte=start)
    if parameters.get("levels"):
        completions = completions.filter(_levels_q("school__", parameters["levels"]))
    return completions.order_by()


def _breakdown_q(prefix: str, field: str, value: str | None) -> Q:
    if not value:
        return Q()
    return Q(**{f"{prefix}{field}": ""}) if value == UNKNOWN else Q(**{f"{prefix}{field}": value})


def completion_records(completions: QuerySet, courses: list[int], *, breakdown: bool = False) -> Records:
    """One row per completion, by school number, day, course and pseudonym; ``breakdown`` adds the
    person's gender and age band (common indicator 10). Never a name, reference or e-mail."""
    from .models import Course

    titles = {
        pk: (code, localized(title) or code)
        for pk, code, title in Course.objects.filter(pk__in=courses).values_list("pk", "code", "title")
    }
    fields = [
        "course_id",
        "session__starts_at",
        "completed_on",
        "school__number",
        "school__name",
        "staff__pseudonym",
        "source",
    ]
    if breakdown:
        fields += ["staff__gender", "staff__age_band"]
    rows = completions.order_by("school__number", "completed_on", "course__code", "staff__pseudonym", "pk").values_list(
        *fields
    )

    def formatted():
        for course_id, session_at, completed_on, number, name, pseudonym, source, *rest in rows.iterator(
            chunk_size=5000
        ):
            code, title = titles[course_id]
            row = [code, title, _local_day(session_at), completed_on.isoformat(), number, name, pseudonym, source]
            if breakdown:
                row += [rest[0] or UNKNOWN, rest[1] or UNKNOWN]
            yield tuple(row)

    columns = list(COMPLETION_COLUMNS) + (["gender", "age_band"] if breakdown else [])
    return Records(columns, formatted())


class TrainingKind(IndicatorKind):
    """What the training kinds share: the parameters' validation naming the parameter."""

    def validate_parameters(self, parameters: dict) -> None:
        if not isinstance(parameters, dict):
            raise ValidationError({"parameters": _("Give the parameters as a JSON object.")})
        validator = jsonschema.Draft202012Validator(plain_schema(self.parameter_schema))
        error = jsonschema.exceptions.best_match(validator.iter_errors(parameters))
        if error is None:
            return
        where = ".".join(str(part) for part in error.absolute_path)
        message = error.message
        if where:
            message = _("%(parameter)s: %(problem)s") % {"parameter": where, "problem": error.message}
        raise ValidationError({"parameters": message})

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        raise NotImplementedError


# --- teachers trained ----------------------------------------------------------------------------------


class TeachersTrained(TrainingKind):
    """The distinct staff members with a completion in the counting window."""

    code = "training_teachers_trained"
    label = _("Teachers trained")
    description = _(
        "Distinct staff members who completed one of the programme's courses (or of the courses given, or "
        "of the courses addressing a competence area) up to the day, at schools of the levels given."
    )
    unit = _("teachers")
    parameter_schema = {
        "type": "object",
        "properties": {"courses": COURSES_SCHEMA, "area": AREA_SCHEMA, "levels": LEVELS_SCHEMA},
        "additionalProperties": False,
    }

    def compute(self, target, as_of: datetime.date) -> Decimal:
        counted = counted_completions(target, as_of).aggregate(total=Count("staff_id", distinct=True))
        return Decimal(counted["total"])

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        grouped = (
            counted_completions(target, as_of)
            .values("school_id")
            .annotate(trained=Count("staff_id", distinct=True))
            .values_list("school_id", "trained")
        )
        return {school_id: Decimal(trained) for school_id, trained in grouped}

    def records(self, target, as_of: datetime.date) -> Records:
        return completion_records(counted_completions(target, as_of), course_ids(target))


# --- the share of a school's teachers trained -------------------------------------------------------


def registry_teachers(target, as_of: datetime.date) -> dict[int, tuple[str, int]]:
    """Per school of the programme's authority (of the levels asked for): the school year and its
    teachers in the registry, from the latest count up to the school year of ``as_of``."""
    from digileap.schools.models import StaffCount

    parameters = _parameters(target)
    counts = StaffCount.objects.filter(
        school__authority_id=target.programme.authority_id, school_year__lte=school_year_of(as_of)
    )
    if parameters.get("levels"):
        counts = counts.filter(_levels_q("school__", parameters["levels"]))
    latest: dict[int, tuple[str, int]] = {}
    for school_id, year, teachers in counts.order_by("school_id", "-school_year").values_list(
        "school_id", "school_year", "teachers"
    ):
        latest.setdefault(school_id, (year, teachers))
    return latest


class TeachersTrainedShare(TrainingKind):
    """Per school, the staff trained out of the registry's teachers: the share over all schools, or
    the number of schools reaching ``min_share``."""

    code = "training_teachers_trained_share"
    label = _("Share of a school's teachers trained")
    description = _(
        "Staff trained at each school (as for Teachers trained) out of the school's teachers in the registry "
        "(its latest school year up to the day). The share over all schools in percent, or, with a minimum "
        "share, the number of schools where at least that share of the teachers is trained."
    )
    unit = "%"
    parameter_schema = {
        "type": "object",
        "properties": {
            "min_share": MIN_SHARE_SCHEMA,
            "courses": COURSES_SCHEMA,
            "area": AREA_SCHEMA,
            "levels": LEVELS_SCHEMA,
        },
        "additionalProperties": False,
    }

    def schools(self, target, as_of: datetime.date) -> list[tuple[int, str, int, int]]:
        """(school id, school year, registry teachers, staff trained: at most the teachers) per
        school with a teacher count, by id."""
        teachers = registry_teachers(target, as_of)
        trained = dict(
            counted_completions(target, as_of)
            .filter(school_id__in=list(teachers))
            .values("school_id")
            .annotate(trained=Count("staff_id", distinct=True))
            .values_list("school_id", "trained")
        )
        return [
            (school_id, year, count, min(count, trained.get(school_id, 0)))
            for school_id, (year, count) in sorted(teachers.items())
        ]

    def _reaches(self, target, trained: int, teachers: int) -> bool:
        minimum = Decimal(str(_parameters(target)["min_share"]))
        return teachers > 0 and Decimal(trained) * 100 >= minimum * teachers

    def compute(self, target, as_of: datetime.date) -> Decimal:
        schools = self.schools(target, as_of)
        if _parameters(target).get("min_share") is not None:
            return Decimal(
                sum(1 for _pk, _year, teachers, trained in schools if self._reaches(target, trained, teachers))
            )
        return _share(sum(row[3] for row in schools), sum(row[2] for row in schools))

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        return {pk: _share(trained, teachers) for pk, _year, teachers, trained in self.schools(target, as_of)}

    def records(self, target, as_of: datetime.date) -> Records:
        """One row per school with a teacher count, by number: its teachers, the staff trained and
        the share (and, with a minimum share, whether the school reaches it)."""
        from digileap.schools.models import School

        schools = self.schools(target, as_of)
        names = dict(
            (pk, (number, name))
            for pk, number, name in School.objects.filter(pk__in=[row[0] for row in schools]).values_list(
                "pk", "number", "name"
            )
        )
        with_minimum = _parameters(target).get("min_share") is not None
        rows = []
        for pk, year, teachers, trained in sorted(schools, key=lambda row: (names[row[0]][0], row[0])):
            number, name = names[pk]
            row = [number, name, year, teachers, trained, str(_share(trained, teachers))]
            if with_minimum:
                row.append("yes" if self._reaches(target, trained, teachers) else "no")
            rows.append(tuple(row))
        columns = ["school_number", "school_name", "school_year", "registry_teachers", "staff_trained", "share_percent"]
        return Records(columns + (["reaches_minimum"] if with_minimum else []), rows)


# --- participants (common indicator 10) -------------------------------------------------------------


class Participants(TrainingKind):
    """Distinct staff members present at a session or with a completion in the window."""

    code = "training_participants"
    label = _("Participants in training")
    description = _(
        "Distinct staff members present at a session of the programme's courses held up to the day, or "
        "with a completion up to the day (common indicator 10 of the EU recovery scoreboard: participants "
        "in education or training), of one gender or age band if given."
    )
    unit = _("participants")
    parameter_schema = {
        "type": "object",
        "properties": {
            "gender": GENDER_SCHEMA,
            "age_band": AGE_BAND_SCHEMA,
            "courses": COURSES_SCHEMA,
            "area": AREA_SCHEMA,
            "levels": LEVELS_SCHEMA,
        },
        "additionalProperties": False,
    }

    def _present(self, target, as_of: datetime.date) -> QuerySet:
        """Attendances "present" at the programme's (kept) sessions held in the window."""
        from .models import Attendance

        parameters = _parameters(target)
        start, end = target.counting_window(as_of)
        present = Attendance.objects.filter(
            status=Attendance.Status.PRESENT,
            session__course_id__in=course_ids(target),
            session__starts_at__lt=day_end(end),
        )
        if start is not None:
            present = present.filter(session__starts_at__gte=day_start(start))
        if parameters.get("levels"):
            present = present.filter(_levels_q("enrolment__school__", parameters["levels"]))
        return present.order_by()

    def _who(self, target) -> Q:
        parameters = _parameters(target)
        return _breakdown_q("staff__", "gender", parameters.get("gender")) & _breakdown_q(
            "staff__", "age_band", parameters.get("age_band")
        )

    def participants(self, target, as_of: datetime.date) -> QuerySet:
        """The staff members who count (a queryset of StaffMember)."""
        from .models import StaffMember

        parameters = _parameters(target)
        completions = counted_completions(target, as_of).filter(staff_id=OuterRef("pk"))
        present = self._present(target, as_of).filter(enrolment__staff_id=OuterRef("pk"))
        people = StaffMember.objects.filter(Exists(completions) | Exists(present))
        people = people.filter(
            _breakdown_q("", "gender", parameters.get("gender"))
            & _breakdown_q("", "age_band", parameters.get("age_band"))
        )
        return people.order_by()

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return Decimal(self.participants(target, as_of).count())

    def _events(self, target, as_of: datetime.date) -> list[tuple]:
        """(staff id, day, school id, course id) of every completion and presence that counts."""
        events = [
            (staff_id, completed_on, school_id, course_id)
            for staff_id, completed_on, school_id, course_id in counted_completions(target, as_of)
            .filter(self._who(target))
            .values_list("staff_id", "completed_on", "school_id", "course_id")
        ]
        present = self._present(target, as_of).filter(
            _breakdown_q("enrolment__staff__", "gender", _parameters(target).get("gender"))
            & _breakdown_q("enrolment__staff__", "age_band", _parameters(target).get("age_band"))
        )
        for staff_id, starts_at, school_id, course_id in present.values_list(
            "enrolment__staff_id", "session__starts_at", "enrolment__school_id", "session__course_id"
        ):
            events.append((staff_id, timezone.localtime(starts_at).date(), school_id, course_id))
        return events

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        people: dict[int, set[int]] = defaultdict(set)
        for staff_id, _day, school_id, _course in self._events(target, as_of):
            people[school_id].add(staff_id)
        return {school_id: Decimal(len(staff)) for school_id, staff in people.items()}

    def records(self, target, as_of: datetime.date) -> Records:
        """One row per participant: pseudonym, gender, age band, the school and day of their first
        participation, and the courses they took part in; by school number and pseudonym."""
        from digileap.schools.models import School

        from .models import Course, StaffMember

        first: dict[int, tuple] = {}
        courses: dict[int, set[int]] = defaultdict(set)
        for staff_id, day, school_id, course_id in sorted(self._events(target, as_of), key=lambda e: (e[0], e[1])):
            first.setdefault(staff_id, (day, school_id))
            courses[staff_id].add(course_id)
        people = {
            pk: (pseudonym, gender or UNKNOWN, age_band or UNKNOWN)
            for pk, pseudonym, gender, age_band in StaffMember.objects.filter(pk__in=list(first)).values_list(
                "pk", "pseudonym", "gender", "age_band"
            )
        }
        schools = dict(
            (pk, (number, name))
            for pk, number, name in School.objects.filter(pk__in={s for _d, s in first.values()}).values_list(
                "pk", "number", "name"
            )
        )
        codes = dict(Course.objects.filter(pk__in={c for cs in courses.values() for c in cs}).values_list("pk", "code"))
        rows = []
        for staff_id, (day, school_id) in first.items():
            pseudonym, gender, age_band = people[staff_id]
            number, name = schools[school_id]
            rows.append(
                (
                    pseudonym,
                    gender,
                    age_band,
                    number,
                    name,
                    day.isoformat(),
                    " ".join(sorted(codes[c] for c in courses[staff_id])),
                )
            )
        rows.sort(key=lambda row: (row[3], row[0]))
        columns = [
            "staff_pseudonym", "gender", "age_band", "school_number", "school_name", "first_participated_on",
            "courses",
        ]  # fmt: skip
        return Records(columns, rows)


# --- self-assessed level ------------------------------------------------------------------------------


def minimum_group() -> int:
    return int(getattr(settings, "DIGILEAP_TRAINING_MIN_GROUP", 10))


class SelfAssessmentLevel(TrainingKind):
    """The mean self-assessed level of a round's answers (of an area), for groups large enough."""

    code = "training_self_assessment_level"
    label = _("Self-assessed level")
    description = _(
        "The mean level teachers gave themselves in a self-assessment round (A1 = 1 to C2 = 6), over their "
        "answers on every competence or on those of one area, submitted up to the day. Shown only when "
        "enough teachers answered (DIGILEAP_TRAINING_MIN_GROUP, by default 10); otherwise 0."
    )
    unit = _("level")
    parameter_schema = {
        "type": "object",
        "properties": {"round": ROUND_SCHEMA, "area": ASSESSED_AREA_SCHEMA},
        "required": ["round"],
        "additionalProperties": False,
    }
    has_history = True

    def answers(self, target, as_of: datetime.date) -> QuerySet:
        from .models import AssessmentAnswer

        parameters = _parameters(target)
        answers = AssessmentAnswer.objects.filter(
            assessment__round__programme_id=target.programme_id,
            assessment__round__code=parameters.get("round", ""),
            assessment__submitted_at__lt=day_end(as_of),
        )
        if parameters.get("area"):
            answers = answers.filter(competence__area__code=parameters["area"])
        return answers.order_by()

    @staticmethod
    def _mean(value) -> Decimal:
        return Decimal(str(value or 0)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def compute(self, target, as_of: datetime.date) -> Decimal:
        totals = self.answers(target, as_of).aggregate(
            teachers=Count("assessment__staff_id", distinct=True), mean=Avg("rank")
        )
        if totals["teachers"] < minimum_group():
            return ZERO
        return self._mean(totals["mean"])

    def by_school(self, target, as_of: datetime.date) -> list[tuple[int | None, int, int, Decimal]]:
        """(school id, teachers, answers, mean) per school, every school."""
        grouped = (
            self.answers(target, as_of)
            .values("assessment__school_id")
            .annotate(teachers=Count("assessment__staff_id", distinct=True), count=Count("pk"), mean=Avg("rank"))
            .values_list("assessment__school_id", "teachers", "count", "mean")
        )
        return [(school_id, teachers, count, self._mean(mean)) for school_id, teachers, count, mean in grouped]

    def shown_schools(self, target, as_of: datetime.date) -> list[tuple[int, int, int, Decimal]]:
        """The schools that may be shown: each with at least the minimum group, and none when the
        schools left out would together be a group smaller than the minimum (it could be read as
        the difference to the total)."""
        minimum = minimum_group()
        groups = self.by_school(target, as_of)
        shown = [
            (school_id, teachers, count, mean)
            for school_id, teachers, count, mean in groups
            if school_id is not None and teachers >= minimum
        ]
        hidden = sum(row[1] for row in groups) - sum(row[1] for row in shown)
        return shown if hidden == 0 or hidden >= minimum else []

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        return {school_id: mean for school_id, _teachers, _count, mean in self.shown_schools(target, as_of)}

    def records(self, target, as_of: datetime.date) -> Records:
        """The whole group first (school number empty), then each school that may be shown: its
        teachers, answers and mean level, or why no mean is given. Never a person."""
        from digileap.schools.models import School

        minimum = minimum_group()
        totals = self.answers(target, as_of).aggregate(
            teachers=Count("assessment__staff_id", distinct=True), count=Count("pk"), mean=Avg("rank")
        )
        too_few = totals["teachers"] < minimum
        note = (
            gettext_now("Fewer than %(minimum)s teachers answered: no mean is given.") % {"minimum": minimum}
            if too_few
            else ""
        )
        round_code = _parameters(target).get("round", "")
        rows = [
            (
                "",
                gettext_now("All schools"),
                round_code,
                totals["teachers"],
                totals["count"] if not too_few else "",
                "" if too_few else str(self._mean(totals["mean"])),
                note,
            )
        ]
        if not too_few:
            shown = self.shown_schools(target, as_of)
            names = dict(
                (pk, (number, name))
                for pk, number, name in School.objects.filter(pk__in=[row[0] for row in shown]).values_list(
                    "pk", "number", "name"
                )
            )
            for school_id, teachers, count, mean in sorted(shown, key=lambda row: names[row[0]][0]):
                number, name = names[school_id]
                rows.append((number, name, round_code, teachers, count, str(mean), ""))
        columns = ["school_number", "school_name", "round", "teachers", "answers", "mean_level", "note"]
        return Records(columns, rows)


KINDS = (TeachersTrained, TeachersTrainedShare, Participants, SelfAssessmentLevel)


def register() -> None:
    for kind in KINDS:
        register_indicator_kind(kind())
