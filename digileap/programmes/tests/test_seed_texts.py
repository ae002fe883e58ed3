"""The seed programmes' texts in all five languages (issue 11: the public pages of the seed
programmes in en, nl, fr, de and lv; French, German and Latvian pages showed English)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from digileap.core.models import AuditEvent
from digileap.programmes.models import FundingSource, Objective, Programme, Target
from digileap.programmes.seed_data import LANGUAGES, PLACE_NAMES, PROGRAMMES
from digileap.programmes.translation import place_label
from digileap.schools.models import Authority

pytestmark = pytest.mark.django_db


def text_mappings(node, path=""):
    """Every text mapping ({"en": ..., "nl": ...}) in the seed data, with where it is."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from text_mappings(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        if node and set(node) <= set(LANGUAGES) and isinstance(node.get("en"), str):
            yield path, node
            return
        for key, value in node.items():
            yield from text_mappings(value, f"{path}.{key}")


def test_every_seed_text_is_in_all_five_languages():
    found = list(text_mappings(PROGRAMMES))
    assert len(found) == 73
    missing = [(path, sorted(set(LANGUAGES) - set(texts))) for path, texts in found if set(texts) != set(LANGUAGES)]
    assert missing == []
    empty = [path for path, texts in found if not all(text.strip() for text in texts.values())]
    assert empty == []


def test_the_seeds_own_language_is_kept():
    by_code = {spec["code"]: spec for spec in PROGRAMMES}
    assert by_code["brussels-digitale-omkeer"]["name"]["nl"] == "Digitale omkeer voor Brusselse scholen"
    assert by_code["latvia-dators-ikvienam-bernam"]["targets"][0]["title"]["lv"] == (
        "IKT aprīkojuma vienības mērķa grupai (izglītojamajiem)"
    )
    assert by_code["mv-digitalpakt-schule"]["name"]["de"] == "DigitalPakt Schule in Mecklenburg-Vorpommern"


def test_every_seed_authority_and_region_has_its_name_in_all_five_languages():
    from digileap.programmes.seed_data import AUTHORITIES

    names = [details["name"] for details in AUTHORITIES.values()]
    names += [spec["region"] for spec in PROGRAMMES if spec["region"]]
    for name in names:
        assert set(PLACE_NAMES[name]) == set(LANGUAGES), name
    assert [PLACE_NAMES["Brussels-Capital Region"][code] for code in LANGUAGES] == [
        "Brussels-Capital Region",
        "Brussels Hoofdstedelijk Gewest",
        "Région de Bruxelles-Capitale",
        "Region Brüssel-Hauptstadt",
        "Briseles galvaspilsētas reģions",
    ]
    assert [PLACE_NAMES["Ghent"][code] for code in LANGUAGES] == ["Ghent", "Gent", "Gand", "Gent", "Gente"]
    assert {PLACE_NAMES["Mecklenburg-Vorpommern"][code] for code in LANGUAGES} == {"Mecklenburg-Vorpommern"}


def test_a_name_the_seed_data_does_not_know_shows_as_typed():
    assert place_label("Freie Hansestadt Bremen") == "Freie Hansestadt Bremen"
    assert place_label("") == ""


@pytest.fixture
def loaded():
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115


BRUSSELS = {
    "fr": (
        "Virage numérique pour les écoles bruxelloises",
        "Équiper les écoles/établissements d&#x27;équipements et d&#x27;infrastructures TIC adéquats afin "
        "d&#x27;améliorer les systèmes éducatifs",
        "Région de Bruxelles-Capitale",
    ),
    "de": (
        "Digitaler Wandel für Brüsseler Schulen",
        "Schulen/Einrichtungen mit angemessener IKT-Ausstattung und -Infrastruktur ausstatten, um die "
        "Bildungssysteme zu verbessern",
        "Region Brüssel-Hauptstadt",
    ),
    "lv": (
        "Digitālā pārveide Briseles skolām",
        "Aprīkot skolas/iestādes ar atbilstošu IKT aprīkojumu un infrastruktūru, lai uzlabotu izglītības sistēmas",
        "Briseles galvaspilsētas reģions",
    ),
    "nl": (
        "Digitale omkeer voor Brusselse scholen",
        "Scholen/instellingen uitrusten met adequate ICT-apparatuur en -infrastructuur om de onderwijssystemen "
        "te verbeteren",
        "Brussels Hoofdstedelijk Gewest",
    ),
    "en": (
        "Digital shift for Brussels schools",
        "Equip schools/institutions with adequate ICT equipment and infrastructure to improve education systems",
        "Brussels-Capital Region",
    ),
}


@pytest.mark.parametrize("language", list(BRUSSELS))
def test_brussels_public_page_in_each_language(client, loaded, language):
    name, milestone_405, authority = BRUSSELS[language]
    url = reverse("public:programme", kwargs={"code": "brussels-digitale-omkeer"}) + f"?lang={language}"
    html = client.get(url).content.decode()
    assert f"<h1>{name}</h1>" in html
    assert milestone_405 in html
    assert f'<span class="key-figures__value">{authority}</span>' in html
    # The region is the authority's own territory: said once, not twice.
    assert html.count(authority) == 1


@pytest.mark.parametrize(
    ("language", "objective", "funding"),
    [
        (
            "fr",
            "Installer 2 000 points d&#x27;accès Wi-Fi dans les écoles bruxelloises (jusqu&#x27;à fin 2023)",
            "Gouvernement bruxellois",
        ),
        ("de", "2.000 WLAN-Zugangspunkte in Brüsseler Schulen installieren (bis Ende 2023)", "Brüsseler Regierung"),
        ("lv", "Uzstādīt 2000 Wi-Fi piekļuves punktu Briseles skolās (līdz 2023. gada beigām)", "Briseles valdība"),
    ],
)
def test_brussels_objectives_and_funding_in_the_language(client, loaded, language, objective, funding):
    url = reverse("public:programme", kwargs={"code": "brussels-digitale-omkeer"}) + f"?lang={language}"
    html = client.get(url).content.decode()
    assert objective in html
    assert funding in html


def test_a_second_load_changes_nothing_and_a_changed_text_is_restored(loaded):
    events = AuditEvent.objects.count()
    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.count() == events

    # Rows loaded before the translations existed (English and Dutch only) get them on the next run.
    programme = Programme.objects.get(code="brussels-digitale-omkeer")
    Programme.objects.filter(pk=programme.pk).update(name={"en": programme.name["en"], "nl": programme.name["nl"]})
    target = Target.objects.get(programme=programme, number="405")
    Target.objects.filter(pk=target.pk).update(title={"en": target.title["en"]})
    objective = Objective.objects.filter(programme=programme).order_by("position").first()
    Objective.objects.filter(pk=objective.pk).update(title={"en": objective.title["en"]})
    source = FundingSource.objects.filter(programme=programme).order_by("position").first()
    FundingSource.objects.filter(pk=source.pk).update(name={"en": source.name["en"]})

    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    programme.refresh_from_db()
    target.refresh_from_db()
    objective.refresh_from_db()
    source.refresh_from_db()
    assert programme.name["fr"] == "Virage numérique pour les écoles bruxelloises"
    assert target.title["lv"] == (
        "Aprīkot skolas/iestādes ar atbilstošu IKT aprīkojumu un infrastruktūru, lai uzlabotu izglītības sistēmas"
    )
    assert objective.title["de"] == (
        "Mobile Geräte (neue oder generalüberholte Laptops, Tablets, interaktive Whiteboards) bis Ende 2021 an "
        "Brüsseler Schulen verteilen"
    )
    assert source.name["fr"] == "Gouvernement bruxellois"
    assert AuditEvent.objects.count() == events + 4

    call_command("load_seed_programmes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.count() == events + 4
    assert Authority.objects.get(code="BE-BRU").name == "Brussels-Capital Region"
