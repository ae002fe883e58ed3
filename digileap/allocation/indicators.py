"""What allocation adds to the programmes' indicators (``digileap.programmes.indicators``):

- the money measure ``allocated``: the lines of the approved (or published) versions of a
  programme's money rounds, dated on the day of approval, for the ``money`` kind;
- the reach source ``allocation``: a school is reached on the day a version that gives it
  something (money or devices) is approved, for the ``schools_reached`` kind.

Only the approved version of a round counts; computed drafts never move a target.
"""

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.translation import gettext_lazy as _

from digileap.programmes.indicators import MoneyMeasure, ReachSource, register_money_measure, register_reach_source

from .models import AllocationLine, AllocationRound, AllocationVersion

COUNTING = [AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED]


def _counting_lines(target) -> QuerySet:
    return AllocationLine.objects.filter(
        version__round__programme_id=target.programme_id, version__status__in=COUNTING, amount__gt=0
    ).annotate(date=TruncDate("version__approved_at"))


def _window(queryset: QuerySet, start, end) -> QuerySet:
    queryset = queryset.filter(date__lte=end)
    return queryset if start is None else queryset.filter(date__gte=start)


def allocated_entries(target, start, end, parameters: dict) -> QuerySet:
    lines = _counting_lines(target).filter(version__round__resource=AllocationRound.Resource.MONEY)
    lines = lines.annotate(
        reference=Concat(
            F("version__round__code"),
            Value(" v"),
            Cast("version__number", output_field=CharField()),
            output_field=CharField(),
        )
    )
    return _window(lines, start, end)


def allocation_reach(target, start, end, parameters: dict) -> QuerySet:
    return _window(_counting_lines(target), start, end).annotate(reached_on=F("date"))


register_money_measure(
    MoneyMeasure("allocated", _("Allocated"), allocated_entries, source_path="version__round__funding_source")
)
register_reach_source(ReachSource("allocation", _("An approved allocation"), allocation_reach))
