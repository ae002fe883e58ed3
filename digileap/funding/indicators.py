"""What funding adds to the programmes' indicators (``digileap.programmes.indicators``):

- the kind ``funding_money`` ("Money by funding call"): the funding **requested**, **approved**,
  **claimed** or **paid** in the programme's calls (parameter ``stage``), optionally in one call
  (parameter ``call``, its code), in EUR;
- the kind ``schools_funded`` ("Schools funded"): the distinct schools with an approved grant,
  optionally in one call, each reached on the day of its first grant;
- the reach source ``grants`` for the ``schools_reached`` kind: the same schools, so that a target
  may count schools reached by grants together with payments, allocations or devices.

What counts on a day (the data keep their dates, so a burn-up can be backfilled):

- *requested*: the funding of the cost lines of every application submitted on or before the day
  (dated by its first submission), unless it was withdrawn on or before the day. Rejected
  applications still count: the money was asked for. The lines are the application's current ones.
- *approved*: per application, the latest decision made on or before the day (so an amendment
  counts from its day, a rejection counts 0), dated by the first decision.
- *claimed*: the funding of claims submitted on or before the day that are submitted, approved or
  paid now (a claim returned to the operator does not count).
- *paid*: the funding of claims paid on or before the day (their payment date).
- A school is *funded* by a grant line with funding approved (more than 0) for it, or, for a line
  of the operator as a whole, by being one of the schools of the grant's application; it is
  reached on the day the grant was made (the first such grant in the counting window).

The parameter is called ``stage``, not ``measure``: the target form gives every parameter named
``measure`` the money measures of the ``money`` kind as its choices (``target_forms.DYNAMIC_CHOICES``).
Documented for people in ``docs/funding-indicators.md``.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digileap.programmes.indicators import (
    ENUM_LABELS,
    IndicatorKind,
    ReachSource,
    Records,
    plain_schema,
    register_indicator_kind,
    register_reach_source,
)

from .models import (
    Application,
    ApplicationEvent,
    ApplicationSchool,
    ApplicationState,
    Claim,
    ClaimState,
    CostLine,
    Decision,
    GrantLine,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

REQUESTED = "requested"
APPROVED = "approved"
CLAIMED = "claimed"
PAID = "paid"
STAGES = {
    REQUESTED: _("Funding requested"),
    APPROVED: _("Funding approved"),
    CLAIMED: _("Funding claimed"),
    PAID: _("Funding paid"),
}
CLAIMED_STATES = [ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID]

CALL_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 40,
    "title": _("Funding call"),
    "description": _("The code of one of the programme's calls; empty: every call of the programme."),
}
STAGE_SCHEMA = {
    "type": "string",
    "enum": list(STAGES),
    ENUM_LABELS: STAGES,
    "title": _("Measure"),
    "description": _(
        "Which money counts: requested in submitted applications, approved by decisions, claimed, or paid."
    ),
}


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the installation's time zone."""
    return day_start(day + datetime.timedelta(days=1))


def _validate(schema: dict, parameters: dict) -> None:
    """Check ``parameters`` against ``schema``; the message names the parameter."""
    import jsonschema

    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": _("Give the parameters as a JSON object.")})
    validator = jsonschema.Draft202012Validator(plain_schema(schema))
    error = jsonschema.exceptions.best_match(validator.iter_errors(parameters))
    if error is None:
        return
    where = ".".join(str(part) for part in error.absolute_path)
    message = error.message
    if where:
        message = _("%(parameter)s: %(problem)s") % {"parameter": where, "problem": error.message}
    raise ValidationError({"parameters": message})


def _parameters(target) -> dict:
    """The indicator's parameters; the live preview's target and indicator are not saved (no key)."""
    indicator = target.indicator
    return indicator.parameters if indicator is not None else {}


def _local_day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


class FundingMoney(IndicatorKind):
    """The funding requested, approved, claimed or paid in the programme's calls, in EUR."""

    code = "funding_money"
    label = _("Money by funding call")
    description = _(
        "The funding requested in submitted applications, approved by decisions, claimed or paid, in EUR, "
        "in every call of the programme or in one."
    )
    unit = "EUR"
    parameter_schema = {
        "type": "object",
        "properties": {"stage": STAGE_SCHEMA, "call": CALL_SCHEMA},
        "required": ["stage"],
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        _validate(self.parameter_schema, parameters)

    # -- the entries of each stage: querysets with ``amount`` and ``counted_at`` ------------------

    def _applications(self, target) -> QuerySet:
        applications = Application.objects.filter(call__programme_id=target.programme_id)
        call = _parameters(target).get("call")
        return applications.filter(call__code=call) if call else applications

    def _requested(self, target, start, end) -> QuerySet:
        events = ApplicationEvent.objects.filter(application=OuterRef("pk"))
        first_submitted = (
            events.filter(to_state=ApplicationState.SUBMITTED).order_by("occurred_at", "id").values("occurred_at")[:1]
        )
        withdrawn = events.filter(to_state=ApplicationState.WITHDRAWN, occurred_at__lt=day_end(end))
        requested = CostLine.objects.filter(application=OuterRef("pk")).order_by().values("application")
        requested_total = requested.annotate(total=Sum("funding")).values("total")
        applications = (
            self._applications(target)
            .annotate(counted_at=Subquery(first_submitted), amount=Coalesce(Subquery(requested_total), ZERO))
            .filter(counted_at__lt=day_end(end))
            .exclude(Exists(withdrawn))
        )
        return applications.filter(counted_at__gte=day_start(start)) if start else applications

    def _approved(self, target, start, end) -> QuerySet:
        decisions = Decision.objects.filter(application=OuterRef("pk"), decided_at__lt=day_end(end))
        latest = decisions.order_by("-number").values("approved_total")[:1]
        first = decisions.order_by("number").values("decided_at")[:1]
        applications = (
            self._applications(target)
            .annotate(counted_at=Subquery(first), amount=Subquery(latest))
            .filter(counted_at__isnull=False)
        )
        return applications.filter(counted_at__gte=day_start(start)) if start else applications

    def _claims(self, target) -> QuerySet:
        claims = Claim.objects.filter(grant__call__programme_id=target.programme_id)
        call = _parameters(target).get("call")
        return claims.filter(grant__call__code=call) if call else claims

    def _claimed(self, target, start, end) -> QuerySet:
        claims = self._claims(target).filter(state__in=CLAIMED_STATES, submitted_at__lt=day_end(end))
        claims = claims.annotate(counted_at=F("submitted_at"))
        return claims.filter(submitted_at__gte=day_start(start)) if start else claims

    def _paid(self, target, start, end) -> QuerySet:
        claims = self._claims(target).filter(state=ClaimState.PAID, paid_on__lte=end)
        claims = claims.annotate(counted_at=F("paid_on"))
        return claims.filter(paid_on__gte=start) if start else claims

    def entries(self, target, as_of: datetime.date) -> QuerySet:
        """What counts toward the value on ``as_of``: applications (requested, approved) or claims
        (claimed, paid), each with ``amount`` and ``counted_at``."""
        start, end = target.counting_window(as_of)
        stage = _parameters(target).get("stage")
        method = {REQUESTED: self._requested, APPROVED: self._approved, CLAIMED: self._claimed, PAID: self._paid}
        if stage not in method:
            raise ValidationError({"parameters": _("Choose which money counts: requested, approved, claimed or paid.")})
        return method[stage](target, start, end).order_by()

    def compute(self, target, as_of: datetime.date) -> Decimal:
        total = self.entries(target, as_of).aggregate(total=Sum("amount"))["total"]
        # SQLite adds decimals as floating point: money is exact to the cent.
        return Decimal(total or 0).quantize(CENT)

    def records(self, target, as_of: datetime.date) -> Records:
        stage = _parameters(target).get("stage")
        entries = self.entries(target, as_of)
        if stage in (REQUESTED, APPROVED):
            columns = ["call", "operator_code", "operator", "application", "state", "counted_on", "amount_eur"]
            rows = entries.order_by("call__code", "operator__code", "number", "pk").values_list(
                "call__code", "operator__code", "operator__name", "number", "state", "counted_at", "amount"
            )
        else:
            columns = ["call", "operator_code", "operator", "grant", "claim", "state", "counted_on", "amount_eur"]
            rows = entries.order_by("grant__call__code", "grant__number", "number", "pk").values_list(
                "grant__call__code",
                "grant__operator__code",
                "grant__operator__name",
                "grant__number",
                "number",
                "state",
                "counted_at",
                "amount",
            )

        def formatted():
            for *head, counted_at, amount in rows:
                if isinstance(counted_at, datetime.datetime):
                    counted_on = _local_day(counted_at)
                else:  # a payment date
                    counted_on = counted_at.isoformat() if counted_at else ""
                yield (*[str(value) for value in head], counted_on, str(Decimal(amount or 0).quantize(CENT)))

        return Records(columns, formatted())


# --- schools funded --------------------------------------------------------------------------------


def funded_schools(programme_id: int, start: datetime.date | None, end: datetime.date, call: str = "") -> QuerySet:
    """The schools with an approved grant of the programme (of the call ``call``, if given) made
    from ``start`` (None: the beginning) to ``end``: a queryset of ``School`` with ``school_id``,
    ``reached_at`` (the moment of the first such grant) and ``reached_on`` (its day)."""
    from digileap.schools.models import School

    lines = GrantLine.objects.filter(
        grant__call__programme_id=programme_id, approved__gt=0, grant__created_at__lt=day_end(end)
    )
    if start is not None:
        lines = lines.filter(grant__created_at__gte=day_start(start))
    if call:
        lines = lines.filter(grant__call__code=call)
    own = lines.filter(school=OuterRef("pk")).order_by("grant__created_at").values("grant__created_at")[:1]
    wide = (
        lines.filter(school__isnull=True, grant__application__application_schools__school=OuterRef("pk"))
        .order_by("grant__created_at")
        .values("grant__created_at")[:1]
    )
    candidates = ApplicationSchool.objects.filter(
        application__grant__isnull=False, application__call__programme_id=programme_id
    )
    if call:
        candidates = candidates.filter(application__call__code=call)
    own_at = Subquery(own, output_field=DateTimeField())
    wide_at = Subquery(wide, output_field=DateTimeField())
    return (
        School.objects.filter(pk__in=candidates.values("school_id"))
        .annotate(own_at=own_at, wide_at=wide_at)
        .filter(Q(own_at__isnull=False) | Q(wide_at__isnull=False))
        # The earlier of the two; either may be missing (SQLite's MIN of a NULL is NULL).
        .annotate(
            school_id=F("pk"),
            reached_at=Least(Coalesce("own_at", "wide_at"), Coalesce("wide_at", "own_at")),
        )
        .annotate(reached_on=TruncDate("reached_at"))
    )


class SchoolsFunded(IndicatorKind):
    """The distinct schools with an approved grant of the programme's calls by the day."""

    code = "schools_funded"
    label = _("Schools funded")
    description = _(
        "Schools with an approved grant of the programme's funding calls (a cost line of the school, or a "
        "line of the operator as a whole for every school of the application), each counted from the day "
        "of its first grant; optionally in one call."
    )
    unit = _("schools")
    parameter_schema = {
        "type": "object",
        "properties": {"call": CALL_SCHEMA},
        "additionalProperties": False,
    }

    def validate_parameters(self, parameters: dict) -> None:
        _validate(self.parameter_schema, parameters)

    def schools(self, target, as_of: datetime.date) -> QuerySet:
        start, end = target.counting_window(as_of)
        return funded_schools(target.programme_id, start, end, _parameters(target).get("call", ""))

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return Decimal(self.schools(target, as_of).order_by().count())

    def records(self, target, as_of: datetime.date) -> Records:
        rows = (
            self.schools(target, as_of)
            .order_by("number", "pk")
            .values_list("number", "name", "operator__code", "operator__name", "reached_at")
        )

        def formatted():
            for number, name, operator_code, operator_name, reached_at in rows.iterator(chunk_size=2000):
                yield (number, name, operator_code, operator_name, _local_day(reached_at))

        return Records(["school_number", "school_name", "operator_code", "operator", "reached_on"], formatted())


def grants_reach(target, start, end, parameters: dict) -> QuerySet:
    """Schools reached by an approved grant of the programme, on the day of the grant (for the
    ``schools_reached`` kind)."""
    return funded_schools(target.programme_id, start, end)


register_indicator_kind(FundingMoney())
register_indicator_kind(SchoolsFunded())
register_reach_source(ReachSource("grants", _("An approved grant of a funding call"), grants_reach))
