"""Reads of the self-assessment (docs/training-self-assessment.md).

A person's answers are personal: ``personal_report`` is only ever called for the requesting
user's own staff record (the views check it; grants alone are not enough, since an
administrator passes every grant). Everyone else reads ``group_results``: groups of at least
``DIGILEAP_TRAINING_MIN_GROUP`` teachers who answered, never a person.

Levels: a teacher's level in an area is the mean rank of their answers to the area's
competences, rounded half up to a level rank (1.5 is rank 2). A group's mean in an area is the
mean of all its answers there (every teacher answered every competence, so it is also the mean
of the teachers' area means); its distribution counts the teachers at each rounded level.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.programmes.models import Programme
from digileap.programmes.translation import localized
from digileap.schools.models import School

from ..models import (
    Area,
    AssessmentAnswer,
    AssessmentRound,
    Competence,
    CompetenceLevel,
    Course,
    Framework,
    FrameworkLevel,
    SelfAssessment,
    StaffMember,
)

TWO_PLACES = Decimal("0.01")
DIGCOMPEDU = "digcompedu"

# Who reads group results (within their scope); teachers and suppliers do not.
RESULT_ROLES = {
    "administrator",
    "programme_owner",
    "funding_administrator",
    "auditor",
    "operator_staff",
    "school_coordinator",
}
GROUP_KINDS = ("all", "school", "operator", "region")
# The groupings each scope kind may see: a school's coordinator sees their school only, since an
# operator's or region's figures from one school's teachers would be mislabelled.
KINDS_BY_SCOPE = {
    "all": GROUP_KINDS,
    "authority": GROUP_KINDS,
    "operator": ("all", "school", "operator"),
    "school": ("all", "school"),
}


def min_group() -> int:
    return int(getattr(settings, "DIGILEAP_TRAINING_MIN_GROUP", 10))


def as_decimal(value: Fraction) -> Decimal:
    """A fraction as a decimal with two places, rounded half up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def level_rank(mean: Fraction, lowest: int = 1, highest: int | None = None) -> int:
    """The level rank a mean rank rounds to (half up), within the framework's ranks."""
    rank = int((mean * 2 + 1) // 2)
    if highest is not None:
        rank = min(rank, highest)
    return max(rank, lowest)


# Rounds, programmes, frameworks.


def rounds_for(user) -> QuerySet[AssessmentRound]:
    """The rounds ``user`` may see (their authority's; a teacher's own authority's)."""
    return restrict(AssessmentRound.objects.all(), user).select_related("programme", "framework")


def programmes_for_rounds(user) -> QuerySet[Programme]:
    """The programmes in which ``user`` may make self-assessment rounds."""
    authority_ids = set()
    for assignment in assignments_for(user, Action.ADD, AssessmentRound):
        if assignment.scope_kind == "all":
            return Programme.objects.order_by("code")
        if assignment.scope_kind == "authority":
            authority_ids.add(assignment.scope_id)
    return Programme.objects.filter(authority_id__in=authority_ids).order_by("code")


def frameworks_for_rounds(user, programme: Programme | None = None) -> QuerySet[Framework]:
    """The frameworks a round may use: the shipped ones and those of the authorities whose
    programmes ``user`` may make rounds in (of ``programme``'s authority only, when given)."""
    if programme is not None:
        authority_ids = [programme.authority_id]
    else:
        authority_ids = list(programmes_for_rounds(user).values_list("authority_id", flat=True).distinct())
    return Framework.objects.filter(
        Q(authority__isnull=True) | Q(authority_id__in=authority_ids), is_active=True
    ).order_by("authority_id", "code", "-version")


def own_staff(user) -> StaffMember | None:
    """The requesting user's own staff record (a teacher's), or None."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    try:
        from . import people

        finder = getattr(people, "own_staff", None)
    except ImportError:
        finder = None
    if finder is not None:
        return finder(user)
    return StaffMember.objects.filter(user=user).first()


def round_is_open(round_: AssessmentRound, today=None) -> bool:
    from django.utils import timezone

    today = today or timezone.localdate()
    return round_.opens_on <= today <= round_.closes_on


# The questionnaire.


@dataclass
class Item:
    competence: Competence
    statements: list[tuple[int, str, str]]  # (rank, level code, statement)


@dataclass
class AreaItems:
    area: Area
    items: list[Item] = field(default_factory=list)


def questionnaire(framework: Framework, language: str | None = None) -> list[AreaItems]:
    """The framework's competences grouped by area, each with its level statements in rank order
    (in ``language``, else the active language, else English)."""
    statements: dict[int, list[tuple[int, str, str]]] = {}
    for statement in (
        CompetenceLevel.objects.filter(competence__framework=framework)
        .select_related("level")
        .order_by("competence_id", "level__rank")
    ):
        statements.setdefault(statement.competence_id, []).append(
            (statement.level.rank, statement.level.code, localized(statement.statement, language))
        )
    levels = list(framework.levels.order_by("rank"))
    areas = {area.pk: AreaItems(area) for area in framework.areas.order_by("order", "code")}
    for competence in framework.competences.order_by("area__order", "area__code", "order", "code"):
        choices = statements.get(competence.pk) or [
            (level.rank, level.code, localized(level.description, language) or localized(level.name, language))
            for level in levels
        ]
        areas[competence.area_id].items.append(Item(competence, choices))
    return [entry for entry in areas.values() if entry.items]


# Levels per area.


@dataclass
class AreaLevel:
    area: Area
    total: int
    answers: int
    level: FrameworkLevel | None = None

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.total, self.answers)

    @property
    def mean(self) -> Decimal:
        return as_decimal(self.fraction)

    @property
    def rank(self) -> int:
        return self.level.rank if self.level is not None else level_rank(self.fraction)

    @property
    def label(self) -> str:
        return level_label(self.level)

    @property
    def name(self) -> str:
        return localized(self.area.name)


def level_label(level: FrameworkLevel | None) -> str:
    if level is None:
        return ""
    name = localized(level.name)
    return f"{level.code} {name}".strip() if name and name != level.code else level.code


class Levels:
    """A framework's levels by rank."""

    def __init__(self, framework: Framework):
        self.by_rank = {level.rank: level for level in framework.levels.order_by("rank")}
        self.lowest = min(self.by_rank, default=1)
        self.highest = max(self.by_rank, default=1)

    def for_mean(self, mean: Fraction) -> FrameworkLevel | None:
        return self.by_rank.get(level_rank(mean, self.lowest, self.highest))

    @property
    def ordered(self) -> list[FrameworkLevel]:
        return [self.by_rank[rank] for rank in sorted(self.by_rank)]


def area_levels(assessment: SelfAssessment) -> list[AreaLevel]:
    """One teacher's level per area of the round's framework, in the framework's order."""
    framework = assessment.round.framework
    levels = Levels(framework)
    sums = {
        row["competence__area_id"]: (row["total"], row["answers"])
        for row in AssessmentAnswer.objects.filter(assessment=assessment)
        .values("competence__area_id")
        .annotate(total=Sum("rank"), answers=Count("pk"))
        .order_by()
    }
    result = []
    for area in framework.areas.order_by("order", "code"):
        if area.pk in sums:
            total, answers = sums[area.pk]
            row = AreaLevel(area, total, answers)
            row.level = levels.for_mean(row.fraction)
            result.append(row)
    return result


def earlier_assessment(assessment: SelfAssessment) -> SelfAssessment | None:
    """The same teacher's answers in the latest earlier round of the same framework."""
    current = assessment.round
    return (
        SelfAssessment.objects.filter(staff_id=assessment.staff_id, round__framework_id=current.framework_id)
        .filter(Q(round__opens_on__lt=current.opens_on) | Q(round__opens_on=current.opens_on, round_id__lt=current.pk))
        .select_related("round", "round__framework")
        .order_by("-round__opens_on", "-round_id")
        .first()
    )


def suggested_courses(staff: StaffMember, competence_ids: list[int], limit: int = 10) -> list[tuple[Course, int]]:
    """Open courses of the teacher's authority addressing any of ``competence_ids``, those that
    cover most of them first (then by code); with how many each covers."""
    if not competence_ids:
        return []
    courses = (
        Course.objects.filter(
            programme__authority_id=staff.authority_id,
            state=Course.State.OPEN,
            competences__in=competence_ids,
        )
        .annotate(covered=Count("competences", filter=Q(competences__in=competence_ids), distinct=True))
        .select_related("programme", "provider")
        .order_by("-covered", "code", "pk")
        .distinct()
    )
    return [(course, course.covered) for course in courses[:limit]]


def personal_report(staff: StaffMember, round_: AssessmentRound) -> dict:
    """The teacher's own report on ``round_``: level per area, the weakest area(s), courses that
    address their competences, and the change per area since the latest earlier round of the
    same framework. Only for the requesting teacher's own record (the caller checks)."""
    assessment = (
        SelfAssessment.objects.filter(round=round_, staff=staff).select_related("round", "round__framework").first()
    )
    report: dict = {
        "round": round_,
        "staff": staff,
        "assessment": assessment,
        "areas": [],
        "weakest": [],
        "courses": [],
        "earlier": None,
        "changes": [],
        "levels": Levels(round_.framework).ordered,
    }
    if assessment is None:
        return report
    areas = area_levels(assessment)
    report["areas"] = areas
    if areas:
        lowest = min(row.fraction for row in areas)
        weakest = [row for row in areas if row.fraction == lowest]
        report["weakest"] = weakest
        competence_ids = list(
            Competence.objects.filter(area_id__in=[row.area.pk for row in weakest]).values_list("pk", flat=True)
        )
        report["courses"] = suggested_courses(staff, competence_ids)
    earlier = earlier_assessment(assessment)
    if earlier is not None:
        before = {row.area.pk: row for row in area_levels(earlier)}
        report["earlier"] = earlier
        report["changes"] = [
            {
                "area": row.area,
                "before": before[row.area.pk],
                "after": row,
                "change": as_decimal(row.fraction - before[row.area.pk].fraction),
            }
            for row in areas
            if row.area.pk in before
        ]
    return report


# Group results.


def results_scopes(user) -> list[tuple[str, int | None]]:
    """The (scope kind, id) pairs through which ``user`` reads group results; empty: none."""
    return [
        (assignment.scope_kind, assignment.scope_id)
        for assignment in assignments_for(user, Action.VIEW, AssessmentRound)
        if assignment.role in RESULT_ROLES and assignment.scope_kind in KINDS_BY_SCOPE
    ]


def may_read_results(user) -> bool:
    return bool(results_scopes(user))


def group_kinds_for(user) -> list[str]:
    """The groupings ``user`` may choose, in the order of ``GROUP_KINDS``."""
    allowed = {kind for scope, _id in results_scopes(user) for kind in KINDS_BY_SCOPE[scope]}
    return [kind for kind in GROUP_KINDS if kind in allowed]


def assessments_in_scope(round_: AssessmentRound, user) -> QuerySet[SelfAssessment]:
    """The round's self-assessments whose school lies in ``user``'s results scope."""
    condition = Q(pk__in=[])
    for kind, scope_id in results_scopes(user):
        if kind == "all":
            return SelfAssessment.objects.filter(round=round_)
        if kind == "authority":
            condition |= Q(school__authority_id=scope_id) | Q(school__isnull=True, staff__authority_id=scope_id)
        elif kind == "operator":
            condition |= Q(school__operator_id=scope_id)
        elif kind == "school":
            condition |= Q(school_id=scope_id)
    return SelfAssessment.objects.filter(round=round_).filter(condition)


@dataclass
class GroupArea:
    area: Area
    total: int = 0
    answers: int = 0
    distribution: dict[int, int] = field(default_factory=dict)  # level rank -> teachers
    level: FrameworkLevel | None = None

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.total, self.answers)

    @property
    def mean(self) -> Decimal:
        return as_decimal(self.fraction)

    @property
    def label(self) -> str:
        return level_label(self.level)

    @property
    def name(self) -> str:
        return localized(self.area.name)


@dataclass
class Group:
    key: object
    label: str
    teachers: int
    shown: bool
    areas: list[GroupArea] = field(default_factory=list)


GROUP_FIELDS = {
    "all": None,
    "school": "school_id",
    "operator": "school__operator_id",
    "region": "school__operator__region",
}


def _group_labels(kind: str, keys: set) -> dict:
    if kind == "all":
        return {None: _("All teachers who answered")}
    if kind == "school":
        labels: dict[int | None, str] = {
            school.pk: f"{school.name} ({school.number})" for school in School.objects.filter(pk__in=keys - {None})
        }
        labels[None] = _("No school recorded")
        return labels
    if kind == "operator":
        from digileap.schools.models import SchoolOperator

        operator_labels: dict[int | None, str] = {
            operator.pk: operator.name for operator in SchoolOperator.objects.filter(pk__in=keys - {None})
        }
        operator_labels[None] = _("No school operator recorded")
        return operator_labels
    return {key: (key or _("No region recorded")) for key in keys}


def group_results(round_: AssessmentRound, group_by: str, user) -> list[Group]:
    """Mean level and distribution of levels per area for each group (``group_by``: all, school,
    operator, region) of the round's teachers in ``user``'s scope. A group with fewer than
    ``DIGILEAP_TRAINING_MIN_GROUP`` teachers who answered is listed with ``shown`` false and no
    figures. A grouping ``user`` may not choose gives an empty list."""
    if group_by not in group_kinds_for(user):
        return []
    return _groups(assessments_in_scope(round_, user), round_.framework, group_by)


def _groups(assessments: QuerySet[SelfAssessment], framework: Framework, group_by: str) -> list[Group]:
    levels = Levels(framework)
    areas = list(framework.areas.order_by("order", "code"))
    group_field = GROUP_FIELDS[group_by]
    key_path = f"assessment__{group_field}" if group_field else None
    values = ["assessment_id", "competence__area_id"] + ([key_path] if key_path else [])
    rows = (
        AssessmentAnswer.objects.filter(assessment__in=assessments.values("pk"))
        .values(*values)
        .annotate(total=Sum("rank"), answers=Count("pk"))
        .order_by()
    )
    # Per group: the teachers who answered, and per area the sums and each teacher's level.
    teachers: dict[object, set[int]] = {}
    per_area: dict[object, dict[int, GroupArea]] = {}
    for row in rows:
        key = row[key_path] if key_path else None
        teachers.setdefault(key, set()).add(row["assessment_id"])
        area_rows = per_area.setdefault(key, {})
        area_id = row["competence__area_id"]
        entry = area_rows.get(area_id)
        if entry is None:
            entry = area_rows[area_id] = GroupArea(next(area for area in areas if area.pk == area_id))
        entry.total += row["total"]
        entry.answers += row["answers"]
        teacher_level = levels.for_mean(Fraction(row["total"], row["answers"]))
        rank = teacher_level.rank if teacher_level is not None else level_rank(Fraction(row["total"], row["answers"]))
        entry.distribution[rank] = entry.distribution.get(rank, 0) + 1
    labels = _group_labels(group_by, set(teachers))
    threshold = min_group()
    groups = []
    for key, members in teachers.items():
        count = len(members)
        group = Group(key=key, label=str(labels.get(key, key)), teachers=count, shown=count >= threshold)
        if group.shown:
            for area in areas:
                entry = per_area[key].get(area.pk)
                if entry is None:
                    continue
                entry.level = levels.for_mean(entry.fraction)
                entry.distribution = {level.rank: entry.distribution.get(level.rank, 0) for level in levels.ordered}
                group.areas.append(entry)
        groups.append(group)
    groups.sort(key=lambda group: (group.key is None or group.key == "", group.label.casefold(), str(group.key)))
    return groups


def earlier_rounds(round_: AssessmentRound, user) -> QuerySet[AssessmentRound]:
    """The rounds of the same framework before ``round_`` that ``user`` may see, newest first."""
    return (
        rounds_for(user)
        .filter(framework_id=round_.framework_id)
        .filter(Q(opens_on__lt=round_.opens_on) | Q(opens_on=round_.opens_on, pk__lt=round_.pk))
        .order_by("-opens_on", "-pk")
    )


def group_changes(round_: AssessmentRound, earlier: AssessmentRound, group_by: str, user) -> list[dict]:
    """Per group shown in both rounds (at least the minimum of teachers in each), the change of
    its mean per area from ``earlier`` to ``round_``."""
    before = {group.key: group for group in group_results(earlier, group_by, user) if group.shown}
    changes = []
    for group in group_results(round_, group_by, user):
        if not group.shown or group.key not in before:
            continue
        earlier_areas = {entry.area.pk: entry for entry in before[group.key].areas}
        changes.append(
            {
                "group": group,
                "earlier_teachers": before[group.key].teachers,
                "areas": [
                    {
                        "area": entry.area,
                        "before": earlier_areas[entry.area.pk],
                        "after": entry,
                        "change": as_decimal(entry.fraction - earlier_areas[entry.area.pk].fraction),
                    }
                    for entry in group.areas
                    if entry.area.pk in earlier_areas
                ],
            }
        )
    return changes


def answered_count(round_: AssessmentRound, user) -> int:
    """How many teachers answered ``round_`` within ``user``'s results scope (all for a programme
    owner of the authority)."""
    return assessments_in_scope(round_, user).count()


def area_means(round_ids, school_ids=None, *, min_teachers: int | None = None) -> dict[str, Decimal]:
    """The mean rank per area code over the answers of ``round_ids`` (of ``school_ids`` only,
    when given), with two decimals; empty when fewer than ``min_teachers`` (default
    ``DIGILEAP_TRAINING_MIN_GROUP``; 0: any) teachers answered. For indicators: no user scope
    is applied, the caller restricts."""
    assessments = SelfAssessment.objects.filter(round_id__in=list(round_ids))
    if school_ids is not None:
        assessments = assessments.filter(school_id__in=list(school_ids))
    threshold = min_group() if min_teachers is None else min_teachers
    if assessments.count() < max(threshold, 1):
        return {}
    rows = (
        AssessmentAnswer.objects.filter(assessment__in=assessments.values("pk"))
        .values("competence__area__code")
        .annotate(total=Sum("rank"), answers=Count("pk"))
        .order_by("competence__area__code")
    )
    return {row["competence__area__code"]: as_decimal(Fraction(row["total"], row["answers"])) for row in rows}
