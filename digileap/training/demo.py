"""Demo training for ``manage.py seed_demo``: on the demo programme (``demo-nordhafen-digitalpakt``,
authority ``DEMO-NH``, where the demo users work), so that the course list, the attendance pages,
the certificates, the self-assessment and a training target show real content:

- DigCompEdu installed (``services.frameworks.install_shipped_frameworks``);
- a provider (the region's media centre) and three courses addressing DigCompEdu competences, two
  sessions each: two in person (about two months and one month ago), one online (two weeks ago and
  today, so that the coordinator has attendance to take);
- 40 staff records: 12 at the coordinator's school, 7 at each of the next four schools, with
  gender and age band (common indicator 10);
- enrolments, attendance through the attendance service (its completion rule makes the
  completions: present at both sessions), and completions of the online course reported by the
  learning platform;
- a self-assessment round open from ten weeks ago to in a month, answered by 11 teachers of the
  coordinator's school (at least ``DIGILEAP_TRAINING_MIN_GROUP``);
- the demo user ``teacher`` (password ``digileap-demo``), role teacher, linked to the twelfth staff
  record of the coordinator's school (who has not answered the self-assessment yet: a to-do);
- the target "Teachers trained" (``training_teachers_trained``, 40 by 30 June 2027) with weekly
  snapshots over the last nine weeks.

Everything goes through the services as the system (``SystemActor("seed_demo")``); draws come from
a fixed seed. Idempotent: when the provider exists, nothing is written. Dates count back from today.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from digileap.core import audit
from digileap.core.permissions import SystemActor

PROGRAMME_CODE = "demo-nordhafen-digitalpakt"
PROVIDER = "Medienzentrum Nordhafen (Demo)"
PASSWORD = "digileap-demo"  # the demo users' password (portal/demo.py)
TEACHER_USERNAME = "teacher"
ROUND_CODE = "demo-before"
TARGET_TITLE = {
    "en": "Teachers trained",
    "de": "Fortgebildete Lehrkräfte",
    "nl": "Opgeleide leerkrachten",
    "fr": "Enseignants formés",
    "lv": "Apmācītie skolotāji",
}
# code, title, hours, mode, competences, (first, second session: days before today), capacity
COURSES = (
    (
        "NH-DIG-GRUND",
        {
            "en": "Teaching with digital tools: the basics",
            "de": "Unterrichten mit digitalen Werkzeugen: Grundlagen",
            "nl": "Lesgeven met digitale hulpmiddelen: de basis",
            "fr": "Enseigner avec des outils numériques : les bases",
            "lv": "Mācīšana ar digitāliem rīkiem: pamati",
        },
        Decimal("6.00"),
        "in_person",
        ("1.1", "3.1"),
        (63, 56),
        20,
    ),
    (
        "NH-DIG-MEDIEN",
        {
            "en": "Creating and sharing digital resources",
            "de": "Digitale Materialien erstellen und teilen",
            "nl": "Digitaal lesmateriaal maken en delen",
            "fr": "Créer et partager des ressources numériques",
            "lv": "Digitālo mācību materiālu veidošana un kopīgošana",
        },
        Decimal("6.00"),
        "in_person",
        ("2.1", "2.2"),
        (35, 28),
        16,
    ),
    (
        "NH-DIG-DATEN",
        {
            "en": "Assessment with learning data (online)",
            "de": "Lernstandserhebung mit digitalen Daten (online)",
            "nl": "Evalueren met leerdata (online)",
            "fr": "Évaluer avec les données d'apprentissage (en ligne)",
            "lv": "Vērtēšana ar mācību datiem (tiešsaistē)",
        },
        Decimal("4.00"),
        "online",
        ("4.1", "4.3"),
        (14, 0),
        30,
    ),
)
GENDERS = ("female", "female", "female", "male", "male", "non_binary", "")
AGE_BANDS = ("18-29", "30-54", "30-54", "30-54", "55+", "")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _coordinator_school(authority):
    from digileap.accounts.models import RoleAssignment
    from digileap.schools.models import School

    assignment = (
        RoleAssignment.objects.filter(user__username="coordinator", role="school_coordinator")
        .select_related("school")
        .first()
    )
    if assignment is not None and assignment.school and assignment.school.authority_id == authority.pk:
        return assignment.school
    return School.objects.filter(authority=authority).order_by("number").first()


def _framework():
    try:
        from .services.frameworks import install_shipped_frameworks

        install_shipped_frameworks()
    except ImportError:  # the framework part is not there: courses without competences
        return None
    from .models import Framework

    return Framework.objects.filter(code="digcompedu", authority__isnull=True).order_by("-version").first()


def _teacher_account(staff, created: Counter) -> None:
    """The demo user ``teacher`` with the teacher role on ``staff`` (audited, as the other demo users)."""
    from digileap.accounts.models import RoleAssignment, User

    changes = []
    user = User.objects.filter(username=TEACHER_USERNAME).first()
    if user is None:
        user = User(
            username=TEACHER_USERNAME,
            first_name="Demo",
            last_name="Teacher",
            email=f"{TEACHER_USERNAME}@demo.digileap.example",
        )
        user.set_password(PASSWORD)
        user.save()
        changes.append(audit.change_for("create", user, after=audit.snapshot(user, fields=["username", "email"])))
        created["users"] += 1
    if staff.user_id is None:
        before = audit.snapshot(staff, fields=["user"])
        staff.user = user
        staff.save(update_fields=["user"])
        changes.append(audit.change_for("update", staff, before=before, after=audit.snapshot(staff, fields=["user"])))
    if not RoleAssignment.objects.filter(user=user, role="teacher", staff=staff).exists():
        assignment = RoleAssignment(user=user, role="teacher", scope_kind="staff", staff=staff)
        assignment.full_clean()
        assignment.save()
        changes.append(
            audit.change_for("create", assignment, after=audit.snapshot(assignment, fields=["user", "role", "staff"]))
        )
        created["role assignments"] += 1
    audit.record_many(actor=SystemActor("seed_demo"), changes=changes)


@transaction.atomic
def seed_demo_training(*, today: datetime.date | None = None) -> Counter:
    """Seed the demo programme's training (see the module's docstring); returns what was created
    (empty: nothing, the data were there or the demo programme is missing)."""
    from digileap.programmes import services as programme_services
    from digileap.programmes.models import Programme
    from digileap.schools.models import School

    from .models import Competence, Provider
    from .services.attendance import record_attendance
    from .services.completions import create_completion
    from .services.courses import add_session, create_course, create_provider
    from .services.enrolments import enrol
    from .services.people import create_staff

    created: Counter = Counter()
    programme = Programme.objects.filter(code=PROGRAMME_CODE).select_related("authority").first()
    if programme is None or Provider.objects.filter(authority=programme.authority, name=PROVIDER).exists():
        return created
    authority = programme.authority
    home = _coordinator_school(authority)
    if home is None:
        return created
    others = list(School.objects.filter(authority=authority).exclude(pk=home.pk).order_by("number")[:4])
    actor = SystemActor("seed_demo")
    rng = random.Random("training-demo:1")
    today = today or timezone.localdate()

    framework = _framework()
    competences = {c.code: c for c in Competence.objects.filter(framework=framework)} if framework is not None else {}
    provider = create_provider(
        actor=actor, authority=authority, name=PROVIDER, website="https://medienzentrum.example.org"
    )
    created["training providers"] += 1

    # Staff: 12 at the coordinator's school, 7 at each of four more.
    staff: list[tuple] = []
    for school, count in [(home, 12), *[(school, 7) for school in others]]:
        for index in range(1, count + 1):
            member = create_staff(
                actor=actor,
                school=school,
                reference=f"NH-{school.number}-{index:02d}",
                gender=rng.choice(GENDERS),
                age_band=rng.choice(AGE_BANDS),
            )
            staff.append((member, school))
    created["staff records"] += len(staff)

    courses = []
    for code, title, hours, mode, codes, (first, second), capacity in COURSES:
        course = create_course(
            actor=actor,
            programme=programme,
            provider=provider,
            code=code,
            title=title,
            hours=hours,
            mode=mode,
            competences=[competences[c] for c in codes if c in competences],
            target_levels=[1, 2, 3],
            target_roles=["teacher"],
        )
        sessions = []
        for days_before in (first, second):
            day = today - datetime.timedelta(days=days_before)
            online = mode == "online"
            sessions.append(
                add_session(
                    actor=actor,
                    course=course,
                    starts_at=_at(day, 14),
                    ends_at=_at(day, 17),
                    capacity=capacity,
                    place="" if online else "Medienzentrum Nordhafen, Raum 2",
                    link="https://meet.example.org/nh-dig-daten" if online else "",
                    trainer="M. Hansen" if online else "A. Petersen",
                )
            )
        courses.append((course, sessions))
    created["courses"] += len(courses)
    created["sessions"] += 2 * len(courses)

    # Enrolments and attendance: the two in-person courses, present at both sessions for most.
    order = list(range(len(staff)))
    rng.shuffle(order)
    plans = [(courses[0], order[:16]), (courses[1], order[10:22]), (courses[2], order[20:32])]
    for (course, sessions), chosen in plans:
        for position in chosen:
            member, school = staff[position]
            enrolment = enrol(actor=actor, course=course, staff=member, school=school)
            created["enrolments"] += 1
            if course.mode == "online":
                continue
            for session in sessions:
                absent = rng.random() < 0.12
                record_attendance(
                    actor=actor, session=session, enrolment=enrolment, status="absent" if absent else "present"
                )
                created["attendance records"] += 1
    # The online course: the first session's attendance, and the platform's completions.
    online_course, (first_session, _today_session) = courses[2]
    for enrolment in online_course.enrolments.order_by("pk")[:6]:
        record_attendance(actor=actor, session=first_session, enrolment=enrolment, status="present")
        created["attendance records"] += 1
        create_completion(
            actor=actor,
            course=online_course,
            staff=enrolment.staff,
            school=enrolment.school,
            completed_on=today - datetime.timedelta(days=10),
            source="platform",
            source_detail="Moodle (demo)",
        )
    from .models import Completion

    created["completions"] += Completion.objects.filter(course__programme=programme).count()

    # The self-assessment round, answered by 11 of the 12 at the coordinator's school.
    home_staff = [member for member, school in staff if school == home]
    if framework is not None:
        from .services.selfassessment import create_round, submit_self_assessment

        round_ = create_round(
            actor=actor,
            programme=programme,
            framework=framework,
            code=ROUND_CODE,
            name={
                "en": "Self-assessment before the courses",
                "de": "Selbsteinschätzung vor den Kursen",
                "nl": "Zelfevaluatie voor de cursussen",
                "fr": "Auto-évaluation avant les cours",
                "lv": "Pašnovērtējums pirms kursiem",
            },
            opens_on=today - datetime.timedelta(days=70),
            closes_on=today + datetime.timedelta(days=30),
        )
        ids = sorted(competences.values(), key=lambda c: (c.area.order, c.order, c.code))
        for member in home_staff[:11]:
            base = rng.choice((2, 2, 3, 3, 4))
            answers = {c.pk: max(1, min(6, base + rng.choice((-1, 0, 0, 1)))) for c in ids}
            submit_self_assessment(actor=actor, round=round_, staff=member, answers=answers, school=home)
        created["self-assessments"] += 11
    _teacher_account(home_staff[11], created)

    # The target, with weekly snapshots so that its burn-up shows the courses.
    position = (programme.targets.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    target = programme_services.target_create(
        actor=actor,
        programme=programme,
        data={
            "position": position,
            "number": "T1",  # the devices demo numbers D1–D6
            "title": TARGET_TITLE,
            "target_value": Decimal(40),
            "unit": "teachers",
            "due_date": datetime.date(2027, 6, 30),
            "due_label": "Q2 2027",
        },
    )
    programme_services.indicator_define(actor=actor, target=target, kind="training_teachers_trained", parameters={})
    created["targets"] += 1
    target.refresh_from_db()
    for weeks in range(9, -1, -1):
        programme_services.snapshot_record(target=target, as_of=today - datetime.timedelta(weeks=weeks))
        created["snapshots"] += 1
    return created


__all__ = ["seed_demo_training"]
