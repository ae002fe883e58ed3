"""What the public pages show of a programme, as plain data: one builder for the HTML page, the
JSON and the CSV, so the three can never differ and nothing else can slip in.

Only fields listed here leave the building: programme content in the chosen language, the budget
per source with programme-wide committed and paid totals, and each milestone's value and status
(aggregates of the whole programme). Never: people (uploaders, approvers, who entered a value),
ledger entries or schools, evidence documents, manual values' notes, indicator parameters, or
anything of a programme that is not public.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .indicators import get_kind
from .models import FundingTransaction, Programme, Target
from .selectors import target_progress
from .status import Status
from .translation import localized, place_label, unit_label

# The UN's short names of the 17 Sustainable Development Goals.
SDG_TITLES = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}

TARGET_CSV_COLUMNS = [
    "programme",
    "number",
    "kind",
    "title",
    "due_date",
    "due_as_stated",
    "baseline",
    "target_value",
    "unit",
    "counting",
    "value",
    "progress_percent",
    "status",
    "forecast",
    "reported_status",
    "verification",
]
BUDGET_CSV_COLUMNS = ["programme", "kind", "source", "amount_eur", "cofinancing_rate", "committed_eur", "paid_eur"]
INDEX_CSV_COLUMNS = [
    "code",
    "name",
    "authority",
    "country",
    "region",
    "status",
    "period_start",
    "period_end",
    "budget_eur",
    "climate_contribution",
    "digital_contribution",
    "sdgs",
    "milestones_and_targets",
]


CENTS = Decimal("0.01")


def cents(amount) -> Decimal:
    """An amount in EUR with exactly two places (SQLite's sums lose the scale)."""
    return Decimal(amount or 0).quantize(CENTS)


def statuses_differ(status: str | None, reported_status: str) -> bool:
    """Whether the status computed from the data and the one the programme reports tell different
    stories: one says the target is reached and the other does not."""
    if not status or not reported_status:
        return False
    return (status == Status.ACHIEVED) != (reported_status == Target.ReportedStatus.COMPLETED)


def tag_labels(tags: list[str]) -> list[str]:
    """Tags in the page's language where the catalogue knows them (the seed's are marked for
    translation in seed_data.py); a tag nobody translated shows as it was typed."""
    return [gettext(tag) if tag else tag for tag in tags]


def sdgs(numbers: list[int]) -> list[dict]:
    return [{"number": number, "title": str(SDG_TITLES.get(number, number))} for number in numbers]


def _budget(programme: Programme) -> dict:
    sums = {
        (row["source_id"], row["kind"]): row["total"]
        for row in FundingTransaction.objects.filter(programme=programme)
        .order_by()
        .values("source_id", "kind")
        .annotate(total=Sum("amount"))
    }
    sources: list[dict[str, Any]] = []  # JSON
    for source in programme.funding_sources.all():
        sources.append(
            {
                "kind": source.kind,
                "kind_label": str(source.get_kind_display()),
                "name": source.display_name,
                "amount": source.amount,
                "cofinancing_rate": source.cofinancing_rate,
                "note": localized(source.note),
                "committed": cents(sums.get((source.pk, FundingTransaction.Kind.COMMITTED))),
                "paid": cents(sums.get((source.pk, FundingTransaction.Kind.PAID))),
            }
        )
    return {
        "currency": "EUR",
        "total": sum((row["amount"] for row in sources), Decimal("0.00")),
        "committed": sum((row["committed"] for row in sources), Decimal("0.00")),
        "paid": sum((row["paid"] for row in sources), Decimal("0.00")),
        "sources": sources,
    }


def _milestones(programme: Programme, as_of: datetime.date) -> list[dict]:
    rows = []
    for row in target_progress(programme.targets.order_by("due_date", "position"), as_of):
        target, assessment = row["target"], row["assessment"]
        kind = get_kind(target.indicator.kind) if target.indicator_id else None
        rows.append(
            {
                "number": target.number,
                "kind": target.kind,
                "kind_label": str(target.get_kind_display()),
                "title": target.display_title,
                "description": target.display_description,
                "indicator": str(kind.label) if kind else "",
                "baseline": target.baseline,
                "target_value": target.target_value,
                "unit": target.unit,
                "unit_label": unit_label(target.unit),
                "counting": target.accumulation,
                "period_start": target.period_start,
                "due_date": target.due_date,
                "due_label": target.due_label,
                "verification": target.display_verification,
                "reported_status": target.reported_status,
                "reported_status_label": str(target.get_reported_status_display()),
                "value": row["value"],
                "progress_percent": assessment.percent if assessment else None,
                "status": assessment.status if assessment else None,
                "status_label": assessment.status_label if assessment else "",
                "forecast": assessment.forecast if assessment else None,
                "reached_on": row["reached_on"],
                "reached_late": row["reached_late"],
                "statuses_differ": statuses_differ(assessment.status if assessment else None, target.reported_status),
                "is_due": target.due_date <= as_of,
            }
        )
    return rows


def programme_summary(programme: Programme) -> dict:
    """What the index shows of a programme (no computed values: the index stays fast)."""
    budget = sum((source.amount for source in programme.funding_sources.all()), Decimal("0.00"))
    return {
        "code": programme.code,
        "name": programme.display_name,
        "authority": place_label(programme.authority.name),
        "country": programme.country,
        "region": place_label(programme.region),
        "status": programme.status,
        "status_label": str(programme.get_status_display()),
        "period_start": programme.period_start,
        "period_end": programme.period_end,
        "budget_total": budget,
        "climate_contribution": programme.climate_contribution,
        "digital_contribution": programme.digital_contribution,
        "sdgs": sdgs(programme.sdgs),
        "milestones_and_targets": len(programme.targets.all()),
        "url": reverse("public:programme", kwargs={"code": programme.code}),
        "json_url": reverse("public:programme-json", kwargs={"code": programme.code}),
    }


def programme_data(programme: Programme, as_of: datetime.date, language: str) -> dict:
    """Everything the public page of ``programme`` shows, in ``language`` (already active)."""
    if not programme.is_public:
        raise ValueError("Only public programmes have public data.")
    return {
        "code": programme.code,
        "language": language,
        "as_of": as_of,
        "name": programme.display_name,
        "description": programme.display_description,
        "authority": {"code": programme.authority.code, "name": place_label(programme.authority.name)},
        "country": programme.country,
        "region": place_label(programme.region),
        "period_start": programme.period_start,
        "period_end": programme.period_end,
        "status": programme.status,
        "status_label": str(programme.get_status_display()),
        "climate_contribution": programme.climate_contribution,
        "digital_contribution": programme.digital_contribution,
        "sdgs": sdgs(programme.sdgs),
        "tags": tag_labels(programme.tags),
        "gender_equality_impact": programme.display_gender_equality_impact,
        "end_goal": programme.display_end_goal,
        "source_url": programme.source_url,
        "objectives": [localized(objective.title) for objective in programme.objectives.all()],
        "budget": _budget(programme),
        "milestones": _milestones(programme, as_of),
        "links": {
            "page": reverse("public:programme", kwargs={"code": programme.code}),
            "json": reverse("public:programme-json", kwargs={"code": programme.code}),
            "csv": reverse("public:programme-csv", kwargs={"code": programme.code}),
            "budget_csv": reverse("public:programme-budget-csv", kwargs={"code": programme.code}),
        },
    }


def target_csv_rows(data: dict):
    for row in data["milestones"]:
        yield [
            data["code"],
            row["number"],
            row["kind"],
            row["title"],
            row["due_date"],
            row["due_label"],
            row["baseline"],
            row["target_value"],
            row["unit"],
            row["counting"],
            row["value"],
            row["progress_percent"],
            row["status"],
            row["forecast"],
            row["reported_status"],
            row["verification"],
        ]


def budget_csv_rows(data: dict):
    for row in data["budget"]["sources"]:
        yield [
            data["code"],
            row["kind"],
            row["name"],
            row["amount"],
            row["cofinancing_rate"],
            row["committed"],
            row["paid"],
        ]


def index_csv_rows(summaries: list[dict]):
    for row in summaries:
        yield [
            row["code"],
            row["name"],
            row["authority"],
            row["country"],
            row["region"],
            row["status"],
            row["period_start"],
            row["period_end"],
            row["budget_total"],
            row["climate_contribution"],
            row["digital_contribution"],
            " ".join(str(goal["number"]) for goal in row["sdgs"]),
            row["milestones_and_targets"],
        ]
