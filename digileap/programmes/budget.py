"""Money against the budget: per funding source, its budget, what is committed and paid, and whether
either goes over the budget (and by how much).

Pages show the figures from the entries the user may see (``transactions`` restricted to the user);
the entry form and the import ask ``would_exceed`` before they write, so that money going over a
source's budget is never recorded without a word.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import FundingSource, FundingTransaction, Programme

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")


def _cents(value) -> Decimal:
    # SQLite adds decimals as floating point: money is exact to the cent.
    return Decimal(value or 0).quantize(CENTS)


@dataclass(frozen=True)
class SourceBudget:
    """One funding source: its budget, the money committed and paid, and how far each is over."""

    source: FundingSource
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def committed_over_by(self) -> Decimal:
        """How much the commitments exceed the budget (0 when they do not)."""
        return max(self.committed - self.budget, ZERO)

    @property
    def paid_over_by(self) -> Decimal:
        """How much the payments exceed the budget (0 when they do not)."""
        return max(self.paid - self.budget, ZERO)

    @property
    def is_committed_over(self) -> bool:
        return self.committed > self.budget

    @property
    def is_paid_over(self) -> bool:
        return self.paid > self.budget

    @property
    def is_over(self) -> bool:
        return self.is_committed_over or self.is_paid_over

    def over_by(self, kind: str) -> Decimal:
        return self.committed_over_by if kind == FundingTransaction.Kind.COMMITTED else self.paid_over_by


def source_budgets(
    programme: Programme, transactions: QuerySet[FundingTransaction] | None = None
) -> list[SourceBudget]:
    """Each funding source of the programme (by position) with budget, committed and paid.

    Pass ``transactions`` (already restricted to the user) to count only the entries they may see."""
    if transactions is None:
        transactions = FundingTransaction.objects.all()
    sums = {
        (row["source_id"], row["kind"]): row["total"]
        for row in transactions.filter(programme=programme)
        .order_by()
        .values("source_id", "kind")
        .annotate(total=Sum("amount"))
    }
    return [
        SourceBudget(
            source=source,
            budget=_cents(source.amount),
            committed=_cents(sums.get((source.pk, FundingTransaction.Kind.COMMITTED))),
            paid=_cents(sums.get((source.pk, FundingTransaction.Kind.PAID))),
        )
        for source in programme.funding_sources.order_by("position", "pk")
    ]


def over_budget(budgets: Iterable[SourceBudget]) -> list[SourceBudget]:
    """The sources whose commitments or payments exceed their budget."""
    return [row for row in budgets if row.is_over]


def source_budget(source: FundingSource, *, extra: Iterable[tuple[str, Decimal]] = ()) -> SourceBudget:
    """One source from its whole ledger, plus ``extra`` (kind, amount) entries not yet recorded."""
    sums = dict(
        FundingTransaction.objects.filter(source=source)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    committed = _cents(sums.get(FundingTransaction.Kind.COMMITTED))
    paid = _cents(sums.get(FundingTransaction.Kind.PAID))
    for kind, amount in extra:
        if kind == FundingTransaction.Kind.COMMITTED:
            committed += _cents(amount)
        elif kind == FundingTransaction.Kind.PAID:
            paid += _cents(amount)
    return SourceBudget(source=source, budget=_cents(source.amount), committed=committed, paid=paid)


def would_exceed(source: FundingSource, kind: str, amount: Decimal) -> SourceBudget | None:
    """The source as it would stand after recording ``amount`` of ``kind``, when that takes the
    committed or paid sum over the budget (or further over); None when it stays within."""
    after = source_budget(source, extra=[(kind, amount)])
    if after.over_by(kind) > 0 and Decimal(amount) > 0:
        return after
    return None


def projected_over_budget(entries: Iterable[tuple[FundingSource, str, Decimal]]) -> list[tuple[SourceBudget, str]]:
    """The sources that ``entries`` (source, kind, amount) would take over their budget, with the kind
    that goes over: what an import's preview reports."""
    by_source: dict[int, tuple[FundingSource, list[tuple[str, Decimal]]]] = {}
    for source, kind, amount in entries:
        by_source.setdefault(source.pk, (source, []))[1].append((kind, amount))
    result: list[tuple[SourceBudget, str]] = []
    for source, extra in sorted(by_source.values(), key=lambda pair: (pair[0].position, pair[0].pk)):
        before = source_budget(source)
        after = source_budget(source, extra=extra)
        for kind in (FundingTransaction.Kind.COMMITTED, FundingTransaction.Kind.PAID):
            if after.over_by(kind) > before.over_by(kind):
                result.append((after, kind))
    return result
