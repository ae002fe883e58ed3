"""The pages that set a call up (categories, documents, operators, entitlements typed in or taken
from an allocation round) and edit an application in place (a line, versions side by side, the
documents of many schools at once). Exact values; every role INSIDE and OUTSIDE; bad input shows
its error on the form and writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.allocation.services.rounds import round_create, version_approve
from digileap.allocation.tests.factories_rounds import build_round_scenario
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import (
    ApplicationDocument,
    ApplicationState,
    CallEligibility,
    CostCategory,
    CostLine,
    Entitlement,
    RequiredDocument,
)
from ..services.applications import (
    application_draft,
    application_submit,
    application_transition,
    cost_line_add,
    cost_line_update,
)
from ..services.calls import call_create, call_operators_set
from ..services.entitlements import entitlement_set, entitlements_from_round, entitlements_publish
from .factories import CallFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCOPED_OUT = [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name="plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def category(call, code) -> CostCategory:
    return call.cost_categories.get(code=code)


@pytest.fixture
def draft(mv_call, world, staff):
    return application_draft(actor=staff, call=mv_call, operator=world.operator)


def writes() -> int:
    return AuditEvent.objects.count()


# Cost categories.


def category_post(**changes) -> dict:
    data = {
        "code": "licences",
        "position": "5",
        "funding_rate": "90",
        "name_en": "Licences",
        "name_de": "Lizenzen",
        "cap_absolute": "",
        "cap_per_school": "1000",
        "cap_per_pupil": "12.50",
        "cap_share_of_application": "",
        "cap_share_of_entitlement": "15",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.ADMINISTRATOR])
def test_the_authority_adds_a_cost_category_with_its_caps(mv_call, role_users, role):
    client = signed_in(role_users[role])
    form = client.get(reverse("funding:costcategory-create", args=[mv_call.pk]))
    assert form.status_code == 200 and 'value="5"' in form.content.decode()  # the next position
    response = client.post(reverse("funding:costcategory-create", args=[mv_call.pk]), category_post())
    assert response.status_code == 302 and response["Location"] == reverse("funding:call-detail", args=[mv_call.pk])
    added = category(mv_call, "licences")
    assert added.name == {"en": "Licences", "de": "Lizenzen"}
    assert (added.funding_rate, added.cap_absolute, added.cap_per_school, added.cap_per_pupil) == (
        Decimal("90.00"),
        None,
        Decimal("1000.00"),
        Decimal("12.50"),
    )
    assert (added.cap_share_of_application, added.cap_share_of_entitlement) == (None, Decimal("15.00"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"funding_rate": "95"}, "funding_rate", "add up to more than 100 %"),
        ({"funding_rate": "ninety"}, "funding_rate", "Enter a number."),
        ({"cap_per_school": "-1"}, "cap_per_school", "greater than or equal to 0"),
        ({"cap_per_pupil": "abc"}, "cap_per_pupil", "Enter a number."),
        ({"cap_share_of_entitlement": "120"}, "cap_share_of_entitlement", "less than or equal to 100"),
        ({"code": "network"}, None, "already exists"),
        ({"name_en": "", "name_de": ""}, None, "Give a name in at least one language."),
    ],
)
def test_a_bad_cost_category_is_shown_back_and_nothing_is_written(mv_call, owner, changes, field, message):
    before = (CostCategory.objects.count(), writes())
    response = signed_in(owner).post(
        reverse("funding:costcategory-create", args=[mv_call.pk]), category_post(**changes)
    )
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors() + sum(form.errors.values(), [])
    assert any(message in error for error in errors), form.errors
    assert (CostCategory.objects.count(), writes()) == before


def test_editing_a_category_changes_its_caps_and_keeps_the_rest(mv_call, owner):
    devices = category(mv_call, "pupil-devices")
    url = reverse("funding:costcategory-update", args=[devices.pk])
    page = signed_in(owner).get(url)
    text = page.content.decode()
    assert page.status_code == 200 and 'value="25000.00"' in text and 'value="Schülerendgeräte"' in text
    response = signed_in(owner).post(
        url,
        category_post(
            code="pupil-devices",
            position="4",
            name_en="Pupil devices",
            name_de="Schülerendgeräte",
            cap_per_school="30000",
            cap_per_pupil="",
            cap_share_of_entitlement="25",
        ),
    )
    assert response.status_code == 302
    devices.refresh_from_db()
    assert (devices.cap_per_school, devices.cap_per_pupil, devices.cap_share_of_entitlement) == (
        Decimal("30000.00"),
        None,
        Decimal("25.00"),
    )
    assert devices.name == {"en": "Pupil devices", "de": "Schülerendgeräte"}


def test_a_category_code_used_by_lines_cannot_change(mv_call, owner, draft, staff):
    network = category(mv_call, "network")
    cost_line_add(
        actor=staff,
        application=draft,
        data={"category": network, "description": "Switches", "quantity": "1", "unit_price": "100"},
    )
    response = signed_in(owner).post(
        reverse("funding:costcategory-update", args=[network.pk]),
        category_post(code="net", name_en="Network and Wi-Fi", cap_per_school="", cap_share_of_entitlement=""),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Cost lines use this category: its code cannot change."]
    network.refresh_from_db()
    assert network.code == "network"


# Required documents.


def test_a_required_document_with_a_template_is_added(mv_call, owner):
    response = signed_in(owner).post(
        reverse("funding:requireddocument-create", args=[mv_call.pk]),
        {
            "code": "budget-plan",
            "scope": "application",
            "validity_months": "12",
            "position": "4",
            "name_en": "Budget plan",
            "template": pdf("budget-template.pdf"),
        },
    )
    assert response.status_code == 302
    document = mv_call.required_documents.get(code="budget-plan")
    assert (document.scope, document.validity_months, document.name) == ("application", 12, {"en": "Budget plan"})
    assert document.template.name.startswith(f"funding/templates/{mv_call.pk}/budget-template")
    assert document.template.read() == PDF


def test_a_template_that_is_not_what_it_claims_is_refused(mv_call, owner):
    before = RequiredDocument.objects.count()
    response = signed_in(owner).post(
        reverse("funding:requireddocument-create", args=[mv_call.pk]),
        {
            "code": "budget-plan",
            "scope": "application",
            "position": "4",
            "name_en": "Budget plan",
            "template": SimpleUploadedFile("budget.pdf", b"MZ\x90\x00 a program"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["template"][0].startswith("budget.pdf is not a PDF")
    assert RequiredDocument.objects.count() == before


def test_editing_a_required_document_changes_its_validity(mv_call, owner):
    mbk = mv_call.required_documents.get(code="mbk")
    url = reverse("funding:requireddocument-update", args=[mbk.pk])
    response = signed_in(owner).post(
        url,
        {"code": "mbk", "scope": "school", "validity_months": "24", "position": "2", "name_en": "Media concept"},
    )
    assert response.status_code == 302
    mbk.refresh_from_db()
    assert (mbk.validity_months, mbk.name) == (24, {"en": "Media concept"})
    bad = signed_in(owner).post(
        url, {"code": "mbk", "scope": "school", "validity_months": "0", "position": "2", "name_en": "x"}
    )
    assert bad.status_code == 400 and "greater than or equal to 1" in bad.context["form"].errors["validity_months"][0]
    mbk.refresh_from_db()
    assert mbk.validity_months == 24


# Operators.


def test_the_operators_page_lists_every_operator_of_the_authority_with_the_chosen_ticked(mv_call, world, owner):
    others = [OperatorFactory(authority=world.authority, name=f"Amt {n:03d}", code=f"A{n:03d}") for n in range(30)]
    page = signed_in(owner).get(reverse("funding:call-operators", args=[mv_call.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("data-funding-picker-item") == 31
    assert f'value="{world.operator.pk}" id="id_operators_' in text
    assert "OUTSIDE operator" not in text
    assert "31 operators may apply now." in text
    chosen = [world.operator.pk] + [operator.pk for operator in others[:20]]
    response = signed_in(owner).post(reverse("funding:call-operators", args=[mv_call.pk]), {"operators": chosen})
    assert response.status_code == 302
    assert sorted(mv_call.eligibilities.values_list("operator_id", flat=True)) == sorted(chosen)


def test_an_operator_of_another_authority_cannot_be_chosen(mv_call, world, owner):
    response = signed_in(owner).post(
        reverse("funding:call-operators", args=[mv_call.pk]), {"operators": [world.other_operator.pk]}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["operators"][0]
    assert list(mv_call.eligibilities.values_list("operator_id", flat=True)) == [world.operator.pk]


def test_an_operator_that_applied_stays(mv_call, world, owner, draft):
    response = signed_in(owner).post(reverse("funding:call-operators", args=[mv_call.pk]), {"operators": []})
    assert response.status_code == 400
    assert response.context["form"].errors["operators"] == [
        "These operators have applied and stay in the call: INSIDE operator"
    ]
    assert mv_call.eligibilities.count() == 1


# Entitlements.


def test_an_entitlement_is_typed_in_and_published(mv_call, world, owner, staff):
    response = signed_in(owner).post(
        reverse("funding:entitlement-create", args=[mv_call.pk]),
        {"operator": world.operator.pk, "amount": "123456.78"},
    )
    assert response.status_code == 302
    entitlement = Entitlement.objects.get(call=mv_call, operator=world.operator)
    assert (entitlement.amount, entitlement.source, entitlement.published_at) == (Decimal("123456.78"), "typed", None)
    # Until it is published again, the operator's staff do not see it.
    assert "123,456.78" not in signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()
    signed_in(owner).post(reverse("funding:call-publish", args=[mv_call.pk]))
    assert "123,456.78" in signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("lots", "The entitlement 'lots' is not a number."),
        ("-5", "The entitlement cannot be negative."),
        ("1.234", "The entitlement has more than 2 decimals."),
        ("", "This field is required."),
    ],
)
def test_a_bad_entitlement_is_shown_back_and_nothing_is_written(mv_call, world, owner, amount, message):
    before = (list(Entitlement.objects.values_list("amount", "published_at")), writes())
    response = signed_in(owner).post(
        reverse("funding:entitlement-create", args=[mv_call.pk]), {"operator": world.operator.pk, "amount": amount}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [message]
    assert (list(Entitlement.objects.values_list("amount", "published_at")), writes()) == before


def test_an_entitlement_for_an_operator_outside_the_call_is_refused(mv_call, world, owner):
    stranger = OperatorFactory(authority=world.authority, name="Not in the call")
    response = signed_in(owner).post(
        reverse("funding:entitlement-create", args=[mv_call.pk]), {"operator": stranger.pk, "amount": "10"}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.context["form"].errors["operator"][0]
    assert not Entitlement.objects.filter(operator=stranger).exists()


@pytest.fixture
def round_call(world):
    """A call of the round scenario's programme: world.operator (school 1001: EUR 1,200 in the
    approved version 2) and the second operator (school 1002: EUR 2,400), and a third operator with
    no school in the round."""
    scenario = build_round_scenario(world)
    version_approve(actor=scenario.owner, version=scenario.second)
    scenario.refresh()
    now = timezone.now()
    call = call_create(
        actor=SystemActor(),
        programme=scenario.programme,
        funding_source=scenario.programme.funding_sources.first() or _source(scenario.programme),
        data={
            "code": "DS-CALL",
            "title": {"en": "Digisprong call"},
            "opens_at": now - datetime.timedelta(days=1),
            "closes_at": now + datetime.timedelta(days=10),
        },
    )
    third = OperatorFactory(authority=world.authority, name="Third operator", code="OP3")
    call_operators_set(
        actor=SystemActor(), call=call, operators=[world.operator, scenario.second_school.operator, third]
    )
    return scenario, call, third


def _source(programme):
    from digileap.programmes.tests.factories import FundingSourceFactory

    return FundingSourceFactory(programme=programme)


def test_entitlements_are_taken_from_the_rounds_approved_version(round_call, world):
    scenario, call, third = round_call
    # A published entitlement is kept; an unpublished one is replaced.
    entitlement_set(actor=SystemActor(), call=call, operator=third, amount="77")
    result = entitlements_from_round(actor=scenario.owner, call=call, round=scenario.round)
    assert result == {"written": 3, "kept_published": 0}
    amounts = dict(call.entitlements.values_list("operator__code", "amount"))
    assert amounts == {
        world.operator.code: Decimal("1200.00"),
        "OP2": Decimal("2400.00"),
        "OP3": Decimal("0.00"),
    }
    first = call.entitlements.get(operator=world.operator)
    assert first.source == "computed" and first.published_at is None
    assert first.explanation == {
        "round": {"id": scenario.round.pk, "code": "DS-1", "version": 2},
        "schools": [{"school": world.school.pk, "number": "1001", "name": "INSIDE school", "amount": "1200.00"}],
        "total": "1200.00",
    }
    entitlements_publish(actor=SystemActor(), call=call)
    published_at = call.entitlements.get(operator=world.operator).published_at
    assert entitlements_from_round(actor=scenario.owner, call=call, round=scenario.round) == {
        "written": 0,
        "kept_published": 3,
    }
    assert call.entitlements.get(operator=world.operator).published_at == published_at


def test_the_round_page_takes_the_entitlements(round_call, world):
    scenario, call, _third = round_call
    client = signed_in(scenario.owner)
    page = client.get(reverse("funding:call-fromround", args=[call.pk]))
    assert page.status_code == 200 and "DS-1: Digisprong devices" in page.content.decode()
    response = client.post(reverse("funding:call-fromround", args=[call.pk]), {"round": scenario.round.pk})
    assert response.status_code == 302
    assert call.entitlements.get(operator=world.operator).amount == Decimal("1200.00")


def test_a_round_without_an_approved_version_or_of_another_programme_is_refused(round_call, world):
    scenario, call, _third = round_call
    other = round_create(
        actor=scenario.owner,
        programme=scenario.programme,
        data={
            "code": "DS-2",
            "name": "Not computed",
            "school_year": "2024/25",
            "formula": {"per_pupil": [{"amount": "1"}]},
        },
    )
    before = writes()
    with pytest.raises(ValidationError) as refused:
        entitlements_from_round(actor=scenario.owner, call=call, round=other)
    assert refused.value.message_dict == {"round": ["The allocation round has no approved version yet."]}
    elsewhere = CallFactory(programme__authority=world.authority, code="ELSEWHERE")
    CallEligibility.objects.create(call=elsewhere, operator=world.operator)
    with pytest.raises(ValidationError) as refused:
        entitlements_from_round(actor=SystemActor(), call=elsewhere, round=scenario.round)
    assert refused.value.message_dict == {"round": ["The allocation round must be of the call's programme."]}
    # Through the page, a round of another programme is not even offered.
    response = signed_in(scenario.owner).post(
        reverse("funding:call-fromround", args=[elsewhere.pk]), {"round": scenario.round.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["round"][0]
    assert (call.entitlements.exists(), elsewhere.entitlements.exists(), writes()) == (False, False, before)


def test_operator_staff_cannot_take_entitlements_from_a_round(round_call, world):
    scenario, call, _third = round_call
    from digileap.accounts.tests.factories import user_with_role

    staff = user_with_role(Role.OPERATOR_STAFF, world.operator, username="round-staff")
    with pytest.raises(PermissionDenied):
        entitlements_from_round(actor=staff, call=call, round=scenario.round)
    assert not call.entitlements.exists()


# Roles on the call set-up pages.


def config_urls(call) -> list[str]:
    return [
        reverse("funding:costcategory-create", args=[call.pk]),
        reverse("funding:costcategory-update", args=[call.cost_categories.first().pk]),
        reverse("funding:requireddocument-create", args=[call.pk]),
        reverse("funding:requireddocument-update", args=[call.required_documents.first().pk]),
        reverse("funding:call-operators", args=[call.pk]),
        reverse("funding:entitlement-create", args=[call.pk]),
        reverse("funding:call-fromround", args=[call.pk]),
    ]


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.ADMINISTRATOR])
def test_the_authority_opens_every_set_up_page(mv_call, role_users, role):
    client = signed_in(role_users[role])
    assert [client.get(url).status_code for url in config_urls(mv_call)] == [200] * 7


@pytest.mark.parametrize("role", SCOPED_OUT)
def test_other_roles_neither_open_nor_post_the_set_up_pages(mv_call, role_users, role):
    client = signed_in(role_users[role])
    before = (writes(), CostCategory.objects.count(), CallEligibility.objects.count())
    # Operator staff and the auditor see the call (403); the others do not (404).
    expected = 403 if role in (Role.OPERATOR_STAFF, Role.AUDITOR) else 404
    for url in config_urls(mv_call):
        assert client.get(url).status_code == expected, url
        assert client.post(url, category_post()).status_code == expected, url
    assert (writes(), CostCategory.objects.count(), CallEligibility.objects.count()) == before


def test_a_call_of_another_authority_is_a_404(world, owner):
    outside = CallFactory(programme__authority=world.other_authority)
    CostCategory.objects.create(call=outside, code="x", name={"en": "OUTSIDE"})
    RequiredDocument.objects.create(call=outside, code="y", scope="operator", name={"en": "OUTSIDE"})
    client = signed_in(owner)
    assert {client.get(url).status_code for url in config_urls(outside)} == {404}
    assert {client.post(url, category_post()).status_code for url in config_urls(outside)} == {404}


def test_the_call_page_links_the_set_up_pages_for_the_authority_only(mv_call, owner, staff):
    text = signed_in(owner).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()
    for url in config_urls(mv_call)[1:] + [reverse("funding:costcategory-create", args=[mv_call.pk])]:
        assert url in text, url
    staff_text = signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()
    assert reverse("funding:call-operators", args=[mv_call.pk]) not in staff_text
    assert "1 operator may apply to this call." in staff_text


# A line edited in place.


def test_a_line_is_edited_in_place(mv_call, draft, staff):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": category(mv_call, "network"),
            "description": "Switches",
            "quantity": "2",
            "unit_price": "500",
        },
    )
    url = reverse("funding:costline-update", args=[line.pk])
    page = signed_in(staff).get(url)
    assert page.status_code == 200 and 'value="Switches"' in page.content.decode()
    response = signed_in(staff).post(
        url,
        {
            "category": category(mv_call, "network").pk,
            "school": "",
            "description": "Switches, 48 ports",
            "quantity": "3",
            "unit_price": "499.99",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.description, line.quantity, line.amount, line.funding) == (
        "Switches, 48 ports",
        Decimal("3.00"),
        Decimal("1499.97"),
        Decimal("1349.97"),
    )
    detail = signed_in(staff).get(reverse("funding:application-detail", args=[draft.pk])).content.decode()
    assert url in detail


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "two"}, "quantity", "Line 1: The quantity 'two' is not a number. (rule: amount)"),
        ({"unit_price": "-3"}, "unit_price", "Line 1: The unit price cannot be negative. (rule: amount)"),
        (
            {"category": "pupil-devices", "school": "school", "unit_price": "30000"},
            None,
            "Line 1: Pupil devices for INSIDE school comes to EUR 27,000.00, over the cap of EUR 25,000.00 per school "
            "(rule: cap per school).",
        ),
    ],
)
def test_a_bad_edit_is_shown_on_the_form_and_nothing_changes(mv_call, world, draft, staff, changes, field, message):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": category(mv_call, "network"),
            "description": "Switches",
            "quantity": "1",
            "unit_price": "500",
        },
    )
    data = {
        "category": category(mv_call, "network").pk,
        "school": "",
        "description": "Switches",
        "quantity": "1",
        "unit_price": "500",
    }
    data.update(changes)
    if data["category"] == "pupil-devices":
        data["category"] = category(mv_call, "pupil-devices").pk
    if data["school"] == "school":
        data["school"] = world.school.pk
    before = (list(CostLine.objects.values_list("category_id", "quantity", "unit_price", "amount")), writes())
    response = signed_in(staff).post(reverse("funding:costline-update", args=[line.pk]), data)
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors() + sum(form.errors.values(), [])
    assert message in errors, form.errors
    assert (list(CostLine.objects.values_list("category_id", "quantity", "unit_price", "amount")), writes()) == before


def test_a_line_shows_its_problems_on_its_edit_page(mv_call, world, draft, staff):
    devices = category(mv_call, "pupil-devices")
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": devices,
            "school": world.school,
            "description": "Tablets",
            "quantity": "50",
            "unit_price": "400",
        },
    )
    # The cap is lowered after the line was entered: the line now breaks it.
    CostCategory.objects.filter(pk=devices.pk).update(cap_per_school=Decimal("10000"))
    page = signed_in(staff).get(reverse("funding:costline-update", args=[line.pk]))
    assert (
        "Line 1: Pupil devices for INSIDE school comes to EUR 18,000.00, over the cap of EUR 10,000.00 per school"
        in (page.content.decode())
    )


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_the_authority_does_not_edit_lines(mv_call, draft, staff, role_users, role):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": category(mv_call, "network"),
            "description": "Switches",
            "quantity": "1",
            "unit_price": "500",
        },
    )
    client = signed_in(role_users[role])
    url = reverse("funding:costline-update", args=[line.pk])
    # A funding administrator not assigned to review the call does not see the application (404).
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"description": "changed"}).status_code in (403, 404)
    line.refresh_from_db()
    assert line.description == "Switches"


def test_a_line_of_another_operator_is_a_404(mv_call, world, draft, staff, role_users):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": category(mv_call, "network"),
            "description": "Switches",
            "quantity": "1",
            "unit_price": "500",
        },
    )
    from digileap.accounts.tests.factories import user_with_role

    other_staff = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="other-staff")
    for user in (other_staff, role_users[Role.SCHOOL_COORDINATOR], role_users[Role.SUPPLIER]):
        client = signed_in(user)
        assert client.get(reverse("funding:costline-update", args=[line.pk])).status_code == 404
        assert client.post(reverse("funding:costline-update", args=[line.pk]), {}).status_code == 404


# Versions side by side.


@pytest.fixture
def resubmitted(mv_call, world, draft, staff, owner):
    """Version 1: lines 1 (network 1 x 500) and 2 (displays 2 x 1,000); version 2: line 1 at 3 x 500,
    line 2 removed, line 3 added (servers 1 x 2,000)."""
    network, displays, servers = (category(mv_call, code) for code in ("network", "displays", "servers"))
    one = cost_line_add(
        actor=staff,
        application=draft,
        data={"category": network, "description": "Switches", "quantity": "1", "unit_price": "500"},
    )
    two = cost_line_add(
        actor=staff,
        application=draft,
        data={"category": displays, "description": "Boards", "quantity": "2", "unit_price": "1000"},
    )
    required = {document.code: document for document in mv_call.required_documents.all()}
    from ..services.applications import application_document_add

    today = timezone.localdate()
    application_document_add(
        actor=staff, application=draft, required_document=required["mep"], file=pdf(), issued_on=today
    )
    application_document_add(
        actor=staff,
        application=draft,
        required_document=required["technical-concept"],
        file=pdf("tk.pdf"),
        issued_on=today,
    )
    for row in draft.application_schools.all():
        application_document_add(
            actor=staff,
            application=draft,
            required_document=required["mbk"],
            school=row.school,
            file=pdf(f"mbk-{row.school.number}.pdf"),
            issued_on=today,
        )
    application_submit(actor=staff, application=draft, declarations_confirmed=True)
    application_transition(actor=owner, application=draft, state=ApplicationState.FORMAL_CHECK)
    application_transition(
        actor=owner, application=draft, state=ApplicationState.MORE_INFORMATION, reason="Fewer boards"
    )
    cost_line_update(actor=staff, line=one, data={"quantity": "3"})
    from ..services.applications import cost_line_delete

    cost_line_add(
        actor=staff,
        application=draft,
        data={"category": servers, "description": "NAS", "quantity": "1", "unit_price": "2000"},
    )
    cost_line_delete(actor=staff, line=two)
    application_submit(actor=staff, application=draft, declarations_confirmed=True)
    return draft


def test_two_versions_are_compared_side_by_side(resubmitted, staff):
    page = signed_in(staff).get(reverse("funding:application-compare", args=[resubmitted.pk]))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(row["position"], row["kind"]) for row in rows] == [(1, "changed"), (2, "removed"), (3, "added")]
    changed = {field["name"]: (field["before"], field["after"]) for field in rows[0]["fields"] if field["changed"]}
    assert changed == {
        "quantity": ("1.00", "3.00"),
        "amount": ("500.00", "1500.00"),
        "funding": ("450.00", "1350.00"),
        "cofinancing": ("50.00", "150.00"),
    }
    assert page.context["counts"] == {"added": 1, "removed": 1, "changed": 1}
    text = page.content.decode()
    # Written out, not shown by colour only.
    assert ">Added<" in text and ">Removed<" in text and ">Changed<" in text
    assert "<del>1</del>" in text and "<ins>3</ins>" in text
    assert "<del>2,000.00</del>" in text  # the removed line's amount
    assert "Lines added: 1. Lines removed: 1. Lines changed: 1." in text
    assert page.context["totals"][0][1:] == ("2500.00", "3500.00")
    detail = signed_in(staff).get(reverse("funding:application-detail", args=[resubmitted.pk])).content.decode()
    assert reverse("funding:application-compare", args=[resubmitted.pk]) in detail


def test_comparing_a_version_with_itself_is_an_error(resubmitted, owner):
    page = signed_in(owner).get(reverse("funding:application-compare", args=[resubmitted.pk]), {"older": 2, "newer": 2})
    assert page.status_code == 400
    assert page.context["form"].non_field_errors() == ["Choose two different versions."]
    assert "rows" not in page.context


def test_an_application_with_one_version_says_so(draft, staff):
    page = signed_in(staff).get(reverse("funding:application-compare", args=[draft.pk]))
    assert page.status_code == 200
    assert "Versions can be compared once the application has been submitted twice." in page.content.decode()


def test_the_comparison_of_another_operators_application_is_a_404(resubmitted, world):
    from digileap.accounts.tests.factories import user_with_role

    other_staff = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="other-staff")
    assert signed_in(other_staff).get(reverse("funding:application-compare", args=[resubmitted.pk])).status_code == 404


# Twelve schools with their media concepts in a few clicks.


@pytest.fixture
def twelve(mv_call, world, staff):
    """The INSIDE operator with twelve open schools (its two plus ten), 100 pupils each."""
    world.school.pupils_total = 100
    world.school.save()
    for number in range(10):
        SchoolFactory(operator=world.operator, name=f"Schule {number:02d}", number=f"30{number:02d}", pupils_total=100)
    return mv_call


def test_an_operator_applies_for_twelve_schools_with_mep_and_mbks_in_a_few_posts(twelve, world, staff):
    client = signed_in(staff)
    posts = 0
    # 1. The application form: every school ticked, with what the registry knows.
    page = client.get(reverse("funding:application-create", args=[twelve.pk]))
    text = page.content.decode()
    assert text.count('name="schools"') == 12 and text.count(" checked") >= 12
    assert "INSIDE Gymnasium (1002, Gy, 600 pupils)" in text
    form = page.context["form"]
    assert form.initial["title"] == "DigitalPakt 2026 · INSIDE operator"
    assert form.initial["rollout_year"] == timezone.localdate().year
    response = client.post(
        reverse("funding:application-create", args=[twelve.pk]),
        {
            "operator": world.operator.pk,
            "schools": form.initial["schools"],
            "title": form.initial["title"],
            "rollout_year": form.initial["rollout_year"],
        },
    )
    posts += 1
    application = world.operator.funding_applications.get()
    assert response["Location"] == reverse("funding:application-detail", args=[application.pk])
    assert application.application_schools.count() == 12
    # 2. One form per required document: the MBK form lists the twelve schools.
    page = client.get(response["Location"])
    mbk = twelve.required_documents.get(code="mbk")
    requirement = next(row for row in page.context["requirements"] if row["document"] == mbk)
    assert len(requirement["missing"]) == 12 and len(requirement["form"].school_fields()) == 12
    assert "12 schools still need it." in page.content.decode()
    schools = [row.school for row in application.application_schools.select_related("school")]
    upload = {"required_document": mbk.pk, f"doc{mbk.pk}-issued_on": timezone.localdate().isoformat()}
    upload.update({f"doc{mbk.pk}-file_{school.pk}": pdf(f"mbk-{school.number}.pdf") for school in schools})
    response = client.post(reverse("funding:application-uploadschools", args=[application.pk]), upload)
    posts += 1
    assert response.status_code == 302
    assert application.documents.filter(required_document=mbk).count() == 12
    for code in ("mep", "technical-concept"):
        response = client.post(
            reverse("funding:application-upload", args=[application.pk]),
            {
                "required_document": twelve.required_documents.get(code=code).pk,
                "school": "",
                "issued_on": timezone.localdate().isoformat(),
                "file": pdf(f"{code}.pdf"),
            },
        )
        posts += 1
        assert response.status_code == 302
    # 3. A few lines and the submission.
    network = category(twelve, "network")
    for school in schools[:2]:
        client.post(
            reverse("funding:application-addline", args=[application.pk]),
            {
                "category": network.pk,
                "school": school.pk,
                "description": "Wi-Fi",
                "quantity": "1",
                "unit_price": "10000",
            },
        )
        posts += 1
    response = client.post(
        reverse("funding:application-submit", args=[application.pk]), {"declarations_confirmed": "on"}
    )
    posts += 1
    application.refresh_from_db()
    assert (response.status_code, application.state, posts) == (302, "submitted", 7)
    assert (
        client.get(reverse("funding:application-detail", args=[application.pk])).context["requirements"][1]["form"]
        is None
    )


def test_one_bad_file_among_the_schools_keeps_none(mv_call, world, draft, staff):
    mbk = mv_call.required_documents.get(code="mbk")
    schools = [row.school for row in draft.application_schools.select_related("school").order_by("school__name")]
    upload = {"required_document": mbk.pk, f"doc{mbk.pk}-issued_on": timezone.localdate().isoformat()}
    upload[f"doc{mbk.pk}-file_{schools[0].pk}"] = pdf("good.pdf")
    upload[f"doc{mbk.pk}-file_{schools[1].pk}"] = SimpleUploadedFile("bad.pdf", b"MZ\x90\x00 a program")
    before = writes()
    response = signed_in(staff).post(reverse("funding:application-uploadschools", args=[draft.pk]), upload)
    assert response.status_code == 400
    requirement = next(row for row in response.context["requirements"] if row["document"] == mbk)
    assert requirement["form"].errors[f"file_{schools[1].pk}"][0].startswith("bad.pdf is not a PDF")
    assert (ApplicationDocument.objects.count(), writes()) == (0, before)


def test_a_future_date_or_no_file_is_refused_for_every_school(mv_call, draft, staff):
    mbk = mv_call.required_documents.get(code="mbk")
    school = draft.application_schools.first().school
    url = reverse("funding:application-uploadschools", args=[draft.pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = signed_in(staff).post(
        url, {"required_document": mbk.pk, f"doc{mbk.pk}-issued_on": future, f"doc{mbk.pk}-file_{school.pk}": pdf()}
    )
    assert response.status_code == 400
    requirement = next(row for row in response.context["requirements"] if row["document"] == mbk)
    assert requirement["form"].errors["issued_on"] == ["The date cannot be in the future."]
    response = signed_in(staff).post(
        url, {"required_document": mbk.pk, f"doc{mbk.pk}-issued_on": timezone.localdate().isoformat()}
    )
    requirement = next(row for row in response.context["requirements"] if row["document"] == mbk)
    assert requirement["form"].non_field_errors() == ["Choose a file for at least one school."]
    assert ApplicationDocument.objects.count() == 0


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_only_the_operator_uploads_school_documents(mv_call, draft, role_users, role):
    mbk = mv_call.required_documents.get(code="mbk")
    school = draft.application_schools.first().school
    response = signed_in(role_users[role]).post(
        reverse("funding:application-uploadschools", args=[draft.pk]),
        {
            "required_document": mbk.pk,
            f"doc{mbk.pk}-issued_on": timezone.localdate().isoformat(),
            f"doc{mbk.pk}-file_{school.pk}": pdf(),
        },
    )
    assert response.status_code in (403, 404)
    assert ApplicationDocument.objects.count() == 0


def test_the_set_up_pages_work_in_german(mv_call, owner):
    page = signed_in(owner).get(
        reverse("funding:costcategory-update", args=[category(mv_call, "pupil-devices").pk]), HTTP_ACCEPT_LANGUAGE="de"
    )
    text = page.content.decode()
    assert page.status_code == 200 and '<html lang="de">' in text and "Schülerendgeräte" in text


def test_an_upload_for_a_document_that_is_not_a_school_document_is_a_404(mv_call, draft, staff):
    client = signed_in(staff)
    url = reverse("funding:application-uploadschools", args=[draft.pk])
    mep = mv_call.required_documents.get(code="mep")
    assert client.post(url, {"required_document": "abc"}).status_code == 404
    assert client.post(url, {"required_document": mep.pk}).status_code == 404
    assert ApplicationDocument.objects.count() == 0
