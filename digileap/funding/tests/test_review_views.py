# ruff: noqa: F811 (the review fixtures are imported from review_fixtures and used as arguments)
"""The review pages: every role INSIDE and OUTSIDE, declaration first, the decision form with a
reduced line, bad input back on the form with nothing written, the letter download."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role

from ..models import CallReviewer, ConflictDeclaration, Decision, Grant, LetterTemplate, ReviewItem
from ..services import review as review_services
from .review_fixtures import in_review, lines_of  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decision_post(application, **approved):
    data = {"outcome": "approve", "reason": "", "conditions": "Rahmenvertrag nutzen.", "language": "de"}
    for line_id, entry in lines_of(application, **approved).items():
        data[f"approved_{line_id}"] = entry["approved"]
        data[f"reason_{line_id}"] = entry["reason"]
    return data


def test_declaration_first_then_decide_with_a_reduced_line(in_review, funding_admin, staff):
    client = client_for(funding_admin)
    url = reverse("funding:application-review", args=[in_review.pk])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Declaration on conflicts of interest" in content
    assert "Decide and make the letter" not in content
    response = client.post(reverse("funding:application-declare", args=[in_review.pk]), {"has_conflict": "no"})
    assert response.status_code == 302
    content = client.get(url).content.decode()
    assert "Decide and make the letter" in content and "Wi-Fi in 12 classrooms" in content

    # A reduced line without a reason comes back on the form; nothing is written.
    response = client.post(
        reverse("funding:application-decide", args=[in_review.pk]), decision_post(in_review, p2=("3600.00", ""))
    )
    assert response.status_code == 400
    assert "Line 2: the funding approved is lower than requested; give the reason." in response.content.decode()
    assert Decision.objects.count() == 0

    response = client.post(
        reverse("funding:application-decide", args=[in_review.pk]),
        decision_post(in_review, p2=("3600.00", "Vier genügen.")),
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:decision-detail", args=[decision.pk]
    )
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "Download the decision letter (PDF)" in content
    assert Grant.objects.get().number in content
    assert "The programme has no roll-out plan" in content  # the message and the grant's note

    # The operator downloads its letter; the PDF is the stored one.
    letter = client_for(staff).get(reverse("funding:decision-letter", args=[decision.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    body = b"".join(letter.streaming_content)
    assert body.startswith(b"%PDF-")
    assert letter["X-Content-SHA256"] == decision.letter_sha256
    # Operator staff do not see the review's working papers.
    assert client_for(staff).get(url).status_code == 403


def test_other_operators_and_unassigned_reviewers_get_nothing(in_review, funding_admin, world, mv_call):
    review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=False)
    decision = review_services.application_decide(
        actor=funding_admin, application=in_review, lines=lines_of(in_review), language="en"
    )
    other_staff = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="outside-staff")
    unassigned = user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="not-a-reviewer")
    for user in (other_staff, unassigned):
        client = client_for(user)
        assert client.get(reverse("funding:decision-letter", args=[decision.pk])).status_code == 404
        assert client.get(reverse("funding:decision-detail", args=[decision.pk])).status_code == 404
        assert client.get(reverse("funding:application-review", args=[in_review.pk])).status_code == 404
        assert client.get(reverse("funding:application-detail", args=[in_review.pk])).status_code == 404
    assert client_for(unassigned).get(reverse("funding:call-detail", args=[mv_call.pk])).status_code == 200
    assert (
        "INSIDE laptops"
        not in client_for(unassigned).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()
    )


def test_a_reviewer_with_a_role_at_the_operator_is_told(in_review, mv_call, world):
    from digileap.accounts.models import RoleAssignment

    reviewer = user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="double-hat")
    RoleAssignment.objects.create(
        user=reviewer, role=Role.OPERATOR_STAFF, scope_kind="operator", operator=world.operator
    )
    CallReviewer.objects.create(call=mv_call, user=reviewer, assigned_at=in_review.created_at)
    client = client_for(reviewer)
    content = client.get(reverse("funding:application-review", args=[in_review.pk])).content.decode()
    assert "You hold a role at INSIDE operator" in content
    assert "Declaration on conflicts of interest" not in content
    response = client.post(reverse("funding:application-declare", args=[in_review.pk]), {"has_conflict": "no"})
    assert response.status_code == 400
    assert ConflictDeclaration.objects.count() == 0


def test_the_checker_is_told_about_four_eyes(in_review, owner):
    client = client_for(owner)
    client.post(reverse("funding:application-declare", args=[in_review.pk]), {"has_conflict": "no"})
    content = client.get(reverse("funding:application-review", args=[in_review.pk])).content.decode()
    assert "Four eyes: you answered this application" in content
    assert "Decide and make the letter" not in content
    response = client.post(reverse("funding:application-decide", args=[in_review.pk]), decision_post(in_review))
    assert response.status_code == 400 and Decision.objects.count() == 0


def test_reviewers_page(mv_call, owner, funding_admin, role_users):
    client = client_for(owner)
    url = reverse("funding:call-reviewers", args=[mv_call.pk])
    assert funding_admin.get_username() in client.get(url).content.decode()
    assert client.post(url, {"user": funding_admin.pk}).status_code == 302
    reviewer = CallReviewer.objects.get()
    assert reviewer.user == funding_admin
    assert client.post(url, {"user": role_users[Role.OPERATOR_STAFF].pk}).status_code == 400
    auditor = client_for(role_users[Role.AUDITOR])
    assert auditor.get(url).status_code == 200
    assert auditor.post(url, {"user": funding_admin.pk}).status_code == 403
    assert auditor.post(reverse("funding:callreviewer-delete", args=[reviewer.pk])).status_code == 403
    assert client_for(role_users[Role.OPERATOR_STAFF]).get(url).status_code == 403
    assert client.post(reverse("funding:callreviewer-delete", args=[reviewer.pk])).status_code == 302
    assert CallReviewer.objects.count() == 0


def test_review_setup_pages(mv_call, owner, role_users):
    client = client_for(owner)
    setup = reverse("funding:call-reviewsetup", args=[mv_call.pk])
    assert client.get(setup).status_code == 200
    response = client.post(
        reverse("funding:call-reviewitemadd", args=[mv_call.pk]),
        {"stage": "application", "code": "mep", "position": "1", "text_en": "MEP valid?", "text_de": "MEP gültig?"},
    )
    assert response.status_code == 302
    item = ReviewItem.objects.get()
    assert item.text == {"en": "MEP valid?", "de": "MEP gültig?"}
    response = client.post(
        reverse("funding:call-reviewitemadd", args=[mv_call.pk]), {"stage": "application", "code": "x", "position": "0"}
    )
    assert response.status_code == 400 and "Give the text in at least one language." in response.content.decode()
    response = client.post(
        reverse("funding:reviewitem-update", args=[item.pk]),
        {"stage": "application", "code": "mep", "position": "2", "text_en": "MEP present?"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.position, item.text) == (2, {"en": "MEP present?"})
    response = client.post(
        reverse("funding:call-criterionadd", args=[mv_call.pk]),
        {"code": "quality", "max_score": "10", "weight": "1.5", "position": "0", "name_en": "Quality"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("funding:call-letteradd", args=[mv_call.pk]), {"language": "de", "body": "Bescheid {unbekannt}"}
    )
    assert response.status_code == 400 and "Unknown placeholders: {unbekannt}." in response.content.decode()
    response = client.post(
        reverse("funding:call-letteradd", args=[mv_call.pk]), {"language": "de", "body": "Bescheid für {operator}"}
    )
    assert response.status_code == 302
    template = LetterTemplate.objects.get()
    assert client.get(reverse("funding:lettertemplate-update", args=[template.pk])).status_code == 200
    assert client.post(reverse("funding:lettertemplate-delete", args=[template.pk])).status_code == 302
    assert client.post(reverse("funding:reviewitem-delete", args=[item.pk])).status_code == 302
    assert ReviewItem.objects.count() == 0 and LetterTemplate.objects.count() == 0
    auditor = client_for(role_users[Role.AUDITOR])
    assert auditor.get(setup).status_code == 200
    assert (
        auditor.post(
            reverse("funding:call-reviewitemadd", args=[mv_call.pk]),
            {"stage": "application", "code": "a", "position": "0", "text_en": "A?"},
        ).status_code
        == 403
    )
    assert client_for(role_users[Role.OPERATOR_STAFF]).get(setup).status_code == 403


def test_amendment_page(in_review, funding_admin):
    review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=False)
    decision = review_services.application_decide(actor=funding_admin, application=in_review, lines=lines_of(in_review))
    client = client_for(funding_admin)
    url = reverse("funding:decision-amend", args=[decision.pk])
    assert client.get(url).status_code == 200
    data = decision_post(in_review, p1=("8500.00", "Günstiger."))
    data["reason"] = "Neues Angebot."
    response = client.post(url, data)
    assert response.status_code == 302
    assert Grant.objects.get().approved_amount == 13000
    data = decision_post(in_review, p1=("9500.00", "zu viel"))
    data["reason"] = "x"
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        "Line 1: the funding approved (EUR 9500.00) is more than requested (EUR 9000.00)." in response.content.decode()
    )
    assert Decision.objects.count() == 2
