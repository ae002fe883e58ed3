"""The funding pages: calls for the authority, applications for operator staff, errors inline."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role

from ..models import Application, Call, CallReviewer, CostLine
from ..services.applications import application_draft, cost_line_add


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def application(mv_call, world, staff):
    return application_draft(actor=staff, call=mv_call, operator=world.operator)


def test_the_call_list_and_page_show_categories_entitlements_and_applications(mv_call, application, owner):
    client = signed_in(owner)
    listing = client.get(reverse("funding:call-list"))
    assert listing.status_code == 200
    assert "DigitalPakt 2026" in listing.content.decode()
    page = client.get(reverse("funding:call-detail", args=[mv_call.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Pupil devices" in text and "EUR 25,000.00 per school" in text and "20 % of the entitlement" in text
    assert "200,000.00" in text  # the entitlement
    assert "Publish to the operators" in text
    assert reverse("funding:application-detail", args=[application.pk]) in text


def test_the_call_page_in_german_formats_numbers_in_german(mv_call, owner):
    client = signed_in(owner)
    text = client.get(reverse("funding:call-detail", args=[mv_call.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "200.000,00" in text


def test_a_programme_owner_creates_a_call_through_the_page(world, owner):
    from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

    programme = ProgrammeFactory(code="P-NEW", authority=world.authority)
    source = FundingSourceFactory(programme=programme)
    response = signed_in(owner).post(
        reverse("funding:call-create"),
        {
            "programme": programme.pk,
            "funding_source": source.pk,
            "code": "NEW-1",
            "title_en": "A new call",
            "title_de": "Ein neuer Aufruf",
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2026-03-31T18:00",
            "cofinancing_rate": "10",
            "cofinancing_payer": "applicant",
            "uses_entitlements": "on",
        },
    )
    call = Call.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("funding:call-detail", args=[call.pk])
    assert call.title == {"en": "A new call", "de": "Ein neuer Aufruf"}
    assert (call.cofinancing_rate, call.cofinancing_payer) == (Decimal("10.00"), "applicant")


def test_a_call_without_a_title_is_shown_back_with_the_error(world, owner):
    from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

    programme = ProgrammeFactory(code="P-NEW", authority=world.authority)
    source = FundingSourceFactory(programme=programme)
    response = signed_in(owner).post(
        reverse("funding:call-create"),
        {
            "programme": programme.pk,
            "funding_source": source.pk,
            "code": "NEW-1",
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2026-03-31T18:00",
            "cofinancing_rate": "0",
            "cofinancing_payer": "applicant",
        },
    )
    assert response.status_code == 200
    assert "Give the call a title in at least one language." in response.content.decode()
    assert not Call.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
def test_others_cannot_open_the_new_call_form(role_users, role):
    assert signed_in(role_users[role]).get(reverse("funding:call-create")).status_code == 403


def test_operator_staff_start_an_application_prefilled_from_the_registry(mv_call, world, staff):
    client = signed_in(staff)
    page = client.get(reverse("funding:application-create", args=[mv_call.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "INSIDE Gymnasium (1002, Gy, 600 pupils)" in text and "INSIDE school (1001, " in text
    assert "EUR 200,000.00" in text and "800" in text
    response = client.post(
        reverse("funding:application-create", args=[mv_call.pk]),
        {"operator": world.operator.pk, "schools": [world.school.pk], "title": "WLAN", "rollout_year": "2026"},
    )
    application = Application.objects.get()
    assert response["Location"] == reverse("funding:application-detail", args=[application.pk])
    assert list(application.application_schools.values_list("school_id", flat=True)) == [world.school.pk]
    assert (application.title, application.rollout_year) == ("WLAN", 2026)


def test_lines_are_added_and_a_refused_line_shows_its_message_on_the_form(application, world, staff):
    client = signed_in(staff)
    devices = application.call.cost_categories.get(code="pupil-devices")
    url = reverse("funding:application-addline", args=[application.pk])
    ok = client.post(
        url,
        {
            "category": devices.pk,
            "school": world.school.pk,
            "description": "Tablets",
            "quantity": "50",
            "unit_price": "500",
        },
    )
    assert ok.status_code == 302
    refused = client.post(
        url,
        {
            "category": devices.pk,
            "school": world.school.pk,
            "description": "More",
            "quantity": "6",
            "unit_price": "500",
        },
    )
    assert refused.status_code == 400
    assert (
        "Line 2: Pupil devices for INSIDE school comes to EUR 25,200.00, over the cap of EUR 25,000.00 per school "
        "(rule: cap per school)." in refused.content.decode()
    )
    assert CostLine.objects.count() == 1
    bad = client.post(
        url, {"category": devices.pk, "school": "", "description": "x", "quantity": "-1", "unit_price": "1"}
    )
    assert bad.status_code == 400
    assert "Line 2: The quantity cannot be negative. (rule: amount)" in bad.content.decode()


def test_a_line_over_the_cap_after_a_change_shows_inline_on_its_row(application, world, staff, owner):
    devices = application.call.cost_categories.get(code="pupil-devices")
    cost_line_add(
        actor=staff,
        application=application,
        data={
            "category": devices,
            "school": world.school,
            "description": "Tablets",
            "quantity": "1",
            "unit_price": "20000",
        },
    )
    from ..services.calls import cost_category_update

    cost_category_update(actor=owner, category=devices, data={"cap_per_school": Decimal("10000")})
    text = signed_in(staff).get(reverse("funding:application-detail", args=[application.pk])).content.decode()
    assert 'class="funding-row--error"' in text
    # The table scrolls on a phone: it takes the keyboard focus, named by its heading.
    assert '<div class="table-container" tabindex="0" role="region" aria-labelledby="lines-title">' in text
    assert (
        "Line 1: Pupil devices for INSIDE school comes to EUR 18,000.00, over the cap of EUR 10,000.00 per school"
        in text
    )


def test_submitting_without_documents_lists_them_and_changes_nothing(application, world, staff):
    network = application.call.cost_categories.get(code="network")
    cost_line_add(
        actor=staff,
        application=application,
        data={"category": network, "school": None, "description": "Switch", "quantity": "1", "unit_price": "100"},
    )
    response = signed_in(staff).post(
        reverse("funding:application-submit", args=[application.pk]), {"declarations_confirmed": "on"}
    )
    assert response.status_code == 400
    assert "Media development plan is missing (rule: documents present)." in response.content.decode()
    application.refresh_from_db()
    assert application.state == "draft"


def test_outside_and_unauthorised_reach(mv_call, application, role_users, world):
    supplier = signed_in(role_users[Role.SUPPLIER])
    assert supplier.get(reverse("funding:call-detail", args=[mv_call.pk])).status_code == 404
    assert supplier.get(reverse("funding:application-detail", args=[application.pk])).status_code == 404
    funding_admin = signed_in(role_users[Role.FUNDING_ADMINISTRATOR])
    # A funding administrator sees the applications of the calls they review only.
    assert funding_admin.get(reverse("funding:application-detail", args=[application.pk])).status_code == 404
    CallReviewer.objects.create(call=mv_call, user=role_users[Role.FUNDING_ADMINISTRATOR], assigned_at=timezone.now())
    assert funding_admin.get(reverse("funding:application-detail", args=[application.pk])).status_code == 200
    network = mv_call.cost_categories.get(code="network")
    response = funding_admin.post(
        reverse("funding:application-addline", args=[application.pk]),
        {"category": network.pk, "school": "", "description": "x", "quantity": "1", "unit_price": "1"},
    )
    assert response.status_code == 403
    staff = signed_in(role_users[Role.OPERATOR_STAFF])
    assert staff.post(reverse("funding:call-publish", args=[mv_call.pk])).status_code == 403
    assert not CostLine.objects.exists()


def test_a_closed_call_offers_no_application(mv_call, staff):
    Call.objects.filter(pk=mv_call.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    text = signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk])).content.decode()
    assert "Start an application" not in text


def test_the_operator_uploads_documents_and_the_authority_moves_the_application(
    application, world, staff, funding_admin
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..services.applications import application_submit

    client = signed_in(staff)
    call = application.call
    network = call.cost_categories.get(code="network")
    cost_line_add(
        actor=staff,
        application=application,
        data={"category": network, "school": None, "description": "Switch", "quantity": "1", "unit_price": "100"},
    )
    upload_url = reverse("funding:application-upload", args=[application.pk])
    pdf = b"%PDF-1.4\n%%EOF\n"
    refused = client.post(
        upload_url,
        {
            "required_document": call.required_documents.get(code="mep").pk,
            "issued_on": "2026-01-05",
            "file": SimpleUploadedFile("plan.pdf", b"not a pdf at all"),
        },
    )
    assert refused.status_code == 400
    assert "plan.pdf is not a PDF" in refused.content.decode()
    for code, school in (
        ("mep", ""),
        ("technical-concept", ""),
        ("mbk", world.school.pk),
        ("mbk", world.second_school.pk),
    ):
        response = client.post(
            upload_url,
            {
                "required_document": call.required_documents.get(code=code).pk,
                "school": school,
                "issued_on": "2026-01-05",
                "file": SimpleUploadedFile(f"{code}.pdf", pdf),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert application.documents.count() == 4
    application_submit(actor=staff, application=application, declarations_confirmed=True)
    # The operator may only withdraw now; the funding administrator takes it into formal check.
    page = client.get(reverse("funding:application-detail", args=[application.pk])).content.decode()
    assert '<option value="withdrawn">' in page and '<option value="formal_check">' not in page
    assert (
        client.post(
            reverse("funding:application-transition", args=[application.pk]), {"state": "formal_check"}
        ).status_code
        == 400
    )
    admin_client = signed_in(funding_admin)
    CallReviewer.objects.create(call=application.call, user=funding_admin, assigned_at=timezone.now())
    response = admin_client.post(
        reverse("funding:application-transition", args=[application.pk]), {"state": "formal_check"}
    )
    assert response.status_code == 302
    missing_reason = admin_client.post(
        reverse("funding:application-transition", args=[application.pk]), {"state": "more_information", "reason": ""}
    )
    assert missing_reason.status_code == 400 and "Give a reason." in missing_reason.content.decode()
    application.refresh_from_db()
    assert application.state == "formal_check"


# The call page at scale: 50 rows a page, filtered, sorted, a fixed number of queries.


def more_operators(call, world, count: int, start: int = 1) -> None:
    """``count`` more operators of the INSIDE authority in ``call``: "Zweckverband 001" (code ZV-001)
    on, each with a published entitlement of EUR 1,000 + its number and one application, submitted
    for even numbers, a draft for odd ones."""
    from digileap.schools.tests.factories import OperatorFactory

    from ..models import CallEligibility, Entitlement

    now = timezone.now()
    for number in range(start, start + count):
        operator = OperatorFactory(
            authority=world.authority, name=f"Zweckverband {number:03d}", code=f"ZV-{number:03d}"
        )
        CallEligibility.objects.create(call=call, operator=operator)
        Entitlement.objects.create(
            call=call, operator=operator, amount=Decimal(1000 + number), source="typed", published_at=now
        )
        Application.objects.create(
            call=call, operator=operator, number=1, state="submitted" if number % 2 == 0 else "draft"
        )


def names(rows) -> list[str]:
    return [row.operator.name for row in rows]


def test_the_call_page_shows_50_entitlements_and_applications_a_page(mv_call, world, owner):
    more_operators(mv_call, world, 60)
    client = signed_in(owner)
    url = reverse("funding:call-detail", args=[mv_call.pk])
    first = client.get(url)
    entitlements, applications = first.context["entitlements"], first.context["applications"]
    assert len(entitlements.object_list) == 50 and len(applications.object_list) == 50
    assert names(entitlements.object_list)[:2] == ["INSIDE operator", "Zweckverband 001"]
    assert names(entitlements.object_list)[-1] == "Zweckverband 049"
    assert names(applications.object_list)[-1] == "Zweckverband 050"
    assert first.context["entitlement_count"] == 61 and first.context["application_count"] == 60
    # The total is the call's, not the page's: 200,000 + 60 x 1,000 + (1 + ... + 60).
    assert first.context["entitlement_total"] == Decimal("261830.00")
    text = first.content.decode()
    assert "61 entitlements you may see, EUR 261,830.00 in all." in text
    assert "Page 1 of 2" in text and "Rows 1–50 of 61" in text and "Rows 1–50 of 60" in text
    assert "Zweckverband 055" not in text
    # The second page of the entitlements is the 51st operator on; the applications stay on page 1.
    second = client.get(url, {"entitlement_page": "2"})
    assert names(second.context["entitlements"].object_list)[0] == "Zweckverband 050"
    assert len(second.context["entitlements"].object_list) == 11
    assert names(second.context["applications"].object_list)[0] == "Zweckverband 001"
    assert "Rows 51–61 of 61" in second.content.decode()
    third = client.get(url, {"application_page": "2", "entitlement_page": "2"})
    assert names(third.context["applications"].object_list) == [f"Zweckverband {n:03d}" for n in range(51, 61)]
    assert names(third.context["entitlements"].object_list)[0] == "Zweckverband 050"
    # A page past the end shows the last one.
    assert client.get(url, {"application_page": "9"}).context["applications"].number == 2


def test_the_call_page_tables_filter_by_operator_and_state_and_sort(mv_call, world, owner):
    more_operators(mv_call, world, 60)
    client = signed_in(owner)
    url = reverse("funding:call-detail", args=[mv_call.pk])
    page = client.get(url, {"entitlement_q": "zv-007"})
    assert names(page.context["entitlements"].object_list) == ["Zweckverband 007"]
    assert page.context["entitlement_count"] == 61  # the counts stay the call's
    assert len(page.context["applications"].object_list) == 50  # the other table is not filtered
    page = client.get(url, {"application_q": "Zweckverband 01", "application_state": "submitted"})
    assert names(page.context["applications"].object_list) == [f"Zweckverband {n:03d}" for n in (10, 12, 14, 16, 18)]
    assert len(page.context["entitlements"].object_list) == 50
    assert page.context["applications"].paginator.count == 5
    page = client.get(url, {"application_state": "submitted"})
    assert page.context["applications"].paginator.count == 30
    # An unknown state is no filter.
    assert client.get(url, {"application_state": "nonsense"}).context["applications"].paginator.count == 60
    page = client.get(url, {"application_q": "nobody"})
    assert "No application matches the filter." in page.content.decode()
    # Sorted by a column header: the largest entitlement first, the operators Z to A.
    page = client.get(url, {"entitlement_sort": "-amount", "application_sort": "-operator"})
    assert names(page.context["entitlements"].object_list)[:3] == [
        "INSIDE operator",
        "Zweckverband 060",
        "Zweckverband 059",
    ]
    assert names(page.context["applications"].object_list)[:2] == ["Zweckverband 060", "Zweckverband 059"]
    text = page.content.decode()
    assert 'aria-sort="descending"' in text
    # The sort link of a sorted column turns it round and keeps the other table's parameters.
    assert "entitlement_sort=amount" in text and "application_sort=-operator" in text
    assert names(client.get(url, {"application_sort": "state"}).context["applications"].object_list)[0] == (
        "Zweckverband 001"  # drafts before submitted ones, then by name
    )
    # A filter form keeps the other table's filter.
    page = client.get(url, {"application_state": "submitted", "entitlement_q": "ZV-00"})
    assert '<input type="hidden" name="application_state" value="submitted">' in page.content.decode()


def test_the_funding_requested_sorts_the_applications(mv_call, world, owner, staff):
    more_operators(mv_call, world, 3)
    application = application_draft(actor=staff, call=mv_call, operator=world.operator)
    school = application.application_schools.first().school
    network = mv_call.cost_categories.get(code="network")
    cost_line_add(
        actor=staff,
        application=application,
        data={"category": network, "school": school, "description": "WLAN", "quantity": "2", "unit_price": "500.00"},
    )
    page = signed_in(owner).get(reverse("funding:call-detail", args=[mv_call.pk]), {"application_sort": "-funding"})
    rows = page.context["applications"].object_list
    assert [(row.operator.name, row.funding) for row in rows][:2] == [
        ("INSIDE operator", Decimal("900.00")),
        ("Zweckverband 001", Decimal("0.00")),
    ]


def test_operator_staff_see_only_their_own_entitlement_and_applications_on_the_call_page(
    mv_call, world, staff, application
):
    more_operators(mv_call, world, 55)
    page = signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk]))
    assert names(page.context["entitlements"].object_list) == ["INSIDE operator"]
    assert names(page.context["applications"].object_list) == ["INSIDE operator"]
    assert page.context["entitlement_count"] == 1 and page.context["application_count"] == 1
    assert page.context["entitlement_total"] == Decimal("200000.00")
    text = page.content.decode()
    assert "Zweckverband" not in text and "Page 1 of" not in text
    assert "Start an application" in text and "Publish to the operators" not in text
    # Their filter cannot reach others either.
    page = signed_in(staff).get(reverse("funding:call-detail", args=[mv_call.pk]), {"entitlement_q": "ZV-001"})
    assert list(page.context["entitlements"].object_list) == []


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF])
def test_the_call_page_takes_as_many_queries_for_60_operators_as_for_5(mv_call, world, role_users, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(role_users[role])
    url = reverse("funding:call-detail", args=[mv_call.pk])
    counts = []
    for start, count in ((1, 5), (6, 55)):
        more_operators(mv_call, world, count, start=start)
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"entitlement_page": "2", "application_state": "submitted"}).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_a_school_of_one_pupil_is_labelled_in_the_singular(mv_call, world, staff):
    world.school.pupils_total = 1
    world.school.save()
    text = signed_in(staff).get(reverse("funding:application-create", args=[mv_call.pk])).content.decode()
    assert "(1001, " in text and ", 1 pupil)" in text and ", 1 pupils)" not in text
