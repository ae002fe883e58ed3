"""Courses of a programme, their sessions, who enrols, who attends and who completes."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

# A course is offered to every school of its programme's authority and to its staff.
AUTHORITY_WIDE = {
    "authority": "programme__authority",
    "operator": "programme__authority__operators",
    "school": "programme__authority__schools",
    "staff": "programme__authority__staff_members",
}
# A person's records are seen by their school's side and by themself.
PERSONAL = {
    "authority": "school__authority",
    "operator": "school__operator",
    "school": "school",
    "staff": "staff",
}


def new_certificate_number() -> str:
    return secrets.token_hex(8).upper()


class Provider(models.Model):
    """Who gives courses: a pedagogical centre, a university college, a company."""

    authority = models.ForeignKey(
        "schools.Authority", on_delete=models.PROTECT, related_name="training_providers", verbose_name=_("authority")
    )
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_paths = {
        "authority": "authority",
        "operator": "authority__operators",
        "school": "authority__schools",
        "staff": "authority__staff_members",
    }

    class Meta:
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="provider_name_unique")]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BLENDED = "blended", _("Blended")

    class Rule(models.TextChoices):
        ATTENDANCE = "attendance", _("A share of attendance")
        ASSESSMENT = "assessment", _("An assessment passed")
        BOTH = "both", _("Attendance and an assessment passed")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for enrolment")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="courses", verbose_name=_("programme")
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("provider"))
    code = models.CharField(_("code"), max_length=40)
    title = models.JSONField(_("title"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(9999)]
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    competences = models.ManyToManyField(
        "training.Competence", related_name="courses", blank=True, verbose_name=_("competences")
    )
    target_levels = models.JSONField(
        _("school levels"), default=list, blank=True, help_text=_("ISCED levels of the schools it is for.")
    )
    target_roles = models.JSONField(_("staff roles"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    completion_rule = models.CharField(
        _("completion rule"), max_length=16, choices=Rule.choices, default=Rule.ATTENDANCE
    )
    attendance_share = models.PositiveSmallIntegerField(
        _("attendance needed (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = AUTHORITY_WIDE

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="course_code_unique_in_programme"),
            models.CheckConstraint(name="course_hours_not_negative", condition=Q(hours__gte=0)),
            models.CheckConstraint(
                name="course_attendance_share_percent", condition=Q(attendance_share__gte=1, attendance_share__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return localized(self.title) or self.code


class CourseMapping(models.Model):
    """An identifier a learning platform or an import uses for a course: a Moodle course short
    name or id, an xAPI activity IRI. ``authority`` repeats the programme's."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="mappings")
    authority = models.ForeignKey("schools.Authority", on_delete=models.CASCADE, related_name="+")
    system = models.CharField(_("system"), max_length=40)
    identifier = models.CharField(_("identifier"), max_length=500)

    scope_paths = {key: f"course__{path}" for key, path in AUTHORITY_WIDE.items()}

    class Meta:
        verbose_name = _("course identifier")
        verbose_name_plural = _("course identifiers")
        constraints = [
            models.UniqueConstraint(fields=["authority", "system", "identifier"], name="course_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.identifier}"


class Session(models.Model):
    """One meeting of a course: when, where (a place or a link), who trains, how many fit."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    link = models.URLField(_("online link"), blank=True)
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])

    scope_paths = {key: f"course__{path}" for key, path in AUTHORITY_WIDE.items()}

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["course", "starts_at"]
        constraints = [
            models.CheckConstraint(name="session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="session_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CourseEnrolment(models.Model):
    """A staff member's place on a course, for one of their schools. When the course is full, new
    enrolments wait (ordered by ``created_at``) and move up when a place frees."""

    class State(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    staff = models.ForeignKey("training.StaffMember", on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="training_enrolments")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ENROLLED)
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)
    assessment_score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = PERSONAL

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "staff"], name="enrolment_unique_per_course")]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.staff_id}"


class Source(models.TextChoices):
    DIGILEAP = "digileap", _("Digileap")
    IMPORT = "import", _("Import")
    PLATFORM = "platform", _("Learning platform")


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.DIGILEAP)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = {key: f"enrolment__{path}" for key, path in PERSONAL.items()}

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_unique_per_session"),
            models.CheckConstraint(name="attendance_absent_no_minutes", condition=Q(status="present") | Q(minutes=0)),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}: {self.status}"


class Completion(models.Model):
    """That a staff member completed a course, for one of their schools, on a day; where the record
    comes from (Digileap's own rule, an import, a learning platform); and its certificate number."""

    # No index of its own: the unique (course, staff) and the (course, day, staff) indexes start with it,
    # and a million-row import pays for every index it updates.
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions", db_index=False)
    staff = models.ForeignKey("training.StaffMember", on_delete=models.PROTECT, related_name="completions")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="training_completions")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("last session")
    )
    completed_on = models.DateField(_("completed on"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.DIGILEAP)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    import_job = models.ForeignKey("core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    certificate_number = models.CharField(
        _("certificate number"), max_length=32, unique=True, default=new_certificate_number, editable=False
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    scope_paths = PERSONAL

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "staff"], name="completion_unique_per_course")]
        indexes = [
            models.Index(fields=["completed_on", "course"], name="completion_day_course"),
            # "Teachers trained" counts distinct people per course and period from the index alone.
            models.Index(fields=["course", "completed_on", "staff"], name="completion_course_day_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.staff_id} {self.completed_on}"
