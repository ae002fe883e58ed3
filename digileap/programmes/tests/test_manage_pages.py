"""Programme administration in the browser (issue 11): a programme owner creates a programme with
its texts in five languages, two funding sources and three objectives through the pages, edits it,
publishes and unpublishes it, and copies it. Invalid input shows errors next to the fields and
writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.models import FundingSource, Objective, Programme

from .factories import FundingSourceFactory, ProgrammeFactory

D = Decimal
LANGUAGES = ["en", "nl", "fr", "de", "lv"]


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def texts(name: str, values: dict) -> dict:
    """The POST fields of a text in five languages: ``name_en``, ``name_nl``..."""
    return {f"{name}_{code}": values.get(code, "") for code in LANGUAGES}


def programme_post(world, **overrides) -> dict:
    data = {
        "code": "NEW-1",
        **texts("name", {"en": "Laptops for pupils", "nl": "Laptops voor leerlingen", "lv": "Klēpjdatori skolēniem"}),
        **texts("description", {"en": "Devices for every pupil."}),
        **texts("end_goal", {"en": "Every pupil has a device.", "fr": "Chaque élève a un appareil."}),
        **texts("gender_equality_impact", {}),
        "authority": str(world.authority.pk),
        "country": "be",
        "region": "Brussels",
        "period_start": "2025-01-01",
        "period_end": "2026-12-31",
        "status": "in_progress",
        "tags": "devices,  connectivity , devices",
        "sdgs": ["9", "4"],
        "climate_contribution": "",
        "digital_contribution": "100",
        "source_url": "https://example.org/plan.pdf",
    }
    data.update(overrides)
    return data


def source_post(**overrides) -> dict:
    data = {
        "kind": "eu_rrf",
        **texts("name", {"en": "Recovery and Resilience Facility", "de": "Aufbau- und Resilienzfazilität"}),
        "amount": "7000000.00",
        "cofinancing_rate": "80",
        "position": "1",
        **texts("note", {}),
    }
    data.update(overrides)
    return data


def objective_post(position: int, title: str, **overrides) -> dict:
    data = {"position": str(position), **texts("title", {"en": title}), **texts("description", {})}
    data.update(overrides)
    return data


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


def test_an_owner_creates_a_programme_with_two_sources_and_three_objectives(world, owner):
    client = client_for(owner)
    list_page = client.get(reverse("programmes:programme-list")).content.decode()
    assert f'href="{reverse("programmes:programme-create")}"' in list_page

    form_page = client.get(reverse("programmes:programme-create"))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    for own_name in ("English", "Nederlands", "Français", "Deutsch", "Latviešu"):
        assert own_name in html
    assert 'name="name_lv"' in html and 'lang="lv"' in html

    response = client.post(reverse("programmes:programme-create"), programme_post(world))
    programme = Programme.objects.get(code="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-detail", kwargs={"pk": programme.pk})
    assert programme.name == {
        "en": "Laptops for pupils",
        "nl": "Laptops voor leerlingen",
        "lv": "Klēpjdatori skolēniem",
    }
    assert programme.description == {"en": "Devices for every pupil."}
    assert programme.end_goal == {"en": "Every pupil has a device.", "fr": "Chaque élève a un appareil."}
    assert programme.gender_equality_impact == {}
    assert programme.authority == world.authority
    assert programme.country == "BE"
    assert programme.period_start == datetime.date(2025, 1, 1)
    assert programme.period_end == datetime.date(2026, 12, 31)
    assert programme.status == "in_progress"
    assert programme.tags == ["devices", "connectivity"]
    assert programme.sdgs == [4, 9]
    assert programme.climate_contribution is None
    assert programme.digital_contribution == D("100")
    assert programme.source_url == "https://example.org/plan.pdf"
    assert programme.is_public is False

    sources_url = reverse("programmes:programme-source-create", kwargs={"pk": programme.pk})
    assert 'value="1"' in client.get(sources_url).content.decode()  # the next position
    assert client.post(sources_url, source_post()).status_code == 302
    response = client.post(
        sources_url,
        source_post(kind="national", amount="5000000", cofinancing_rate="", position="2", **texts("name", {})),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-sources", kwargs={"pk": programme.pk})
    sources = list(programme.funding_sources.order_by("position").values_list("kind", "amount", "cofinancing_rate"))
    assert sources == [("eu_rrf", D("7000000.00"), D("80.00")), ("national", D("5000000.00"), None)]
    assert programme.funding_sources.get(position=1).name == {
        "en": "Recovery and Resilience Facility",
        "de": "Aufbau- und Resilienzfazilität",
    }

    objectives_url = reverse("programmes:programme-objective-create", kwargs={"pk": programme.pk})
    for position, title in ((2, "Train teachers"), (1, "Equip pupils"), (3, "Connect schools")):
        assert client.post(objectives_url, objective_post(position, title)).status_code == 302
    listing = client.get(reverse("programmes:programme-objectives", kwargs={"pk": programme.pk})).content.decode()
    assert listing.index("Equip pupils") < listing.index("Train teachers") < listing.index("Connect schools")

    events = AuditEvent.objects.filter(actor_id=owner.pk).order_by("id")
    assert [(event.action, event.object_type) for event in events] == [
        ("create", "programmes.programme"),
        ("create", "programmes.fundingsource"),
        ("create", "programmes.fundingsource"),
        ("create", "programmes.objective"),
        ("create", "programmes.objective"),
        ("create", "programmes.objective"),
    ]
    assert events[0].after["code"] == "NEW-1"

    sources_page = client.get(reverse("programmes:programme-sources", kwargs={"pk": programme.pk})).content.decode()
    assert "12,000,000.00" in sources_page


def test_an_owner_edits_a_programme_a_source_and_an_objective(world, owner):
    programme = ProgrammeFactory(
        code="P-1", name={"en": "Old name", "nl": "Oude naam"}, authority=world.authority, sdgs=[4], tags=["a"]
    )
    source = FundingSourceFactory(programme=programme, amount=D("100.00"), position=1)
    objective = Objective.objects.create(programme=programme, position=1, title={"en": "Equip"})
    client = client_for(owner)

    page = client.get(reverse("programmes:programme-update", kwargs={"pk": programme.pk})).content.decode()
    assert 'value="Oude naam"' in page and 'value="P-1"' in page
    assert 'value="4" id="id_sdgs_3" checked' in page and 'value="5" id="id_sdgs_4" checked' not in page
    assert 'name="tags" value="a"' in page

    data = programme_post(world, code="P-1", **texts("name", {"en": "New name", "nl": "Oude naam"}), sdgs=["4", "17"])
    response = client.post(reverse("programmes:programme-update", kwargs={"pk": programme.pk}), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == {"en": "New name", "nl": "Oude naam"}
    assert programme.sdgs == [4, 17]
    event = AuditEvent.objects.filter(action="update", object_type="programmes.programme").get()
    assert event.before["name"] == {"en": "Old name", "nl": "Oude naam"}
    assert event.after["name"] == {"en": "New name", "nl": "Oude naam"}
    assert event.after["sdgs"] == [4, 17]

    # Saving again unchanged writes nothing.
    client.post(reverse("programmes:programme-update", kwargs={"pk": programme.pk}), data)
    assert AuditEvent.objects.filter(action="update", object_type="programmes.programme").count() == 1

    response = client.post(
        reverse("programmes:fundingsource-update", kwargs={"pk": source.pk}), source_post(amount="250.50")
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.amount == D("250.50")
    assert source.kind == "eu_rrf"

    response = client.post(
        reverse("programmes:objective-update", kwargs={"pk": objective.pk}),
        objective_post(1, "Equip every pupil", **texts("description", {"nl": "Elke leerling"})),
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.title == {"en": "Equip every pupil"}
    assert objective.description == {"nl": "Elke leerling"}
    assert AuditEvent.objects.filter(action="update").count() == 3


def test_publish_and_unpublish_ask_first_and_are_audited(world, owner):
    programme = ProgrammeFactory(code="P-PUB", authority=world.authority, is_public=False)
    client = client_for(owner)
    url = reverse("programmes:programme-publish", kwargs={"pk": programme.pk})
    detail = client.get(reverse("programmes:programme-detail", kwargs={"pk": programme.pk})).content.decode()
    assert f'href="{url}"' in detail and ">Publish<" in detail

    confirm = client.get(url).content.decode()
    assert "Publish the public page of P-PUB?" in confirm
    assert 'name="is_public" value="1"' in confirm
    programme.refresh_from_db()
    assert programme.is_public is False  # asking changes nothing
    assert Client().get(reverse("public:programme", kwargs={"code": "P-PUB"})).status_code == 404

    response = client.post(url, {"is_public": "1"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.is_public is True
    assert Client().get(reverse("public:programme", kwargs={"code": "P-PUB"})).status_code == 200
    assert 'name="is_public" value="0"' in client.get(url).content.decode()

    client.post(url, {"is_public": "0"})
    programme.refresh_from_db()
    assert programme.is_public is False
    events = AuditEvent.objects.filter(object_type="programmes.programme", object_id=str(programme.pk))
    assert [(e.action, e.before, e.after) for e in events.order_by("id")] == [
        ("publish", {"is_public": False}, {"is_public": True}),
        ("unpublish", {"is_public": True}, {"is_public": False}),
    ]
    assert client.post(url, {"is_public": "maybe"}).status_code == 200
    assert AuditEvent.objects.count() == 2


def test_invalid_input_shows_errors_next_to_fields_and_writes_nothing(world, owner):
    client = client_for(owner)
    data = programme_post(
        world,
        **texts("name", {"nl": "Alleen Nederlands"}),
        country="Belgium",
        period_start="2026-01-01",
        period_end="2025-01-01",
        sdgs=["4", "18"],
        digital_contribution="120",
        source_url="not a url",
    )
    response = client.post(reverse("programmes:programme-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "country", "period_end", "sdgs", "digital_contribution", "source_url"}
    assert form.errors["name"] == ["Give the text in English; the other languages are optional."]
    assert form.errors["period_end"] == ["The end comes on or after the start."]
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert 'value="Alleen Nederlands"' in html  # what was typed is kept
    assert Programme.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_service_errors_appear_on_the_form_not_as_a_500(world, owner):
    existing = ProgrammeFactory(code="TAKEN", authority=world.authority)
    FundingSourceFactory(programme=existing, position=1)
    client = client_for(owner)
    audit_before = AuditEvent.objects.count()

    response = client.post(reverse("programmes:programme-create"), programme_post(world, code="TAKEN"))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Programme with this Code already exists."]

    response = client.post(
        reverse("programmes:programme-source-create", kwargs={"pk": existing.pk}), source_post(position="1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["position"] == [
        "Funding source with this Programme and Position already exists."
    ]
    response = client.post(
        reverse("programmes:programme-source-create", kwargs={"pk": existing.pk}), source_post(amount="-5")
    )
    assert response.context["form"].errors["amount"] == ["Ensure this value is greater than or equal to 0."]
    response = client.post(
        reverse("programmes:programme-objective-create", kwargs={"pk": existing.pk}), objective_post(1, "")
    )
    assert response.context["form"].errors["title"] == ["Give the text in English; the other languages are optional."]
    assert Programme.objects.count() == 1
    assert FundingSource.objects.count() == 1
    assert Objective.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_an_owner_cannot_place_a_programme_in_another_authority(world, owner):
    client = client_for(owner)
    page = client.get(reverse("programmes:programme-create")).content.decode()
    assert "INSIDE authority" in page and "OUTSIDE" not in page
    response = client.post(
        reverse("programmes:programme-create"), programme_post(world, authority=str(world.other_authority.pk))
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["authority"]
    assert Programme.objects.count() == 0


def test_the_administrator_reaches_the_pages_of_every_authority(world, role_users):
    client = client_for(role_users[Role.ADMINISTRATOR])
    page = client.get(reverse("programmes:programme-create")).content.decode()
    assert "INSIDE authority" in page and "OUTSIDE authority" in page
    response = client.post(
        reverse("programmes:programme-create"),
        programme_post(world, code="OUT-1", authority=str(world.other_authority.pk)),
    )
    assert response.status_code == 302
    assert Programme.objects.get(code="OUT-1").authority == world.other_authority


def test_the_sources_page_writes_figures_in_the_reader_s_language(world, owner):
    programme = ProgrammeFactory(authority=world.authority)
    FundingSourceFactory(programme=programme, amount=D("7000000.00"), cofinancing_rate=D("37.50"), position=1)
    FundingSourceFactory(programme=programme, amount=D("5000000.00"), position=2)
    client = client_for(owner)
    client.cookies["django_language"] = "de"
    text = client.get(reverse("programmes:programme-sources", kwargs={"pk": programme.pk})).content.decode()
    assert "12.000.000,00" in text and "7.000.000,00" in text and "37,5 %" in text
