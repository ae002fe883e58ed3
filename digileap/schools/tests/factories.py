import factory
from factory.django import DjangoModelFactory

from digileap.schools.models import (
    Authority,
    Enrolment,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    SocioEconomicScale,
)


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AUTH-{n}")
    name = factory.Sequence(lambda n: f"Authority {n}")
    kind = Authority.Kind.REGION
    country = "DE"


class OperatorFactory(DjangoModelFactory):
    class Meta:
        model = SchoolOperator

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"op-{n}")
    name = factory.Sequence(lambda n: f"Operator {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    operator = factory.SubFactory(OperatorFactory)
    authority = factory.SelfAttribute("operator.authority")
    number = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"School {n}")
    type_code = "GS"
    type_label = "Grundschule"
    isced_1 = True
    language = "de"
    city = "Schwerin"


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Building {n}")


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    school = factory.SubFactory(SchoolFactory)
    school_year = "2024/25"
    level = 1
    grade = 0
    pupils = 100


def hamburg_scale() -> SocioEconomicScale:
    return SocioEconomicScale.objects.get(code="de-hh-sozialindex")


class SocioEconomicIndexFactory(DjangoModelFactory):
    class Meta:
        model = SocioEconomicIndex

    school = factory.SubFactory(SchoolFactory)
    school_year = "2024/25"
    scale = factory.LazyFunction(hamburg_scale)
    value = 3
