"""The framework of the seed scenarios: a seed programme played at its real size, with its real dates.

How a scenario is written
-------------------------

A scenario is a module in this package with one subclass of :class:`Scenario`, listed once in
``SCENARIOS`` of ``digileap/portal/scenarios/__init__.py`` (name -> "module:Class")::

    import datetime
    from .base import Operator, RegistrySpec, Run, Scenario, SchoolKind, load_registry, record_history

    BRUSSELS = RegistrySpec(
        authority_code="BE-BRU",            # the seed programme's authority (seed_data.AUTHORITIES)
        number_prefix="BRU",                 # invented official numbers: BRU00001, BRU00002, ...
        school_year="2021/22",
        kinds=(SchoolKind("SEC", "Secondary school", (2, 3), count=200, size=(250, 1200)), ...),
        operators=(Operator("FWB", "Fédération Wallonie-Bruxelles", weight=3, languages=("fr",)), ...),
        places=(("Anderlecht", "1070"), ...),
        bbox=(50.78, 4.26, 50.91, 4.45),
        ses_scale="be-bru-ses-index",
        ses=lambda rng: Decimal(...),        # draws one school's index
    )

    class Brussels(Scenario):
        name = "brussels"                    # the NAME of ``manage.py load_seed_scenario NAME``
        programme_code = "brussels-digitale-omkeer"
        seed = 405                           # every random draw derives from it: same data every run

        def steps(self):                     # played in order; each is one transaction
            return [self.registry, self.devices, self.history]

        def registry(self, run: Run) -> None:
            run.add("schools", load_registry(run, BRUSSELS))

        def devices(self, run: Run) -> None:
            rng = run.rng("devices")         # a stream of its own per step
            ...                              # call the domain services with the real dates;
            run.add("devices", n)            # count what was created

        def history(self, run: Run) -> None:
            record_history(run, history_days(datetime.date(2021, 1, 1), run.today))

Rules every scenario keeps:

- **Writes go through the services** (``digileap/<app>/services``), or through the bulk paths the
  services themselves offer (the import engine: :func:`load_registry` for schools,
  :func:`import_deliveries` for delivery files). Dates are the programme's real ones: pass them to
  the services (``ordered_on``, ``date``, ``installed_on``...), and wrap calls that stamp "now"
  (acceptances, approvals, verifications) in ``with clock(moment(day, hour)):``, which makes
  ``timezone.now()`` that moment. :func:`working_days` and :func:`add_working_days` plan the days.
- **Shared helpers**: :func:`ensure_supplier`, :func:`ensure_device_model` (reuses a model the
  demo may have put in the authority's catalogue), :func:`ensure_eligibility_groups`,
  :func:`split_total` (exact shares). Brussels (``brussels.py``) shows orders, delivery files,
  acceptance and access points; Flanders (``flanders.py``) money rounds, payments and
  self-bought purchases.
- **Sizes come from** ``run.count(n)``: ``n`` at ``--scale full`` (the seed's real figure), about a
  tenth at ``--scale small`` (at least 1). At small scale the programme's targets are scaled the
  same way (:meth:`Scenario.scale_targets`), so that a milestone met at full size is met at small
  size too, and the test suite plays the same story in seconds. (``load_seed_programmes``, which
  ``seed_demo`` runs, puts the seed's figures back; the next small run scales them again, and its
  summary says so under ``created``: "targets scaled".)
- **Randomness only from** ``run.rng(step)`` (``random.Random`` seeded by scenario, seed and step).
- **Idempotent**: each step runs in its own transaction together with a
  :class:`~digileap.portal.models.ScenarioStep` marker; a step already marked is skipped, so a
  second run writes nothing and its summary's ``created`` is empty. A run that failed half-way goes
  on from the failed step. A database holds one scale of a scenario: loading the other scale is
  refused (flush the database first).
- **The summary** (``run()``'s return value, printed as one line of JSON by the command) gives the
  registry's size, the programme's devices, ``created`` (what this run wrote), the status of every
  target with an indicator (:func:`milestone_statuses`: "met" means reached by its due date) and
  ``seconds``. A scenario adds figures of its own in :meth:`Scenario.extra_summary`.
- **History**: call :func:`record_history` last, with the days of the programme's real course
  (:func:`history_days`: every Monday while the programme is active, every month end, and the
  event days), so that the burn-up charts show it.
"""

import abc
import contextlib
import csv
import datetime
import io
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from digileap.core.permissions import SystemActor

if TYPE_CHECKING:
    from digileap.core.types import Actor
    from digileap.programmes.models import Programme

SCALES = ("full", "small")
SMALL_FACTOR = Decimal("0.1")


class ScenarioError(Exception):
    """A scenario cannot run (for example: the database holds another scale of it)."""


# --- scale ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """``full``: the seed's real figures; ``small``: about a tenth of them, for the test suite."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in SCALES:
            raise ScenarioError(f"Unknown scale {self.name!r}: choose one of {', '.join(SCALES)}.")

    @property
    def factor(self) -> Decimal:
        return Decimal(1) if self.name == "full" else SMALL_FACTOR

    def count(self, n: int | Decimal) -> int:
        """``n`` at this scale: unchanged at full scale; a tenth (rounded half up, at least 1) at small."""
        if self.name == "full" or n <= 0:
            return int(n)
        return max(1, int((Decimal(n) * self.factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


# --- the clock ------------------------------------------------------------------------------------


def moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour:minute`` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@contextlib.contextmanager
def clock(at: datetime.datetime) -> Iterator[None]:
    """Within the block, ``django.utils.timezone.now()`` (and so ``localdate()``, ``auto_now`` and
    the audit trail's time) is ``at``: services that stamp "now" (an acceptance, a verification, an
    approval) stamp the day the programme's history says it happened. Nested blocks restore the
    outer time. Only for the scenarios, which run alone in their process."""
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Monday to Friday from ``start`` to ``end``."""
    days = (start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day ``count`` working days after ``day``."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def spread_days(rng: random.Random, start: datetime.date, end: datetime.date, count: int) -> list[datetime.date]:
    """``count`` working days (Monday to Friday) between ``start`` and ``end``, sorted, drawn evenly."""
    days = [start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)]
    working = [day for day in days if day.weekday() < 5] or days
    return sorted(working[min(len(working) - 1, int(rng.random() * len(working)))] for _ in range(count))


def history_days(
    start: datetime.date,
    end: datetime.date,
    extra: Iterable[datetime.date] = (),
    *,
    weekly_until: datetime.date | None = None,
) -> list[datetime.date]:
    """The days a burn-up needs from ``start`` to ``end``: every Monday (until ``weekly_until``,
    when the programme's activity ends; then month ends suffice), every month end, both ends, and
    the ``extra`` days (the scenario's events, the due dates) that fall in between."""
    days = {start, end}
    day = start
    while day <= end:
        following = day + datetime.timedelta(days=1)
        weekly = weekly_until is None or day <= weekly_until
        if (day.weekday() == 0 and weekly) or following.month != day.month:
            days.add(day)
        day = following
    days.update(d for d in extra if start <= d <= end)
    return sorted(days)


def record_history(run: "Run", days: Sequence[datetime.date]) -> int:
    """A snapshot of every target of the programme (with a computable indicator) on each of
    ``days``, oldest first, each assessed with the trend of the snapshots before it, as the nightly
    job would have recorded them (``programmes.services.snapshot_record``). Returns how many."""
    from digileap.programmes import services as programme_services
    from digileap.programmes.indicators import get_kind

    written = 0
    targets = run.programme.targets.filter(indicator__isnull=False).select_related("indicator", "programme")
    for target in targets:
        assert target.indicator is not None  # filtered above
        kind = get_kind(target.indicator.kind)
        if kind is None or not kind.has_history:
            continue
        history: list[tuple[datetime.date, Decimal]] = []
        for day in sorted(days):
            snapshot = programme_services.snapshot_record(target=target, as_of=day, history=history)
            if snapshot is not None:
                history.append((day, snapshot.value))
                written += 1
    run.add("snapshots", written)
    return written


# --- milestones -----------------------------------------------------------------------------------


def milestone_statuses(programme, today: datetime.date) -> dict[str, str]:
    """Each target with a computable indicator (keyed by its number, else ``#position``):

    - ``met``: the value reached the target on or before its due date;
    - ``met late``: reached today, but not by the due date;
    - otherwise the status of ``programmes.status.assess`` today (``on_track``, ``at_risk``,
      ``late``, ``not_started``)."""
    from digileap.programmes.services import target_value
    from digileap.programmes.status import Status, assess, target_start

    statuses: dict[str, str] = {}
    targets = programme.targets.filter(indicator__isnull=False).select_related("indicator", "programme")
    for target in targets.order_by("position"):

        def status_on(day: datetime.date, target=target) -> str | None:
            value = target_value(target, day)
            if value is None:
                return None
            history = list(target.snapshots.filter(date__lt=day).values_list("date", "value"))
            return assess(
                value=value,
                baseline=target.baseline,
                target_value=target.target_value,
                due_date=target.due_date,
                as_of=day,
                start=target_start(target),
                snapshots=history,
            ).status

        key = target.number or f"#{target.position}"
        on_due = status_on(min(target.due_date, today))
        if on_due is None:
            continue
        if on_due == Status.ACHIEVED:
            statuses[key] = "met"
            continue
        now = status_on(today) if today > target.due_date else on_due
        statuses[key] = "met late" if now == Status.ACHIEVED else str(now)
    return statuses


# --- the registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolKind:
    """A kind of school of the seed's registry: how many there are at full scale, its levels
    (ISCED 0-4), its size in pupils and its language(s) of instruction."""

    code: str
    label: str
    levels: tuple[int, ...]
    count: int
    size: tuple[int, int]
    pupils_per_teacher: float = 12.0
    languages: tuple[tuple[str, float], ...] = ()  # (language, weight); empty: the registry's language
    private_share: float = 0.0
    grades: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (level, its grades): pupils given by grade too


@dataclass(frozen=True)
class Operator:
    """A school operator (school board, network, municipality). ``languages``/``kinds`` limit the
    schools it runs (empty: any); ``weight`` is its share among the operators that may run a school."""

    code: str
    name: str
    sector: str = "public"
    weight: float = 1.0
    languages: tuple[str, ...] = ()
    region: str = ""
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrySpec:
    """An invented registry of the seed's size, drawn the same way every time."""

    authority_code: str
    number_prefix: str
    school_year: str
    kinds: tuple[SchoolKind, ...]
    operators: tuple[Operator, ...]
    places: tuple[tuple[str, str], ...]  # (city, postal code)
    bbox: tuple[float, float, float, float]  # south, west, north, east
    language: str = ""
    ses_scale: str = ""
    ses: Callable[[random.Random], Decimal] | None = None
    eligible: Callable[[random.Random, int], dict[str, int]] | None = None  # (rng, pupils) -> {group: n}
    streets: tuple[str, ...] = ("Schoolstraat", "Kerkstraat", "Rue de l'École", "Avenue des Arts", "Stationsstraat")
    name_pattern: str = "{label} {city} {index}"


@dataclass
class RegistrySchool:
    """One invented school with its figures for the registry's school year."""

    number: str
    name: str
    kind: SchoolKind
    operator: Operator
    language: str
    city: str
    postal_code: str
    street: str
    latitude: Decimal
    longitude: Decimal
    pupils: dict[int, int]
    teachers: int
    ses_value: Decimal | None
    eligible: dict[str, int] = field(default_factory=dict)
    grade_pupils: dict[tuple[int, int], int] = field(default_factory=dict)


def split_total(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` by largest remainder: the parts add up exactly."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def generate_registry(spec: RegistrySpec, scale: Scale, rng: random.Random) -> list[RegistrySchool]:
    """The schools of ``spec`` at ``scale``: ``scale.count(kind.count)`` of each kind, numbered
    ``<prefix>00001`` on, the same for the same ``rng`` seed."""
    schools: list[RegistrySchool] = []
    south, west, north, east = spec.bbox
    for kind in spec.kinds:
        languages = kind.languages or ((spec.language, 1.0),)
        for _ in range(scale.count(kind.count)):
            index = len(schools) + 1
            language = rng.choices([code for code, _w in languages], weights=[w for _c, w in languages])[0]
            private = rng.random() < kind.private_share
            candidates = [
                operator
                for operator in spec.operators
                if (not operator.languages or language in operator.languages)
                and (not operator.kinds or kind.code in operator.kinds)
                and ((operator.sector == "private") == private or not kind.private_share)
            ] or list(spec.operators)
            operator = rng.choices(candidates, weights=[o.weight for o in candidates])[0]
            city, postal_code = spec.places[rng.randrange(len(spec.places))]
            low, high = kind.size
            size = round(low + (high - low) * rng.betavariate(2, 2.5))
            level_parts = split_total(size, [max(0.5, rng.gauss(1.0, 0.15)) for _level in kind.levels])
            pupils = dict(zip(kind.levels, level_parts, strict=True))
            grade_pupils: dict[tuple[int, int], int] = {}
            for level, grades in kind.grades:
                parts = split_total(pupils.get(level, 0), [max(0.5, rng.gauss(1.0, 0.08)) for _grade in grades])
                grade_pupils.update({(level, grade): n for grade, n in zip(grades, parts, strict=True)})
            schools.append(
                RegistrySchool(
                    number=f"{spec.number_prefix}{index:05d}",
                    name=spec.name_pattern.format(label=kind.label, city=city, index=index),
                    kind=kind,
                    operator=operator,
                    language=language,
                    city=city,
                    postal_code=postal_code,
                    street=f"{rng.choice(spec.streets)} {rng.randint(1, 180)}",
                    latitude=Decimal(f"{rng.uniform(south, north):.6f}"),
                    longitude=Decimal(f"{rng.uniform(west, east):.6f}"),
                    pupils=pupils,
                    teachers=max(3, round(size / kind.pupils_per_teacher * rng.uniform(0.9, 1.1))),
                    ses_value=spec.ses(rng) if spec.ses else None,
                    eligible=spec.eligible(rng, size) if spec.eligible else {},
                    grade_pupils=grade_pupils,
                )
            )
    return schools


REGISTRY_COLUMNS = [
    "authority_code",
    "operator_code",
    "operator_name",
    "operator_region",
    "number",
    "name",
    "type_code",
    "type_label",
    "levels",
    "language",
    "sector",
    "status",
    "street",
    "postal_code",
    "city",
    "email",
    "latitude",
    "longitude",
    "school_year",
    *[f"pupils_isced_{level}" for level in range(5)],
    "teachers",
    "ses_value",
    "ses_scale",
]


def registry_csv(spec: RegistrySpec, schools: Sequence[RegistrySchool]) -> bytes:
    """The schools as a CSV file of the generic school profile (``schools/import_profiles/generic.json``)."""
    groups = sorted({code for school in schools for code in school.eligible})
    grades = sorted({key for school in schools for key in school.grade_pupils})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            *REGISTRY_COLUMNS,
            *[f"pupils_isced_{level}_grade_{grade}" for level, grade in grades],
            *[f"eligible_{code}" for code in groups],
        ]
    )
    domain = spec.authority_code.lower()
    for s in schools:
        row = [
            spec.authority_code,
            s.operator.code,
            s.operator.name,
            s.operator.region,
            s.number,
            s.name,
            s.kind.code,
            s.kind.label,
            ",".join(str(level) for level in s.kind.levels),
            s.language,
            s.operator.sector,
            "open",
            s.street,
            s.postal_code,
            s.city,
            f"school-{s.number.lower()}@{domain}.example.org",
            str(s.latitude),
            str(s.longitude),
            spec.school_year,
            *[str(s.pupils[level]) if level in s.pupils else "" for level in range(5)],
            str(s.teachers),
            "" if s.ses_value is None else str(s.ses_value),
            spec.ses_scale if s.ses_value is not None else "",
            *[str(s.grade_pupils[key]) if key in s.grade_pupils else "" for key in grades],
            *[str(s.eligible.get(code, "")) for code in groups],
        ]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def load_registry(run: "Run", spec: RegistrySpec, *, step: str = "registry") -> int:
    """Write the invented registry through the import engine (the generic school profile, the
    same bulk path as every school import). Returns the number of schools created."""
    from digileap.core.tabular.engine import run_import

    schools = generate_registry(spec, run.scale, run.rng(step))
    data = registry_csv(spec, schools)
    result = run_import(
        target="schools",
        profile="generic",
        source=io.BytesIO(data),
        actor=run.actor,
        filename=f"scenario-{run.scenario.name}-{run.scale.name}.csv",
    )
    return result.created


def ensure_eligibility_groups(run: "Run", groups: Iterable[tuple[str, str, str]]) -> int:
    """The eligibility groups (code, name, description) the registry counts pupils in (created once,
    audited). Returns how many were created."""
    from digileap.core import audit
    from digileap.schools.models import EligibilityGroup

    changes = []
    for code, name, description in groups:
        group, created = EligibilityGroup.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        if created:
            changes.append(audit.change_for("create", group, after=audit.snapshot(group)))
    audit.record_many(actor=run.actor, changes=changes)
    run.add("eligibility groups", len(changes))
    return len(changes)


# --- devices: catalogue, supplier, contract, delivery files ---------------------------------------


def ensure_supplier(run: "Run", name: str, *, vat_number: str = "", email: str = ""):
    """The supplier called ``name``, registered through ``supplier_create`` the first time."""
    from digileap.devices.models import Supplier
    from digileap.devices.services.catalogue import supplier_create

    supplier = Supplier.objects.filter(name__iexact=name).first()
    if supplier is None:
        supplier = supplier_create(actor=run.actor, name=name, vat_number=vat_number, email=email)
        run.add("suppliers", 1)
    return supplier


def ensure_device_model(
    run: "Run",
    *,
    code: str,
    manufacturer: str,
    name: str,
    device_type: str,
    unit_price: Decimal,
    warranty_months: int = 24,
    specifications: dict | None = None,
):
    """The catalogue model of the programme's authority with this code, or with this manufacturer
    and name (the demo may have added it already), added through ``device_model_create`` otherwise."""
    from django.db.models import Q

    from digileap.devices.models import DeviceModel
    from digileap.devices.services.catalogue import device_model_create

    authority = run.programme.authority
    existing = (
        DeviceModel.objects.filter(authority=authority)
        .filter(Q(code=code) | Q(manufacturer=manufacturer, name=name))
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    run.add("device models", 1)
    return device_model_create(
        actor=run.actor,
        authority=authority,
        code=code,
        manufacturer=manufacturer,
        name=name,
        device_type=device_type,
        unit_price=unit_price,
        warranty_months=warranty_months,
        specifications=specifications or {},
    )


def import_deliveries(run: "Run", rows: Sequence[dict[str, str]], *, filename: str) -> int:
    """A delivery file (the generic delivery profile: ``serial``, ``model``, ``school``,
    ``delivery_note``, ``delivered_on``, ``order``, ``condition``...) through the import engine,
    the path suppliers use. Returns the number of devices created."""
    from digileap.core.tabular.engine import run_import

    if not rows:
        return 0
    columns = list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    result = run_import(
        target="deliveries",
        profile="generic",
        source=io.BytesIO(out.getvalue().encode("utf-8")),
        actor=run.actor,
        filename=filename,
    )
    run.add("devices", result.created)
    return result.created


# --- scenarios --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of a scenario: its scale, actor, programme, day, and what it created."""

    scenario: "Scenario"
    scale: Scale
    actor: "Actor"
    programme: "Programme"
    today: datetime.date
    created: Counter = field(default_factory=Counter)

    def rng(self, step: str) -> random.Random:
        """The random stream of ``step``: the same draws on every run, whatever other steps do."""
        return random.Random(f"{self.scenario.seed}:{self.scenario.name}:{self.scale.name}:{step}")

    def count(self, n: int | Decimal) -> int:
        return self.scale.count(n)

    def add(self, what: str, n: int) -> None:
        if n:
            self.created[what] += n

    def schools(self):
        """The schools of the programme's authority, by official number."""
        from digileap.schools.models import School

        return School.objects.filter(authority_id=self.programme.authority_id).order_by("number", "pk")


class Scenario(abc.ABC):
    """Base of the seed scenarios; see the module's docstring for how one is written."""

    name: str = ""
    programme_code: str = ""
    seed: int = 0

    @abc.abstractmethod
    def steps(self) -> list[Callable[[Run], None]]:
        """The steps, in order: methods taking the run. Each runs once per database (its method
        name is its marker), in one transaction with its marker."""

    def extra_summary(self, run: Run) -> dict:
        """Figures of the scenario's own for the summary (computed from the database: the same on
        every run)."""
        return {}

    # -- the run -----------------------------------------------------------------------------

    def ensure_programme(self, actor):
        """The seed programme, loaded through ``programmes.seeding`` when it does not exist yet
        (an existing one is left as it is, so that a run changes nothing)."""
        from digileap.programmes.models import Programme
        from digileap.programmes.seeding import load_seed_programmes

        programme = Programme.objects.filter(code=self.programme_code).first()
        if programme is None:
            load_seed_programmes(actor=actor)
            programme = Programme.objects.get(code=self.programme_code)
        return programme

    def scale_targets(self, run: Run) -> None:
        """At small scale, set the programme's quantitative targets (a target value above 1) to a
        tenth of the seed's figure. Writes only what differs; at full scale the targets stay as the
        seeding (or a person since) left them."""
        from digileap.programmes import services as programme_services
        from digileap.programmes.seed_data import PROGRAMMES

        if run.scale.name == "full":
            return
        spec = next((p for p in PROGRAMMES if p["code"] == self.programme_code), None)
        if spec is None:
            return
        for position, target_spec in enumerate(spec["targets"], start=1):
            seed_value = Decimal(target_spec["target_value"])
            if seed_value <= 1:
                continue
            wanted = Decimal(run.count(seed_value))
            target = run.programme.targets.filter(position=position).first()
            if target is not None and target.target_value != wanted:
                programme_services.target_update(actor=run.actor, target=target, data={"target_value": wanted})
                run.add("targets scaled", 1)

    def run(self, scale: str = "full", *, today: datetime.date | None = None, actor=None) -> dict:
        """Play every step not played yet; return the summary."""
        from digileap.portal.models import ScenarioStep

        started = time.perf_counter()
        chosen = Scale(scale)
        other = (
            ScenarioStep.objects.filter(scenario=self.name).exclude(scale=chosen.name).values_list("scale", flat=True)
        )
        loaded = other.first()
        if loaded is not None:
            raise ScenarioError(
                f"The scenario {self.name!r} is loaded at scale {loaded!r} in this database; "
                f"it cannot be loaded at scale {chosen.name!r} as well (flush the database first)."
            )
        actor = actor or SystemActor(f"load_seed_scenario {self.name}")
        with transaction.atomic():
            programme = self.ensure_programme(actor)
        run = Run(scenario=self, scale=chosen, actor=actor, programme=programme, today=today or timezone.localdate())
        with transaction.atomic():
            self.scale_targets(run)
        done = set(ScenarioStep.objects.filter(scenario=self.name).values_list("step", flat=True))
        for step in self.steps():
            step_name = step.__name__
            if step_name in done:
                continue
            before = Counter(run.created)
            with transaction.atomic():
                step(run)
                ScenarioStep.objects.create(
                    scenario=self.name,
                    step=step_name,
                    scale=chosen.name,
                    created=dict(run.created - before),
                    completed_at=timezone.now(),
                )
        run.programme.refresh_from_db()
        return self.summary(run, seconds=time.perf_counter() - started)

    def summary(self, run: Run, *, seconds: float) -> dict:
        from digileap.devices.models import Device

        return {
            "scenario": self.name,
            "scale": run.scale.name,
            "programme": self.programme_code,
            "schools": run.schools().count(),
            "devices": Device.objects.filter(programme=run.programme).count(),
            **self.extra_summary(run),
            "milestones": milestone_statuses(run.programme, run.today),
            "created": dict(sorted(run.created.items())),
            "seconds": round(seconds, 2),
        }
