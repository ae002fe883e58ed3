"""The indicator kinds this app provides: document approved, manual, money, schools reached."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Min, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from .indicators import (
    ZERO,
    IndicatorKind,
    MoneyMeasure,
    ReachSource,
    Records,
    money_measures,
    reach_sources,
    register_indicator_kind,
    register_money_measure,
    register_reach_source,
)
from .models import EvidenceDocument, FundingSource, FundingTransaction, ManualValue, Target

ONE = Decimal("1")


def _in_window(queryset: QuerySet, field: str, start: datetime.date | None, end: datetime.date) -> QuerySet:
    queryset = queryset.filter(**{f"{field}__lte": end})
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    return queryset


class DocumentApproved(IndicatorKind):
    """1 once a document linked to the milestone is approved, else 0."""

    code = "document_approved"
    label = _("Document approved")
    description = _("A qualitative milestone is met when a document linked to it is approved.")
    unit = _("document")
    parameter_schema = {
        "type": "object",
        "properties": {"document": {"type": "string", "description": "What the document is, for people."}},
        "additionalProperties": False,
    }

    def _approved(self, target: Target, as_of: datetime.date) -> QuerySet:
        start, end = target.counting_window(as_of)
        documents = EvidenceDocument.objects.filter(target=target, approved_at__isnull=False)
        return _in_window(documents, "approved_at__date", start, end)

    def compute(self, target: Target, as_of: datetime.date) -> Decimal:
        return ONE if self._approved(target, as_of).exists() else ZERO

    def records(self, target: Target, as_of: datetime.date) -> Records:
        rows = (
            (
                doc.title,
                doc.file.name,
                doc.sha256,
                doc.uploaded_at.isoformat(),
                str(doc.approved_by or ""),
                doc.approved_at.isoformat(),
            )
            for doc in self._approved(target, as_of).select_related("approved_by").order_by("approved_at", "id")
        )
        return Records(["title", "file", "sha256", "uploaded_at", "approved_by", "approved_at"], rows)


class Manual(IndicatorKind):
    """The newest value typed in on or before the day (per-period: within the period)."""

    code = "manual"
    label = _("Entered by hand")
    description = _("For figures no data in Digileap can give; every value records who entered it and when.")
    is_manual = True
    parameter_schema = {
        "type": "object",
        "properties": {"source": {"type": "string", "description": "Where the figures come from."}},
        "additionalProperties": False,
    }

    def _values(self, target: Target, as_of: datetime.date) -> QuerySet:
        start, end = target.counting_window(as_of)
        return _in_window(ManualValue.objects.filter(indicator_id=target.indicator_id), "as_of", start, end)

    def compute(self, target: Target, as_of: datetime.date) -> Decimal:
        latest = self._values(target, as_of).order_by("-as_of", "-id").values_list("value", flat=True).first()
        return latest if latest is not None else ZERO

    def records(self, target: Target, as_of: datetime.date) -> Records:
        rows = (
            (str(v.as_of), str(v.value), v.note, str(v.entered_by or ""), v.entered_at.isoformat())
            for v in self._values(target, as_of).select_related("entered_by").order_by("as_of", "id")
        )
        return Records(["value_on", "value", "note", "entered_by", "entered_at"], rows)


def _transactions(kind: str):
    def entries(target: Target, start, end, parameters: dict) -> QuerySet:
        queryset = FundingTransaction.objects.filter(programme_id=target.programme_id, kind=kind)
        return _in_window(queryset, "date", start, end)

    return entries


register_money_measure(MoneyMeasure("committed", _("Committed"), _transactions(FundingTransaction.Kind.COMMITTED)))
register_money_measure(MoneyMeasure("paid", _("Paid"), _transactions(FundingTransaction.Kind.PAID)))


class Money(IndicatorKind):
    """The sum of a money measure (committed, paid; allocated once allocation rounds exist), in EUR,
    optionally only from some kinds of funding source."""

    code = "money"
    label = _("Money")
    description = _("Money committed or paid (or allocated), in EUR, optionally by kind of funding source.")
    unit = "EUR"
    parameter_schema = {
        "type": "object",
        "properties": {
            "measure": {"type": "string"},
            "source_kinds": {
                "type": "array",
                "items": {"type": "string", "enum": list(FundingSource.Kind.values)},
                "uniqueItems": True,
            },
        },
        "required": ["measure"],
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        super().validate_parameters(parameters)
        if parameters["measure"] not in money_measures():
            raise ValidationError(
                {"parameters": _("Unknown money measure %(code)r.") % {"code": parameters["measure"]}}
            )

    def _entries(self, target: Target, as_of: datetime.date) -> QuerySet:
        parameters = target.defined_indicator.parameters
        start, end = target.counting_window(as_of)
        measure = money_measures()[parameters["measure"]]
        entries = measure.entries(target, start, end, parameters).annotate(
            source_kind=F(f"{measure.source_path}__kind")
        )
        if parameters.get("source_kinds"):
            entries = entries.filter(source_kind__in=parameters["source_kinds"])
        return entries

    def compute(self, target: Target, as_of: datetime.date) -> Decimal:
        total = self._entries(target, as_of).aggregate(total=Sum("amount"))["total"] or ZERO
        # SQLite adds decimals as floating point (348882691.339999): money is exact to the cent.
        return Decimal(total).quantize(Decimal("0.01"))

    def records(self, target: Target, as_of: datetime.date) -> Records:
        entries = (
            self._entries(target, as_of)
            .order_by("date", "pk")
            .values_list("date", "source_kind", "amount", "school__number", "school__name", "reference")
        )
        rows = (
            (str(day), kind, str(amount), number or "", name or "", ref)
            for day, kind, amount, number, name, ref in entries
        )
        return Records(["date", "funding_source", "amount_eur", "school_number", "school_name", "reference"], rows)


def _funded_schools(target: Target, start, end, parameters: dict) -> QuerySet:
    kinds = parameters.get("transaction_kinds") or [FundingTransaction.Kind.COMMITTED, FundingTransaction.Kind.PAID]
    queryset = FundingTransaction.objects.filter(
        programme_id=target.programme_id, school__isnull=False, kind__in=kinds, amount__gt=0
    )
    return _in_window(queryset, "date", start, end).annotate(reached_on=F("date"))


register_reach_source(ReachSource("funding", _("A funding decision (money committed or paid)"), _funded_schools))


class SchoolsReached(IndicatorKind):
    """The number of distinct schools reached by any of the ``via`` sources up to the day."""

    code = "schools_reached"
    label = _("Schools reached")
    description = _("Schools covered by a funding decision (and, once allocation exists, an approved allocation).")
    unit = _("schools")
    parameter_schema = {
        "type": "object",
        "properties": {
            "via": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
            "transaction_kinds": {
                "type": "array",
                "items": {"type": "string", "enum": list(FundingTransaction.Kind.values)},
                "minItems": 1,
                "uniqueItems": True,
            },
        },
        "additionalProperties": False,
    }
    default_via = ("funding",)

    def validate_parameters(self, parameters: dict) -> None:
        super().validate_parameters(parameters)
        unknown = sorted(set(parameters.get("via", [])) - set(reach_sources()))
        if unknown:
            raise ValidationError(
                {"parameters": _("Unknown ways to reach a school: %(codes)s") % {"codes": ", ".join(unknown)}}
            )

    def _sources(self, target: Target, as_of: datetime.date) -> list[tuple[str, QuerySet]]:
        parameters = target.defined_indicator.parameters
        start, end = target.counting_window(as_of)
        available = reach_sources()
        return [
            (code, available[code].schools(target, start, end, parameters))
            for code in parameters.get("via", self.default_via)
            if code in available
        ]

    def compute(self, target: Target, as_of: datetime.date) -> Decimal:
        querysets = [qs.order_by().values("school_id") for _code, qs in self._sources(target, as_of)]
        if not querysets:
            return ZERO
        if len(querysets) == 1:
            return Decimal(querysets[0].distinct().count())
        return Decimal(querysets[0].union(*querysets[1:]).count())

    def records(self, target: Target, as_of: datetime.date) -> Records:
        from digileap.schools.models import School

        first: dict[int, tuple[datetime.date, list[str]]] = {}
        for code, queryset in self._sources(target, as_of):
            for school_id, reached_on in (
                queryset.order_by().values("school_id").annotate(on=Min("reached_on")).values_list("school_id", "on")
            ):
                day, via = first.get(school_id, (reached_on, []))
                first[school_id] = (min(day, reached_on), [*via, code])
        schools = School.objects.filter(pk__in=first).select_related("operator").order_by("number", "pk")

        def rows():
            for school in schools.iterator(chunk_size=2000):
                day, via = first[school.pk]
                yield (school.number, school.name, school.operator.name, str(day), " ".join(sorted(via)))

        return Records(["school_number", "school_name", "operator", "reached_on", "via"], rows())


register_indicator_kind(DocumentApproved())
register_indicator_kind(Manual())
register_indicator_kind(Money())
register_indicator_kind(SchoolsReached())

__all__ = ["DocumentApproved", "Manual", "Money", "SchoolsReached"]
