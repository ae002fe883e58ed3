"""Writes to the registry. Each service checks the actor's role and scope, validates, writes, audits."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.services import apply_fields, create_audited, update_audited

from .models import (
    Authority,
    Enrolment,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    SocioEconomicScale,
    StaffCount,
)

SCHOOL_EDITABLE_FIELDS = [
    "operator",
    "number",
    "name",
    "type_code",
    "type_label",
    "isced_0",
    "isced_1",
    "isced_2",
    "isced_3",
    "isced_4",
    "language",
    "sector",
    "status",
    "street",
    "postal_code",
    "city",
    "email",
    "website",
    "latitude",
    "longitude",
]


def authority_create(*, actor, code: str, name: str, country: str, kind: str = Authority.Kind.REGION) -> Authority:
    return create_audited(actor=actor, instance=Authority(code=code, name=name, country=country.upper(), kind=kind))


def operator_create(
    *, actor, authority: Authority, code: str, name: str, kind: str = SchoolOperator.Kind.PUBLIC
) -> SchoolOperator:
    return create_audited(actor=actor, instance=SchoolOperator(authority=authority, code=code, name=name, kind=kind))


def operator_update(*, actor, operator: SchoolOperator, data: dict[str, Any]) -> SchoolOperator:
    return update_audited(actor=actor, instance=operator, data=data, allowed=["code", "name", "kind"])


@transaction.atomic
def school_create(*, actor, authority: Authority, data: dict[str, Any]) -> School:
    """Register a school with its main building."""
    school = School(authority=authority)
    apply_fields(school, data, SCHOOL_EDITABLE_FIELDS)
    _check_operator_authority(school)
    authorize(actor, Action.ADD, school)
    school.full_clean()
    school.save()
    site = Site.objects.create(
        school=school,
        name=_("Main building"),
        is_main=True,
        street=school.street,
        postal_code=school.postal_code,
        city=school.city,
        latitude=school.latitude,
        longitude=school.longitude,
    )
    audit.record_many(
        actor=actor,
        changes=[
            audit.change_for("create", school, after=audit.snapshot(school)),
            audit.change_for("create", site, after=audit.snapshot(site)),
        ],
    )
    return school


def _check_operator_authority(school: School) -> None:
    if school.operator_id and school.operator.authority_id != school.authority_id:
        raise ValidationError({"operator": _("The operator belongs to another authority.")})


def school_update(*, actor, school: School, data: dict[str, Any]) -> School:
    return update_audited(
        actor=actor, instance=school, data=data, allowed=SCHOOL_EDITABLE_FIELDS, check=_check_operator_authority
    )


SITE_EDITABLE_FIELDS = ["name", "street", "postal_code", "city", "latitude", "longitude"]


def site_create(*, actor, school: School, data: dict[str, Any]) -> Site:
    return create_audited(actor=actor, instance=Site(school=school), data=data, allowed=SITE_EDITABLE_FIELDS)


def site_update(*, actor, site: Site, data: dict[str, Any]) -> Site:
    return update_audited(actor=actor, instance=site, data=data, allowed=SITE_EDITABLE_FIELDS)


@transaction.atomic
def site_delete(*, actor, site: Site) -> None:
    authorize(actor, Action.DELETE, site)
    if site.is_main:
        raise ValidationError(_("The main building cannot be deleted."))
    snapshot = audit.snapshot(site)
    audit.record(actor=actor, action="delete", instance=site, before=snapshot)
    site.delete()


@transaction.atomic
def school_year_figures_set(
    *,
    actor,
    school: School,
    school_year: str,
    enrolment: dict[tuple[int, int], int],
    teachers: int | None = None,
    ses_scale: SocioEconomicScale | None = None,
    ses_value: Decimal | None = None,
) -> None:
    """Replace a school's pupils (by level and grade) and teacher count for one school year."""
    probe = Enrolment(school=school, school_year=school_year, level=0, pupils=0)
    authorize(actor, Action.CHANGE, probe)
    probe.full_clean(exclude=["pupils", "level"], validate_unique=False, validate_constraints=False)
    if any(p < 0 for p in enrolment.values()) or (teachers is not None and teachers < 0):
        raise ValidationError(_("Counts cannot be negative."))
    before = _figures_snapshot(school, school_year)
    Enrolment.objects.filter(school=school, school_year=school_year).delete()
    Enrolment.objects.bulk_create(
        Enrolment(school=school, school_year=school_year, level=level, grade=grade, pupils=pupils)
        for (level, grade), pupils in sorted(enrolment.items())
        if pupils
    )
    if teachers is not None:
        StaffCount.objects.update_or_create(school=school, school_year=school_year, defaults={"teachers": teachers})
    if ses_scale is not None and ses_value is not None:
        if not ses_scale.minimum <= ses_value <= ses_scale.maximum:
            raise ValidationError(_("The index is outside its scale."))
        authorize(actor, Action.CHANGE, SocioEconomicIndex(school=school, scale=ses_scale, value=ses_value))
        SocioEconomicIndex.objects.update_or_create(
            school=school, school_year=school_year, scale=ses_scale, defaults={"value": ses_value}
        )
    after = _figures_snapshot(school, school_year)
    refresh_school_summary(school)
    if before != after:
        audit.record(
            actor=actor,
            action="update_figures",
            instance=school,
            before={school_year: before},
            after={school_year: after},
        )


def _figures_snapshot(school: School, school_year: str) -> dict[str, Any]:
    return {
        "enrolment": {
            f"{level}/{grade}": pupils
            for level, grade, pupils in Enrolment.objects.filter(school=school, school_year=school_year)
            .order_by("level", "grade")
            .values_list("level", "grade", "pupils")
        },
        "teachers": StaffCount.objects.filter(school=school, school_year=school_year)
        .values_list("teachers", flat=True)
        .first(),
        "ses": {
            code: str(value)
            for code, value in SocioEconomicIndex.objects.filter(school=school, school_year=school_year).values_list(
                "scale__code", "value"
            )
        },
    }


def refresh_school_summary(school: School) -> None:
    """Put the newest year's pupil total and index on the school row (used by lists and sorting)."""
    latest_enrolment = school.enrolments.aggregate(latest=Max("school_year"))["latest"]
    total = None
    if latest_enrolment:
        total = sum(school.enrolments.filter(school_year=latest_enrolment).values_list("pupils", flat=True))
    latest_index = school.ses_indices.order_by("-school_year", "scale__code").select_related("scale").first()
    School.objects.filter(pk=school.pk).update(
        pupils_total=total,
        ses_value=latest_index.value if latest_index else None,
        ses_scale=latest_index.scale if latest_index else None,
    )
