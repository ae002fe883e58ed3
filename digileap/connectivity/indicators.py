"""What connectivity adds to the programmes' indicators (``digileap.programmes.indicators``):

- ``connectivity_schools_surveyed`` ("Schools surveyed"): the distinct schools with a submitted
  survey answer in the programme's campaigns (parameter ``campaign``: one campaign, its code), each
  counted from the day of its first submitted answer (``submitted_at``);
- ``connectivity_schools_measured`` ("Schools measured"): the distinct schools of the programme's
  authority or of its campaigns with at least ``min_tests`` speed tests (default 1) in the daily
  measurement summaries (``DailyAggregate``) up to the day; with ``campaign``, only that campaign's
  schools;
- ``connectivity_schools_meeting`` ("Schools meeting a benchmark"): the schools whose status is
  *meets* for the benchmark ``benchmark`` (its code) in the latest analysis run of each of the
  programme's campaigns (or of ``campaign``) computed on or before the day;
- ``connectivity_wifi_share`` ("Classrooms with Wi-Fi"): the classrooms with usable Wi-Fi as a
  percentage of the classrooms, over the submitted answers (the newest answer of each school and
  site), two decimals.

The data keep their dates (submission times, measurement days, the time a run was computed), so a
burn-up can be backfilled. Per-period targets count from their period's start. Each kind also gives
``per_school`` (school id -> value) for the programme's map. Documented for people in
``docs/connectivity-indicators.md``.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import jsonschema
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digileap.programmes.indicators import IndicatorKind, Records, plain_schema, register_indicator_kind

from .models import AnalysisRun, CampaignSchool, DailyAggregate, SchoolStatus, Status, SurveyResponse

HUNDREDTH = Decimal("0.01")
ONE = Decimal(1)

CAMPAIGN_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 40,
    "title": _("Campaign"),
    "description": _("The code of one of the programme's connectivity campaigns; empty: every campaign."),
}
MIN_TESTS_SCHEMA = {
    "type": "integer",
    "minimum": 1,
    "maximum": 100000,
    "title": _("At least this many tests"),
    "description": _("A school counts once it has this many speed tests up to the day; empty: 1."),
}
BENCHMARK_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 40,
    "title": _("Benchmark"),
    "description": _("The code of one of the programme's benchmarks, e.g. eu-gigabit."),
}


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the installation's time zone."""
    return day_start(day + datetime.timedelta(days=1))


def _local_day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _parameters(target) -> dict:
    """The indicator's parameters; the live preview's target and indicator are not saved (no key)."""
    indicator = target.indicator
    return (indicator.parameters or {}) if indicator is not None else {}


def _share(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, two decimals (0 when there is no whole)."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


class ConnectivityKind(IndicatorKind):
    """What the four kinds share: the parameters' validation with a message naming the parameter."""

    def validate_parameters(self, parameters: dict) -> None:
        if not isinstance(parameters, dict):
            raise ValidationError({"parameters": _("Give the parameters as a JSON object.")})
        validator = jsonschema.Draft202012Validator(plain_schema(self.parameter_schema))
        error = jsonschema.exceptions.best_match(validator.iter_errors(parameters))
        if error is None:
            return
        where = ".".join(str(part) for part in error.absolute_path)
        message = error.message
        if where:
            message = _("%(parameter)s: %(problem)s") % {"parameter": where, "problem": error.message}
        raise ValidationError({"parameters": message})

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        raise NotImplementedError


# --- schools surveyed ---------------------------------------------------------------------------------


def submitted_answers(target, as_of: datetime.date) -> QuerySet:
    """The submitted survey answers of the target's programme (of the ``campaign`` parameter, if
    given) submitted in the target's counting window up to ``as_of``."""
    start, end = target.counting_window(as_of)
    answers = SurveyResponse.objects.filter(
        campaign__programme_id=target.programme_id,
        state=SurveyResponse.State.SUBMITTED,
        submitted_at__lt=day_end(end),
    )
    if start is not None:
        answers = answers.filter(submitted_at__gte=day_start(start))
    campaign = _parameters(target).get("campaign")
    if campaign:
        answers = answers.filter(campaign__code=campaign)
    return answers.order_by()


class SchoolsSurveyed(ConnectivityKind):
    """The distinct schools with a submitted survey answer in the programme's campaigns by the day."""

    code = "connectivity_schools_surveyed"
    label = _("Schools surveyed")
    description = _(
        "Schools that submitted a connectivity survey answer in the programme's campaigns (or in one "
        "campaign), each counted from the day of its first submitted answer."
    )
    unit = _("schools")
    parameter_schema = {
        "type": "object",
        "properties": {"campaign": CAMPAIGN_SCHEMA},
        "additionalProperties": False,
    }

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return Decimal(submitted_answers(target, as_of).values("school_id").distinct().count())

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        schools = submitted_answers(target, as_of).values_list("school_id", flat=True).distinct()
        return dict.fromkeys(schools, ONE)

    def records(self, target, as_of: datetime.date) -> Records:
        """One row per school: its first submission's day, the campaigns it answered in, and the
        totals of its answers counted (an answer per site, or one for the school as a whole)."""
        answers = submitted_answers(target, as_of).order_by("school__number", "school_id", "submitted_at", "pk")
        rows = answers.values_list(
            "school_id", "school__number", "school__name", "campaign__code", "submitted_at", "classrooms",
            "classrooms_wifi", "access_points",
        )  # fmt: skip

        def formatted():
            current = None
            for school_id, number, name, campaign, submitted_at, classrooms, wifi, access_points in rows.iterator(
                chunk_size=2000
            ):
                if current is not None and current[0] != school_id:
                    yield _surveyed_row(current)
                if current is None or current[0] != school_id:
                    current = [school_id, number, name, [], submitted_at, 0, 0, 0, 0]
                if campaign not in current[3]:
                    current[3].append(campaign)
                current[5] += 1
                current[6] += classrooms
                current[7] += wifi
                current[8] += access_points
            if current is not None:
                yield _surveyed_row(current)

        columns = [
            "school_number", "school_name", "campaigns", "first_submitted_on", "answers", "classrooms",
            "classrooms_wifi", "access_points",
        ]  # fmt: skip
        return Records(columns, formatted())


def _surveyed_row(current: list) -> tuple:
    _school_id, number, name, campaigns, first_at, answers, classrooms, wifi, access_points = current
    return (number, name, " ".join(campaigns), _local_day(first_at), answers, classrooms, wifi, access_points)


# --- schools measured ---------------------------------------------------------------------------------


class SchoolsMeasured(ConnectivityKind):
    """The distinct schools with at least ``min_tests`` speed tests in the daily summaries by the day."""

    code = "connectivity_schools_measured"
    label = _("Schools measured")
    description = _(
        "Schools of the programme's authority or of its connectivity campaigns (or of one campaign) with "
        "at least one speed test (or the number given) up to the day, counted from the daily measurement "
        "summaries."
    )
    unit = _("schools")
    parameter_schema = {
        "type": "object",
        "properties": {"campaign": CAMPAIGN_SCHEMA, "min_tests": MIN_TESTS_SCHEMA},
        "additionalProperties": False,
    }

    def per_school_summaries(self, target, as_of: datetime.date) -> QuerySet:
        """One row per school counted: ``school_id``, ``tests``, ``days``, ``first_day``, ``last_day``
        and ``mean_median`` (the mean of its daily download medians)."""
        parameters = _parameters(target)
        start, end = target.counting_window(as_of)
        campaigns = CampaignSchool.objects.filter(campaign__programme_id=target.programme_id)
        campaign = parameters.get("campaign")
        if campaign:
            schools = Q(school__in=campaigns.filter(campaign__code=campaign).values("school_id"))
        else:
            schools = Q(school__authority_id=target.programme.authority_id) | Q(
                school__in=campaigns.values("school_id")
            )
        summaries = DailyAggregate.objects.filter(schools, day__lte=end)
        if start is not None:
            summaries = summaries.filter(day__gte=start)
        return (
            summaries.order_by()
            .values("school_id")
            .annotate(
                tests=Sum("tests"),
                days=Count("day", distinct=True),
                first_day=Min("day"),
                last_day=Max("day"),
                mean_median=Avg("download_median"),
            )
            .filter(tests__gte=parameters.get("min_tests") or 1)
        )

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return Decimal(self.per_school_summaries(target, as_of).count())

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        return dict.fromkeys(self.per_school_summaries(target, as_of).values_list("school_id", flat=True), ONE)

    def records(self, target, as_of: datetime.date) -> Records:
        from digileap.schools.models import School

        summaries = self.per_school_summaries(target, as_of)
        names = {
            pk: (number, name)
            for pk, number, name in School.objects.filter(pk__in=summaries.values("school_id")).values_list(
                "pk", "number", "name"
            )
        }
        rows = sorted(
            summaries.values_list("school_id", "first_day", "last_day", "days", "tests", "mean_median"),
            key=lambda row: (names[row[0]][0], row[0]),
        )

        def formatted():
            for school_id, first_day, last_day, days, tests, mean_median in rows:
                number, name = names[school_id]
                mean = Decimal(str(mean_median)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
                yield (number, name, first_day.isoformat(), last_day.isoformat(), days, tests, str(mean))

        columns = [
            "school_number", "school_name", "first_measured_on", "last_measured_on", "days", "tests",
            "mean_daily_median_download_mbps",
        ]  # fmt: skip
        return Records(columns, formatted())


# --- schools meeting a benchmark --------------------------------------------------------------------


def latest_runs(target, as_of: datetime.date) -> QuerySet:
    """The latest analysis run of each of the programme's campaigns (of ``campaign``, if given)
    computed on or before ``as_of`` (for a per-period target, from the period's start)."""
    start, end = target.counting_window(as_of)
    runs = AnalysisRun.objects.filter(campaign__programme_id=target.programme_id, computed_at__lt=day_end(end))
    if start is not None:
        runs = runs.filter(computed_at__gte=day_start(start))
    campaign = _parameters(target).get("campaign")
    if campaign:
        runs = runs.filter(campaign__code=campaign)
    newest = runs.filter(campaign_id=OuterRef("campaign_id")).order_by("-computed_at", "-pk").values("pk")[:1]
    return runs.filter(pk=Subquery(newest)).order_by()


class SchoolsMeeting(ConnectivityKind):
    """The schools whose status for a benchmark is *meets* in the latest analysis by the day."""

    code = "connectivity_schools_meeting"
    label = _("Schools meeting a benchmark")
    description = _(
        "Schools whose measured speed meets one of the programme's benchmarks in the latest connectivity "
        "analysis computed on or before the day (of every campaign, or of one)."
    )
    unit = _("schools")
    parameter_schema = {
        "type": "object",
        "properties": {"benchmark": BENCHMARK_SCHEMA, "campaign": CAMPAIGN_SCHEMA},
        "required": ["benchmark"],
        "additionalProperties": False,
    }

    def statuses(self, target, as_of: datetime.date) -> QuerySet:
        benchmark = _parameters(target).get("benchmark")
        if not benchmark:
            raise ValidationError({"parameters": _("Choose the benchmark the schools must meet.")})
        return SchoolStatus.objects.filter(
            run__in=latest_runs(target, as_of),
            benchmark__programme_id=target.programme_id,
            benchmark__code=benchmark,
            status=Status.MEETS,
        ).order_by()

    def compute(self, target, as_of: datetime.date) -> Decimal:
        return Decimal(self.statuses(target, as_of).values("school_id").distinct().count())

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        return dict.fromkeys(self.statuses(target, as_of).values_list("school_id", flat=True).distinct(), ONE)

    def records(self, target, as_of: datetime.date) -> Records:
        """A row per school and campaign whose latest run says it meets the benchmark."""
        rows = (
            self.statuses(target, as_of)
            .order_by("school__number", "school_id", "run__campaign__code")
            .values_list(
                "school__number",
                "school__name",
                "run__campaign__code",
                "run__as_of",
                "run__computed_at",
                "benchmark__code",
                "measured_mbps",
                "required_mbps",
                "tests",
                "days",
            )  # fmt: skip
        )

        def formatted():
            for number, name, campaign, run_as_of, computed_at, code, measured, required, tests, days in rows:
                yield (
                    number, name, campaign, run_as_of.isoformat(), _local_day(computed_at), code,
                    "" if measured is None else f"{measured:.2f}", "" if required is None else f"{required:.2f}",
                    tests, days,
                )  # fmt: skip

        columns = [
            "school_number", "school_name", "campaign", "analysis_as_of", "computed_on", "benchmark",
            "measured_download_mbps", "required_download_mbps", "tests", "days",
        ]  # fmt: skip
        return Records(columns, formatted())


# --- the share of classrooms with Wi-Fi ----------------------------------------------------------------


class WifiShare(ConnectivityKind):
    """Classrooms with usable Wi-Fi as a percentage of the classrooms in the submitted answers."""

    code = "connectivity_wifi_share"
    label = _("Classrooms with Wi-Fi")
    description = _(
        "The classrooms with usable Wi-Fi as a percentage of all classrooms, over the submitted survey "
        "answers of the programme's campaigns (or of one campaign); where a school answered again, its "
        "newest answer counts."
    )
    unit = "%"
    parameter_schema = {
        "type": "object",
        "properties": {"campaign": CAMPAIGN_SCHEMA},
        "additionalProperties": False,
    }

    def answers(self, target, as_of: datetime.date) -> list[tuple]:
        """The newest submitted answer of each school and site: (school id, number, name, site,
        campaign, submitted_at, classrooms, classrooms with Wi-Fi), by school number."""
        rows = (
            submitted_answers(target, as_of)
            .order_by("school__number", "school_id", "site__name", "site_id", "-submitted_at", "-pk")
            .values_list(
                "school_id",
                "school__number",
                "school__name",
                "site_id",
                "site__name",
                "campaign__code",
                "submitted_at",
                "classrooms",
                "classrooms_wifi",
            )  # fmt: skip
        )
        newest: dict[tuple, tuple] = {}
        for school_id, number, name, site_id, site, campaign, submitted_at, classrooms, wifi in rows:
            newest.setdefault(
                (school_id, site_id), (school_id, number, name, site or "", campaign, submitted_at, classrooms, wifi)
            )
        return list(newest.values())

    def compute(self, target, as_of: datetime.date) -> Decimal:
        answers = self.answers(target, as_of)
        return _share(sum(row[7] for row in answers), sum(row[6] for row in answers))

    def per_school(self, target, as_of: datetime.date) -> dict[int, Decimal]:
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for school_id, *_rest, classrooms, wifi in self.answers(target, as_of):
            totals[school_id][0] += wifi
            totals[school_id][1] += classrooms
        return {school_id: _share(wifi, classrooms) for school_id, (wifi, classrooms) in totals.items()}

    def records(self, target, as_of: datetime.date) -> Records:
        rows = [
            (number, name, site, campaign, _local_day(submitted_at), classrooms, wifi, str(_share(wifi, classrooms)))
            for _school_id, number, name, site, campaign, submitted_at, classrooms, wifi in self.answers(target, as_of)
        ]
        columns = [
            "school_number", "school_name", "site", "campaign", "submitted_on", "classrooms", "classrooms_wifi",
            "wifi_share_percent",
        ]  # fmt: skip
        return Records(columns, rows)


register_indicator_kind(SchoolsSurveyed())
register_indicator_kind(SchoolsMeasured())
register_indicator_kind(SchoolsMeeting())
register_indicator_kind(WifiShare())
