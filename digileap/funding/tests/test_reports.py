"""The call overview and the operator's funding page: exact figures per role, the sort and the
pages of the per-operator table, the chart's text alternative, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.schools.tests.factories import OperatorFactory

from ..models import CallEligibility, Entitlement
from ..selectors.reports import call_figures, operator_calls, operator_page
from .factories import ApplicationFactory, CostLineFactory
from .reports_data import funded_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(world):
    return funded_call(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_call_figures_of_the_authority(funded, owner):
    figures = call_figures(owner, funded.call)
    assert figures.budget == Decimal("1000000.00")
    assert figures.requested == Decimal("6750.00")  # 900 + 450 + 900 (inside) + 4500 (beta); withdrawn not
    assert figures.approved == Decimal("800.00")
    assert figures.claimed == Decimal("500.00")  # submitted 300 + paid 200; returned and draft not
    assert figures.paid == Decimal("180.00")  # paid 200 minus repaid 20; the open repayment not
    assert figures.applications == 4
    counts = {state: count for state, _label, count in figures.states}
    assert counts == {
        "draft": 1,
        "submitted": 1,
        "formal_check": 0,
        "more_information": 0,
        "resubmitted": 0,
        "review": 0,
        "approved": 1,
        "partly_approved": 0,
        "rejected": 0,
        "withdrawn": 1,
    }
    assert figures.share(figures.requested) == Decimal("0.7")


def test_operator_staff_get_their_own_operators_figures_only(funded, staff):
    figures = call_figures(staff, funded.call)
    assert (figures.requested, figures.approved, figures.claimed, figures.paid) == (
        Decimal("2250.00"),
        Decimal("800.00"),
        Decimal("500.00"),
        Decimal("180.00"),
    )
    assert figures.applications == 3
    page, _sort = operator_page(staff, funded.call, sort="-requested")
    assert [row.operator.name for row in page] == ["INSIDE operator"]


def test_the_per_operator_rows(funded, owner):
    page, used = operator_page(owner, funded.call, sort="name")
    assert used == "name"
    rows = {
        row.operator.name: (
            row.entitlement,
            row.requested,
            row.approved,
            row.claimed,
            row.paid,
            row.applications,
        )
        for row in page
    }
    assert rows == {
        "Beta operator": (Decimal("100000.00"), Decimal("4500.00"), 0, 0, 0, 1),
        "INSIDE operator": (
            Decimal("200000.00"),
            Decimal("2250.00"),
            Decimal("800.00"),
            Decimal("500.00"),
            Decimal("180.00"),
            2,
        ),
    }
    assert [row.operator.name for row in page] == ["Beta operator", "INSIDE operator"]


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("-requested", ["Beta operator", "INSIDE operator"]),
        ("requested", ["INSIDE operator", "Beta operator"]),
        ("-paid", ["INSIDE operator", "Beta operator"]),
        ("-entitlement", ["INSIDE operator", "Beta operator"]),
        ("-name", ["INSIDE operator", "Beta operator"]),
        ("nonsense", ["Beta operator", "INSIDE operator"]),
    ],
)
def test_the_table_sorts_by_amount(funded, owner, sort, names):
    page, _used = operator_page(owner, funded.call, sort=sort)
    assert [row.operator.name for row in page] == names


def test_operator_staff_see_only_published_entitlements(funded, staff, owner):
    Entitlement.objects.filter(call=funded.call, operator=funded.inside).update(published_at=None)
    page, _used = operator_page(staff, funded.call)
    assert [row.entitlement for row in page] == [None]
    page, _used = operator_page(owner, funded.call)
    assert [row.entitlement for row in page] == [Decimal("100000.00"), Decimal("200000.00")]


def test_the_table_has_pages(funded, owner):
    for index in range(3):
        CallEligibility.objects.create(
            call=funded.call, operator=OperatorFactory(authority=funded.call.programme.authority, name=f"Zeta {index}")
        )
    page, _used = operator_page(owner, funded.call, page=2, per_page=2)
    assert page.paginator.count == 5
    assert [row.operator.name for row in page] == ["Zeta 0", "Zeta 1"]


def test_the_overview_page(funded, owner):
    response = client_for(owner).get(reverse("funding:call-overview", kwargs={"pk": funded.call.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr data-figure="requested">' in html
    assert "6,750.00" in html and "0.7 %" in html
    # The chart: an SVG image with a title and a description that says every figure.
    assert 'role="img"' in html
    assert (
        "Budget: EUR 1,000,000.00; Requested: EUR 6,750.00; Approved: EUR 800.00; "
        "Claimed: EUR 500.00; Paid: EUR 180.00." in html
    )
    assert reverse("funding:schooloperator-funding", kwargs={"pk": funded.beta.pk}) in html
    assert reverse("funding:call-export-claims", kwargs={"pk": funded.call.pk}) + "?format=xlsx" in html


def test_operator_staff_never_see_another_operator_on_the_overview(funded, staff):
    response = client_for(staff).get(reverse("funding:call-overview", kwargs={"pk": funded.call.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Beta operator" not in html
    assert "4,500.00" not in html and "6,750.00" not in html
    assert "2,250.00" in html


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_roles_without_funding_are_refused(funded, role_users, role):
    client = client_for(role_users[role])
    assert client.get(reverse("funding:call-overview", kwargs={"pk": funded.call.pk})).status_code == 403
    url = reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk})
    assert client.get(url).status_code == 403


def test_another_authoritys_owner_gets_404(funded, world):
    outsider = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="other-owner")
    client = client_for(outsider)
    assert client.get(reverse("funding:call-overview", kwargs={"pk": funded.call.pk})).status_code == 404
    url = reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk})
    assert client.get(url).status_code == 404


def overview_queries(client, call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("funding:call-overview", kwargs={"pk": call.pk}), {"sort": "-requested"})
    assert response.status_code == 200
    return len(queries)


def test_the_overview_makes_a_fixed_number_of_queries(funded, owner):
    client = client_for(owner)
    client.get("/")  # the session and the user's roles are read once
    before = overview_queries(client, funded.call)
    for index in range(6):
        operator = OperatorFactory(authority=funded.call.programme.authority, name=f"More {index}")
        CallEligibility.objects.create(call=funded.call, operator=operator)
        application = ApplicationFactory(call=funded.call, operator=operator, number=1)
        CostLineFactory(application=application, category=funded.call.cost_categories.first(), position=1)
    assert overview_queries(client, funded.call) == before
    assert before <= 20


# The operator's funding page.


def test_the_operators_figures_per_call(funded, staff):
    (call,) = operator_calls(staff, funded.inside)
    assert (call.entitlement, call.applied, call.approved, call.claimed, call.paid, call.application_count) == (
        Decimal("200000.00"),
        Decimal("2250.00"),
        Decimal("800.00"),
        Decimal("500.00"),
        Decimal("180.00"),
        2,
    )


def test_operator_staff_see_their_page_with_what_is_due(funded, staff):
    response = client_for(staff).get(reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "200,000.00" in html and "2,250.00" in html and "180.00" in html
    for kind in ("call-closes", "claims-due", "claim-returned", "proof-due", "repayment-open"):
        assert f'data-due="{kind}"' in html, kind
    assert "Claim G-IN/C3 was returned" in html
    assert "Proof of use of G-IN is due" in html
    assert "Repayment of EUR 30.00 on G-IN" in html
    assert "Beta operator" not in html


def test_operator_staff_cannot_open_another_operator(funded, staff):
    url = reverse("funding:schooloperator-funding", kwargs={"pk": funded.beta.pk})
    assert client_for(staff).get(url).status_code == 404


def test_the_authority_opens_any_of_its_operators(funded, owner):
    response = client_for(owner).get(reverse("funding:schooloperator-funding", kwargs={"pk": funded.beta.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "100,000.00" in html  # not published: the authority sees it
    assert "4,500.00" in html


def test_operator_staff_do_not_see_an_unpublished_entitlement(funded, staff):
    Entitlement.objects.filter(call=funded.call, operator=funded.inside).update(published_at=None)
    response = client_for(staff).get(reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk}))
    html = response.content.decode()
    assert "200,000.00" not in html
    assert "not published" in html


def test_the_operator_page_makes_a_fixed_number_of_queries(funded, owner):
    client = client_for(owner)
    client.get("/")
    url = reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk})
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    from .factories import CallFactory

    for _index in range(4):
        other = CallFactory(programme=funded.call.programme, funding_source=funded.call.funding_source)
        CallEligibility.objects.create(call=other, operator=funded.inside)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.content.decode().count("data-call=") == 5
    assert len(second) == len(first)


def test_a_funding_administrator_sees_applications_only_of_calls_they_review(funded, funding_admin):
    from django.utils import timezone

    from ..models import CallReviewer

    figures = call_figures(funding_admin, funded.call)
    assert (figures.applications, figures.requested) == (0, Decimal("0.00"))
    page, _used = operator_page(funding_admin, funded.call, sort="-requested")
    assert [(row.operator.name, row.requested, row.applications) for row in page] == [
        ("Beta operator", 0, 0),
        ("INSIDE operator", 0, 0),
    ]
    CallReviewer.objects.create(call=funded.call, user=funding_admin, assigned_at=timezone.now())
    figures = call_figures(funding_admin, funded.call)
    assert (figures.applications, figures.requested) == (4, Decimal("6750.00"))


def test_sorting_by_an_amount_cuts_pages_after_sorting(funded, owner):
    for index in range(3):
        operator = OperatorFactory(authority=funded.call.programme.authority, name=f"Alpha {index}")
        CallEligibility.objects.create(call=funded.call, operator=operator)
        application = ApplicationFactory(call=funded.call, operator=operator, number=1)
        CostLineFactory(
            application=application,
            category=funded.call.cost_categories.first(),
            position=1,
            funding=Decimal(1000 * (index + 1)),
            amount=Decimal(5000),
        )
    names = []
    for number in (1, 2, 3):
        page, used = operator_page(owner, funded.call, sort="-requested", page=number, per_page=2)
        assert used == "-requested"
        names += [(row.operator.name, row.requested) for row in page]
    assert names == [
        ("Beta operator", Decimal("4500.00")),
        ("Alpha 2", Decimal("3000.00")),
        ("INSIDE operator", Decimal("2250.00")),
        ("Alpha 1", Decimal("2000.00")),
        ("Alpha 0", Decimal("1000.00")),
    ]
    page, _used = operator_page(owner, funded.call, sort="requested", page=1, per_page=2)
    assert [row.operator.name for row in page] == ["Alpha 0", "Alpha 1"]
