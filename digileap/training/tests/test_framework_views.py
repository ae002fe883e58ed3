"""The framework pages per role: the list (shipped and the own authority's variants, never the
OUTSIDE authority's), the detail with its level grid in the reader's language, the upload of a
variant and taking it out of use."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.training.models import Framework
from digileap.training.tests.factories import small_framework

from .test_framework_load import variant_data

READERS = [
    Role.ADMINISTRATOR,
    Role.PROGRAMME_OWNER,
    Role.FUNDING_ADMINISTRATOR,
    Role.OPERATOR_STAFF,
    Role.SCHOOL_COORDINATOR,
    Role.AUDITOR,
    Role.TEACHER,
]


@pytest.fixture
def variants(world):
    inside = small_framework(authority=world.authority, code="inside-variant", name={"en": "INSIDE variant"})
    outside = small_framework(authority=world.other_authority, code="outside-variant", name={"en": "OUTSIDE variant"})
    return inside, outside


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", READERS)
def test_list_shows_shipped_and_own_variants(role, role_users, variants):
    response = client_for(role_users[role]).get(reverse("training:framework-list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "DigCompEdu: European Framework for the Digital Competence of Educators" in text
    assert "INSIDE variant" in text
    assert ("OUTSIDE variant" in text) is (role == Role.ADMINISTRATOR)


def test_supplier_and_anonymous_see_no_frameworks(role_users, variants):
    assert client_for(role_users[Role.SUPPLIER]).get(reverse("training:framework-list")).status_code == 403
    response = Client().get(reverse("training:framework-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", READERS)
def test_detail_inside_and_outside(role, role_users, variants):
    inside, outside = variants
    client = client_for(role_users[role])
    assert client.get(reverse("training:framework-detail", args=[inside.pk])).status_code == 200
    expected = 200 if role == Role.ADMINISTRATOR else 404
    assert client.get(reverse("training:framework-detail", args=[outside.pk])).status_code == expected


def test_detail_shows_the_grid_in_the_readers_language(role_users):
    shipped = Framework.objects.get(authority=None, code="digcompedu")
    response = client_for(role_users[Role.TEACHER], "de").get(reverse("training:framework-detail", args=[shipped.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Europäischer Rahmen für die Digitale Kompetenz Lehrender" in text
    assert "Berufliches Engagement" in text
    assert "Lernendenorientierung" in text
    assert "Ich trage dazu bei, die Kommunikationsstrategie der Schule zu entwickeln und zu verbessern." in text
    assert 'data-level="C2 Vorreiter"' in text
    assert text.count("<td data-level=") == 132
    assert text.count('class="framework-grid__competence"') == 22
    assert "training/framework.css" in text
    assert "Take out of use" not in text


def test_owner_uploads_a_variant(world, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert client.get(reverse("training:framework-upload")).status_code == 200
    upload = SimpleUploadedFile("by.json", json.dumps(variant_data()).encode(), "application/json")
    response = client.post(reverse("training:framework-upload"), {"authority": world.authority.pk, "file": upload})
    framework = Framework.objects.get(authority=world.authority, code="digcompedu-by")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:framework-detail", args=[framework.pk])
    page = client.get(response["Location"])
    assert "The framework digcompedu-by 2024 was loaded: 6 areas, 22 competences, 6 levels, 132 statements." in (
        page.content.decode()
    )
    assert "Take out of use" in page.content.decode()


def test_upload_errors_go_back_onto_the_form(world, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    upload = SimpleUploadedFile("by.json", b'{"code": "x",\n}', "application/json")
    response = client.post(reverse("training:framework-upload"), {"authority": world.authority.pk, "file": upload})
    assert response.status_code == 400
    assert "by.json, line 2, column 1: not valid JSON: Expecting property name enclosed in double quotes" in (
        response.content.decode()
    )
    upload = SimpleUploadedFile("by.json", json.dumps(variant_data()).encode(), "application/json")
    response = client.post(
        reverse("training:framework-upload"), {"authority": world.other_authority.pk, "file": upload}
    )
    assert response.status_code == 400
    assert not Framework.objects.filter(code="digcompedu-by").exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.FUNDING_ADMINISTRATOR,
        Role.OPERATOR_STAFF,
        Role.SCHOOL_COORDINATOR,
        Role.AUDITOR,
        Role.TEACHER,
        Role.SUPPLIER,
    ],
)
def test_upload_is_for_owners_and_administrators(role, world, role_users):
    client = client_for(role_users[role])
    assert client.get(reverse("training:framework-upload")).status_code == 403
    upload = SimpleUploadedFile("by.json", json.dumps(variant_data()).encode(), "application/json")
    assert (
        client.post(reverse("training:framework-upload"), {"authority": world.authority.pk, "file": upload}).status_code
        == 403
    )
    assert not Framework.objects.filter(code="digcompedu-by").exists()


def test_deactivate_per_role(role_users, variants):
    inside, outside = variants
    url = reverse("training:framework-deactivate", args=[inside.pk])
    for role in (Role.TEACHER, Role.SCHOOL_COORDINATOR, Role.AUDITOR):
        assert client_for(role_users[role]).post(url).status_code == 403
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    assert owner.post(reverse("training:framework-deactivate", args=[outside.pk])).status_code == 404
    shipped = Framework.objects.get(authority=None, code="digcompedu")
    assert owner.post(reverse("training:framework-deactivate", args=[shipped.pk])).status_code == 403
    assert owner.get(url).status_code == 405
    response = owner.post(url)
    assert response.status_code == 302
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.is_active, outside.is_active, Framework.objects.get(pk=shipped.pk).is_active) == (False, True, True)
    page = owner.get(response["Location"]).content.decode()
    assert "The framework inside-variant 1.0 is no longer in use." in page
    list_page = owner.get(reverse("training:framework-list")).content.decode()
    assert "out of use" in list_page
