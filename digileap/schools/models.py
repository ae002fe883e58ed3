from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from digileap.core.validators import SCHOOL_YEAR_VALIDATOR  # noqa: F401  (defined in core; importable here too)


class IscedLevel(models.IntegerChoices):
    """ISCED 2011 levels taught in schools."""

    PRE_PRIMARY = 0, _("Pre-primary (ISCED 0)")
    PRIMARY = 1, _("Primary (ISCED 1)")
    LOWER_SECONDARY = 2, _("Lower secondary (ISCED 2)")
    UPPER_SECONDARY = 3, _("Upper secondary (ISCED 3)")
    POST_SECONDARY = 4, _("Post-secondary non-tertiary (ISCED 4)")


class Authority(models.Model):
    """A ministry, region or municipality that owns a programme and a school registry."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGION)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))

    scope_paths = {"authority": "pk", "operator": "operators", "school": "schools"}

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolOperator(models.Model):
    """A school operator (Schulträger, schoolbestuur, dibinātājs) that runs one or more schools."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="operators")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PUBLIC)
    region = models.CharField(
        _("region"),
        max_length=120,
        blank=True,
        db_default="",
        help_text=_("The region the operator belongs to (a planning region, a province), for figures by region."),
    )

    scope_paths = {"authority": "authority", "operator": "pk", "school": "schools"}

    class Meta:
        verbose_name = _("school operator")
        verbose_name_plural = _("school operators")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="operator_code_unique_in_authority"),
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school as the authority registers it. Its official number is unique within the authority.

    ``pupils_total``, ``ses_value`` and ``ses_scale`` repeat the newest school year's figures, so
    that lists of 40,000 schools sort and filter on them without a join; services keep them current.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Planned")
        CLOSED = "closed", _("Closed")

    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="schools")
    operator = models.ForeignKey(SchoolOperator, on_delete=models.PROTECT, related_name="schools")
    number = models.CharField(_("official number"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    type_code = models.CharField(_("school type code"), max_length=40, blank=True)
    type_label = models.CharField(_("school type"), max_length=120, blank=True)
    isced_0 = models.BooleanField(_("pre-primary"), default=False)
    isced_1 = models.BooleanField(_("primary"), default=False)
    isced_2 = models.BooleanField(_("lower secondary"), default=False)
    isced_3 = models.BooleanField(_("upper secondary"), default=False)
    isced_4 = models.BooleanField(_("post-secondary"), default=False)
    language = models.CharField(_("language of instruction"), max_length=8, blank=True)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices, default=Sector.PUBLIC)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude (WGS84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude (WGS84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    pupils_total = models.PositiveIntegerField(_("pupils"), null=True, blank=True, db_index=True)
    ses_value = models.DecimalField(_("socio-economic index"), max_digits=8, decimal_places=3, null=True, blank=True)
    ses_scale = models.ForeignKey(
        "SocioEconomicScale", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {"authority": "authority", "operator": "operator", "school": "pk"}

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="school_number_unique_in_authority"),
            models.CheckConstraint(
                name="school_coordinates_in_range",
                condition=(models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90))
                & (models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180)),
            ),
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="school_name_idx"),
            models.Index(fields=["number"], name="school_number_idx"),
            models.Index(fields=["city", "id"], name="school_city_idx"),
            models.Index(fields=["operator", "name"], name="school_operator_name_idx"),
            # An operator's schools sit in few cities: sorting them by city needs its own index.
            models.Index(fields=["operator", "city", "id"], name="school_operator_city_idx"),
            models.Index(fields=["ses_value", "id"], name="school_ses_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def levels(self) -> list[int]:
        return [level for level in IscedLevel.values if getattr(self, f"isced_{level}")]

    @property
    def level_labels(self) -> list[str]:
        return [str(IscedLevel(level).label) for level in self.levels]


class Site(models.Model):
    """A building of a school, where equipment is delivered and installed.

    A site belongs to one school (``school``). A building that several schools use is one site,
    held by the school that an import met first and shared with the others (``SharedSite``).
    ``code`` is the authority's own number of the building (an implantation, a Standort): when
    given, it identifies the site within ``authority``, so a re-import finds it again.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sites")
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The authority whose numbering the code follows; set with the code."),
    )
    code = models.CharField(
        _("site code"),
        max_length=32,
        blank=True,
        db_default="",
        help_text=_("The authority's number of the building; empty for sites entered by hand."),
    )
    name = models.CharField(_("name"), max_length=200)
    is_main = models.BooleanField(_("main building"), default=False)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True)

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="site_name_unique_in_school"),
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(is_main=True), name="one_main_site_per_school"
            ),
            models.UniqueConstraint(
                fields=["authority", "code"], condition=~models.Q(code=""), name="site_code_unique_in_authority"
            ),
            models.CheckConstraint(
                name="site_code_has_authority",
                condition=models.Q(code="") | models.Q(authority__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SharedSite(models.Model):
    """A school that also uses a site held by another school (one building, several schools)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shares")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="shared_sites")

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("shared site")
        verbose_name_plural = _("shared sites")
        ordering = ["site", "school"]
        constraints = [
            models.UniqueConstraint(fields=["site", "school"], name="shared_site_once_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.site} – {self.school}"


class Enrolment(models.Model):
    """Pupils of a school in one school year, by ISCED level and, where known, by grade.

    ``grade`` 0 means the level's total when the source gives no split by grade. ``level`` empty
    (NULL) means the school's total over all levels, for a year whose source gives no breakdown by
    level: then it is the year's only row, so that summing a year's rows gives its pupils wherever
    enrolment is read, and a filter by level leaves the unknown split out.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="enrolments")
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=IscedLevel.choices,
        null=True,
        blank=True,
        help_text=_("Empty: the total of all levels, when the source gives no breakdown by level."),
    )
    grade = models.PositiveSmallIntegerField(_("grade"), default=0)
    pupils = models.PositiveIntegerField(_("pupils"))

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-school_year", "level", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "level", "grade"], name="enrolment_unique_per_grade"
            ),
            models.CheckConstraint(name="enrolment_grade_in_range", condition=models.Q(grade__lte=13)),
            # The total of all levels: one a school year, never split by grade.
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=models.Q(level__isnull=True),
                name="enrolment_one_total_per_year",
            ),
            models.CheckConstraint(
                name="enrolment_total_has_no_grade",
                condition=models.Q(level__isnull=False) | models.Q(grade=0),
            ),
        ]

    def __str__(self) -> str:
        if self.level is None:
            return f"{self.school_year} {_('all levels')}: {self.pupils}"
        return f"{self.school_year} {self.get_level_display()} {self.grade}: {self.pupils}"


class StaffCount(models.Model):
    """The number of teachers of a school in one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_counts")
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    teachers = models.PositiveIntegerField(_("teachers"))

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("teacher count")
        verbose_name_plural = _("teacher counts")
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="staff_count_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year}: {self.teachers}"


class EligibilityGroup(models.Model):
    """A group of pupils eligible for support, as a regulation defines it (seed 003, Latvia)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("eligibility group")
        verbose_name_plural = _("eligibility groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class EligibleCount(models.Model):
    """How many pupils of a school belong to an eligibility group in one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="eligible_counts")
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    group = models.ForeignKey(EligibilityGroup, on_delete=models.PROTECT, related_name="counts")
    pupils = models.PositiveIntegerField(_("pupils"))

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("eligible pupils")
        verbose_name_plural = _("eligible pupils")
        ordering = ["-school_year", "group__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "group"], name="eligible_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.group.code}: {self.pupils}"


class SocioEconomicScale(models.Model):
    """How a socio-economic index is expressed: its range and which end is the disadvantaged one.

    Hamburg: 1 (most disadvantaged) to 6. Flanders: share of disadvantaged pupils, 0 to 100 %.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    minimum = models.DecimalField(_("lowest value"), max_digits=8, decimal_places=3)
    maximum = models.DecimalField(_("highest value"), max_digits=8, decimal_places=3)
    is_higher_more_disadvantaged = models.BooleanField(_("higher values mean more disadvantage"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("socio-economic scale")
        verbose_name_plural = _("socio-economic scales")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="ses_scale_range_ordered", condition=models.Q(minimum__lt=models.F("maximum"))),
        ]

    def __str__(self) -> str:
        return self.name

    def disadvantage(self, value) -> float:
        """The value mapped to 0 (least disadvantaged) .. 1 (most), whichever way the scale runs."""
        share = float((value - self.minimum) / (self.maximum - self.minimum))
        return share if self.is_higher_more_disadvantaged else 1.0 - share


class SocioEconomicIndex(models.Model):
    """A school's socio-economic index in one school year, with the scale it is expressed on."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="ses_indices")
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    scale = models.ForeignKey(SocioEconomicScale, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=3)

    scope_paths = {"authority": "school__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("socio-economic index")
        verbose_name_plural = _("socio-economic indices")
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "scale"], name="ses_unique_per_year_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year}: {self.value} ({self.scale.code})"
