"""Reads of need declarations, restricted to the acting user's scope."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.devices.models import DeviceType
from digileap.schools.models import School

from ..models import NeedDeclaration, NeedLine

COUNT_FIELDS = ("owned_under_3_years", "owned_3_to_5_years", "owned_over_5_years", "needed")


def declarations_for(user, action: str = Action.VIEW) -> QuerySet[NeedDeclaration]:
    return restrict(
        NeedDeclaration.objects.select_related("school", "school__operator", "declared_by").prefetch_related("lines"),
        user,
        action,
    )


def declaration_get(user, pk: int, action: str = Action.VIEW) -> NeedDeclaration:
    """The declaration, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(declarations_for(user, action), pk=pk)


def schools_declarable(user, action: str = Action.ADD) -> QuerySet[School]:
    """The schools the user may declare needs for (``action`` on their declarations)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, NeedDeclaration):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        if assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.authority_id)
        elif assignment.scope_kind == "operator":
            condition |= Q(operator_id=assignment.operator_id)
        elif assignment.scope_kind == "school":
            condition |= Q(pk=assignment.school_id)
    return School.objects.select_related("operator").filter(condition).order_by("name", "number", "pk")


def school_years_for(user) -> list[str]:
    """The school years with a declaration the user may see, newest first."""
    return list(declarations_for(user).order_by("-school_year").values_list("school_year", flat=True).distinct())


def need_summary(
    user, *, school_year: str | None = None, declarations: QuerySet[NeedDeclaration] | None = None
) -> dict:
    """Totals over the declarations the user may see (or over ``declarations``, already restricted):
    per device type the devices owned by age band, needed, and how many schools declared that type;
    and the classrooms without Wi-Fi.

    Returns ``{"rows": [...], "total": {...}, "declarations": n, "classrooms_without_wifi": n}``;
    ``rows`` has one dict per device type declared, in the order of ``DeviceType``.
    """
    if declarations is None:
        declarations = declarations_for(user)
    if school_year:
        declarations = declarations.filter(school_year=school_year)
    declaration_ids = declarations.order_by().values_list("pk", flat=True)
    overall = NeedDeclaration.objects.filter(pk__in=declaration_ids).aggregate(
        declarations=Count("pk"), classrooms_without_wifi=Sum("classrooms_without_wifi")
    )
    # One row per device type: its counts (``Sum`` of each of COUNT_FIELDS) and schools.
    per_type: dict[str, Mapping[str, Any]] = {
        row["device_type"]: row
        for row in NeedLine.objects.filter(declaration__in=declaration_ids)
        .order_by()
        .values("device_type")
        .annotate(schools=Count("declaration__school", distinct=True), **{name: Sum(name) for name in COUNT_FIELDS})
    }
    rows = []
    total = {name: 0 for name in (*COUNT_FIELDS, "owned")}
    for device_type in DeviceType:
        if device_type.value not in per_type:
            continue
        row = per_type[device_type.value]
        counts = {name: row[name] or 0 for name in COUNT_FIELDS}
        counts["owned"] = counts["owned_under_3_years"] + counts["owned_3_to_5_years"] + counts["owned_over_5_years"]
        for name, value in counts.items():
            total[name] += value
        rows.append({"device_type": device_type.value, "label": device_type.label, "schools": row["schools"], **counts})
    return {
        "rows": rows,
        "total": total,
        "declarations": overall["declarations"],
        "classrooms_without_wifi": overall["classrooms_without_wifi"] or 0,
    }
