"""The analysis pages for every role: the campaign's analysis, its exports, benchmarks and costs."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.connectivity.models import AnalysisRun, Benchmark, CostParameters
from digileap.connectivity.services import analysis as services
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import CampaignFactory, CampaignSchoolFactory, DailyAggregateFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2024, 4, 1)
COSTS = {
    "target_benchmark": None,
    "fibre_per_km": Decimal("25000.00"),
    "fibre_connection": Decimal("3000.00"),
    "fibre_default_km": Decimal("1.00"),
    "fibre_monthly": Decimal("150.00"),
    "upgrade_per_mbps_month": Decimal("0.50"),
    "wifi_per_classroom": Decimal("900.00"),
    "switch_per_site": Decimal("2500.00"),
    "switch_max_age_years": 8,
    "technology_limits": {"dsl": 250},
    "years": 5,
    "priority": CostParameters.Priority.GAP,
}


@pytest.fixture
def analysed(world, role_users):
    """A campaign over the INSIDE school and a second school of another INSIDE-authority operator,
    both measured at 50 Mbit/s; the INSIDE school has 8 classrooms without Wi-Fi."""
    owner = role_users[Role.PROGRAMME_OWNER]
    programme = ProgrammeFactory(authority=world.authority, name={"en": "INSIDE connectivity"})
    campaign = CampaignFactory(programme=programme, code="LV-2024", name={"en": "INSIDE survey"})
    second = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="INSIDE second operator"),
        name="INSIDE second school",
        number="1002",
    )
    for school in (world.school, second):
        CampaignSchoolFactory(campaign=campaign, school=school)
        for n in range(3):
            DailyAggregateFactory(school=school, day=AS_OF - datetime.timedelta(days=n), tests=2, download_median=50)
    SurveyResponseFactory(campaign=campaign, school=world.school, classrooms=20, classrooms_wifi=12, switches=2)
    services.benchmarks_install_defaults(actor=owner, programme=programme)
    services.cost_parameters_save(actor=owner, programme=programme, data=COSTS)
    run = services.analysis_run(actor=owner, campaign=campaign, as_of=AS_OF)
    return {"campaign": campaign, "programme": programme, "second": second, "run": run}


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


SEES_ALL = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR]


@pytest.mark.parametrize("role", SEES_ALL)
def test_authority_roles_see_every_school(client, role_users, analysed, role):
    response = get(client, role_users[role], reverse("connectivity:campaign-analysis", args=[analysed["campaign"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "INSIDE school" in text and "INSIDE second school" in text
    assert ("Run the analysis" in text) is (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))
    # Both schools: 950 Mbit/s gap, fibre 28,000.00 + 1,800.00 a year; the INSIDE school's Wi-Fi 7,200.00.
    assert "44,200.00" in text and "37,000.00" in text and "81,200.00" in text


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_school_side_sees_only_its_school(client, role_users, analysed, role):
    response = get(client, role_users[role], reverse("connectivity:campaign-analysis", args=[analysed["campaign"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "INSIDE school" in text
    assert "INSIDE second school" not in text and "INSIDE second operator" not in text
    assert "Run the analysis" not in text and "Benchmarks and costs" not in text
    assert "44,200.00" in text and "81,200.00" not in text


def test_supplier_sees_no_analysis(client, role_users, analysed):
    response = get(
        client, role_users[Role.SUPPLIER], reverse("connectivity:campaign-analysis", args=[analysed["campaign"].pk])
    )
    assert response.status_code == 404


def test_operator_filter(client, role_users, analysed):
    url = reverse("connectivity:campaign-analysis", args=[analysed["campaign"].pk])
    response = get(client, role_users[Role.PROGRAMME_OWNER], f"{url}?operator={analysed['second'].operator_id}")
    text = response.content.decode()
    assert "INSIDE second school" in text and ">INSIDE school <" not in text
    assert "81,200.00" not in text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PROGRAMME_OWNER, 302),
        (Role.FUNDING_ADMINISTRATOR, 403),
        (Role.AUDITOR, 403),
        (Role.OPERATOR_STAFF, 403),
        (Role.SCHOOL_COORDINATOR, 403),
        (Role.SUPPLIER, 404),
    ],
)
def test_running_the_analysis(client, role_users, analysed, role, status):
    client.force_login(role_users[role])
    response = client.post(reverse("connectivity:campaign-analysis-run", args=[analysed["campaign"].pk]))
    assert response.status_code == status
    assert AnalysisRun.objects.count() == (2 if status == 302 else 1)


def test_exports_are_scoped(client, role_users, analysed):
    pk = analysed["campaign"].pk
    response = get(
        client, role_users[Role.SCHOOL_COORDINATOR], reverse("connectivity:campaign-proposals-csv", args=[pk])
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert (
        lines[1]
        == "1;1001;INSIDE school;INSIDE operator;950.00;8;0;Connect to fibre;28000.00;1800.00;7200.00;0.00;44200.00;950.0000"
    )
    response = get(client, role_users[Role.PROGRAMME_OWNER], reverse("connectivity:campaign-proposals-xlsx", args=[pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["1001", "1002"]


def test_no_run_yet(client, role_users, world):
    campaign = CampaignFactory(programme=ProgrammeFactory(authority=world.authority))
    response = get(
        client, role_users[Role.PROGRAMME_OWNER], reverse("connectivity:campaign-analysis", args=[campaign.pk])
    )
    assert "The campaign has not been analysed yet." in response.content.decode()
    response = get(
        client, role_users[Role.PROGRAMME_OWNER], reverse("connectivity:campaign-proposals-csv", args=[campaign.pk])
    )
    assert response.status_code == 404


# Benchmarks and cost parameters.


def benchmark_post(**overrides):
    data = {
        "code": "fast",
        "kind": "tiers",
        "threshold_mbps": "100",
        "lower_mbps": "10",
        "share_percent": "",
        "min_tests": "5",
        "min_days": "3",
        "position": "1",
        "name_en": "Fast",
        "name_lv": "Ātrs",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.PROGRAMME_OWNER, 200),
        (Role.FUNDING_ADMINISTRATOR, 200),
        (Role.AUDITOR, 200),
        (Role.OPERATOR_STAFF, 403),
        (Role.SCHOOL_COORDINATOR, 403),
        (Role.SUPPLIER, 404),
    ],
)
def test_benchmark_list_per_role(client, role_users, analysed, role, status):
    response = get(client, role_users[role], reverse("connectivity:benchmark-list", args=[analysed["programme"].pk]))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "EU gigabit aim: 1 Gbit/s per school" in text
        assert ("New benchmark" in text) is (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))


def test_owner_adds_edits_and_deletes_a_benchmark(client, role_users, analysed):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programme = analysed["programme"]
    response = client.post(reverse("connectivity:benchmark-create", args=[programme.pk]), benchmark_post())
    assert response.status_code == 302
    benchmark = Benchmark.objects.get(programme=programme, code="fast")
    assert (benchmark.kind, benchmark.threshold_mbps, benchmark.lower_mbps, benchmark.name) == (
        "tiers",
        Decimal("100.000"),
        Decimal("10.000"),
        {"en": "Fast", "lv": "Ātrs"},
    )
    response = client.post(
        reverse("connectivity:benchmark-edit", args=[benchmark.pk]),
        benchmark_post(kind="absolute", threshold_mbps="300", lower_mbps="10"),
    )
    assert response.status_code == 302
    benchmark.refresh_from_db()
    assert (benchmark.kind, benchmark.threshold_mbps, benchmark.lower_mbps) == ("absolute", Decimal("300.000"), None)
    response = client.post(reverse("connectivity:benchmark-delete", args=[benchmark.pk]))
    assert response.status_code == 302
    assert not Benchmark.objects.filter(pk=benchmark.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lower_mbps": "100"}, "lower_mbps", "The lower threshold must be below the threshold."),
        ({"lower_mbps": ""}, "lower_mbps", "Tiers need a lower threshold in Mbit/s."),
        ({"kind": "contracted"}, "share_percent", "Give the share of the contracted speed in %."),
        ({"code": "giga"}, "code", "The programme already has a benchmark with this code."),
        ({"name_en": "", "name_lv": ""}, "name_en", "Give a name in at least one language."),
        ({"min_tests": "0"}, "min_tests", "Ensure this value is greater than or equal to 1."),
        ({"threshold_mbps": "-1"}, "threshold_mbps", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_benchmarks_name_the_field_and_write_nothing(client, role_users, analysed, overrides, field, message):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programme = analysed["programme"]
    response = client.post(reverse("connectivity:benchmark-create", args=[programme.pk]), benchmark_post(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert programme.benchmarks.count() == 4


def test_a_used_benchmark_is_not_deleted(client, role_users, analysed):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    benchmark = Benchmark.objects.get(programme=analysed["programme"], code="giga")
    response = client.post(reverse("connectivity:benchmark-delete", args=[benchmark.pk]))
    assert response.status_code == 400
    assert "An analysis used this benchmark" in response.content.decode()
    assert Benchmark.objects.filter(pk=benchmark.pk).exists()


def test_install_the_usual_ones_twice_adds_them_once(client, role_users, world):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programme = ProgrammeFactory(authority=world.authority)
    for _ in range(2):
        assert client.post(reverse("connectivity:benchmark-install", args=[programme.pk])).status_code == 302
    assert list(programme.benchmarks.order_by("position").values_list("code", "position")) == [
        ("eu-gigabit", 1),
        ("per-pupil", 2),
        ("giga", 3),
        ("contracted-80", 4),
    ]
    assert set(Benchmark.objects.get(programme=programme, code="giga").name) == {"en", "nl", "fr", "de", "lv"}


def costs_post(**overrides):
    data = {
        "target_benchmark": "",
        "fibre_per_km": "20000",
        "fibre_connection": "2500",
        "fibre_default_km": "1.5",
        "fibre_monthly": "120",
        "upgrade_per_mbps_month": "0.40",
        "wifi_per_classroom": "800",
        "switch_per_site": "2000",
        "switch_max_age_years": "7",
        "years": "6",
        "priority": "ses",
        "limit_dsl": "250",
        "limit_mobile": "",
    }
    data.update(overrides)
    return data


def test_owner_sets_the_cost_parameters(client, role_users, analysed):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programme = analysed["programme"]
    target = Benchmark.objects.get(programme=programme, code="giga")
    url = reverse("connectivity:costparameters-edit", args=[programme.pk])
    assert client.post(url, costs_post(target_benchmark=str(target.pk))).status_code == 302
    costs = CostParameters.objects.get(programme=programme)
    assert (costs.target_benchmark, costs.fibre_default_km, costs.years, costs.priority, costs.technology_limits) == (
        target,
        Decimal("1.50"),
        6,
        "ses",
        {"dsl": 250.0},
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"limit_dsl": "0"}, "limit_dsl", "The fastest speed must be a number of Mbit/s above 0."),
        ({"years": "0"}, "years", "Ensure this value is greater than or equal to 1."),
        ({"fibre_per_km": "-5"}, "fibre_per_km", "Ensure this value is greater than or equal to 0."),
        ({"wifi_per_classroom": "lots"}, "wifi_per_classroom", "Enter a number."),
    ],
)
def test_bad_cost_parameters_name_the_field(client, role_users, analysed, overrides, field, message):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    programme = analysed["programme"]
    response = client.post(reverse("connectivity:costparameters-edit", args=[programme.pk]), costs_post(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert CostParameters.objects.get(programme=programme).years == 5


def test_a_target_of_another_programme_is_refused(role_users, analysed):
    other = Benchmark.objects.create(
        programme=ProgrammeFactory(authority=analysed["programme"].authority),
        code="x",
        name={"en": "X"},
        kind="absolute",
        threshold_mbps=1,
    )
    with pytest.raises(services.ValidationError) as error:
        services.cost_parameters_save(
            actor=role_users[Role.PROGRAMME_OWNER],
            programme=analysed["programme"],
            data={**COSTS, "target_benchmark": other},
        )
    assert error.value.message_dict == {"target_benchmark": ["Choose one of the programme's benchmarks."]}


@pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.OPERATOR_STAFF])
def test_others_cannot_change_the_setup(client, role_users, analysed, role):
    client.force_login(role_users[role])
    programme = analysed["programme"]
    assert client.get(reverse("connectivity:costparameters-edit", args=[programme.pk])).status_code == 403
    assert (
        client.post(reverse("connectivity:benchmark-create", args=[programme.pk]), benchmark_post()).status_code == 403
    )
    assert client.post(reverse("connectivity:benchmark-install", args=[programme.pk])).status_code == 403
    assert programme.benchmarks.count() == 4
