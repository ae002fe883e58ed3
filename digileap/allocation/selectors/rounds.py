"""Reads of allocation rounds, versions and lines, restricted to what the acting user may see.

Two layers decide what a user sees:

1. the role's grants and scope (``restrict``): a line is seen through its school, a round and a
   version through their programme's authority;
2. publication: a role assignment with scope ``all`` or ``authority`` (programme owners, funding
   administrators, auditors, administrators) reads every version, while the narrower scopes
   (operator staff, school coordinators) read only *published* versions and their lines. A round
   with no published version does not exist for them (404).

A user holding both kinds of assignment sees everything in the authorities of the wide ones and
only the published part elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.programmes.models import PROGRAMME_SCOPE, Programme

from ..models import AllocationLine, AllocationRound, AllocationVersion

# Scopes whose holders read unpublished versions too.
WIDE_SCOPES = ("all", "authority")
PUBLISHED = AllocationVersion.Status.PUBLISHED


def _wide_condition(user, model, authority_path: str) -> Q | None:
    """Rows the user reads through a wide assignment: ``None`` for every row (scope ``all``)."""
    authority_ids = []
    for assignment in assignments_for(user, Action.VIEW, model):
        if assignment.scope_kind == "all":
            return None
        if assignment.scope_kind == "authority":
            authority_ids.append(assignment.scope_id)
    return Q(**{f"{authority_path}__in": authority_ids})


def _visible(queryset: QuerySet, user, action: str, authority_path: str, published: Q) -> QuerySet:
    queryset = restrict(queryset, user, action)
    # Publication is about reading: what a narrow scope may not read, it may not act on either.
    wide = _wide_condition(user, queryset.model, authority_path)
    if wide is None:
        return queryset
    return queryset.filter(wide | published)


def sees_unpublished(user, allocation_round: AllocationRound) -> bool:
    """Whether the user reads this round's unpublished versions (a wide assignment reaches it)."""
    wide = _wide_condition(user, AllocationVersion, "programme__authority")
    return wide is None or AllocationRound.objects.filter(wide, pk=allocation_round.pk).exists()


def rounds_for(user, action: str = Action.VIEW) -> QuerySet[AllocationRound]:
    published = Exists(AllocationVersion.objects.filter(round=OuterRef("pk"), status=PUBLISHED))
    queryset = AllocationRound.objects.select_related("programme", "programme__authority", "funding_source")
    return _visible(queryset, user, action, "programme__authority", Q(published))


def round_get(user, pk: int, action: str = Action.VIEW) -> AllocationRound:
    return get_object_or_404(rounds_for(user, action), pk=pk)


def all_versions_for(user, action: str = Action.VIEW) -> QuerySet[AllocationVersion]:
    queryset = AllocationVersion.objects.select_related("round", "round__programme")
    return _visible(queryset, user, action, "round__programme__authority", Q(status=PUBLISHED))


def versions_for(user, allocation_round: AllocationRound, action: str = Action.VIEW) -> QuerySet[AllocationVersion]:
    return all_versions_for(user, action).filter(round=allocation_round).order_by("-number")


def version_get(user, pk: int, action: str = Action.VIEW) -> AllocationVersion:
    return get_object_or_404(all_versions_for(user, action), pk=pk)


def newer_version_number(version: AllocationVersion) -> int | None:
    """The number of the round's latest version when it is newer than ``version`` (else None).

    Only the latest computation is approved: an older one may come from an earlier definition.
    """
    latest = (
        AllocationVersion.objects.filter(round_id=version.round_id)
        .order_by("-number")
        .values_list("number", flat=True)[:1]
    )
    number = next(iter(latest), None)
    return number if number is not None and number > version.number else None


def refuse_outdated_approval(version: AllocationVersion) -> None:
    """Raise a ValidationError unless ``version`` is its round's latest: the approval service checks
    that the definition did not change since the latest computation, which says nothing about the
    versions before it. Pages and API call this before ``version_approve``."""
    newer = newer_version_number(version)
    if newer is not None:
        raise ValidationError(
            _("Only the latest version can be approved: version %(number)s is newer.") % {"number": newer}
        )


def all_lines_for(user, action: str = Action.VIEW) -> QuerySet[AllocationLine]:
    queryset = AllocationLine.objects.select_related("school", "school__operator", "version", "version__round")
    # A line is wide-read through its school's authority, like the line's own scope path.
    return _visible(queryset, user, action, "school__authority", Q(version__status=PUBLISHED))


def lines_for(user, version: AllocationVersion, action: str = Action.VIEW) -> QuerySet[AllocationLine]:
    return all_lines_for(user, action).filter(version=version).order_by("school__number", "school_id")


def line_get(user, pk: int, action: str = Action.VIEW) -> AllocationLine:
    return get_object_or_404(all_lines_for(user, action).select_related("version__round__programme"), pk=pk)


def lines_for_school(user, school) -> QuerySet[AllocationLine]:
    """The school's lines in the versions the user may see, newest version first (the school page)."""
    return (
        all_lines_for(user)
        .filter(school=school)
        .select_related("version__round__programme")
        .order_by("-version__computed_at", "-version__number", "-pk")
    )


def programmes_for_rounds(user, action: str = Action.ADD) -> QuerySet[Programme]:
    """Programmes in which the user may take ``action`` on a round (the create form's choices)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, AllocationRound):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        path = PROGRAMME_SCOPE.get(assignment.scope_kind)
        if path is not None:
            condition |= Q(pk__in=Programme.objects.filter(**{path: assignment.scope_id}).values("pk"))
    return Programme.objects.filter(condition).select_related("authority").order_by("code")


# --- comparing two versions ---------------------------------------------------------------------


@dataclass
class ComparedSchool:
    school_id: int
    number: str
    name: str
    operator: str
    amount_a: Decimal | None  # None: the school has no line in version a
    amount_b: Decimal | None
    line_a: int | None = None
    line_b: int | None = None

    @property
    def difference(self) -> Decimal:
        return (self.amount_b or Decimal(0)) - (self.amount_a or Decimal(0))

    @property
    def is_changed(self) -> bool:
        return self.amount_a != self.amount_b

    @property
    def only_in(self) -> str:
        """ "a" or "b" when the school is in one version only, else ""."""
        if self.amount_a is None:
            return "b"
        if self.amount_b is None:
            return "a"
        return ""


@dataclass
class Comparison:
    a: AllocationVersion
    b: AllocationVersion
    rows: list[ComparedSchool] = field(default_factory=list)

    @property
    def total_a(self) -> Decimal:
        return sum((row.amount_a or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def total_b(self) -> Decimal:
        return sum((row.amount_b or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def total_difference(self) -> Decimal:
        return self.total_b - self.total_a

    @property
    def changed(self) -> list[ComparedSchool]:
        return [row for row in self.rows if row.is_changed]

    @property
    def only_in_a(self) -> list[ComparedSchool]:
        return [row for row in self.rows if row.only_in == "a"]

    @property
    def only_in_b(self) -> list[ComparedSchool]:
        return [row for row in self.rows if row.only_in == "b"]


def compare_versions(user, a: AllocationVersion, b: AllocationVersion) -> Comparison:
    """Per school the amount in ``a``, in ``b`` and the difference (b - a), over the lines the user
    may see; schools in one version only have ``None`` for the other. Ordered by school number."""
    rows: dict[int, ComparedSchool] = {}
    fields = ("pk", "school_id", "school__number", "school__name", "school__operator__name", "amount")
    for side, version in (("a", a), ("b", b)):
        for line_id, school_id, number, name, operator, amount in lines_for(user, version).values_list(*fields):
            row = rows.get(school_id)
            if row is None:
                row = rows[school_id] = ComparedSchool(school_id, number, name, operator, None, None)
            setattr(row, f"amount_{side}", amount)
            setattr(row, f"line_{side}", line_id)
    ordered = sorted(rows.values(), key=lambda row: (row.number, row.school_id))
    return Comparison(a=a, b=b, rows=ordered)
