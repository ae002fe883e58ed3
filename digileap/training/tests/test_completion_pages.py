"""The completion list, its filters and exports, and the completion page: what each role sees
and how people are named (pseudonyms for auditors and funding administrators; names in exports
only where the installation keeps them)."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digileap.accounts.models import Role

from .completion_data import make_completion_data
from .factories import CompletionFactory, staff_at

LIST = reverse("training:completion-list")


@pytest.fixture
def data(world):
    return make_completion_data(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> list[int]:
    return [row["completion"].pk for row in response.context["rows"]]


def persons(response) -> list[str]:
    return [row["person"] for row in response.context["rows"]]


@pytest.mark.django_db
class TestScope:
    def test_the_coordinator_sees_their_school_only(self, data, role_users):
        response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(LIST)
        assert response.status_code == 200
        assert listed(response) == [data.colleague.pk, data.own.pk]
        assert persons(response) == ["COLLEAGUE-1", "INSIDE-teacher"]
        assert b"OUTSIDE" not in response.content

    def test_the_operator_and_the_owner_see_every_school_of_theirs(self, data, role_users):
        expected = [data.second_school.pk, data.colleague.pk, data.own.pk]
        for role in (Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER):
            response = client_for(role_users[role]).get(LIST)
            assert listed(response) == expected, role
            assert b"OUTSIDE" not in response.content

    def test_the_teacher_sees_only_their_own(self, data, role_users):
        response = client_for(role_users[Role.TEACHER]).get(LIST)
        assert listed(response) == [data.own.pk]
        assert persons(response) == ["INSIDE-teacher"]

    @pytest.mark.parametrize("role", [Role.AUDITOR, Role.FUNDING_ADMINISTRATOR])
    def test_auditors_and_funding_administrators_see_pseudonyms(self, data, role_users, role):
        response = client_for(role_users[role]).get(LIST)
        assert listed(response) == [data.second_school.pk, data.colleague.pk, data.own.pk]
        assert persons(response) == [
            data.second_school.staff.pseudonym,
            data.colleague.staff.pseudonym,
            data.own.staff.pseudonym,
        ]
        for reference in (b"INSIDE-teacher", b"COLLEAGUE-1", b"SECOND-1"):
            assert reference not in response.content
        assert "Pseudonym" in response.content.decode()

    def test_the_supplier_may_not(self, data, role_users):
        assert client_for(role_users[Role.SUPPLIER]).get(LIST).status_code == 403

    def test_names_show_where_the_installation_keeps_them(self, data, role_users, settings):
        settings.DIGILEAP_TRAINING_STAFF_NAMES = True
        response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(LIST)
        assert persons(response) == ["Ada Lovelace", "INSIDE-teacher"]


@pytest.mark.django_db
class TestFilters:
    def get(self, role_users, **query):
        return listed(client_for(role_users[Role.PROGRAMME_OWNER]).get(LIST, query))

    def test_source(self, data, role_users):
        assert self.get(role_users, source="import") == [data.colleague.pk]
        assert self.get(role_users, source="platform") == [data.second_school.pk]
        assert self.get(role_users, source="digileap") == [data.own.pk]

    def test_school(self, data, role_users, world):
        assert self.get(role_users, school=world.school.pk) == [data.colleague.pk, data.own.pk]

    def test_date_range(self, data, role_users):
        assert self.get(role_users, completed_from="2024-03-26", completed_to="2024-05-05") == [data.colleague.pk]
        assert self.get(role_users, completed_from="2024-05-06") == [data.second_school.pk]

    def test_programme_and_course(self, data, role_users):
        all_three = [data.second_school.pk, data.colleague.pk, data.own.pk]
        assert self.get(role_users, programme=data.programme.pk) == all_three
        assert self.get(role_users, course=data.course.pk) == all_three

    def test_an_outside_school_selects_nothing_outside(self, data, role_users, world):
        response = client_for(role_users[Role.PROGRAMME_OWNER]).get(LIST, {"school": world.other_school.pk})
        assert response.status_code == 200
        assert data.outside.pk not in listed(response)
        assert response.context["filter"].form.errors["school"]


@pytest.mark.django_db
class TestPages:
    def test_the_list_costs_the_same_queries_whatever_it_holds(self, data, role_users, world):
        client = client_for(role_users[Role.PROGRAMME_OWNER])
        client.get(LIST)  # the session and the user are loaded once
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
        for _ in range(20):
            CompletionFactory(course=data.course, school=world.school, staff=staff_at(world.school))
        with CaptureQueriesContext(connection) as many:
            response = client.get(LIST)
        assert len(response.context["rows"]) == 23
        assert len(many.captured_queries) == len(few.captured_queries)
        completion_queries = [q for q in many.captured_queries if 'FROM "training_completion"' in q["sql"]]
        assert len(completion_queries) == 2  # the page's count and its rows

    def test_pages_of_fifty(self, data, role_users, world):
        for _ in range(50):
            CompletionFactory(course=data.course, school=world.school, staff=staff_at(world.school))
        client = client_for(role_users[Role.PROGRAMME_OWNER])
        assert len(client.get(LIST).context["rows"]) == 50
        assert len(client.get(LIST, {"page": 2}).context["rows"]) == 3

    def test_the_detail_links_the_certificate_and_the_badge(self, data, role_users):
        response = client_for(role_users[Role.TEACHER]).get(reverse("training:completion-detail", args=[data.own.pk]))
        assert response.status_code == 200
        text = response.content.decode()
        assert reverse("training:completion-certificate", args=[data.own.pk]) in text
        assert reverse("training:completion-badge", args=[data.own.pk]) in text
        assert data.own.certificate_number in text
        assert "Digital didactics" in text

    def test_the_funding_administrator_reads_the_detail_without_the_certificate(self, data, role_users):
        response = client_for(role_users[Role.FUNDING_ADMINISTRATOR]).get(
            reverse("training:completion-detail", args=[data.colleague.pk])
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert reverse("training:completion-certificate", args=[data.colleague.pk]) not in text
        assert data.colleague.staff.pseudonym in text
        assert "COLLEAGUE-1" not in text

    @pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
    def test_an_outside_completion_is_not_found(self, data, role_users, role):
        response = client_for(role_users[role]).get(reverse("training:completion-detail", args=[data.outside.pk]))
        assert response.status_code == 404

    def test_a_colleague_s_completion_is_not_the_teacher_s(self, data, role_users):
        response = client_for(role_users[Role.TEACHER]).get(
            reverse("training:completion-detail", args=[data.colleague.pk])
        )
        assert response.status_code == 404

    def test_the_coordinator_does_not_reach_the_other_school(self, data, role_users):
        response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(
            reverse("training:completion-detail", args=[data.second_school.pk])
        )
        assert response.status_code == 404


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


HEADER = ["course_code", "course", "school_number", "school", "person", "completed_on", "source", "certificate_number"]


@pytest.mark.django_db
class TestExports:
    def test_csv_for_the_coordinator_is_pseudonymous_without_names(self, data, role_users, world):
        response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("training:completion-export"))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert csv_rows(response) == [
            HEADER,
            [
                "DIDAC-1",
                "Digital didactics",
                "1001",
                "INSIDE school",
                data.colleague.staff.pseudonym,
                "2024-04-02",
                "import",
                data.colleague.certificate_number,
            ],
            [
                "DIDAC-1",
                "Digital didactics",
                "1001",
                "INSIDE school",
                data.own.staff.pseudonym,
                "2024-03-25",
                "digileap",
                data.own.certificate_number,
            ],
        ]

    def test_csv_names_people_for_the_school_side_when_names_are_kept(self, data, role_users, settings):
        settings.DIGILEAP_TRAINING_STAFF_NAMES = True
        rows = csv_rows(client_for(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("training:completion-export")))
        assert [row[4] for row in rows[1:]] == ["Ada Lovelace", "INSIDE-teacher"]

    def test_the_auditor_s_export_stays_pseudonymous_with_names_kept(self, data, role_users, settings):
        settings.DIGILEAP_TRAINING_STAFF_NAMES = True
        rows = csv_rows(client_for(role_users[Role.AUDITOR]).get(reverse("training:completion-export")))
        assert [row[4] for row in rows[1:]] == [
            data.second_school.staff.pseudonym,
            data.colleague.staff.pseudonym,
            data.own.staff.pseudonym,
        ]

    def test_the_export_follows_the_filters(self, data, role_users):
        rows = csv_rows(
            client_for(role_users[Role.PROGRAMME_OWNER]).get(
                reverse("training:completion-export"), {"source": "platform"}
            )
        )
        assert [row[-1] for row in rows[1:]] == [data.second_school.certificate_number]

    def test_xlsx_exact_rows(self, data, role_users):
        response = client_for(role_users[Role.TEACHER]).get(reverse("training:completion-export-xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
            HEADER,
            [
                "DIDAC-1",
                "Digital didactics",
                "1001",
                "INSIDE school",
                data.own.staff.pseudonym,
                "2024-03-25",
                "digileap",
                data.own.certificate_number,
            ],
        ]

    def test_cells_that_look_like_formulas_are_escaped(self, data, role_users):
        data.course.title = {"en": '=HYPERLINK("x")'}
        data.course.save()
        rows = csv_rows(client_for(role_users[Role.TEACHER]).get(reverse("training:completion-export")))
        assert rows[1][1] == '\'=HYPERLINK("x")'
