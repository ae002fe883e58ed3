"""The funding API: decisions, grants and claims read in scope (operator staff their operator's, a
funding administrator the calls they review); machines draft an application, add, change and remove
its lines and submit it through the services, and the rules' refusals are 400s naming the field
and the line, with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent

from ..models import Application, CallReviewer, CostLine
from ..services.applications import application_document_add, application_draft, cost_line_add
from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
    InvoiceFactory,
    InvoiceLineFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def writes() -> int:
    return AuditEvent.objects.count()


# Reads: decisions, grants with lines, claims with invoices and lines.


def grant_with_claim(authority, operator, marker: str):
    call = CallFactory(programme__authority=authority, code=f"{marker}-CALL")
    application = ApplicationFactory(call=call, operator=operator, state="approved", title=f"{marker} application")
    decision = DecisionFactory(application=application, conditions=f"{marker} conditions")
    grant = GrantFactory(decision=decision, number=f"{marker}-G1")
    line = GrantLineFactory(grant=grant, cost_line__description=f"{marker} switches")
    claim = ClaimFactory(grant=grant, number=1, amount=Decimal("900.00"), state="submitted")
    invoice = InvoiceFactory(claim=claim, number=f"{marker}-R1", number_key=f"{marker}-r1")
    InvoiceLineFactory(invoice=invoice, grant_line=line, amount=Decimal("1000.00"), claimed=Decimal("900.00"))
    return call, decision, grant, claim


@pytest.fixture
def granted(world):
    inside = grant_with_claim(world.authority, world.operator, "INSIDE")
    outside = grant_with_claim(world.other_authority, world.other_operator, "OUTSIDE")
    return inside, outside


def ids(client, path) -> list[int]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_grant_comes_with_its_lines_and_the_claim_with_its_invoices(granted, role_users):
    (call, decision, grant, claim), _outside = granted
    client = api(role_users[Role.OPERATOR_STAFF])
    body = client.get(f"/api/funding-grants/{grant.pk}/").json()
    line = grant.lines.get()
    assert body["number"] == "INSIDE-G1" and body["approved_amount"] == "900.00"
    assert body["lines"] == [
        {
            "id": line.pk,
            "position": line.position,
            "cost_line": line.cost_line_id,
            "category": line.category_id,
            "category_code": line.category.code,
            "school": None,
            "description": "INSIDE switches",
            "amount": "1000.00",
            "approved": "900.00",
        }
    ]
    body = client.get(f"/api/funding-claims/{claim.pk}/").json()
    assert (body["grant_number"], body["claim_state"], body["amount"]) == ("INSIDE-G1", "submitted", "900.00")
    assert [(invoice["number"], invoice["total"]) for invoice in body["invoices"]] == [("INSIDE-R1", "1000.00")]
    assert [
        (row["grant_line"], row["grant_line_position"], row["amount"], row["claimed"], row["devices"])
        for row in body["invoices"][0]["lines"]
    ] == [(line.pk, line.position, "1000.00", "900.00", [])]
    body = client.get(f"/api/funding-decisions/{decision.pk}/").json()
    assert (body["decision_outcome"], body["approved_total"], body["conditions"]) == (
        "approved",
        "900.00",
        "INSIDE conditions",
    )


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.AUDITOR])
def test_each_role_reads_the_inside_grant_claim_and_decision_only(granted, role_users, role):
    (call, decision, grant, claim), (_c, outside_decision, outside_grant, outside_claim) = granted
    client = api(role_users[role])
    assert ids(client, "/api/funding-decisions/") == [decision.pk]
    assert ids(client, "/api/funding-grants/") == [grant.pk]
    assert ids(client, "/api/funding-claims/") == [claim.pk]
    for path in (
        f"/api/funding-decisions/{outside_decision.pk}/",
        f"/api/funding-grants/{outside_grant.pk}/",
        f"/api/funding-claims/{outside_claim.pk}/",
    ):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_school_coordinators_and_suppliers_read_no_funding(granted, role_users, role):
    client = api(role_users[role])
    for path in ("/api/funding-decisions/", "/api/funding-grants/", "/api/funding-claims/"):
        assert client.get(path).status_code == 403


def test_a_funding_administrator_reads_only_the_calls_they_review(granted, role_users):
    (call, decision, grant, claim), _outside = granted
    reviewer = role_users[Role.FUNDING_ADMINISTRATOR]
    client = api(reviewer)
    assert (ids(client, "/api/funding-grants/"), ids(client, "/api/funding-claims/")) == ([], [])
    assert ids(client, "/api/funding-decisions/") == []
    CallReviewer.objects.create(call=call, user=reviewer, assigned_at=timezone.now())
    assert ids(client, "/api/funding-decisions/") == [decision.pk]
    assert ids(client, "/api/funding-grants/") == [grant.pk]
    assert ids(client, "/api/funding-claims/") == [claim.pk]


def test_the_administrator_reads_both_sides_and_filters_by_operator(granted, world, role_users):
    (_call, _d, grant, claim), (_oc, _od, outside_grant, outside_claim) = granted
    client = api(role_users[Role.ADMINISTRATOR])
    assert ids(client, "/api/funding-grants/") == [grant.pk, outside_grant.pk]
    assert ids(client, f"/api/funding-grants/?operator={world.operator.pk}") == [grant.pk]
    assert ids(client, f"/api/funding-claims/?grant={outside_grant.pk}") == [outside_claim.pk]


def test_reads_cannot_be_written(granted, role_users):
    (_call, decision, grant, claim), _outside = granted
    client = api(role_users[Role.ADMINISTRATOR])
    for path in (
        f"/api/funding-decisions/{decision.pk}/",
        f"/api/funding-grants/{grant.pk}/",
        f"/api/funding-claims/{claim.pk}/",
    ):
        assert client.patch(path, {"number": "x"}, format="json").status_code == 405
        assert client.delete(path).status_code == 405


# Writes: a draft, its lines, its submission.


def line_body(application, call, code="network", **changes) -> dict:
    body = {
        "application": application.pk,
        "category": call.cost_categories.get(code=code).pk,
        "school": None,
        "description": "Switches",
        "quantity": "2",
        "unit_price": "500.00",
    }
    body.update(changes)
    return body


def test_a_machine_drafts_an_application_for_some_schools(mv_call, world, staff):
    response = api(staff).post(
        "/api/funding-applications/",
        {
            "call": mv_call.pk,
            "operator": world.operator.pk,
            "schools": [world.school.pk],
            "title": "API",
            "rollout_year": 2027,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    application = Application.objects.get(pk=body["id"])
    assert (body["number"], body["application_state"], body["title"], body["rollout_year"]) == (1, "draft", "API", 2027)
    assert body["schools"] == [{"school": world.school.pk, "number": "1001", "name": "INSIDE school", "pupils": 200}]
    assert application.events.get().to_state == "draft"


def test_without_schools_every_open_school_is_taken(mv_call, world, staff):
    response = api(staff).post(
        "/api/funding-applications/", {"call": mv_call.pk, "operator": world.operator.pk}, format="json"
    )
    assert response.status_code == 201
    assert [school["number"] for school in response.json()["schools"]] == ["1002", "1001"]


def test_drafting_in_a_closed_call_or_for_another_operator_is_refused(mv_call, world, staff):
    before = (Application.objects.count(), writes())
    client = api(staff)
    response = client.post(
        "/api/funding-applications/", {"call": mv_call.pk, "operator": world.other_operator.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"operator": [f'Invalid pk "{world.other_operator.pk}" - object does not exist.']}
    type(mv_call).objects.filter(pk=mv_call.pk).update(closes_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(
        "/api/funding-applications/", {"call": mv_call.pk, "operator": world.operator.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The call is not open (rule: call open)."]}
    assert (Application.objects.count(), writes()) == before


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_the_authority_does_not_draft_for_the_operator(mv_call, world, role_users, role):
    response = api(role_users[role]).post(
        "/api/funding-applications/", {"call": mv_call.pk, "operator": world.operator.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


@pytest.fixture
def draft(mv_call, world, staff):
    return application_draft(actor=staff, call=mv_call, operator=world.operator)


def test_lines_are_added_changed_and_removed(mv_call, draft, staff):
    client = api(staff)
    response = client.post("/api/funding-cost-lines/", line_body(draft, mv_call), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("application", "position", "quantity", "unit_price", "amount", "funding")} == {
        "application": draft.pk,
        "position": 1,
        "quantity": "2.00",
        "unit_price": "500.00",
        "amount": "1000.00",
        "funding": "900.00",
    }
    line = CostLine.objects.get(pk=body["id"])
    response = client.patch(f"/api/funding-cost-lines/{line.pk}/", {"quantity": "3"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["amount"], response.json()["funding"]) == ("1500.00", "1350.00")
    assert [row["id"] for row in client.get(f"/api/funding-cost-lines/?application={draft.pk}").json()["results"]] == [
        line.pk
    ]
    assert client.delete(f"/api/funding-cost-lines/{line.pk}/").status_code == 204
    assert not CostLine.objects.exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"quantity": "two"}, {"quantity": ["Line 1: The quantity 'two' is not a number. (rule: amount)"]}),
        ({"unit_price": "-1"}, {"unit_price": ["Line 1: The unit price cannot be negative. (rule: amount)"]}),
        ({"unit_price": ""}, {"unit_price": ["This field may not be blank."]}),
        ({"category": 0}, {"category": ["Choose a cost category of this call."]}),
        (
            {"code": "pupil-devices", "school": "SCHOOL", "quantity": "100", "unit_price": "300"},
            {
                "non_field_errors": [
                    "Line 1: Pupil devices for INSIDE school comes to EUR 27,000.00, over the cap of EUR 25,000.00 "
                    "per school (rule: cap per school)."
                ]
            },
        ),
        (
            {"quantity": "1", "unit_price": "250000"},
            {
                "non_field_errors": [
                    "Line 1: the operator's applications in this call come to EUR 225,000.00, over its entitlement "
                    "of EUR 200,000.00 (EUR 0.00 in other applications) (rule: entitlement)."
                ]
            },
        ),
    ],
)
def test_a_line_the_rules_refuse_is_a_400_naming_the_line_and_nothing_is_written(
    mv_call, world, draft, staff, changes, expected
):
    code = changes.pop("code", "network")
    if changes.get("school") == "SCHOOL":
        changes["school"] = world.school.pk
    before = (CostLine.objects.count(), writes())
    response = api(staff).post(
        "/api/funding-cost-lines/", line_body(draft, mv_call, code=code, **changes), format="json"
    )
    assert response.status_code == 400
    assert response.json() == expected
    assert (CostLine.objects.count(), writes()) == before


def test_a_change_the_rules_refuse_leaves_the_line_as_it_was(mv_call, draft, staff):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": mv_call.cost_categories.get(code="network"),
            "description": "x",
            "quantity": "1",
            "unit_price": "10",
        },
    )
    response = api(staff).patch(f"/api/funding-cost-lines/{line.pk}/", {"unit_price": "ten"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"unit_price": ["Line 1: The unit price 'ten' is not a number. (rule: amount)"]}
    line.refresh_from_db()
    assert (line.unit_price, line.amount) == (Decimal("10.00"), Decimal("10.00"))


def test_lines_of_another_operator_are_not_found(mv_call, world, draft, staff):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": mv_call.cost_categories.get(code="network"),
            "description": "x",
            "quantity": "1",
            "unit_price": "10",
        },
    )
    other = api(user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="other-staff"))
    assert other.get(f"/api/funding-cost-lines/{line.pk}/").status_code == 404
    assert other.patch(f"/api/funding-cost-lines/{line.pk}/", {"quantity": "9"}, format="json").status_code == 404
    assert other.delete(f"/api/funding-cost-lines/{line.pk}/").status_code == 404
    response = other.post("/api/funding-cost-lines/", line_body(draft, mv_call), format="json")
    assert response.status_code == 400 and "application" in response.json()
    assert list(CostLine.objects.values_list("quantity", flat=True)) == [Decimal("1.00")]


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.AUDITOR])
def test_the_authority_reads_lines_but_does_not_write_them(mv_call, draft, staff, role_users, role):
    line = cost_line_add(
        actor=staff,
        application=draft,
        data={
            "category": mv_call.cost_categories.get(code="network"),
            "description": "x",
            "quantity": "1",
            "unit_price": "10",
        },
    )
    client = api(role_users[role])
    assert client.get(f"/api/funding-cost-lines/{line.pk}/").status_code == 200
    assert client.patch(f"/api/funding-cost-lines/{line.pk}/", {"quantity": "9"}, format="json").status_code == 403
    assert client.delete(f"/api/funding-cost-lines/{line.pk}/").status_code == 403
    assert client.post("/api/funding-cost-lines/", line_body(draft, mv_call), format="json").status_code == 403
    assert (
        client.post(f"/api/funding-applications/{draft.pk}/submit/", {"declarations_confirmed": True}).status_code
        == 403
    )
    assert list(CostLine.objects.values_list("quantity", flat=True)) == [Decimal("1.00")]


def upload_everything(application, staff):
    today = timezone.localdate()
    for required in application.call.required_documents.all():
        schools = (
            [row.school for row in application.application_schools.all()] if required.scope == "school" else [None]
        )
        for school in schools:
            application_document_add(
                actor=staff,
                application=application,
                required_document=required,
                school=school,
                file=SimpleUploadedFile(f"{required.code}.pdf", PDF),
                issued_on=today,
            )


def test_submitting_freezes_a_version(mv_call, draft, staff):
    client = api(staff)
    client.post("/api/funding-cost-lines/", line_body(draft, mv_call), format="json")
    upload_everything(draft, staff)
    response = client.post(
        f"/api/funding-applications/{draft.pk}/submit/", {"declarations_confirmed": True}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["application_state"] == "submitted"
    assert [version["number"] for version in body["versions"]] == [1]
    assert len(body["versions"][0]["sha256"]) == 64
    # Submitted: the lines are frozen.
    line = draft.cost_lines.get()
    response = client.patch(f"/api/funding-cost-lines/{line.pk}/", {"quantity": "9"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "The application is submitted: it can only be changed as a draft or when more information is requested."
        ]
    }


def test_a_submission_with_problems_is_a_400_with_every_message(mv_call, draft, staff):
    client = api(staff)
    before = writes()
    response = client.post(
        f"/api/funding-applications/{draft.pk}/submit/", {"declarations_confirmed": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"declarations_confirmed": ["Confirm the declarations to submit."]}
    client.post("/api/funding-cost-lines/", line_body(draft, mv_call), format="json")
    before = writes()
    response = client.post(
        f"/api/funding-applications/{draft.pk}/submit/", {"declarations_confirmed": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "Media development plan is missing (rule: documents present).",
        "Media concept for INSIDE Gymnasium is missing (rule: documents present).",
        "Media concept for INSIDE school is missing (rule: documents present).",
        "Technical concept is missing (rule: documents present).",
    ]
    draft.refresh_from_db()
    assert (draft.state, draft.versions.count(), writes()) == ("draft", 0, before)
    response = client.post(
        f"/api/funding-applications/{draft.pk}/submit/", {"declarations_confirmed": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "declarations_confirmed" in response.json()
