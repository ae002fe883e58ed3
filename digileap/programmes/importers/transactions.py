"""Commitments and payments from a CSV or XLSX file: the ``transactions`` target of the tabular engine.

Each row is one entry of a programme's ledger: ``source`` (the funding source's name in any of
its languages, or its position), ``kind`` (commitment or payment, in any of the five languages),
``amount`` (EUR), ``date``, optional ``school`` (official number) and ``reference``. The programme
comes from ``programme`` (a column, or the override the programme's import page gives).

A row is identified by everything it says: programme, source, kind, date, amount, school and
reference. A row whose twin is already recorded is *unchanged*; a file that names the same entry
twice records it twice, and importing that file again finds both (the counts are compared), so a
re-import changes nothing. The ledger is never edited: a correction is a further entry.

Rows that take a source's commitments or payments over its budget are let through with a warning
naming the line (``Plan.warnings``); the programme's import page shows them before the user
confirms. Every row is written through ``services.funding_transaction_record`` (one audited
entry each), inside the engine's transaction: all rows or none.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core.permissions import Action, permits
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import RowError
from digileap.core.tabular.fields import CHECKED, STORED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.schools.models import School

from ..budget import SourceBudget, source_budget
from ..models import FundingSource, FundingTransaction, Programme

TARGET = "transactions"
register_profile_dir(TARGET, Path(__file__).resolve().parent.parent / "import_profiles" / TARGET)

CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # the column holds 14 digits, 2 after the point
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
# The words a file uses for the two kinds, in the five languages (compared without case).
KIND_WORDS = {
    FundingTransaction.Kind.COMMITTED: (
        "committed",
        "commitment",
        "commit",
        "vastgelegd",
        "vastlegging",
        "engagement",
        "engagé",
        "engage",
        "gebunden",
        "bindung",
        "mittelbindung",
        "saistības",
        "apņemts",
    ),
    FundingTransaction.Kind.PAID: (
        "paid",
        "payment",
        "pay",
        "betaald",
        "betaling",
        "paiement",
        "payé",
        "paye",
        "gezahlt",
        "zahlung",
        "auszahlung",
        "samaksāts",
        "maksājums",
    ),
}
_KINDS = {word: kind for kind, words in KIND_WORDS.items() for word in words}

FIELDS = (
    FieldSpec(
        "programme",
        gettext_lazy("Programme"),
        kept=CHECKED,
        aliases=("Programme", "Program", "Programm", "Programma", "Programmas kods"),
        help=gettext_lazy("The programme's code; given by the page when the file is imported from a programme."),
    ),
    FieldSpec(
        "source",
        gettext_lazy("Funding source"),
        kept=CHECKED,
        required=True,
        aliases=(
            "Funding source",
            "Source",
            "Financieringsbron",
            "Bron",
            "Source de financement",
            "Finanzierungsquelle",
            "Quelle",
            "Finansējuma avots",
        ),
        help=gettext_lazy("The funding source's name in any of its languages, or its position (1, 2, ...)."),
    ),
    FieldSpec(
        "kind",
        gettext_lazy("Kind"),
        required=True,
        aliases=("Kind", "Type", "Soort", "Art", "Veids"),
        help=gettext_lazy("commitment or payment (committed, paid; also in Dutch, French, German and Latvian)."),
    ),
    FieldSpec(
        "amount",
        gettext_lazy("Amount (EUR)"),
        type="decimal",
        required=True,
        minimum=-MAX_AMOUNT,
        maximum=MAX_AMOUNT,
        aliases=("Amount", "Bedrag", "Montant", "Betrag", "Summa"),
        help=gettext_lazy("In EUR, with at most two decimals; not zero (a correction is a negative amount)."),
    ),
    FieldSpec(
        "date",
        gettext_lazy("Date"),
        type="date",
        required=True,
        aliases=("Date", "Datum", "Datums"),
        help=gettext_lazy("The day of the commitment or payment (2024-10-01 or 01.10.2024)."),
    ),
    FieldSpec(
        "school",
        gettext_lazy("School number"),
        kept=CHECKED,
        aliases=("School", "School number", "Schulnummer", "Schoolnummer", "Numéro d'école", "Skolas numurs"),
        help=gettext_lazy("The official number of the school the money is for, where it is known."),
    ),
    FieldSpec(
        "reference",
        gettext_lazy("Reference"),
        max_length=FundingTransaction._meta.get_field("reference").max_length,
        aliases=("Reference", "Referentie", "Référence", "Referenz", "Atsauce"),
        help=gettext_lazy("The decision, invoice or payment reference."),
    ),
)
assert {spec.kept for spec in FIELDS} <= {CHECKED, STORED}


def parse_date(value: Any) -> datetime.date:
    """A date cell: ``2024-10-01``, ``01.10.2024``, ``01/10/2024``, ``01-10-2024`` (day first), or an
    Excel date (``2024-10-01 00:00:00``). Raises ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) > 10 and text[10] in " T":
        text = text[:10]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("%(value)r is not a date (use 2024-10-01 or 01.10.2024)") % {"value": str(value)})


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# (programme id, source id, kind, date, amount, school id, reference): what identifies an entry.
EntryKey = tuple[int, int, str, datetime.date, Decimal, int | None, str]


@dataclass
class TransactionsPlan:
    """The entries to record, in file order: (line, key), and the sources they go to."""

    rows: list[tuple[int, EntryKey]] = field(default_factory=list)
    sources: dict[int, FundingSource] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    programmes: dict[int, Programme] = field(default_factory=dict)
    # The sources these entries take over their budget: (the source as it would stand, kind, line).
    over_budget: list[tuple[SourceBudget, str, int]] = field(default_factory=list)


class TransactionImporter(Importer):
    target = TARGET
    label = gettext_lazy("Commitments and payments")
    model = FundingTransaction
    fields = FIELDS

    def __init__(self, *, profile, actor) -> None:
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        self._programmes: dict[str, Programme | None] = {}
        self._sources: dict[int, list[FundingSource]] = {}
        self._schools: dict[int, dict[str, School]] = {}

    def column(self, name: str) -> str:
        return self.column_of.get(name, name)

    def _programme(self, code: str) -> Programme | None:
        if code not in self._programmes:
            programme = Programme.objects.filter(code=code).first()
            if programme is not None and not permits(self.actor, Action.VIEW, programme):
                programme = None  # outside the scope: as if it did not exist
            self._programmes[code] = programme
        return self._programmes[code]

    def _source(self, programme: Programme, text: str) -> FundingSource | None:
        if programme.pk not in self._sources:
            self._sources[programme.pk] = list(programme.funding_sources.order_by("position", "pk"))
        sources = self._sources[programme.pk]
        wanted = _key(text)
        if wanted.isdigit():
            by_position = [s for s in sources if s.position == int(wanted)]
            if len(by_position) == 1:
                return by_position[0]
        matches = [s for s in sources if wanted in {_key(name) for name in (s.name or {}).values() if name}]
        if not matches:
            matches = [s for s in sources if _key(s.display_name) == wanted]
        return matches[0] if len(matches) == 1 else None

    def _school(self, programme: Programme, number: str) -> School | None:
        if programme.authority_id not in self._schools:
            self._schools[programme.authority_id] = {
                school.number: school for school in School.objects.filter(authority_id=programme.authority_id)
            }
        return self._schools[programme.authority_id].get(number.strip())

    def _row(self, row: ParsedRow, data: TransactionsPlan) -> tuple[EntryKey | None, list[RowError]]:
        values, line = row.values, row.line
        errors: list[RowError] = []
        code = str(values.get("programme") or "").strip()
        if not code:
            return None, [RowError(line, self.column("programme"), _("name the programme (its code)"))]
        programme = self._programme(code)
        if programme is None:
            return None, [
                RowError(line, self.column("programme"), _("there is no programme %(code)s") % {"code": code}, code)
            ]
        source_text = str(values.get("source") or "")
        source = self._source(programme, source_text)
        if source is None:
            names = "; ".join(f"{s.position}: {s.display_name}" for s in self._sources[programme.pk]) or "–"
            errors.append(
                RowError(
                    line,
                    self.column("source"),
                    _("the programme has no funding source %(value)r (its sources: %(names)s)")
                    % {"value": source_text, "names": names},
                    source_text[:80],
                )
            )
        kind_text = str(values.get("kind") or "")
        kind = _KINDS.get(_key(kind_text))
        if kind is None:
            errors.append(
                RowError(
                    line,
                    self.column("kind"),
                    _("%(value)r is neither a commitment nor a payment") % {"value": kind_text},
                    kind_text[:80],
                )
            )
        amount = values.get("amount")
        if amount is not None:
            amount = Decimal(amount)
            if amount != amount.quantize(CENTS):
                errors.append(
                    RowError(line, self.column("amount"), _("an amount has at most two decimals"), str(amount))
                )
            elif amount == 0:
                errors.append(RowError(line, self.column("amount"), _("an amount is not zero"), str(amount)))
            amount = amount.quantize(CENTS)
        day = None
        try:
            day = parse_date(values.get("date"))
        except ValueError as error:
            errors.append(RowError(line, self.column("date"), str(error), str(values.get("date"))[:80]))
        school = None
        number = str(values.get("school") or "").strip()
        if number:
            school = self._school(programme, number)
            if school is None:
                errors.append(
                    RowError(
                        line,
                        self.column("school"),
                        _("the programme's authority has no school numbered %(number)s") % {"number": number},
                        number,
                    )
                )
        if errors or amount is None or source is None or kind is None or day is None:  # (errors then)
            return None, errors
        probe = FundingTransaction(programme=programme, source=source, school=school, kind=kind, amount=amount)
        if not permits(self.actor, Action.ADD, probe):
            return None, [
                RowError(line, self.column("programme"), _("your role may not record money for this programme"), code)
            ]
        data.programmes[programme.pk] = programme
        data.sources[source.pk] = source
        if school is not None:
            data.schools[school.pk] = school
        reference = " ".join(str(values.get("reference") or "").split())
        return (programme.pk, source.pk, kind, day, amount, school.pk if school else None, reference), []

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        plan = Plan(data=TransactionsPlan())
        data: TransactionsPlan = plan.data
        for row in rows:
            if not row.is_valid:
                plan.rejected.extend(row.errors)
                continue
            key, errors = self._row(row, data)
            if errors:
                plan.rejected.extend(errors)
                continue
            assert key is not None  # a valid row (the amount is a required field) has its key
            data.rows.append((row.line, key))
        recorded = self._recorded({key for _line, key in data.rows})
        seen: Counter = Counter()
        new_rows = []
        for line, key in data.rows:
            seen[key] += 1
            if seen[key] <= recorded[key]:
                plan.unchanged += 1
            else:
                plan.created += 1
                new_rows.append((line, key))
        data.rows = new_rows
        self._warn_over_budget(plan)
        return plan

    def _recorded(self, keys: set[EntryKey]) -> Counter:
        """How many entries of the ledger match each key."""
        counts: Counter = Counter()
        by_source: dict[int, set[EntryKey]] = defaultdict(set)
        for key in keys:
            by_source[key[1]].add(key)
        for source_id, wanted in by_source.items():
            for entry in FundingTransaction.objects.filter(source_id=source_id).values_list(
                "programme_id", "source_id", "kind", "date", "amount", "school_id", "reference"
            ):
                entry_key = (*entry[:4], Decimal(entry[4]).quantize(CENTS), entry[5], entry[6])
                if entry_key in wanted:
                    counts[entry_key] += 1
        return counts

    def _warn_over_budget(self, plan: Plan) -> None:
        data: TransactionsPlan = plan.data
        running: dict[tuple[int, str], Decimal] = {}
        budgets: dict[int, SourceBudget] = {}
        warned: dict[tuple[int, str], int] = {}
        added: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
        for line, key in data.rows:
            source_id, kind, amount = key[1], key[2], key[4]
            if source_id not in budgets:
                budgets[source_id] = source_budget(data.sources[source_id])
            before = budgets[source_id]
            total = running.get(
                (source_id, kind), before.committed if kind == FundingTransaction.Kind.COMMITTED else before.paid
            )
            total += amount
            running[(source_id, kind)] = total
            added[source_id].append((kind, amount))
            if total > before.budget and (source_id, kind) not in warned and amount > 0:
                warned[(source_id, kind)] = line
                plan.warnings.append(
                    RowError(
                        line,
                        self.column("amount"),
                        over_budget_message(data.sources[source_id], kind, total, before.budget),
                        str(amount),
                    )
                )
        for (source_id, kind), line in sorted(warned.items(), key=lambda item: item[1]):
            after = source_budget(data.sources[source_id], extra=added[source_id])
            data.over_budget.append((after, kind, line))

    def commit(self, plan: Plan) -> None:
        from ..services import funding_transaction_record

        data: TransactionsPlan = plan.data
        for line, (programme_id, source_id, kind, day, amount, school_id, reference) in data.rows:
            try:
                funding_transaction_record(
                    actor=self.actor,
                    programme=data.programmes[programme_id],
                    source=data.sources[source_id],
                    kind=kind,
                    amount=amount,
                    date=day,
                    school=data.schools.get(school_id) if school_id else None,
                    reference=reference,
                )
            except (ValidationError, PermissionDenied) as error:
                messages = getattr(error, "messages", [str(error)])
                raise ValidationError(
                    _("line %(line)s: %(message)s") % {"line": line, "message": " ".join(messages)}
                ) from error


def over_budget_message(source: FundingSource, kind: str, total: Decimal, budget: Decimal) -> str:
    """ "EU RRF: committed would reach EUR 11,180,000.00 against a budget of EUR 10,000,000.00 (EUR 1,180,000.00 over)"."""
    from django.utils.formats import number_format

    amounts = {
        "source": source.display_name,
        "total": number_format(total, 2, force_grouping=True),
        "budget": number_format(budget, 2, force_grouping=True),
        "over": number_format(total - budget, 2, force_grouping=True),
    }
    if kind == FundingTransaction.Kind.COMMITTED:
        return (
            _(
                "%(source)s: commitments would reach EUR %(total)s against a budget of EUR %(budget)s (EUR %(over)s over)"
            )
            % amounts
        )
    return (
        _("%(source)s: payments would reach EUR %(total)s against a budget of EUR %(budget)s (EUR %(over)s over)")
        % amounts
    )


register_importer(TransactionImporter)

__all__ = ["TransactionImporter", "over_budget_message", "parse_date"]
