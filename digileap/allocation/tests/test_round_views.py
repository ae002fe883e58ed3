"""Pages of allocation rounds as each role: the list, the form, a round, a version, a line's
explanation, two versions compared, the exports, and the school page's allocations."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory, SocioEconomicIndexFactory

from ..models import AllocationRound, AllocationVersion
from ..services.rounds import round_compute, round_create
from .factories_rounds import build_round_scenario


@pytest.fixture
def scenario(world, role_users):
    return build_round_scenario(world, owner=role_users[Role.PROGRAMME_OWNER])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"allocation:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the programme owner ------------------------------------------------------------------------


def test_owner_sees_the_list_and_the_round_in_words(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationround-list"))
    assert response.status_code == 200
    assert [(r.code, v.number) for r, v in response.context["rows"]] == [("DS-1", 2)]
    assert response.context["can_add"] is True

    response = client.get(url("allocationround-detail", scenario.round.pk))
    assert response.status_code == 200
    page = text(response)
    assert "EUR 120 per eligible pupil." in page
    assert (
        "No total: every eligible school gets what the formula gives, within its limits, rounded to the cent." in page
    )
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert [row.can_approve for row in response.context["version_rows"]] == [True, False]
    assert url("allocationround-compute", scenario.round.pk) in page
    assert url("allocationversion-approve", scenario.second.pk) in page
    assert url("allocationversion-approve", scenario.first.pk) not in page
    assert f"{url('allocationversion-compare', scenario.second.pk)}?with={scenario.first.pk}" in page


def test_owner_computes_approves_and_publishes(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(url("allocationround-compute", scenario.round.pk), {"note": "after the count"}, follow=True)
    third = AllocationVersion.objects.get(round=scenario.round, number=3)
    assert response.redirect_chain == [(url("allocationversion-detail", third.pk), 302)]
    assert messages_of(response) == ["Version 3 was computed: 2 schools."]
    assert (third.note, third.total) == ("after the count", Decimal("3600.00"))

    response = client.post(url("allocationversion-approve", third.pk), follow=True)
    assert messages_of(response) == ["Version 3 is approved; the round is now locked."]
    response = client.post(url("allocationversion-publish", third.pk), follow=True)
    assert messages_of(response) == ["Version 3 is published: operators and schools now see their own lines."]
    third.refresh_from_db()
    assert third.status == AllocationVersion.Status.PUBLISHED
    assert AllocationRound.objects.get(pk=scenario.round.pk).status == AllocationRound.Status.PUBLISHED


def test_an_approved_round_refuses_to_compute_and_to_be_edited(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    client.post(url("allocationversion-approve", scenario.second.pk), follow=True)
    response = client.post(url("allocationround-compute", scenario.round.pk), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [
        "The round could not be computed: The round is approved: it cannot be changed any more."
    ]
    assert scenario.round.versions.count() == 2
    assert "Compute a new version" not in text(response)

    response = client.get(url("allocationround-update", scenario.round.pk), follow=True)
    assert response.redirect_chain == [(url("allocationround-detail", scenario.round.pk), 302)]
    assert messages_of(response) == ["The round is approved: it cannot be changed any more."]


def test_only_the_latest_version_of_an_unchanged_definition_is_approved(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    # Version 1 was computed with EUR 100, before the definition changed: it is not approved.
    response = client.post(url("allocationversion-approve", scenario.first.pk), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["Only the latest version can be approved: version 2 is newer."]
    client.post(url("allocationround-update", scenario.round.pk), _form_data(scenario.round, name="Renamed"))
    response = client.post(url("allocationversion-approve", scenario.second.pk), follow=True)
    assert messages_of(response) == [
        "Your changes were saved. Compute the round again to see their effect.",
        "The round's definition changed after this version: compute it again first.",
    ]
    assert AllocationVersion.objects.filter(status="approved").count() == 0


def test_write_routes_accept_only_post(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    for name, pk in [
        ("allocationround-compute", scenario.round.pk),
        ("allocationversion-approve", scenario.second.pk),
        ("allocationversion-publish", scenario.second.pk),
    ]:
        assert client.get(url(name, pk)).status_code == 405


# --- the form -----------------------------------------------------------------------------------


RULE_MANAGEMENT = {
    "rule-TOTAL_FORMS": "3",
    "rule-INITIAL_FORMS": "0",
    "rule-MIN_NUM_FORMS": "0",
    "rule-MAX_NUM_FORMS": "20",
}


def _form_data(allocation_round=None, **overrides) -> dict:
    data = {
        "code": "MV",
        "name": "Pupil devices",
        "school_year": "2024/25",
        "resource": "money",
        "distribution": "proportional",
        "method": "largest_remainder",
        "pupils": "enrolment",
        "need": "none",
        "min_pupils": "1",
        **RULE_MANAGEMENT,
        "rule-0-amount": "150",
    }
    if allocation_round is not None:
        data.update(
            code=allocation_round.code,
            name=allocation_round.name,
            **{"rule-INITIAL_FORMS": "1", "rule-0-amount": "120"},
        )
    data.update(overrides)
    return data


def test_owner_creates_a_round_with_rules_weights_and_caps(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert client.get(url("allocationround-create")).status_code == 200
    data = _form_data(
        programme=str(scenario.programme.pk),
        total="50000",
        **{
            "rule-0-levels": ["1"],
            "rule-0-grades": "5-6",
            "rule-0-amount": "290",
            "rule-1-amount": "42",
            "levels": ["1", "2"],
            "index_weights_kind": "table",
            "index_weights_rows": "; 2; 1.3\n2; ; 1",
            "cap_per_school": "25000",
            "operator_cap_percent": "20",
        },
    )
    response = client.post(url("allocationround-create"), data)
    created = AllocationRound.objects.get(code="MV")
    assert response.status_code == 302
    assert response["Location"] == url("allocationround-detail", created.pk)
    assert created.formula == {
        "per_pupil": [{"amount": "290", "levels": [1], "grades": [5, 6]}, {"amount": "42"}],
        "cap_per_school": "25000",
        "index_weights": {"kind": "table", "bands": [{"weight": "1.3", "to": "2"}, {"weight": "1", "from": "2"}]},
        "operator_cap": {"percent": "20"},
    }
    assert created.eligibility == {"levels": [1, 2]}
    assert created.total == Decimal("50000")
    page = text(client.get(url("allocationround-detail", created.pk)))
    assert "EUR 290 per pupil in grades 5–6 of primary." in page
    assert "EUR 42 per eligible pupil." in page
    assert "Multiplied by a weight by socio-economic index: below 2: 1.3; from 2: 1; without an index: 1." in page
    assert "At most EUR 25,000 per school." in page
    assert "An operator&#x27;s schools together get at most 20 % of this round&#x27;s total." in page
    assert "Pupils in primary and lower secondary count." in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rule-0-amount": "abc"}, ("rule", 0, "amount"), "Enter a number."),
        ({"rule-0-grades": "five"}, ("rule", 0, "grades"), "Give grades as numbers, for example 5, 6 or 1-4."),
        ({"rule-0-grades": "14"}, ("rule", 0, "grades"), "14 is not between 1 and 13"),
        ({"rule-0-amount": ""}, ("per_pupil",), "give at least one amount per pupil or a base per school"),
        (
            {"floor_per_school": "10", "cap_per_school": "5"},
            ("floor_per_school",),
            "the floor is above the cap per school",
        ),
        (
            {"index_weights_kind": "table", "index_weights_rows": "1; 2"},
            ("index_weights_rows",),
            "Line 1: give from; to; weight (from or to may be empty).",
        ),
        (
            {"index_weights_kind": "table", "index_weights_rows": "3; 2; 1"},
            ("index_weights_rows",),
            "Line 1: 'to' must be above 'from'",
        ),
        (
            {"index_weights_kind": "curve", "index_weights_rows": "1; 1.5"},
            ("index_weights_rows",),
            "give at least two points",
        ),
        ({"need": "cap"}, ("need_unit_price",), "a money round needs a price per needed device"),
        ({"index_min": "5", "index_max": "1"}, ("index_min",), "the lowest index is above the highest"),
        ({"operators": "NOPE"}, ("operators",), "No operator of the programme's authority has the code NOPE."),
        ({"school_year": "2024"}, ("school_year",), None),
    ],
)
def test_bad_input_shows_the_error_on_its_field(role_users, scenario, overrides, field, message):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(url("allocationround-create"), _form_data(programme=str(scenario.programme.pk), **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    if field[0] == "rule":
        errors = form.rules.forms[field[1]].errors[field[2]]
    elif field[0] == "per_pupil":
        errors = form.per_pupil_errors
    else:
        errors = form.errors[field[0]]
    if message is not None:
        assert errors == [message]
    else:
        assert errors
    assert not AllocationRound.objects.filter(code="MV").exists()


def test_a_duplicate_code_is_a_form_error(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(url("allocationround-create"), _form_data(programme=str(scenario.programme.pk), code="DS-1"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Allocation round with this Programme and Code already exists."
    ]


def test_a_programme_outside_the_scope_cannot_be_chosen(world, role_users, scenario):
    from digileap.programmes.tests.factories import ProgrammeFactory

    outside = ProgrammeFactory(authority=world.other_authority, code="OUTSIDE-p")
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(url("allocationround-create"), _form_data(programme=str(outside.pk)))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["programme"]
    assert not AllocationRound.objects.filter(programme=outside).exists()


def test_edit_shows_the_definition_and_saves_only_what_changed(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationround-update", scenario.round.pk))
    assert response.status_code == 200
    rules = response.context["form"].rules
    assert [form.initial for form in rules.initial_forms] == [{"amount": "120", "levels": [], "grades": ""}]
    events = AuditEvent.objects.count()

    response = client.post(
        url("allocationround-update", scenario.round.pk),
        _form_data(scenario.round, **{"rule-0-amount": "120.00"}),
        follow=True,
    )
    assert messages_of(response) == ["Nothing was changed."]
    assert AuditEvent.objects.count() == events
    assert AllocationRound.objects.get(pk=scenario.round.pk).status == AllocationRound.Status.COMPUTED

    response = client.post(
        url("allocationround-update", scenario.round.pk),
        _form_data(scenario.round, **{"rule-0-amount": "130", "rule-1-amount": "5", "rule-1-levels": ["2"]}),
        follow=True,
    )
    assert messages_of(response) == ["Your changes were saved. Compute the round again to see their effect."]
    edited = AllocationRound.objects.get(pk=scenario.round.pk)
    assert edited.formula == {"per_pupil": [{"amount": "130"}, {"amount": "5", "levels": [2]}]}
    assert edited.status == AllocationRound.Status.DRAFT


def test_a_rule_is_removed_with_its_delete_box(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    data = _form_data(scenario.round, **{"rule-0-DELETE": "on", "base_per_school": "500"})
    client.post(url("allocationround-update", scenario.round.pk), data)
    assert AllocationRound.objects.get(pk=scenario.round.pk).formula == {"base_per_school": "500"}


# --- version, line, compare, export -------------------------------------------------------------


def test_version_page_lists_lines_searches_and_pages_with_htmx(world, role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationversion-detail", scenario.second.pk))
    assert response.status_code == 200
    assert [(line.school.number, line.amount) for line in response.context["page"]] == [
        ("1001", Decimal("1200.00")),
        ("1002", Decimal("2400.00")),
    ]
    assert "EUR 3,600.00" in text(response)

    response = client.get(url("allocationversion-detail", scenario.second.pk), {"q": "second"})
    assert [line.school.number for line in response.context["page"]] == ["1002"]

    response = client.get(
        url("allocationversion-detail", scenario.second.pk),
        {"sort": "amount"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="allocation-lines",
    )
    assert [line.school.number for line in response.context["page"]] == ["1002", "1001"]
    assert "<html" not in text(response)
    assert text(response).lstrip().startswith('<section id="allocation-lines"')


def test_version_page_warns_when_the_total_could_not_be_allocated(world, role_users, scenario):
    owner = role_users[Role.PROGRAMME_OWNER]
    SocioEconomicIndexFactory(school=scenario.school, value=Decimal("3"))
    capped = round_create(
        actor=owner,
        programme=scenario.programme,
        data={
            "code": "CAP",
            "name": "Capped",
            "school_year": "2024/25",
            "total": Decimal("10000"),
            "eligibility": {"index_max": "5"},
            "formula": {"per_pupil": [{"amount": "1"}], "cap_per_school": "4000"},
        },
    )
    version = round_compute(actor=owner, allocation_round=capped)
    client = client_for(owner)
    page = text(client.get(url("allocationversion-detail", version.pk)))
    assert "The whole total could not be allocated: EUR 6,000.00 is left over" in page
    assert "1 school has no socio-economic index for the year." in page
    page = text(client.get(url("allocationround-detail", capped.pk)))
    assert "Version 1 could not allocate the whole total: EUR 6,000.00 is left over" in page


def test_line_page_explains_the_amount(world, role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    line = scenario.second.lines.get(school=scenario.school)
    response = client.get(url("allocationline-detail", line.pk))
    assert response.status_code == 200
    explained = response.context["line"]
    assert explained == line
    page = text(response)
    assert "EUR 120 × 10 pupils = EUR 1,200.00." in page
    assert "Formula value: EUR 1,200.0000." in page
    assert "No total is split: the school gets its formula value within its limits, rounded to the cent." in page
    assert "No limit bound it: the amount is the school&#x27;s share by the formula." in page
    assert reverse("schools:school-detail", args=[scenario.school.pk]) in page


def test_line_page_for_a_shared_total_shows_quota_rank_and_bound(world, role_users, scenario):
    owner = role_users[Role.PROGRAMME_OWNER]
    third = SchoolFactory(operator=world.operator, name="Third school", number="1003")
    EnrolmentFactory(school=third, level=1, grade=0, pupils=10)
    shared = round_create(
        actor=owner,
        programme=scenario.programme,
        data={
            "code": "SHARE",
            "name": "Shared",
            "school_year": "2024/25",
            "total": Decimal("1000"),
            "formula": {"per_pupil": [{"amount": "1"}], "cap_per_school": "450"},
        },
    )
    version = round_compute(actor=owner, allocation_round=shared)
    amounts = {line.school.number: (line.amount, line.bound) for line in version.lines.select_related("school")}
    # 10 : 20 : 10 pupils; 1002's half (500) is capped at 450, the 550 left split evenly.
    assert amounts == {
        "1001": (Decimal("275.00"), ""),
        "1002": (Decimal("450.00"), "cap_school"),
        "1003": (Decimal("275.00"), ""),
    }
    client = client_for(owner)
    page = text(client.get(url("allocationline-detail", version.lines.get(school__number="1002").pk)))
    assert "Cap per school: EUR 450.00." in page
    assert "The cap per school bound it." in page
    page = text(client.get(url("allocationline-detail", version.lines.get(school__number="1001").pk)))
    assert "EUR 1,000.00 were split in proportion to the formula values (together EUR 40.0000)." in page
    assert "This school&#x27;s exact share: EUR 275.0000." in page


def test_compare_page_shows_changed_schools_and_totals(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationversion-compare", scenario.second.pk), {"with": scenario.first.pk})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.a.number, comparison.b.number) == (1, 2)
    assert [(r.number, r.amount_a, r.amount_b, r.difference) for r in response.context["page"]] == [
        ("1001", Decimal("1000.00"), Decimal("1200.00"), Decimal("200.00")),
        ("1002", Decimal("2000.00"), Decimal("2400.00"), Decimal("400.00")),
    ]
    page = text(response)
    assert "+EUR 600.00" in page
    assert "2 schools have a different amount." in page
    # Without ?with= the version before is taken.
    response = client.get(url("allocationversion-compare", scenario.second.pk))
    assert response.context["other"] == scenario.first


def test_compare_page_hides_unchanged_schools_unless_asked(role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationversion-compare", scenario.second.pk), {"with": scenario.second.pk})
    assert list(response.context["page"]) == []
    assert "No school's amount changed." in text(response)
    response = client.get(
        url("allocationversion-compare", scenario.second.pk), {"with": scenario.second.pk, "all": "1"}
    )
    assert [r.number for r in response.context["page"]] == ["1001", "1002"]


EXPORT_HEADERS = [
    "school_number",
    "school_name",
    "operator_code",
    "operator_name",
    "pupils_isced1",
    "eligible_pupils",
    "index",
    "need_units",
    "claim",
    "amount",
    "bound",
]


def test_export_csv(world, role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationversion-export", scenario.second.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ds-1-v2.csv"'
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows == [
        EXPORT_HEADERS,
        [
            "1001",
            "INSIDE school",
            world.operator.code,
            "INSIDE operator",
            "10",
            "10",
            "",
            "",
            "1200.0000",
            "1200.00",
            "",
        ],
        ["1002", "Second school", "OP2", "Second operator", "20", "20", "", "", "2400.0000", "2400.00", ""],
    ]


def test_export_xlsx(world, role_users, scenario):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(url("allocationversion-export-xlsx", scenario.second.pk))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == EXPORT_HEADERS
    assert rows[1:] == [
        ["1001", "INSIDE school", world.operator.code, "INSIDE operator", 10, 10, None, None, 1200, 1200, None],
        ["1002", "Second school", "OP2", "Second operator", 20, 20, None, None, 2400, 2400, None],
    ]


# --- operators, schools, suppliers, readers -----------------------------------------------------


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_operator_and_coordinator_see_nothing_before_publication(role, role_users, scenario):
    client = client_for(role_users[role])
    response = client.get(url("allocationround-list"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    line = scenario.second.lines.get(school=scenario.school)
    for name, pk in [
        ("allocationround-detail", scenario.round.pk),
        ("allocationversion-detail", scenario.second.pk),
        ("allocationversion-compare", scenario.second.pk),
        ("allocationversion-export", scenario.second.pk),
        ("allocationline-detail", line.pk),
    ]:
        assert client.get(url(name, pk)).status_code == 404, name


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_operator_and_coordinator_see_their_own_published_line(role, world, role_users, scenario):
    scenario.approve_and_publish()
    client = client_for(role_users[role])
    response = client.get(url("allocationround-detail", scenario.round.pk))
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2]
    assert [(line.school.number, line.amount) for line in response.context["own_lines"]] == [
        ("1001", Decimal("1200.00"))
    ]
    page = text(response)
    assert "Compute a new version" not in page
    assert "Approve version" not in page and "Publish version" not in page

    response = client.get(url("allocationversion-detail", scenario.second.pk))
    assert [line.school.number for line in response.context["page"]] == ["1001"]
    own = scenario.second.lines.get(school=scenario.school)
    response = client.get(url("allocationline-detail", own.pk))
    assert response.status_code == 200
    assert "EUR 120 × 10 pupils = EUR 1,200.00." in text(response)

    other = scenario.second.lines.get(school=scenario.second_school)
    assert client.get(url("allocationline-detail", other.pk)).status_code == 404
    assert client.get(url("allocationversion-detail", scenario.first.pk)).status_code == 404
    unpublished_own = scenario.first.lines.get(school=scenario.school)
    assert client.get(url("allocationline-detail", unpublished_own.pk)).status_code == 404

    content = b"".join(client.get(url("allocationversion-export", scenario.second.pk)).streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["1001"]

    assert client.post(url("allocationversion-publish", scenario.second.pk)).status_code == 403
    assert client.get(url("allocationround-create")).status_code == 403


def test_supplier_sees_no_round(role_users, scenario):
    scenario.approve_and_publish()
    client = client_for(role_users[Role.SUPPLIER])
    assert client.get(url("allocationround-list")).context["rows"] == []
    assert client.get(url("allocationround-detail", scenario.round.pk)).status_code == 404
    assert client.get(url("allocationround-create")).status_code == 403
    assert client.post(url("allocationround-compute", scenario.round.pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_readers_see_every_version_but_cannot_write(role, role_users, scenario):
    client = client_for(role_users[role])
    response = client.get(url("allocationround-detail", scenario.round.pk))
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert "Compute a new version" not in text(response)
    assert client.post(url("allocationround-compute", scenario.round.pk)).status_code == 403
    assert client.post(url("allocationversion-approve", scenario.second.pk)).status_code == 403
    assert client.get(url("allocationround-update", scenario.round.pk)).status_code == 403
    assert client.get(url("allocationround-create")).status_code == 403
    assert scenario.round.versions.count() == 2


# --- the school page ----------------------------------------------------------------------------


def test_school_page_shows_the_schools_allocations(role_users, scenario):
    school_url = reverse("schools:school-detail", args=[scenario.school.pk])
    page = text(client_for(role_users[Role.PROGRAMME_OWNER]).get(school_url))
    line = scenario.second.lines.get(school=scenario.school)
    assert "Allocations" in page
    assert url("allocationline-detail", line.pk) in page
    assert "EUR 1,200.00" in page and "EUR 1,000.00" in page

    operator_client = client_for(role_users[Role.OPERATOR_STAFF])
    assert 'id="allocations-title"' not in text(operator_client.get(school_url))
    scenario.approve_and_publish()
    response = operator_client.get(school_url)
    (panel,) = [panel for panel in response.context["panels"] if panel.key == "allocation"]
    assert [line.version.number for line in panel.context["lines"]] == [2]
    assert "EUR 1,000.00" not in text(response)


def test_a_round_of_devices_by_priority_in_words(world, role_users, scenario):
    """The Brussels rule: 3,500 laptops to secondary schools, the lowest index first, each up to its need."""
    from .factories import NeedDeclarationFactory, NeedLineFactory

    owner = role_users[Role.PROGRAMME_OWNER]
    for number, index, need in [("B1", "10", 1500), ("B2", "5", 1200), ("B3", "20", 2000)]:
        school = SchoolFactory(operator=world.operator, number=number, isced_1=False, isced_2=True)
        EnrolmentFactory(school=school, level=2, pupils=500)
        SocioEconomicIndexFactory(school=school, value=Decimal(index))
        NeedLineFactory(declaration=NeedDeclarationFactory(school=school), device_type="laptop", needed=need)
    brussels = round_create(
        actor=owner,
        programme=scenario.programme,
        data={
            "code": "BXL",
            "name": "Brussels devices",
            "school_year": "2024/25",
            "resource": "units",
            "device_type": "laptop",
            "total": Decimal(3500),
            "distribution": "priority",
            "eligibility": {"levels": [2, 3]},
            "formula": {"need": "weight"},
        },
    )
    version = round_compute(actor=owner, allocation_round=brussels)
    client = client_for(owner)
    page = text(client.get(url("allocationround-detail", brussels.pk)))
    assert (
        "3,500 units (Laptop) go to the most disadvantaged schools first, each up to its limit, "
        "until the total runs out." in page
    )
    assert "The declared need, in devices." in page
    assert "Pupils in lower secondary and upper secondary count." in page
    assert "2 schools have too few eligible pupils." in page  # 1001 and 1002 teach primary only

    lines = {line.school.number: line for line in version.lines.select_related("school")}
    assert {number: line.amount for number, line in lines.items()} == {
        "B1": Decimal(1500),
        "B2": Decimal(1200),
        "B3": Decimal(800),
    }
    page = text(client.get(url("allocationline-detail", lines["B3"].pk)))
    assert "Declared need: 2,000 devices, worth 2,000 units." in page
    assert "Schools were served most disadvantaged first; this school came number 3 and asked for 2,000 units." in page
    assert "The total ran out at this school&#x27;s turn." in page
    assert "Amount: 800 units." in page


def test_line_page_explains_the_index_weight_and_the_limits(world, role_users, scenario):
    owner = role_users[Role.PROGRAMME_OWNER]
    SocioEconomicIndexFactory(school=scenario.school, value=Decimal("3"))
    weighted = round_create(
        actor=owner,
        programme=scenario.programme,
        data={
            "code": "W",
            "name": "Weighted",
            "school_year": "2024/25",
            "formula": {
                "per_pupil": [{"amount": "100"}],
                "index_weights": {
                    "kind": "table",
                    "bands": [{"to": "4", "weight": "1.5"}, {"from": "4", "weight": "1"}],
                },
                "cap_per_pupil": "120",
                "floor_per_school": "500",
            },
        },
    )
    version = round_compute(actor=owner, allocation_round=weighted)
    client = client_for(owner)
    line = version.lines.get(school=scenario.school)
    assert (line.amount, line.bound) == (Decimal("1200.00"), "cap_per_pupil")
    page = text(client.get(url("allocationline-detail", line.pk)))
    assert "Socio-economic index 3 gives the weight 1.5: EUR 1,000.00 × 1.5 = EUR 1,500.0000." in page
    assert "Cap per pupil: EUR 120 × 10 eligible pupils = EUR 1,200.00." in page
    assert "Floor: EUR 500.00." in page
    assert "The cap per pupil bound it." in page
    other = version.lines.get(school=scenario.second_school)
    page = text(client.get(url("allocationline-detail", other.pk)))
    assert "No socio-economic index recorded gives the weight 1: EUR 2,000.00 × 1 = EUR 2,000.0000." in page
    page = text(client.get(url("allocationround-detail", weighted.pk)))
    assert "Multiplied by a weight by socio-economic index: below 4: 1.5; from 4: 1; without an index: 1." in page
    assert "At most EUR 120 per eligible pupil." in page
    assert "At least EUR 500 per school (never above its cap)." in page
