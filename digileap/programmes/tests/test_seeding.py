import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from digileap.core.models import AuditEvent
from digileap.programmes.indicators import register_indicator_kind, unregister_indicator_kind
from digileap.programmes.models import Programme, Target
from digileap.schools.models import Authority
from digileap.schools.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db
D = Decimal


def budget(code):
    return [
        (s.kind, s.amount, s.cofinancing_rate)
        for s in Programme.objects.get(code=code).funding_sources.order_by("position")
    ]


def targets(code):
    return [
        (
            t.number,
            t.kind,
            t.target_value,
            t.due_date,
            t.due_label,
            t.reported_status,
            t.indicator.kind if t.indicator else None,
        )
        for t in Target.objects.filter(programme__code=code).order_by("position")
    ]


@pytest.fixture
def loaded():
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_five_public_programmes_with_their_authorities(loaded):
    rows = list(Programme.objects.order_by("code").values_list("code", "authority__code", "country", "is_public"))
    assert rows == [
        ("brussels-digitale-omkeer", "BE-BRU", "BE", True),
        ("flanders-digisprong", "BE-VLG", "BE", True),
        ("ghent-digisprong", "BE-GENT", "BE", True),
        ("latvia-dators-ikvienam-bernam", "LV-IZM", "LV", True),
        ("mv-digitalpakt-schule", "DE-MV", "DE", True),
    ]


def test_brussels_seed_000(loaded):
    programme = Programme.objects.get(code="brussels-digitale-omkeer")
    assert programme.name["nl"] == "Digitale omkeer voor Brusselse scholen"
    assert (programme.climate_contribution, programme.digital_contribution, programme.sdgs) == (
        D("0"),
        D("100"),
        [4, 8, 10],
    )
    assert budget(programme.code) == [
        ("eu_rrf", D("5200000.00"), None),
        ("regional", D("3200000.00"), None),
        ("private", D("0.00"), None),
    ]
    assert targets(programme.code) == [
        ("405", "target", D("2200.00"), datetime.date(2021, 10, 31), "oktober 2021", "completed", "devices_delivered"),
        ("", "target", D("3500.00"), datetime.date(2024, 10, 31), "oktober 2024", "to_do", "access_points_installed"),
    ]
    assert "2,000 Wi-Fi access points" in programme.description["en"]


def test_flanders_seed_001_keeps_both_contradictory_figures(loaded):
    programme = Programme.objects.get(code="flanders-digisprong")
    assert budget(programme.code) == [
        ("eu_rrf", D("286860000.00"), None),
        ("regional", D("10000000.00"), None),
        ("private", D("0.00"), None),
    ]
    assert targets(programme.code) == [
        ("401", "target", D("3785.00"), datetime.date(2022, 10, 31), "oktober 2022", "completed", "schools_reached"),
        ("", "target", D("3787.00"), datetime.date(2022, 12, 31), "2022", "to_do", "schools_reached"),
        ("", "milestone", D("1.00"), datetime.date(2021, 12, 31), "eind 2021", "to_do", "document_approved"),
        ("", "milestone", D("1.00"), datetime.date(2022, 12, 31), "eind 2022", "to_do", "document_approved"),
        ("", "milestone", D("1.00"), datetime.date(2022, 12, 31), "eind 2022", "to_do", "document_approved"),
    ]
    for language in ("en", "nl"):
        text = programme.description[language]
        assert "286" in text and "316" in text and "3,78" in text.replace(".", ",")
    assert "EUR 286.86 million" in programme.description["en"] and "EUR 316 million" in programme.description["en"]
    assert "3,787" in programme.description["en"] and "3,785" in programme.description["en"]
    assert (programme.period_start, programme.period_end) == (datetime.date(2021, 1, 1), datetime.date(2022, 12, 31))


def test_ghent_seed_002(loaded):
    programme = Programme.objects.get(code="ghent-digisprong")
    assert programme.authority.kind == Authority.Kind.MUNICIPALITY
    assert budget(programme.code) == []
    assert [t[2] for t in targets(programme.code)] == [D("1.00"), D("6000.00"), D("1.00")]
    assert programme.objectives.count() == 4


def test_latvia_seed_003(loaded):
    programme = Programme.objects.get(code="latvia-dators-ikvienam-bernam")
    assert budget(programme.code) == [("eu_rrf", D("15000000.00"), None), ("national", D("3000000.00"), None)]
    assert targets(programme.code) == [
        (
            "",
            "target",
            D("13310.00"),
            datetime.date(2022, 12, 31),
            "2022. gada 31. decembris",
            "to_do",
            "devices_delivered",
        ),
        (
            "",
            "target",
            D("26620.00"),
            datetime.date(2023, 12, 31),
            "2023. gada 31. decembris",
            "to_do",
            "devices_delivered",
        ),
        (
            "",
            "milestone",
            D("593.00"),
            datetime.date(2024, 6, 30),
            "2024. gada 30. jūnijs",
            "to_do",
            "connectivity_schools_surveyed",
        ),
    ]
    assert programme.period_end == datetime.date(2026, 6, 30)
    assert all(t.accumulation == "cumulative" for t in programme.targets.all())


def test_mecklenburg_vorpommern_seed_004_reuses_the_import_profiles_authority():
    existing = AuthorityFactory(code="DE-MV", name="Land Mecklenburg-Vorpommern")
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    programme = Programme.objects.get(code="mv-digitalpakt-schule")
    assert programme.authority == existing
    assert Authority.objects.filter(code="DE-MV").count() == 1
    assert budget(programme.code) == [("national", D("99209500.00"), None), ("regional", D("9920950.00"), D("10.00"))]
    assert "207" in programme.end_goal["de"]


def test_personal_data_of_the_documents_is_left_out(loaded):
    text = str(list(Programme.objects.values())) + str(list(Target.objects.values()))
    for personal in ("Signe", "Briķe", "65488001", "izm.gov.lv", "Dellaert"):
        assert personal not in text


def test_loading_twice_changes_nothing(loaded):
    events = AuditEvent.objects.count()
    counts = [Programme.objects.count(), Target.objects.count()]
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.count() == events
    assert [Programme.objects.count(), Target.objects.count()] == counts


def test_a_second_run_attaches_indicators_whose_kind_arrived_since(loaded):
    """A seed target whose kind was not installed at the first load gets its indicator later."""
    from digileap.programmes.indicators import get_kind

    devices_delivered = get_kind("devices_delivered")
    Indicator = Target._meta.get_field("indicator").related_model
    Target.objects.filter(programme__code="latvia-dators-ikvienam-bernam", indicator__kind="devices_delivered").update(
        indicator=None
    )
    Indicator.objects.filter(programme__code="latvia-dators-ikvienam-bernam", kind="devices_delivered").delete()
    unregister_indicator_kind("devices_delivered")
    try:
        call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert targets("latvia-dators-ikvienam-bernam")[0][6] is None
    finally:
        register_indicator_kind(devices_delivered)
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert targets("latvia-dators-ikvienam-bernam")[0][6] == "devices_delivered"
