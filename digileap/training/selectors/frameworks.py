"""Reads of competence frameworks.

Every role that may read training sees the frameworks Digileap ships (no authority) and the
variants of its own authority: a programme owner's or funding administrator's authority, an
operator's or a school's authority, a teacher's (their staff record's) authority. The framework
models reach only the authority scope through ``scope_paths``, so the authority of the other
scopes is looked up here.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from digileap.core.permissions import Action, assignments_for
from digileap.schools.models import Authority, School, SchoolOperator

from ..models import Area, Competence, CompetenceLevel, Framework, FrameworkLevel, StaffMember

DIGCOMPEDU_CODE = "digcompedu"


def _authority_ids(user, action: str = Action.VIEW) -> set[int] | None:
    """The authorities whose frameworks ``user`` may ``action``; ``None`` means every one."""
    ids: set[int] = set()
    by_kind: dict[str, list[int]] = {}
    for assignment in assignments_for(user, action, Framework):
        if assignment.scope_kind == "all":
            return None
        by_kind.setdefault(assignment.scope_kind, []).append(assignment.scope_id)
    ids.update(by_kind.get("authority", []))
    if by_kind.get("operator"):
        ids.update(SchoolOperator.objects.filter(pk__in=by_kind["operator"]).values_list("authority_id", flat=True))
    if by_kind.get("school"):
        ids.update(School.objects.filter(pk__in=by_kind["school"]).values_list("authority_id", flat=True))
    if by_kind.get("staff"):
        ids.update(StaffMember.objects.filter(pk__in=by_kind["staff"]).values_list("authority_id", flat=True))
    return ids


def may_see_frameworks(user) -> bool:
    """Whether ``user``'s roles read frameworks at all (every role that sees training)."""
    return bool(assignments_for(user, Action.VIEW, Framework))


def frameworks_for(user, *, active_only: bool = False) -> QuerySet[Framework]:
    """The shipped frameworks and those of ``user``'s authorities (nothing for a role without training)."""
    queryset = Framework.objects.select_related("authority")
    if active_only:
        queryset = queryset.filter(is_active=True)
    if not may_see_frameworks(user):
        return queryset.none()
    ids = _authority_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(authority__isnull=True) | Q(authority_id__in=ids))


def authorities_for_upload(user) -> QuerySet[Authority]:
    """The authorities for which ``user`` may load a framework variant."""
    ids = _authority_ids(user, Action.ADD)
    queryset = Authority.objects.order_by("name")
    return queryset if ids is None else queryset.filter(pk__in=ids)


def may_deactivate(user, framework: Framework) -> bool:
    """An authority's own variant, in use, and the user may change that authority's frameworks."""
    if framework.authority_id is None or not framework.is_active:
        return False
    ids = _authority_ids(user, Action.CHANGE)
    return ids is None or framework.authority_id in ids


def _version_key(version: str) -> tuple:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.replace("-", ".").split("."))


def digcompedu() -> Framework | None:
    """The shipped DigCompEdu, its newest version (``None`` before it is installed)."""
    frameworks = list(Framework.objects.filter(authority__isnull=True, code=DIGCOMPEDU_CODE))
    if not frameworks:
        return None
    return max(frameworks, key=lambda framework: _version_key(framework.version))


def with_counts(queryset: QuerySet[Framework]) -> QuerySet[Framework]:
    return queryset.annotate(
        area_count=Count("areas", distinct=True),
        competence_count=Count("competences", distinct=True),
        level_count=Count("levels", distinct=True),
    )


@dataclass
class CompetenceRow:
    competence: Competence
    statements: list[CompetenceLevel | None]


@dataclass
class AreaBlock:
    area: Area
    competences: list[CompetenceRow] = field(default_factory=list)


@dataclass
class FrameworkGrid:
    framework: Framework
    levels: list[FrameworkLevel]
    areas: list[AreaBlock]

    @property
    def competence_count(self) -> int:
        return sum(len(block.competences) for block in self.areas)

    @property
    def statement_count(self) -> int:
        return sum(1 for block in self.areas for row in block.competences for item in row.statements if item)


def framework_grid(framework: Framework) -> FrameworkGrid:
    """The framework's levels, and per area its competences with one statement per level (in the
    levels' order; ``None`` where one is missing). Four queries."""
    levels = list(framework.levels.order_by("rank"))
    statements = Prefetch("level_statements", queryset=CompetenceLevel.objects.select_related("level"))
    competences = Prefetch(
        "competences", queryset=Competence.objects.order_by("order", "code").prefetch_related(statements)
    )
    blocks = []
    for area in framework.areas.order_by("order", "code").prefetch_related(competences):
        block = AreaBlock(area=area)
        for competence in area.competences.all():
            by_level = {item.level_id: item for item in competence.level_statements.all()}
            block.competences.append(CompetenceRow(competence, [by_level.get(level.pk) for level in levels]))
        blocks.append(block)
    return FrameworkGrid(framework=framework, levels=levels, areas=blocks)
