"""The PDF certificate of a completion: who may fetch it, what it says (in the reader's
language), that it is a PDF and that the same data gives the same bytes; and the public page
that checks a certificate number."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

from ..certificates import certificate_content, certificate_pdf, render_html
from .completion_data import make_completion_data


@pytest.fixture
def data(world):
    return make_completion_data(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(completion) -> str:
    return reverse("training:completion-certificate", args=[completion.pk])


@pytest.mark.django_db
class TestContent:
    def test_what_the_certificate_says(self, data):
        content = certificate_content(data.own, language="en", base="https://digileap.example.org")
        assert content.programme == "Teacher training"
        assert content.authority == "INSIDE authority"
        assert content.person == "INSIDE-teacher"
        assert content.course == "Digital didactics"
        assert content.course_code == "DIDAC-1"
        assert content.provider == "Pedagogical centre"
        assert content.hours == "6"
        assert content.mode == "In person"
        assert content.completed_on == "25 March 2024"
        assert content.competences == [("1.1", "Professional engagement"), ("2.1", "Competence 2.1")]
        assert content.number == data.own.certificate_number
        assert content.verify_url == (
            f"https://digileap.example.org/training/certificates/verify/?number={data.own.certificate_number}"
        )

    def test_in_german(self, data):
        content = certificate_content(data.own, language="de")
        assert content.course == "Digitale Didaktik"
        assert content.programme == "Lehrerfortbildung"
        assert content.completed_on == "25. März 2024"
        assert content.competences[0] == ("1.1", "Berufliches Engagement")

    def test_the_name_where_names_are_kept(self, data, settings):
        settings.DIGILEAP_TRAINING_STAFF_NAMES = True
        assert certificate_content(data.colleague, language="en").person == "Ada Lovelace"
        settings.DIGILEAP_TRAINING_STAFF_NAMES = False
        assert certificate_content(data.colleague, language="en").person == "COLLEAGUE-1"

    def test_the_html_holds_the_title_and_the_number(self, data):
        html = render_html(data.own, language="en")
        assert "Digital didactics" in html
        assert data.own.certificate_number in html
        assert "1.1 Professional engagement" in html
        assert "Certificate of completion" in html

    def test_a_pdf_and_the_same_bytes_twice(self, data):
        first = certificate_pdf(data.own, language="en")
        assert first.startswith(b"%PDF-")
        assert first.rstrip().endswith(b"%%EOF")
        assert certificate_pdf(data.own, language="en") == first
        assert certificate_pdf(data.own, language="de") != first


@pytest.mark.django_db
class TestWho:
    @pytest.mark.parametrize(
        "role", [Role.TEACHER, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER, Role.AUDITOR]
    )
    def test_may_fetch(self, data, role_users, role):
        response = client_for(role_users[role]).get(url(data.own))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="certificate-{data.own.certificate_number}.pdf"'
        )
        assert response.content.startswith(b"%PDF-")

    def test_the_funding_administrator_may_not(self, data, role_users):
        assert client_for(role_users[Role.FUNDING_ADMINISTRATOR]).get(url(data.own)).status_code == 403

    def test_not_a_colleague_s(self, data, role_users):
        assert client_for(role_users[Role.TEACHER]).get(url(data.colleague)).status_code == 404

    @pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
    def test_outside_is_not_found(self, data, role_users, role):
        assert client_for(role_users[role]).get(url(data.outside)).status_code == 404

    def test_signed_out_goes_to_sign_in(self, data):
        response = Client().get(url(data.own))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_the_language_parameter(self, data, role_users):
        client = client_for(role_users[Role.TEACHER])
        german = client.get(url(data.own), {"language": "de"}).content
        english = client.get(url(data.own), {"language": "en"}).content
        assert german.startswith(b"%PDF-") and english.startswith(b"%PDF-")
        assert german != english
        assert client.get(url(data.own), {"language": "de"}).content == german


@pytest.mark.django_db
class TestVerify:
    VERIFY = reverse("training:completion-verify")

    def test_a_known_number_shows_the_course_and_nothing_personal(self, data):
        response = Client().get(self.VERIFY, {"number": data.colleague.certificate_number.lower()})
        assert response.status_code == 200
        text = response.content.decode()
        assert "This certificate was issued." in text
        assert "Digital didactics" in text
        assert "INSIDE authority" in text
        for personal in ("COLLEAGUE-1", "Ada", "Lovelace", data.colleague.staff.pseudonym, "INSIDE school"):
            assert personal not in text

    def test_an_unknown_number(self, data):
        response = Client().get(self.VERIFY, {"number": "0000000000000000"})
        assert response.status_code == 404
        assert "No certificate has this number." in response.content.decode()

    def test_rubbish_is_not_searched(self, data):
        response = Client().get(self.VERIFY, {"number": "' OR 1=1 --"})
        assert response.status_code == 404

    def test_without_a_number_only_the_form(self, data):
        response = Client().get(self.VERIFY)
        assert response.status_code == 200
        assert "data-verified" not in response.content.decode()
