"""Load the five seed programmes through the services. Idempotent: a second run changes nothing
(and writes no audit event) unless the seed data or the registered indicator kinds changed."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from digileap.schools import services as school_services
from digileap.schools.models import Authority

from . import services
from .indicators import get_kind
from .models import FundingSource, Objective, Programme, Target
from .seed_data import AUTHORITIES, PROGRAMMES

PROGRAMME_KEYS = [
    "name",
    "description",
    "country",
    "region",
    "period_start",
    "period_end",
    "status",
    "climate_contribution",
    "digital_contribution",
    "sdgs",
    "tags",
    "gender_equality_impact",
    "end_goal",
]


@dataclass
class SeedReport:
    programmes: list[str] = field(default_factory=list)
    pending_indicators: list[str] = field(default_factory=list)


def _authority(actor, code: str) -> Authority:
    existing = Authority.objects.filter(code=code).first()
    if existing is not None:
        return existing
    details = AUTHORITIES[code]
    return school_services.authority_create(actor=actor, code=code, **details)


@transaction.atomic
def load_seed_programmes(*, actor) -> SeedReport:
    report = SeedReport()
    for spec in PROGRAMMES:
        authority = _authority(actor, spec["authority"])
        data = {key: spec[key] for key in PROGRAMME_KEYS}
        data.update(authority=authority, is_public=True)
        programme = Programme.objects.filter(code=spec["code"]).first()
        if programme is None:
            programme = services.programme_create(actor=actor, data={"code": spec["code"], **data})
        else:
            programme = services.programme_update(actor=actor, programme=programme, data=data)
        report.programmes.append(programme.code)

        for position, line in enumerate(spec["funding"], start=1):
            line_data = {
                "kind": line["kind"],
                "name": line["name"],
                "amount": line["amount"],
                "cofinancing_rate": line.get("cofinancing_rate"),
                "note": line.get("note", {}),
                "position": position,
            }
            source = FundingSource.objects.filter(programme=programme, position=position).first()
            if source is None:
                services.funding_source_create(actor=actor, programme=programme, data=line_data)
            else:
                services.funding_source_update(actor=actor, source=source, data=line_data)

        for position, title in enumerate(spec["objectives"], start=1):
            objective = Objective.objects.filter(programme=programme, position=position).first()
            objective_data = {"position": position, "title": title}
            if objective is None:
                services.objective_create(actor=actor, programme=programme, data=objective_data)
            else:
                services.objective_update(actor=actor, objective=objective, data=objective_data)

        for position, target_spec in enumerate(spec["targets"], start=1):
            target_data = {key: value for key, value in target_spec.items() if key != "indicator"}
            target_data.setdefault("description", {})
            target_data["position"] = position
            target = Target.objects.filter(programme=programme, position=position).first()
            if target is None:
                target = services.target_create(actor=actor, programme=programme, data=target_data)
            else:
                target = services.target_update(actor=actor, target=target, data=target_data)
            kind_code, parameters = target_spec["indicator"]
            label = f"{programme.code} #{position} ({kind_code})"
            if get_kind(kind_code) is None:
                report.pending_indicators.append(label)
                continue
            try:
                services.indicator_define(actor=actor, target=target, kind=kind_code, parameters=parameters)
            except ValidationError:
                report.pending_indicators.append(label)
    return report
