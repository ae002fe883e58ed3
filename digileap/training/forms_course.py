"""Forms of the course pages, and the course list's filter (shared by the page and the API).
They only parse input; ``services.courses`` authorises, validates, writes and audits. Titles and
descriptions are typed in the five languages with the programmes app's ``TranslationsField``."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import choice_field, label_choices, model_choice_field
from digileap.programmes.forms import ServiceFormMixin, TranslationsField
from digileap.programmes.models import Programme
from digileap.programmes.translation import localized
from digileap.schools.models import Authority, IscedLevel

from .models import Area, Course, Provider, Session
from .models.people import StaffRole
from .selectors import courses as selectors
from .services.courses import MappingSystem


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ProviderForm(ServiceFormMixin, forms.Form):
    unique_field = "name"

    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def __init__(self, *args, authorities: QuerySet[Authority] | None = None, provider=None, **kwargs):
        if provider is not None:
            kwargs.setdefault("initial", {"name": provider.name, "website": provider.website})
        super().__init__(*args, **kwargs)
        if provider is not None or authorities is None:
            del self.fields["authority"]
        else:
            field = model_choice_field(self, "authority")
            field.queryset = authorities
            only = list(authorities[:2])
            if len(only) == 1:
                field.empty_label = None
                self.initial.setdefault("authority", only[0].pk)


class CompetenceChoices(forms.CheckboxSelectMultiple):
    """The competences as checkboxes, grouped by framework and area (the choices' groups)."""


class CourseForm(ServiceFormMixin, forms.Form):
    unique_field = "code"

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("A short code of your own, unique within the programme.")
    )
    title = TranslationsField(label=_("Title"), required=True, max_length=300)
    description = TranslationsField(label=_("Description"), multiline=True)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=9999, decimal_places=2, max_digits=6)
    mode = forms.ChoiceField(label=_("Mode"), choices=Course.Mode.choices, widget=forms.RadioSelect)
    competences = forms.TypedMultipleChoiceField(
        label=_("Competences it addresses"),
        coerce=int,
        required=False,
        widget=CompetenceChoices,
        help_text=_("All from one framework."),
    )
    target_levels = forms.TypedMultipleChoiceField(
        label=_("School levels"),
        choices=IscedLevel.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every level."),
    )
    target_roles = forms.TypedMultipleChoiceField(
        label=_("Staff roles"),
        choices=StaffRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every role."),
    )
    completion_rule = forms.ChoiceField(
        label=_("Completed when"), choices=Course.Rule.choices, widget=forms.RadioSelect
    )
    attendance_share = forms.IntegerField(
        label=_("Attendance needed (%)"),
        min_value=1,
        max_value=100,
        help_text=_("The share of the course's minutes a person attends (for the rules with attendance)."),
    )
    state = forms.ChoiceField(label=_("State"), choices=Course.State.choices)

    FIELDS = (
        "provider",
        "code",
        "title",
        "description",
        "hours",
        "mode",
        "competences",
        "target_levels",
        "target_roles",
        "completion_rule",
        "attendance_share",
        "state",
    )

    def __init__(
        self, *args, user, programmes: QuerySet[Programme] | None = None, course: Course | None = None, **kwargs
    ):
        if course is not None:
            initial = {name: getattr(course, name) for name in self.FIELDS if name != "competences"}
            initial["provider"] = course.provider_id
            initial["competences"] = [pk for pk in course.competences.values_list("pk", flat=True)]
            kwargs.setdefault("initial", initial)
        else:
            kwargs.setdefault(
                "initial",
                {
                    "mode": Course.Mode.IN_PERSON,
                    "completion_rule": Course.Rule.ATTENDANCE,
                    "attendance_share": 80,
                    "state": Course.State.DRAFT,
                },
            )
        super().__init__(*args, **kwargs)
        self.course = course
        if course is not None:
            del self.fields["programme"]
            authority_ids = [course.programme.authority_id]
        else:
            shown = programmes if programmes is not None else Programme.objects.none()
            field = label_choices(self, "programme", lambda programme: f"{programme.code}: {programme.display_name}")
            field.queryset = shown
            only = list(shown[:2])
            if len(only) == 1:
                field.empty_label = None
                self.initial.setdefault("programme", only[0].pk)
            authority_ids = sorted({programme.authority_id for programme in shown.all()})
        providers = selectors.providers_usable(user, authority_ids)
        model_choice_field(self, "provider").queryset = providers
        label_choices(
            self,
            "provider",
            lambda provider: (
                provider.name if len(authority_ids) <= 1 else f"{provider.name} ({provider.authority.name})"
            ),
        )
        choice_field(self, "competences").choices = self._competence_choices(user, authority_ids, course)

    @staticmethod
    def _competence_choices(user, authority_ids, course: Course | None) -> list:
        competences = selectors.competences_for_form(user, authority_ids)
        if course is not None:
            # The course's own framework stays offered even when it is no longer in use.
            competences = competences | selectors.competences_for_form(user, authority_ids, active_only=False).filter(
                framework__in=course.competences.values("framework_id")
            )
        groups: dict[int, tuple[str, list]] = {}
        for competence in competences:
            area = competence.area
            if area.pk not in groups:
                framework = competence.framework
                label = f"{framework.code} {framework.version} · {area.code} {localized(area.name)}"
                groups[area.pk] = (label.strip(), [])
            groups[area.pk][1].append((competence.pk, f"{competence.code} {localized(competence.name)}".strip()))
        return list(groups.values())

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self):
        cleaned = super().clean()
        programme, provider = cleaned.get("programme"), cleaned.get("provider")
        if programme is not None and provider is not None and provider.authority_id != programme.authority_id:
            self.add_error("provider", _("The provider must be one of the programme's authority."))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class SessionForm(ServiceFormMixin, forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    trainer = forms.CharField(label=_("Trainer"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100000)

    FIELDS = ("starts_at", "ends_at", "place", "link", "trainer", "capacity")

    def __init__(self, *args, session: Session | None = None, **kwargs):
        if session is not None:
            kwargs.setdefault("initial", {name: getattr(session, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The session ends after it starts."))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class CourseMappingForm(ServiceFormMixin, forms.Form):
    system = forms.ChoiceField(label=_("System"), choices=MappingSystem.choices)
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=500,
        help_text=_("Moodle: the course's short name or id; xAPI: the activity's IRI."),
    )


def _programmes(request):
    if request is None:
        return Programme.objects.none()
    return Programme.objects.filter(pk__in=selectors.courses_for(request.user).values("programme_id")).order_by("code")


def _providers(request):
    if request is None:
        return Provider.objects.none()
    return Provider.objects.filter(pk__in=selectors.courses_for(request.user).values("provider_id")).order_by("name")


def _areas(request):
    if request is None:
        return Area.objects.none()
    return selectors.areas_of(selectors.courses_for(request.user))


class CourseFilter(django_filters.FilterSet):
    """Search and filters over courses, for the list page and the API. Every choice names only
    what the user's own courses use."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Code or title"))
    programme = django_filters.ModelChoiceFilter(
        queryset=_programmes, label=_("Programme"), empty_label=_("All programmes")
    )
    provider = django_filters.ModelChoiceFilter(
        queryset=_providers, label=_("Provider"), empty_label=_("All providers")
    )
    mode = django_filters.ChoiceFilter(choices=Course.Mode.choices, label=_("Mode"), empty_label=_("All modes"))
    state = django_filters.ChoiceFilter(choices=Course.State.choices, label=_("State"), empty_label=_("All states"))
    area = django_filters.ModelChoiceFilter(
        queryset=_areas, label=_("Competence area"), empty_label=_("All areas"), method="filter_area"
    )
    level = django_filters.ChoiceFilter(
        choices=IscedLevel.choices,
        label=_("School level"),
        empty_label=_("All levels"),
        method="filter_level",
    )

    class Meta:
        model = Course
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["programme"].field.label_from_instance = lambda programme: (
            f"{programme.code}: {programme.display_name}"
        )
        self.filters["area"].field.label_from_instance = lambda area: (
            f"{localized(area.framework.name) or area.framework.code} · {area.code} {localized(area.name)}".strip()
        )

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_area(self, queryset, name, value: int):  # the API's parameter is the area's id
        if value is None:
            return queryset
        return queryset.filter(pk__in=Course.objects.filter(competences__area=value).values("pk"))

    def filter_level(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        return selectors.for_level(queryset, int(value))
