import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.schools import services
from digileap.schools.models import Enrolment, School, Site, SocioEconomicIndex, StaffCount
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory, SiteFactory, hamburg_scale

LIST_URL = reverse("schools:school-list")


def _client(client, user):
    client.force_login(user)
    return client


def _names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def registry(world):
    """Four more schools under the INSIDE operator with distinct figures, for search, filter and sort."""
    operator = world.operator
    SchoolFactory(
        operator=operator,
        name="Alpha Grundschule",
        number="3001",
        city="Rostock",
        pupils_total=120,
        ses_value=Decimal("2"),
    )
    SchoolFactory(
        operator=operator,
        name="Beta Gymnasium",
        number="3002",
        city="Wismar",
        isced_1=False,
        isced_2=True,
        isced_3=True,
        pupils_total=800,
        ses_value=Decimal("5"),
    )
    SchoolFactory(
        operator=operator,
        name="Gamma Schule",
        number="3003",
        city="Rostock",
        pupils_total=450,
        status=School.Status.CLOSED,
    )
    SchoolFactory(operator=operator, name="Delta Alphabet", number="3004", city="Güstrow", sector=School.Sector.PRIVATE)
    return world


@pytest.mark.django_db
class TestSchoolList:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(LIST_URL)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={LIST_URL}"

    def test_shows_only_the_schools_in_scope(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(LIST_URL)
        assert response.status_code == 200
        assert _names(response) == [
            "Alpha Grundschule",
            "Beta Gymnasium",
            "Delta Alphabet",
            "Gamma Schule",
            "INSIDE school",
        ]
        assert b"OUTSIDE" not in response.content

    def test_school_coordinator_sees_only_their_school(self, client, registry, role_users):
        response = _client(client, role_users[Role.SCHOOL_COORDINATOR]).get(LIST_URL)
        assert _names(response) == ["INSIDE school"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"q": "alpha"}, ["Alpha Grundschule", "Delta Alphabet"]),
            ({"q": "3002"}, ["Beta Gymnasium"]),
            ({"q": "rostock"}, ["Alpha Grundschule", "Gamma Schule"]),
            ({"number": "3003"}, ["Gamma Schule"]),
            ({"number": "300"}, []),
            ({"level": "2"}, ["Beta Gymnasium"]),
            ({"status": "closed"}, ["Gamma Schule"]),
            ({"sector": "private"}, ["Delta Alphabet"]),
            ({"pupils_min": "400"}, ["Beta Gymnasium", "Gamma Schule"]),
            ({"pupils_min": "100", "pupils_max": "500"}, ["Alpha Grundschule", "Gamma Schule"]),
            ({"ses_max": "3"}, ["Alpha Grundschule"]),
            ({"ses_min": "3", "ses_max": "6"}, ["Beta Gymnasium"]),
            ({"type_code": "gs", "q": "a"}, ["Alpha Grundschule", "Beta Gymnasium", "Delta Alphabet", "Gamma Schule"]),
        ],
    )
    def test_search_and_filters(self, client, registry, role_users, query, expected):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(LIST_URL, query)
        assert _names(response) == expected

    def test_filter_by_operator_and_authority(self, client, registry, role_users):
        other = OperatorFactory(name="Second operator", authority=registry.authority)
        SchoolFactory(operator=other, name="Epsilon Schule")
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        assert _names(user_client.get(LIST_URL, {"operator": other.pk})) == ["Epsilon Schule"]
        assert len(_names(user_client.get(LIST_URL, {"authority": registry.authority.pk}))) == 6

    def test_an_operator_outside_the_scope_is_not_a_choice(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(
            LIST_URL, {"operator": registry.other_operator.pk}
        )
        assert response.status_code == 200
        assert response.context["filter"].form.errors["operator"]
        assert b"OUTSIDE" not in response.content

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("-pupils_total", ["Beta Gymnasium", "Gamma Schule", "Alpha Grundschule"]),
            ("pupils_total", ["Alpha Grundschule", "Gamma Schule", "Beta Gymnasium"]),
            ("-name", ["Gamma Schule", "Beta Gymnasium", "Alpha Grundschule"]),
            ("number", ["Alpha Grundschule", "Beta Gymnasium", "Gamma Schule"]),
            ("ses_value", ["Gamma Schule", "Alpha Grundschule", "Beta Gymnasium"]),
        ],
    )
    def test_sorting(self, client, registry, role_users, sort, expected):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(LIST_URL, {"pupils_min": "1", "sort": sort})
        if sort == "ses_value":
            # Schools without an index sort first on SQLite and last on PostgreSQL; compare those with one.
            names = [name for name in _names(response) if name != "Gamma Schule"]
            assert names == [name for name in expected if name != "Gamma Schule"]
        else:
            assert _names(response) == expected

    def test_sort_by_city_and_operator(self, client, registry, role_users):
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        assert _names(user_client.get(LIST_URL, {"q": "a", "sort": "city"}))[-1] == "Beta Gymnasium"
        assert user_client.get(LIST_URL, {"sort": "operator"}).status_code == 200

    def test_bad_input_is_not_an_error(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(
            LIST_URL, {"pupils_min": "many", "ses_max": "x", "level": "9", "sort": "nonsense", "page": "zzz"}
        )
        assert response.status_code == 200
        assert set(response.context["filter"].form.errors) == {"pupils_min", "ses_max", "level"}
        assert len(_names(response)) == 5

    def test_pages_hold_fifty_schools(self, client, world, role_users):
        SchoolFactory.create_batch(60, operator=world.operator)
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        first = user_client.get(LIST_URL)
        second = user_client.get(LIST_URL, {"page": 2})
        assert len(_names(first)) == 50
        assert len(_names(second)) == 11
        assert first.context["table"].paginator.count == 61

    def test_no_query_per_row(self, client, world, role_users, django_assert_max_num_queries):
        SchoolFactory.create_batch(60, operator=world.operator)
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        user_client.get(LIST_URL)
        with django_assert_max_num_queries(12):
            response = user_client.get(LIST_URL, {"sort": "operator"})
        assert len(_names(response)) == 50

    def test_htmx_request_gets_only_the_results(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(
            LIST_URL, {"q": "beta"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="school-results"
        )
        assert [t.name for t in response.templates][0] == "schools/_school_results.html"
        assert b"<html" not in response.content
        assert _names(response) == ["Beta Gymnasium"]

    def test_add_button_only_for_those_who_may_add(self, client, world, role_users):
        create_url = reverse("schools:school-create").encode()
        assert create_url in _client(client, role_users[Role.PROGRAMME_OWNER]).get(LIST_URL).content
        assert create_url not in _client(client, role_users[Role.OPERATOR_STAFF]).get(LIST_URL).content


@pytest.mark.django_db
class TestSchoolExport:
    def test_csv_is_exactly_the_filtered_sorted_list(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(
            reverse("schools:school-export"), {"q": "rostock", "sort": "-pupils_total"}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="schools.csv"'
        rows = _csv_rows(response)
        assert rows[0][:3] == ["authority_code", "number", "name"]
        assert [(row[1], row[2], row[-3]) for row in rows[1:]] == [
            ("3003", "Gamma Schule", "450"),
            ("3001", "Alpha Grundschule", "120"),
        ]

    def test_csv_never_contains_schools_outside_the_scope(self, client, registry, role_users):
        response = _client(client, role_users[Role.OPERATOR_STAFF]).get(reverse("schools:school-export"))
        rows = _csv_rows(response)
        assert len(rows) == 6
        assert "OUTSIDE school" not in {row[2] for row in rows}

    def test_formulas_are_escaped(self, client, world, role_users):
        SchoolFactory(operator=world.operator, name='=HYPERLINK("http://evil.example","click")', number="6666")
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        rows = _csv_rows(user_client.get(reverse("schools:school-export"), {"number": "6666"}))
        assert rows[1][2] == '\'=HYPERLINK("http://evil.example","click")'
        response = user_client.get(reverse("schools:school-export-xlsx"), {"number": "6666"})
        assert response["Content-Disposition"] == 'attachment; filename="schools.xlsx"'
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[1][2] == '\'=HYPERLINK("http://evil.example","click")'
        assert sheet.cell(row=2, column=3).data_type == "s"

    def test_xlsx_has_a_row_per_school(self, client, registry, role_users):
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(
            reverse("schools:school-export-xlsx"), {"q": "a"}
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert names == ["Alpha Grundschule", "Beta Gymnasium", "Delta Alphabet", "Gamma Schule"]


@pytest.mark.django_db
class TestSchoolDetail:
    def test_shows_enrolment_and_audit_history(self, client, world, role_users):
        admin = role_users[Role.ADMINISTRATOR]
        services.school_year_figures_set(
            actor=admin,
            school=world.school,
            school_year="2024/25",
            enrolment={(1, 0): 210, (2, 0): 95},
            teachers=21,
            ses_scale=hamburg_scale(),
            ses_value=Decimal("2"),
        )
        services.school_update(actor=admin, school=world.school, data={"city": "Wismar"})
        response = _client(client, role_users[Role.AUDITOR]).get(
            reverse("schools:school-detail", args=[world.school.pk])
        )
        assert response.status_code == 200
        history = response.context["history"]
        assert [(year["school_year"], year["pupils"], year["teachers"]) for year in history] == [("2024/25", 305, 21)]
        assert [event.action for event in response.context["events"]] == ["update", "update_figures"]
        content = response.content.decode()
        assert "2024/25" in content
        assert "Wismar" in content
        # The history names the action in words, not by its stored code (issue 11, defect 13).
        assert "<td>figures changed</td>" in content and "<td>changed</td>" in content
        assert "update_figures" not in content

    def test_a_year_with_only_a_total_over_all_levels(self, client, world, role_users):
        """A file that gives a school's pupils without a breakdown by level stores one row, level NULL."""
        Enrolment.objects.create(school=world.school, school_year="2023/24", level=None, grade=0, pupils=412)
        Enrolment.objects.create(school=world.school, school_year="2024/25", level=1, grade=0, pupils=210)
        response = _client(client, role_users[Role.AUDITOR]).get(
            reverse("schools:school-detail", args=[world.school.pk])
        )
        assert response.status_code == 200
        history = response.context["history"]
        assert [(year["school_year"], year["pupils"]) for year in history] == [("2024/25", 210), ("2023/24", 412)]
        assert [(level["level"], level["label"], level["total"]) for level in history[1]["levels"]] == [
            (None, "All levels (no breakdown given)", 412)
        ]
        assert "All levels (no breakdown given): <strong>412</strong>" in response.content.decode()

    def test_no_query_per_site_year_or_event(self, client, world, role_users, django_assert_num_queries):
        """Sites, school years, audit events and allocation lines each cost one query, however many there are
        (15: the devices panel counts the deliveries awaiting acceptance at the school, the connectivity panel
        reads the latest daily measurement summary, the training panel counts completions and staff)."""
        admin = role_users[Role.ADMINISTRATOR]
        user_client = _client(client, role_users[Role.AUDITOR])
        url = reverse("schools:school-detail", args=[world.school.pk])
        user_client.get(url)
        with django_assert_num_queries(15):
            user_client.get(url)
        for year in ("2022/23", "2023/24", "2024/25"):
            services.school_year_figures_set(
                actor=admin,
                school=world.school,
                school_year=year,
                enrolment={(1, 0): 210, (2, 0): 95},
                teachers=21,
                ses_scale=hamburg_scale(),
                ses_value=Decimal("2"),
            )
        SiteFactory.create_batch(3, school=world.school)
        with django_assert_num_queries(15):
            response = user_client.get(url)
        assert len(response.context["history"]) == 3

    def test_outside_the_scope_is_404(self, client, world, role_users):
        for role in (Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.SUPPLIER):
            response = _client(client, role_users[role]).get(
                reverse("schools:school-detail", args=[world.other_school.pk])
            )
            assert response.status_code == 404, role

    def test_unknown_school_is_404(self, client, world, role_users):
        response = _client(client, role_users[Role.ADMINISTRATOR]).get(reverse("schools:school-detail", args=[999999]))
        assert response.status_code == 404

    def test_edit_buttons_follow_the_role(self, client, world, role_users):
        url = reverse("schools:school-detail", args=[world.school.pk])
        edit = reverse("schools:school-update", args=[world.school.pk]).encode()
        figures = reverse("schools:school-figures", args=[world.school.pk]).encode()
        site = reverse("schools:site-create", args=[world.school.pk]).encode()
        owner = _client(client, role_users[Role.PROGRAMME_OWNER]).get(url).content
        assert edit in owner and figures in owner and site in owner
        coordinator = _client(client, role_users[Role.SCHOOL_COORDINATOR]).get(url).content
        assert edit not in coordinator and figures not in coordinator and site in coordinator
        auditor = _client(client, role_users[Role.AUDITOR]).get(url).content
        assert edit not in auditor and figures not in auditor and site not in auditor


def _school_post(operator, **overrides) -> dict:
    data = {
        "operator": operator.pk,
        "number": "7007",
        "name": "Neue Schule",
        "type_code": "GS",
        "type_label": "Grundschule",
        "isced_1": "on",
        "language": "de",
        "sector": "public",
        "status": "open",
        "street": "Am Markt 1",
        "postal_code": "18055",
        "city": "Rostock",
        "email": "",
        "website": "",
        "latitude": "54.0887",
        "longitude": "12.1405",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestSchoolCreateAndEdit:
    def test_programme_owner_registers_a_school(self, client, world, role_users):
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        assert user_client.get(reverse("schools:school-create")).status_code == 200
        response = user_client.post(reverse("schools:school-create"), _school_post(world.operator))
        school = School.objects.get(number="7007")
        assert response.status_code == 302
        assert response["Location"] == reverse("schools:school-detail", args=[school.pk])
        assert (school.authority, school.operator, school.name, school.isced_1, school.isced_2) == (
            world.authority,
            world.operator,
            "Neue Schule",
            True,
            False,
        )
        assert school.latitude == Decimal("54.0887")
        assert list(school.sites.values_list("name", "is_main")) == [("Main building", True)]
        event = AuditEvent.objects.get(object_type="schools.school", object_id=str(school.pk))
        assert (event.action, event.actor_id) == ("create", role_users[Role.PROGRAMME_OWNER].pk)

    def test_operator_choices_stay_in_scope(self, client, world, role_users):
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        form = user_client.get(reverse("schools:school-create")).context["form"]
        assert list(form.fields["operator"].queryset) == [world.operator]
        response = user_client.post(reverse("schools:school-create"), _school_post(world.other_operator))
        assert response.status_code == 200
        assert "operator" in response.context["form"].errors
        assert not School.objects.filter(number="7007").exists()

    def test_invalid_input_shows_errors(self, client, world, role_users):
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        response = user_client.post(
            reverse("schools:school-create"), _school_post(world.operator, number="1001", latitude="123")
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "latitude" in errors
        response = user_client.post(reverse("schools:school-create"), _school_post(world.operator, number="1001"))
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert School.objects.filter(number="1001").count() == 1

    def test_operator_staff_cannot_register_schools(self, client, world, role_users):
        user_client = _client(client, role_users[Role.OPERATOR_STAFF])
        assert user_client.get(reverse("schools:school-create")).status_code == 403
        assert user_client.post(reverse("schools:school-create"), _school_post(world.operator)).status_code == 403
        assert not School.objects.filter(number="7007").exists()

    def test_programme_owner_edits_a_school(self, client, world, role_users):
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        url = reverse("schools:school-update", args=[world.school.pk])
        form = user_client.get(url).context["form"]
        assert form.initial["name"] == "INSIDE school"
        response = user_client.post(url, _school_post(world.operator, number="1001", name="Renamed school"))
        assert response.status_code == 302
        world.school.refresh_from_db()
        assert (world.school.name, world.school.city) == ("Renamed school", "Rostock")
        event = AuditEvent.objects.filter(object_type="schools.school", action="update").get()
        assert event.before["name"] == "INSIDE school"
        assert event.after["name"] == "Renamed school"

    def test_operator_staff_edits_their_school(self, client, world, role_users):
        user_client = _client(client, role_users[Role.OPERATOR_STAFF])
        url = reverse("schools:school-update", args=[world.school.pk])
        response = user_client.post(url, _school_post(world.operator, number="1001", name="Staff edit"))
        assert response.status_code == 302
        world.school.refresh_from_db()
        assert world.school.name == "Staff edit"

    def test_school_coordinator_cannot_edit_the_school(self, client, world, role_users):
        user_client = _client(client, role_users[Role.SCHOOL_COORDINATOR])
        url = reverse("schools:school-update", args=[world.school.pk])
        assert user_client.get(url).status_code == 403
        assert user_client.post(url, _school_post(world.operator, number="1001", name="Hacked")).status_code == 403
        world.school.refresh_from_db()
        assert world.school.name == "INSIDE school"

    def test_auditor_cannot_edit(self, client, world, role_users):
        url = reverse("schools:school-update", args=[world.school.pk])
        assert _client(client, role_users[Role.AUDITOR]).post(url, _school_post(world.operator)).status_code == 403

    def test_editing_outside_the_scope_is_404(self, client, world, role_users):
        url = reverse("schools:school-update", args=[world.other_school.pk])
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).post(url, _school_post(world.other_operator))
        assert response.status_code == 404
        world.other_school.refresh_from_db()
        assert world.other_school.name == "OUTSIDE school"


@pytest.mark.django_db
class TestSites:
    def test_coordinator_adds_edits_and_deletes_a_site(self, client, world, role_users):
        user_client = _client(client, role_users[Role.SCHOOL_COORDINATOR])
        create_url = reverse("schools:site-create", args=[world.school.pk])
        data = {
            "name": "Annex",
            "street": "Weg 2",
            "postal_code": "18055",
            "city": "Rostock",
            "latitude": "",
            "longitude": "",
        }
        response = user_client.post(create_url, data)
        assert response.status_code == 302
        site = Site.objects.get(school=world.school, name="Annex")
        response = user_client.post(reverse("schools:site-update", args=[site.pk]), {**data, "name": "Annex B"})
        assert response.status_code == 302
        site.refresh_from_db()
        assert site.name == "Annex B"
        assert user_client.get(reverse("schools:site-delete", args=[site.pk])).status_code == 200
        response = user_client.post(reverse("schools:site-delete", args=[site.pk]))
        assert response.status_code == 302
        assert not Site.objects.filter(pk=site.pk).exists()
        assert list(
            AuditEvent.objects.filter(object_type="schools.site", object_id=str(site.pk))
            .order_by("id")
            .values_list("action", flat=True)
        ) == ["create", "update", "delete"]

    def test_main_building_cannot_be_deleted(self, client, world, role_users):
        main = SiteFactory(school=world.school, name="Main", is_main=True)
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).post(
            reverse("schools:site-delete", args=[main.pk])
        )
        assert response.status_code == 200
        assert response.context["errors"] == ["The main building cannot be deleted."]
        assert Site.objects.filter(pk=main.pk).exists()

    def test_duplicate_site_name_is_a_form_error(self, client, world, role_users):
        SiteFactory(school=world.school, name="Annex")
        response = _client(client, role_users[Role.SCHOOL_COORDINATOR]).post(
            reverse("schools:site-create", args=[world.school.pk]), {"name": "Annex"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors

    def test_auditor_cannot_add_a_site_and_outside_is_404(self, client, world, role_users):
        other_site = SiteFactory(school=world.other_school)
        assert (
            _client(client, role_users[Role.AUDITOR])
            .post(reverse("schools:site-create", args=[world.school.pk]), {"name": "X"})
            .status_code
            == 403
        )
        coordinator = _client(client, role_users[Role.SCHOOL_COORDINATOR])
        assert coordinator.get(reverse("schools:site-update", args=[other_site.pk])).status_code == 404
        assert coordinator.post(reverse("schools:site-delete", args=[other_site.pk])).status_code == 404


@pytest.mark.django_db
class TestSchoolFigures:
    def test_programme_owner_sets_the_figures_of_a_year(self, client, world, role_users):
        url = reverse("schools:school-figures", args=[world.school.pk])
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        assert user_client.get(url).status_code == 200
        response = user_client.post(
            url,
            {
                "school_year": "2024/25",
                "pupils_level_1": "200",
                "pupils_level_2": "50",
                "teachers": "17",
                "ses_scale": hamburg_scale().pk,
                "ses_value": "4",
            },
        )
        assert response.status_code == 302
        assert sorted(Enrolment.objects.filter(school=world.school).values_list("level", "grade", "pupils")) == [
            (1, 0, 200),
            (2, 0, 50),
        ]
        assert StaffCount.objects.get(school=world.school).teachers == 17
        assert SocioEconomicIndex.objects.get(school=world.school).value == Decimal("4")
        world.school.refresh_from_db()
        assert (world.school.pupils_total, world.school.ses_value) == (250, Decimal("4"))
        form = user_client.get(url, {"year": "2024/25"}).context["form"]
        assert (form.initial["pupils_level_1"], form.initial["teachers"]) == (200, 17)

    def test_operator_staff_sets_pupils_but_not_the_index(self, client, world, role_users):
        url = reverse("schools:school-figures", args=[world.school.pk])
        user_client = _client(client, role_users[Role.OPERATOR_STAFF])
        assert "ses_value" not in user_client.get(url).context["form"].fields
        response = user_client.post(url, {"school_year": "2024/25", "pupils_level_1": "99", "ses_value": "1"})
        assert response.status_code == 302
        assert not SocioEconomicIndex.objects.exists()
        world.school.refresh_from_db()
        assert world.school.pupils_total == 99

    def test_bad_figures_are_form_errors(self, client, world, role_users):
        url = reverse("schools:school-figures", args=[world.school.pk])
        user_client = _client(client, role_users[Role.PROGRAMME_OWNER])
        response = user_client.post(url, {"school_year": "2024", "pupils_level_1": "-3"})
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"school_year", "pupils_level_1"}
        response = user_client.post(url, {"school_year": "2024/25", "ses_scale": hamburg_scale().pk, "ses_value": "9"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == ["The index is outside its scale."]
        response = user_client.post(url, {"school_year": "2024/25", "ses_value": "3"})
        assert response.context["form"].non_field_errors() == ["Give both the index and its scale, or neither."]
        assert not Enrolment.objects.exists()

    def test_coordinator_cannot_set_figures(self, client, world, role_users):
        url = reverse("schools:school-figures", args=[world.school.pk])
        user_client = _client(client, role_users[Role.SCHOOL_COORDINATOR])
        assert user_client.get(url).status_code == 403
        assert user_client.post(url, {"school_year": "2024/25", "pupils_level_1": "5"}).status_code == 403
        assert not Enrolment.objects.exists()


@pytest.mark.django_db
class TestOperators:
    def test_list_counts_only_visible_schools(self, client, world, role_users):
        SchoolFactory(operator=world.operator, name="Second inside school")
        response = _client(client, role_users[Role.SCHOOL_COORDINATOR]).get(reverse("schools:operator-list"))
        table = response.context["table"]
        rows = [(row.record.name, table.school_counts[row.record.pk]) for row in table.paginated_rows]
        assert rows == [("INSIDE operator", 1)]
        response = _client(client, role_users[Role.PROGRAMME_OWNER]).get(reverse("schools:operator-list"))
        table = response.context["table"]
        rows = [(row.record.name, table.school_counts[row.record.pk]) for row in table.paginated_rows]
        assert rows == [("INSIDE operator", 2)]

    def test_detail_shows_its_schools_and_counts(self, client, world, role_users):
        SchoolFactory(operator=world.operator, name="Closed school", status=School.Status.CLOSED, pupils_total=40)
        School.objects.filter(pk=world.school.pk).update(pupils_total=300)
        response = _client(client, role_users[Role.FUNDING_ADMINISTRATOR]).get(
            reverse("schools:operator-detail", args=[world.operator.pk])
        )
        assert response.status_code == 200
        assert response.context["totals"] == {"schools": 2, "pupils": 340}
        assert response.context["status_counts"] == [("Open", 1), ("Planned", 0), ("Closed", 1)]
        assert _names(response) == ["Closed school", "INSIDE school"]

    def test_detail_outside_the_scope_is_404(self, client, world, role_users):
        response = _client(client, role_users[Role.OPERATOR_STAFF]).get(
            reverse("schools:operator-detail", args=[world.other_operator.pk])
        )
        assert response.status_code == 404
