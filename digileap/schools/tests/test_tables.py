"""The lean rows of the registry tables print what the tables2 columns declare."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.schools.models import SchoolOperator
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory


def _body_rows(html: str) -> list[list[str]]:
    """The table body's cells, row by row, as printed (tags inside a cell kept)."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.django_db
class TestSchoolTable:
    def test_rows_print_every_column(self, client, world, role_users):
        world.school.delete()
        school = SchoolFactory(
            operator=world.operator,
            name="Alpha & Omega Schule",
            number="3001",
            city="Rostock",
            type_label="Gesamtschule",
            isced_1=True,
            isced_2=True,
            pupils_total=1234,
            ses_value=Decimal("2.500"),
        )
        bare = SchoolFactory(operator=world.operator, name="Beta", number="3002", city="", type_label="", isced_1=False)
        client.force_login(role_users[Role.PROGRAMME_OWNER])
        response = client.get(reverse("schools:school-list"))
        school_url = reverse("schools:school-detail", args=[school.pk])
        operator_url = reverse("schools:operator-detail", args=[world.operator.pk])
        assert _body_rows(response.content.decode()) == [
            [
                f'<a href="{school_url}">Alpha &amp; Omega Schule</a>',
                "3001",
                "Rostock",
                f'<a href="{operator_url}">INSIDE operator</a>',
                "Gesamtschule",
                "1, 2",
                "1,234",
                "2.5",
            ],
            [
                f'<a href="{reverse("schools:school-detail", args=[bare.pk])}">Beta</a>',
                "3002",
                "",
                f'<a href="{operator_url}">INSIDE operator</a>',
                "",
                "–",
                "–",
                "–",
            ],
        ]

    def test_operator_page_leaves_out_the_operator_column(self, client, world, role_users):
        client.force_login(role_users[Role.OPERATOR_STAFF])
        response = client.get(reverse("schools:operator-detail", args=[world.operator.pk]))
        url = reverse("schools:school-detail", args=[world.school.pk])
        assert _body_rows(response.content.decode()) == [
            [f'<a href="{url}">INSIDE school</a>', "1001", "Schwerin", "Grundschule", "1", "–", "–"]
        ]

    def test_no_match_prints_the_empty_text_across_all_columns(self, client, world, role_users):
        client.force_login(role_users[Role.PROGRAMME_OWNER])
        response = client.get(reverse("schools:school-list"), {"q": "nothing like this"})
        assert '<td class="empty" colspan="8">No school matches these filters.</td>' in response.content.decode()


@pytest.mark.django_db
class TestOperatorTable:
    def test_rows_print_every_column(self, client, world, role_users):
        second = OperatorFactory(
            name="Zweckverband", code="", authority=world.authority, kind=SchoolOperator.Kind.PRIVATE
        )
        SchoolFactory(operator=world.operator)
        client.force_login(role_users[Role.PROGRAMME_OWNER])
        response = client.get(reverse("schools:operator-list"))
        assert _body_rows(response.content.decode()) == [
            [
                f'<a href="{reverse("schools:operator-detail", args=[world.operator.pk])}">INSIDE operator</a>',
                world.operator.code,
                "INSIDE authority",
                "Public",
                "2",
            ],
            [
                f'<a href="{reverse("schools:operator-detail", args=[second.pk])}">Zweckverband</a>',
                "—",
                "INSIDE authority",
                "Private",
                "0",
            ],
        ]

    def test_no_query_per_row(self, client, world, role_users, django_assert_max_num_queries):
        OperatorFactory.create_batch(60, authority=world.authority)
        client.force_login(role_users[Role.PROGRAMME_OWNER])
        client.get(reverse("schools:operator-list"))
        with django_assert_max_num_queries(10):
            response = client.get(reverse("schools:operator-list"))
        assert len(_body_rows(response.content.decode())) == 50
