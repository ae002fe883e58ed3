"""The teacher training part of the Flanders scenario (seed 001's second goal: "effective learning
tools and training for teachers"; milestone "Eind 2022: Uitrol van nieuwe opleidingsprogramma's
voor leerkrachten"), and the machinery the Ghent scenario's training part shares (``play``).

How it is played (``flanders.py`` calls ``training`` before the history):

- **Targets** (created here when the programme has none of this title, at small scale a tenth):
  "Leerkrachten opgeleid in de nieuwe opleidingsprogramma's" (``training_teachers_trained``, 40,000
  by 31 December 2022) and "Scholen waar minstens de helft van de leerkrachten is opgeleid"
  (``training_teachers_trained_share`` with ``min_share`` 50, 1,500 schools by 31 December 2022).
- **The offer**: DigCompEdu installed; two providers (the networks' pedagogical support services
  and the Digisprong knowledge centre) and four courses addressing DigCompEdu competences (in
  person, blended and online), each with two sessions, through the course services.
- **The staff**: at each compulsory school (BaO, SO) staff records for 70 to 100 % of the
  registry's teachers (``StaffCount``), with gender and age band; between 25 and 80 % of them
  complete a course (one in five a second one) from September 2021 to December 2022, reported by
  the learning platform; the first of them on each course attend both sessions (enrolments,
  attendance) and complete through them.
- **Self-assessment** before (autumn 2021) and after (spring-summer 2022): one staff member in
  twenty answers all 22 DigCompEdu competences; the trained rise about a level.
- **Snapshots** of the training targets every month end and Monday of the training period.

Thousands of rows are written set-based (``bulk_create``) inside this step, one audit event per
kind of row (the counts and the first and last ids), as the import engine does.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .base import Run, clock, history_days, moment

FLANDERS_TARGETS = (
    {
        "title": {
            "nl": "Leerkrachten opgeleid in de nieuwe opleidingsprogramma's",
            "en": "Teachers trained in the new training programmes",
        },
        "description": {
            "nl": "Unieke personeelsleden die een opleiding van Digisprong voltooiden (uitrol eind 2022).",
            "en": "Distinct staff members who completed a Digisprong training course (roll-out by the end of 2022).",
        },
        "target_value": Decimal(40000),
        "unit": "teachers",
        "due_date": datetime.date(2022, 12, 31),
        "due_label": "eind 2022",
        "indicator": ("training_teachers_trained", {}),
    },
    {
        "title": {
            "nl": "Scholen waar minstens de helft van de leerkrachten is opgeleid",
            "en": "Schools with at least half of their teachers trained",
        },
        "description": {},
        "target_value": Decimal(1500),
        "unit": "schools",
        "due_date": datetime.date(2022, 12, 31),
        "due_label": "eind 2022",
        "indicator": ("training_teachers_trained_share", {"min_share": 50}),
    },
)


@dataclass(frozen=True)
class CourseSpec:
    code: str
    title: dict
    hours: Decimal
    mode: str
    competences: tuple[str, ...]
    provider: int  # index into the providers
    first: datetime.date  # the first session's day
    second: datetime.date  # the second session's day
    capacity: int = 25


@dataclass(frozen=True)
class TrainingSpec:
    providers: tuple[tuple[str, str], ...]  # (name, website)
    courses: tuple[CourseSpec, ...]
    period: tuple[datetime.date, datetime.date]  # completions from .. to
    targets: tuple[dict, ...]
    rounds: tuple[tuple[str, dict, datetime.date, datetime.date], ...]  # code, name, opens, closes
    school_types: tuple[str, ...] = ()  # empty: every school
    staff_share: tuple[float, float] = (0.7, 1.0)
    trained_share: tuple[float, float] = (0.25, 0.8)
    second_course: float = 0.2
    assessing: float = 0.05
    platform: str = "Moodle"
    reference_prefix: str = "P"


FLANDERS = TrainingSpec(
    providers=(
        ("Pedagogische begeleidingsdiensten (scenario)", "https://www.pbd.example.org"),
        ("Kenniscentrum Digisprong (scenario)", "https://www.kenniscentrumdigisprong.example.org"),
    ),
    courses=(
        CourseSpec(
            "DS-BASIS",
            {"nl": "Digitale basisvaardigheden voor leerkrachten", "en": "Digital basics for teachers"},
            Decimal("6.00"),
            "in_person",
            ("1.1", "1.3", "3.1"),
            0,
            datetime.date(2021, 9, 22),
            datetime.date(2021, 10, 6),
        ),
        CourseSpec(
            "DS-DIDACTIEK",
            {"nl": "Digitale didactiek in de klas", "en": "Digital pedagogy in the classroom"},
            Decimal("9.00"),
            "blended",
            ("3.1", "3.3", "5.3"),
            0,
            datetime.date(2021, 11, 10),
            datetime.date(2021, 11, 24),
        ),
        CourseSpec(
            "DS-EVALUATIE",
            {"nl": "Evalueren met digitale middelen", "en": "Assessment with digital means"},
            Decimal("4.00"),
            "online",
            ("4.1", "4.2", "4.3"),
            1,
            datetime.date(2022, 2, 9),
            datetime.date(2022, 2, 16),
        ),
        CourseSpec(
            "DS-MEDIAWIJS",
            {"nl": "Mediawijsheid en veilig online", "en": "Media literacy and online safety"},
            Decimal("3.00"),
            "online",
            ("6.1", "6.4"),
            1,
            datetime.date(2022, 3, 16),
            datetime.date(2022, 3, 23),
        ),
    ),
    period=(datetime.date(2021, 10, 6), datetime.date(2022, 12, 16)),
    targets=FLANDERS_TARGETS,
    rounds=(
        (
            "voormeting-2021",
            {"nl": "Zelfevaluatie DigCompEdu – voormeting", "en": "DigCompEdu self-assessment – before"},
            datetime.date(2021, 9, 1),
            datetime.date(2021, 10, 31),
        ),
        (
            "nameting-2022",
            {"nl": "Zelfevaluatie DigCompEdu – nameting", "en": "DigCompEdu self-assessment – after"},
            datetime.date(2022, 5, 2),
            datetime.date(2022, 6, 30),
        ),
    ),  # fmt: skip
    school_types=("BaO", "SO"),
    reference_prefix="VLG",
)


def _working(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = (start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def ensure_targets(run: Run, specs: tuple[dict, ...]) -> list:
    """The training targets of the programme (found by their English title, else created at the
    next position, with their indicator), at small scale a tenth of the stated figure."""
    from digileap.programmes import services as programme_services

    targets = []
    for spec in specs:
        wanted = Decimal(run.count(spec["target_value"]))
        target = run.programme.targets.filter(title__en=spec["title"]["en"]).first()
        if target is None:
            position = (run.programme.targets.order_by("-position").values_list("position", flat=True).first() or 0) + 1
            data = {key: value for key, value in spec.items() if key != "indicator"}
            target = programme_services.target_create(
                actor=run.actor,
                programme=run.programme,
                data={**data, "position": position, "target_value": wanted, "reported_status": "to_do"},
            )
            run.add("targets", 1)
        elif target.target_value != wanted:
            target = programme_services.target_update(actor=run.actor, target=target, data={"target_value": wanted})
        kind, parameters = spec["indicator"]
        programme_services.indicator_define(actor=run.actor, target=target, kind=kind, parameters=parameters)
        target.refresh_from_db()
        targets.append(target)
    return targets


def _audited(run: Run, instance, what: str, rows: list) -> None:
    """One audit event for a bulk write: how many rows of ``what`` and their first and last ids."""
    from digileap.core import audit

    if not rows:
        return
    audit.record(
        actor=run.actor,
        action="create",
        instance=instance,
        after={"bulk": what, "rows": len(rows), "first_id": rows[0].pk, "last_id": rows[-1].pk},
    )


def play(run: Run, spec: TrainingSpec) -> None:
    """The training of ``spec`` for the programme of ``run`` (see the module's docstring)."""
    from digileap.schools.models import StaffCount
    from digileap.training.models import (
        AssessmentAnswer,
        Attendance,
        Competence,
        Completion,
        CourseEnrolment,
        Membership,
        SelfAssessment,
        StaffMember,
    )
    from digileap.training.services.courses import add_session, create_course, create_provider
    from digileap.training.services.frameworks import install_shipped_frameworks
    from digileap.training.services.selfassessment import create_round

    rng = run.rng("training")
    programme = run.programme
    start, end = spec.period
    with clock(moment(start - datetime.timedelta(days=30))):
        targets = ensure_targets(run, spec.targets)
        install_shipped_frameworks()
        from digileap.training.models import Framework

        framework = Framework.objects.filter(code="digcompedu", authority__isnull=True).order_by("-version").first()
        competences = {c.code: c for c in Competence.objects.filter(framework=framework).select_related("area")}
        providers = [
            create_provider(actor=run.actor, authority=programme.authority, name=name, website=site)
            for name, site in spec.providers
        ]
        run.add("training providers", len(providers))
        courses = []
        for course_spec in spec.courses:
            course = create_course(
                actor=run.actor,
                programme=programme,
                provider=providers[course_spec.provider],
                code=course_spec.code,
                title=course_spec.title,
                hours=course_spec.hours,
                mode=course_spec.mode,
                competences=[competences[code] for code in course_spec.competences if code in competences],
                target_levels=[1, 2, 3],
                target_roles=["teacher"],
            )
            sessions = [
                add_session(
                    actor=run.actor,
                    course=course,
                    starts_at=moment(day, 13, 30),
                    ends_at=moment(day, 16, 30),
                    capacity=course_spec.capacity,
                    place="" if course_spec.mode == "online" else "Pedagogisch centrum",
                    link="https://leren.example.org/sessie" if course_spec.mode == "online" else "",
                    trainer="Trainer " + course_spec.code.split("-")[-1].title(),
                )
                for day in (course_spec.first, course_spec.second)
            ]
            courses.append((course, course_spec, sessions))
        run.add("courses", len(courses))
        run.add("sessions", 2 * len(courses))
        rounds = [
            create_round(
                actor=run.actor,
                programme=programme,
                framework=framework,
                code=code,
                name=name,
                opens_on=opens,
                closes_on=closes,
            )
            for code, name, opens, closes in spec.rounds
        ]

    # The staff at each school: a share of the registry's teachers (latest count).
    latest: dict[int, int] = {}
    counts = StaffCount.objects.filter(school__authority_id=programme.authority_id)
    if spec.school_types:
        counts = counts.filter(school__type_code__in=spec.school_types)
    for school_id, teachers in counts.order_by("school_id", "-school_year").values_list("school_id", "teachers"):
        latest.setdefault(school_id, teachers)
    schools = {s.pk: s for s in run.schools().filter(pk__in=list(latest))}
    genders = ("female",) * 7 + ("male",) * 3
    ages = ("18-29",) * 2 + ("30-54",) * 6 + ("55+",) * 2
    people: list[StaffMember] = []
    where: list[int] = []
    for school in sorted(schools.values(), key=lambda s: s.number):
        count = round(latest[school.pk] * rng.uniform(*spec.staff_share))
        for index in range(1, count + 1):
            people.append(
                StaffMember(
                    authority_id=programme.authority_id,
                    reference=f"{school.number}-{index:03d}",
                    gender="" if rng.random() < 0.04 else rng.choice(genders),
                    age_band="" if rng.random() < 0.04 else rng.choice(ages),
                )
            )
            where.append(school.pk)
    with clock(moment(start - datetime.timedelta(days=20))):
        people = StaffMember.objects.bulk_create(people, batch_size=5000)
        memberships = Membership.objects.bulk_create(
            [Membership(staff=person, school_id=school_id) for person, school_id in zip(people, where, strict=True)],
            batch_size=5000,
        )
    _audited(run, programme, "training.staffmember", people)
    _audited(run, programme, "training.membership", memberships)
    run.add("staff records", len(people))

    # Completions: a share of each school's staff, on working days of the period, by the platform.
    days = _working(start, end)
    by_school: dict[int, list[int]] = {}
    for index, school_id in enumerate(where):
        by_school.setdefault(school_id, []).append(index)
    planned: list[tuple[int, int, datetime.date]] = []  # (person index, course index, day)
    for school_id in sorted(by_school, key=lambda pk: schools[pk].number):
        staff_indexes = by_school[school_id]
        trained = rng.sample(staff_indexes, round(len(staff_indexes) * rng.uniform(*spec.trained_share)))
        for index in sorted(trained):
            chosen = rng.sample(range(len(courses)), 2 if rng.random() < spec.second_course else 1)
            for course_index in chosen:
                earliest = courses[course_index][1].second
                window = [day for day in days if day >= earliest] or days[-1:]
                planned.append(
                    (index, course_index, window[min(len(window) - 1, int(len(window) * rng.random() ** 1.3))])
                )
    planned.sort(key=lambda plan: (plan[2], plan[1], plan[0]))
    # The first ones of each course (up to its capacity) attend both sessions and complete through them.
    attending: dict[int, list[int]] = {}
    for position, (_index, course_index, day) in enumerate(planned):
        group = attending.setdefault(course_index, [])
        if len(group) < courses[course_index][1].capacity and day >= courses[course_index][1].second:
            group.append(position)
    in_session = {position for group in attending.values() for position in group}
    with clock(moment(end, 18)):
        enrolments = CourseEnrolment.objects.bulk_create(
            [
                CourseEnrolment(course=courses[course_index][0], staff=people[index], school_id=where[index])
                for index, course_index, _day in planned
            ],
            batch_size=5000,
        )
        completions = Completion.objects.bulk_create(
            [
                Completion(
                    course=courses[course_index][0],
                    staff=people[index],
                    school_id=where[index],
                    completed_on=courses[course_index][1].second if position in in_session else day,
                    session=courses[course_index][2][1] if position in in_session else None,
                    source="digileap" if position in in_session else "platform",
                    source_detail="" if position in in_session else spec.platform,
                )
                for position, (index, course_index, day) in enumerate(planned)
            ],
            batch_size=5000,
        )
        attendances = Attendance.objects.bulk_create(
            [
                Attendance(session=session, enrolment=enrolments[position], status="present", minutes=session.minutes)
                for position in sorted(in_session)
                for session in courses[planned[position][1]][2]
            ],
            batch_size=5000,
        )
    for what, rows in (
        ("training.courseenrolment", enrolments),
        ("training.attendance", attendances),
        ("training.completion", completions),
    ):
        _audited(run, programme, what, rows)
    run.add("enrolments", len(enrolments))
    run.add("attendance records", len(attendances))
    run.add("completions", len(completions))

    # Self-assessment before and after: a sample of the staff; the trained rise about a level.
    trained_people = {index for index, _course, _day in planned}
    answering = sorted(rng.sample(range(len(people)), round(len(people) * spec.assessing)))
    ordered = sorted(competences.values(), key=lambda c: (c.area.order, c.order, c.code))
    base = {index: rng.choice((1, 2, 2, 3, 3, 3, 4)) for index in answering}
    assessments = []
    answers_of: list[tuple[int, int, int]] = []
    for round_number, round_ in enumerate(rounds):
        span = _working(round_.opens_on, round_.closes_on)
        for index in answering:
            submitted = moment(span[rng.randrange(len(span))], rng.randint(8, 20), rng.randint(0, 59))
            assessments.append(
                SelfAssessment(round=round_, staff=people[index], school_id=where[index], submitted_at=submitted)
            )
            rise = 1 if round_number and index in trained_people else 0
            answers_of.append((len(assessments) - 1, index, rise))
    with clock(moment(spec.rounds[-1][3], 20) if spec.rounds else moment(end)):
        assessments = SelfAssessment.objects.bulk_create(assessments, batch_size=5000)
        answers = AssessmentAnswer.objects.bulk_create(
            [
                AssessmentAnswer(
                    assessment=assessments[at],
                    competence=competence,
                    rank=max(1, min(6, base[index] + rise + rng.choice((-1, 0, 0, 0, 1)))),
                )
                for at, index, rise in answers_of
                for competence in ordered
            ],
            batch_size=10000,
        )
    _audited(run, programme, "training.selfassessment", assessments)
    _audited(run, programme, "training.assessmentanswer", answers)
    run.add("self-assessments", len(assessments))

    from digileap.portal.models import ScenarioStep

    if ScenarioStep.objects.filter(scenario=run.scenario.name, step="history").exists():
        # The history was recorded before this step existed: the training targets' own snapshots.
        _snapshots(run, targets, history_days(start, min(run.today, end + datetime.timedelta(days=31))))


def _snapshots(run: Run, targets: list, days: list[datetime.date]) -> None:
    """The training targets' snapshots on ``days`` (the scenario's history step may have run before)."""
    from digileap.programmes import services as programme_services

    written = 0
    for target in targets:
        history: list = []
        for day in days:
            snapshot = programme_services.snapshot_record(target=target, as_of=day, history=history)
            if snapshot is not None:
                history.append((day, snapshot.value))
                written += 1
    run.add("snapshots", written)


def training(run: Run) -> None:
    """Flanders' teacher training (see the module's docstring)."""
    play(run, FLANDERS)


def summary(run: Run, spec: TrainingSpec = FLANDERS) -> dict:
    """The training figures of the summary (from the database: the same on every run)."""
    from django.db.models import Count

    from digileap.training.models import Completion, StaffMember

    completions = Completion.objects.filter(course__programme=run.programme)
    return {
        "staff_records": StaffMember.objects.filter(authority_id=run.programme.authority_id).count(),
        "completions": completions.count(),
        "teachers_trained": completions.aggregate(n=Count("staff_id", distinct=True))["n"],
    }
